"""Writes on a client record and on what hangs from it.

Every function is keyword-only, runs in one transaction, saves with
`update_fields` and leaves an AuditEvent (resource type "client",
"payment_order", "segment" or "custom_variable"). `actor` is the Django user
who acted (None for the system). Values come already cleaned by
`clients.validation`; services enforce only the rules that need the database
(uniqueness, the claim rule, the state of an order) and serialise concurrent
writers by locking the client row.

The claim rule (Client.claim_category ↔ Claim rows):
- Choosing a category (Condiciones contractuales, Errores de facturación,
  Problemas con el pago, Problemas con producto/servicio) opens a claim of
  that category unless one is already open. A client has at most two open
  claims, in different categories: a third category is refused with a message
  naming the open ones. A new claim is linked to the payment orders chosen, or
  by default to every pending order of the client (the debt in dispute).
- "Sin reclamo / Reclamo cerrado" closes every open claim.
- `Client.claim_category` always shows the most recently opened claim that is
  still open, or "Sin reclamo / Reclamo cerrado" when none is; closing one of
  two open claims falls back to the other.
- Any change recomputes the situation (an open claim → "Con reclamo").
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from moonflow.audit.models import AuditEventKind
from moonflow.audit.services import audit_record

from .choices import (
    AssignmentSource,
    ClaimCategory,
    ClaimStatus,
    ClientStatus,
    ContactAlert,
    Contactability,
    PaymentOrderKind,
    PaymentOrderStatus,
    PortfolioType,
)
from .models import Claim, Client, ClientAssignment, CustomVariable, PaymentOrder, Segment
from .situation import recompute_situations
from .validation import FieldError, check_external_id_free
from .variable_statistics import ensure_variable_statistics

MAX_OPEN_CLAIMS = 2

# Fields `client_update` may change directly; adviser and claim_category go
# through their own rules (assignment history, claims).
CLIENT_UPDATABLE = {
    "document_type",
    "document_number",
    "name",
    "email",
    "phone",
    "city",
    "segment",
    "status",
    "portfolio_type",
    "contactability",
    "contact_alert",
    "supervisor",
    "extra",
}


def _plain(value):
    """A JSON-friendly rendering of a value for the audit log."""
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    code = getattr(value, "code", None)
    if code is not None and hasattr(value, "display_name"):
        return f"{value.display_name} ({code})"
    return str(value)


def _audit_client(client: Client, *, actor, event: str, changes: dict, source: str = "screen"):
    audit_record(
        project=client.project,
        actor=actor,
        event=event,
        resource_type="client",
        resource_id=client.pk,
        resource_label=f"{client.name} ({client.external_id})",
        changes=changes,
        source=source,
    )


def _audit_order(order: PaymentOrder, *, actor, event: str, changes: dict, source="screen"):
    audit_record(
        project=order.client.project,
        actor=actor,
        event=event,
        resource_type="payment_order",
        resource_id=order.pk,
        resource_label=f"{order.number} · {order.client.name}",
        changes=changes,
        source=source,
    )


def _lock(client: Client) -> None:
    """Serialise writers of one client (assignment rows, the two-claims rule)."""
    Client.objects.select_for_update().filter(pk=client.pk).values_list("pk").first()


def _refresh_situation(client: Client) -> None:
    recompute_situations(project=client.project, client_ids=[client.pk])
    client.refresh_from_db(fields=["situation", "balance", "oldest_overdue_on"])


def _external_id_taken(*, document_type, document_number):
    return FieldError(
        "document_number",
        document_number,
        _("Número de documento «%(value)s»: ya existe un cliente con el documento %(id)s.")
        % {"value": document_number, "id": f"{document_type} {document_number}"},
    )


# --- Client ------------------------------------------------------------------------


@transaction.atomic
def client_create(
    *,
    project,
    actor,
    document_type: str,
    document_number: str,
    name: str,
    email: str = "",
    phone: str = "",
    city: str = "",
    segment: Segment | None = None,
    status: str = ClientStatus.ACTIVE,
    portfolio_type: str = PortfolioType.CURRENT,
    contactability: str = Contactability.CONTACTABLE,
    contact_alert: str = ContactAlert.NONE,
    claim_category: str = ClaimCategory.NONE,
    adviser=None,
    supervisor=None,
    extra: dict | None = None,
    source: str = AssignmentSource.SCREEN,
    job=None,
    member=None,
) -> Client:
    """Create a client; its first adviser opens the assignment history.

    `member` (the acting member) only shapes the duplicate message: a
    restricted adviser is not told the name of a client they may not see.
    """
    check_external_id_free(
        project=project,
        document_type=document_type,
        document_number=document_number,
        member=member,
    )
    client = Client(
        project=project,
        document_type=document_type,
        document_number=document_number,
        name=name,
        email=email,
        phone=phone,
        city=city,
        segment=segment,
        status=status,
        portfolio_type=portfolio_type,
        contactability=contactability,
        contact_alert=contact_alert,
        supervisor=supervisor,
        extra=extra or {},
    )
    try:
        with transaction.atomic():
            client.save(force_insert=True)
    except IntegrityError:
        # Another request created the same external ID after our check.
        raise _external_id_taken(
            document_type=document_type, document_number=document_number
        ) from None
    _audit_client(
        client,
        actor=actor,
        event=AuditEventKind.CREATED,
        changes={
            "document": [None, client.external_id],
            "name": [None, name],
            **({"adviser": [None, _plain(adviser)]} if adviser else {}),
        },
        source=source,
    )
    if adviser is not None:
        _open_assignment(client, adviser=adviser, actor=actor, source=source, job=job)
        client.adviser = adviser
        client.save(update_fields=["adviser"])
    if claim_category != ClaimCategory.NONE:
        _apply_claim_category(client, category=claim_category, actor=actor, source=source)
    _refresh_situation(client)
    return client


@transaction.atomic
def client_update(
    *,
    client: Client,
    actor,
    source: str = AssignmentSource.SCREEN,
    job=None,
    member=None,
    **fields,
) -> Client:
    """Change any of CLIENT_UPDATABLE, plus `adviser` and `claim_category`.

    The adviser goes through `client_assign_adviser` (history row), the claim
    category through the claim rule; both recompute what they affect.
    """
    allowed = CLIENT_UPDATABLE | {"adviser", "claim_category", "claim_payment_orders"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"client_update() got unexpected fields: {sorted(unknown)}")
    _lock(client)
    adviser_given = "adviser" in fields
    adviser = fields.pop("adviser", None)
    category = fields.pop("claim_category", None)
    claim_orders = fields.pop("claim_payment_orders", None)

    new_type = fields.get("document_type", client.document_type)
    new_number = fields.get("document_number", client.document_number)
    if (new_type, new_number) != (client.document_type, client.document_number):
        check_external_id_free(
            project=client.project,
            document_type=new_type,
            document_number=new_number,
            exclude_pk=client.pk,
            member=member,
        )

    changes = {}
    for name, new in fields.items():
        old = getattr(client, name)
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
            setattr(client, name, new)
    if changes:
        try:
            with transaction.atomic():
                client.save(update_fields=[*changes, "updated_at"])
        except IntegrityError:
            raise _external_id_taken(document_type=new_type, document_number=new_number) from None
        _audit_client(client, actor=actor, event=AuditEventKind.UPDATED, changes=changes, source=source)
    if adviser_given:
        client_assign_adviser(client=client, adviser=adviser, actor=actor, source=source, job=job)
    if category is not None:
        claim_set_category(
            client=client, category=category, actor=actor, payment_orders=claim_orders, source=source
        )
    return client


def _open_assignment(client: Client, *, adviser, actor, source: str, job=None, now=None):
    ClientAssignment.objects.create(
        project=client.project,
        client=client,
        adviser=adviser,
        started_at=now or timezone.now(),
        changed_by=actor,
        source=source,
        job=job,
    )


@transaction.atomic
def client_assign_adviser(
    *, client: Client, adviser, actor, source: str = AssignmentSource.SCREEN, job=None
) -> bool:
    """Hand the client to `adviser` (None: unassigned). Returns whether it changed.

    The open history row is closed at this instant and a new one opened, so
    the history reads who held the client from when to when, who changed it
    and through what (screen, file, SFTP, API, transfer, system).
    """
    _lock(client)
    current_id = Client.objects.filter(pk=client.pk).values_list("adviser_id", flat=True).first()
    new_id = adviser.pk if adviser is not None else None
    if current_id == new_id:
        return False
    if adviser is not None and adviser.project_id != client.project_id:
        raise ValueError("The adviser belongs to another project")
    now = timezone.now()
    old = None
    if current_id is not None:
        from moonflow.tenancy.models import Member

        old = Member.objects.select_related("user").filter(pk=current_id).first()
    ClientAssignment.objects.filter(
        project=client.project, client=client, ended_at__isnull=True
    ).update(ended_at=now)
    _open_assignment(client, adviser=adviser, actor=actor, source=source, job=job, now=now)
    client.adviser = adviser
    client.save(update_fields=["adviser", "updated_at"])
    _audit_client(
        client,
        actor=actor,
        event=AuditEventKind.UPDATED,
        changes={"adviser": [_plain(old), _plain(adviser)]},
        source=source,
    )
    return True


@transaction.atomic
def client_delete(*, client: Client, actor, reason: str = "", source: str = "screen") -> Client:
    """Move the client to the recycle bin; everything linked to it stays as is."""
    _lock(client)
    client.refresh_from_db(fields=["deleted_at"])
    if client.deleted_at is not None:
        return client
    client.deleted_at = timezone.now()
    client.deleted_by = actor
    client.deletion_reason = (reason or "").strip()[:255]
    client.save(update_fields=["deleted_at", "deleted_by", "deletion_reason", "updated_at"])
    changes = {"deleted_at": [None, _plain(client.deleted_at)]}
    if client.deletion_reason:
        changes["deletion_reason"] = [None, client.deletion_reason]
    _audit_client(client, actor=actor, event=AuditEventKind.DELETED, changes=changes, source=source)
    return client


@transaction.atomic
def client_restore(*, client: Client, actor, source: str = "screen") -> Client:
    """Bring the client back from the recycle bin with all its data."""
    _lock(client)
    client.refresh_from_db(fields=["deleted_at"])
    if client.deleted_at is None:
        return client
    old = client.deleted_at
    client.deleted_at = None
    client.deleted_by = None
    client.deletion_reason = ""
    client.save(update_fields=["deleted_at", "deleted_by", "deletion_reason", "updated_at"])
    _audit_client(
        client,
        actor=actor,
        event=AuditEventKind.RESTORED,
        changes={"deleted_at": [_plain(old), None]},
        source=source,
    )
    # Days went by in the bin: the nightly job skipped nothing, but be exact now.
    _refresh_situation(client)
    return client


# --- Claims --------------------------------------------------------------------


def _open_claims(client: Client):
    return Claim.objects.filter(
        project=client.project, client=client, status=ClaimStatus.OPEN
    ).order_by("-opened_at", "-id")


def _sync_claim_category(client: Client, *, actor, source: str) -> None:
    """Client.claim_category shows the latest open claim, or none."""
    latest = _open_claims(client).values_list("category", flat=True).first()
    new = latest or ClaimCategory.NONE
    if client.claim_category != new:
        old = client.claim_category
        client.claim_category = new
        client.save(update_fields=["claim_category", "updated_at"])
        _audit_client(
            client,
            actor=actor,
            event=AuditEventKind.UPDATED,
            changes={"claim_category": [old, new]},
            source=source,
        )


def _apply_claim_category(client: Client, *, category: str, actor, source: str, payment_orders=None):
    open_claims = list(_open_claims(client))
    now = timezone.now()
    if category == ClaimCategory.NONE:
        for claim in open_claims:
            claim.status = ClaimStatus.CLOSED
            claim.closed_at = now
            claim.save(update_fields=["status", "closed_at"])
    elif not any(c.category == category for c in open_claims):
        if len(open_claims) >= MAX_OPEN_CLAIMS:
            names = " y ".join(f"«{c.get_category_display()}»" for c in open_claims)
            raise FieldError(
                "claim_category",
                ClaimCategory(category).label,
                _(
                    "Reclamo «%(category)s»: el cliente ya tiene dos reclamos abiertos "
                    "(%(open)s). Cierre uno antes de abrir otro."
                )
                % {"category": ClaimCategory(category).label, "open": names},
            )
        claim = Claim.objects.create(
            project=client.project, client=client, category=category, opened_by=actor
        )
        if payment_orders is None:
            payment_orders = PaymentOrder.objects.filter(
                project=client.project, client=client, status=PaymentOrderStatus.PENDING
            )
        # Only this client's orders can be in dispute in this client's claim.
        claim.payment_orders.set([o for o in payment_orders if o.client_id == client.pk])
    else:
        # Already open: choosing it again makes it the one the client shows.
        claim = next(c for c in open_claims if c.category == category)
        if client.claim_category != category:
            old = client.claim_category
            client.claim_category = category
            client.save(update_fields=["claim_category", "updated_at"])
            _audit_client(
                client,
                actor=actor,
                event=AuditEventKind.UPDATED,
                changes={"claim_category": [old, category]},
                source=source,
            )
        return
    _sync_claim_category(client, actor=actor, source=source)


@transaction.atomic
def claim_set_category(
    *, client: Client, category: str, actor, payment_orders=None, source: str = "screen"
) -> Client:
    """Apply the claim rule for a category chosen in the record (see module doc)."""
    _lock(client)
    client.refresh_from_db(fields=["claim_category"])
    _apply_claim_category(
        client, category=category, actor=actor, source=source, payment_orders=payment_orders
    )
    _refresh_situation(client)
    return client


@transaction.atomic
def claim_close(*, claim: Claim, actor, source: str = "screen") -> Claim:
    """Close one claim; the client shows the other open one, if any."""
    client = claim.client
    _lock(client)
    claim.refresh_from_db(fields=["status"])
    if claim.status == ClaimStatus.CLOSED:
        return claim
    claim.status = ClaimStatus.CLOSED
    claim.closed_at = timezone.now()
    claim.save(update_fields=["status", "closed_at"])
    client.refresh_from_db(fields=["claim_category"])
    _sync_claim_category(client, actor=actor, source=source)
    _refresh_situation(client)
    return claim


# --- Payment orders ---------------------------------------------------------------

ORDER_UPDATABLE = {
    "number",
    "kind",
    "amount",
    "interest",
    "discounts",
    "payments",
    "currency",
    "issued_on",
    "due_date",
}


def _order_number_taken(number: str) -> FieldError:
    return FieldError(
        "number",
        number,
        _("Número «%(number)s»: ya existe una orden de pago con ese número en el proyecto.")
        % {"number": number},
    )


def _check_order_number_free(*, project, number: str, exclude_pk=None) -> None:
    qs = PaymentOrder.objects.filter(project=project, number=number)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise _order_number_taken(number)


class PaymentOrderStateError(FieldError):
    """An action the order's state does not allow (paying an annulled one…)."""

    def __init__(self, order: PaymentOrder, message: str):
        super().__init__("status", order.get_status_display(), message)


@transaction.atomic
def payment_order_create(
    *,
    client: Client,
    actor,
    number: str,
    due_date: date,
    amount: Decimal,
    kind: str = PaymentOrderKind.INVOICE,
    interest: Decimal = Decimal("0"),
    discounts: Decimal = Decimal("0"),
    payments: Decimal = Decimal("0"),
    currency: str | None = None,
    issued_on: date | None = None,
    source: str = "screen",
) -> PaymentOrder:
    _lock(client)
    _check_order_number_free(project=client.project, number=number)
    order = PaymentOrder(
        project=client.project,
        client=client,
        number=number,
        kind=kind,
        amount=amount,
        interest=interest,
        discounts=discounts,
        payments=payments,
        currency=currency or client.project.currency,
        issued_on=issued_on,
        due_date=due_date,
    )
    try:
        with transaction.atomic():
            order.save(force_insert=True)
    except IntegrityError:
        raise _order_number_taken(number) from None
    _audit_order(
        order,
        actor=actor,
        event=AuditEventKind.CREATED,
        changes={
            "number": [None, number],
            "amount": [None, _plain(amount)],
            "due_date": [None, _plain(due_date)],
        },
        source=source,
    )
    _refresh_situation(client)
    return order


@transaction.atomic
def payment_order_update(*, order: PaymentOrder, actor, source: str = "screen", **fields) -> PaymentOrder:
    """Change a pending order's data. Paid and annulled orders are history."""
    unknown = set(fields) - ORDER_UPDATABLE
    if unknown:
        raise TypeError(f"payment_order_update() got unexpected fields: {sorted(unknown)}")
    _lock(order.client)
    order.refresh_from_db(fields=["status"])
    if order.status != PaymentOrderStatus.PENDING:
        raise PaymentOrderStateError(
            order,
            _("La orden de pago %(number)s está %(status)s: no se puede editar.")
            % {"number": order.number, "status": order.get_status_display().lower()},
        )
    if "number" in fields and fields["number"] != order.number:
        _check_order_number_free(project=order.project, number=fields["number"], exclude_pk=order.pk)
    changes = {}
    for name, new in fields.items():
        old = getattr(order, name)
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
            setattr(order, name, new)
    if not changes:
        return order
    try:
        with transaction.atomic():
            order.save(update_fields=[*changes, "updated_at"])
    except IntegrityError:
        raise _order_number_taken(fields.get("number", order.number)) from None
    order.refresh_from_db(fields=["total"])
    _audit_order(order, actor=actor, event=AuditEventKind.UPDATED, changes=changes, source=source)
    _refresh_situation(order.client)
    return order


@transaction.atomic
def payment_order_mark_paid(
    *, order: PaymentOrder, actor, paid_at: datetime | None = None, source: str = "screen"
) -> PaymentOrder:
    """Record the order as paid: what was still owed counts as paid now."""
    _lock(order.client)
    order.refresh_from_db(fields=["status", "payments", "amount", "interest", "discounts"])
    if order.status == PaymentOrderStatus.PAID:
        return order
    if order.status == PaymentOrderStatus.ANNULLED:
        raise PaymentOrderStateError(
            order,
            _("La orden de pago %(number)s está anulada: no se puede marcar como pagada.")
            % {"number": order.number},
        )
    old_payments = order.payments
    order.status = PaymentOrderStatus.PAID
    order.paid_at = paid_at or timezone.now()
    # Total = amount + interest − discounts − payments: a paid order owes nothing.
    order.payments = order.amount + order.interest - order.discounts
    order.save(update_fields=["status", "paid_at", "payments", "updated_at"])
    order.refresh_from_db(fields=["total"])
    _audit_order(
        order,
        actor=actor,
        event=AuditEventKind.UPDATED,
        changes={
            "status": [PaymentOrderStatus.PENDING, PaymentOrderStatus.PAID],
            "payments": [_plain(old_payments), _plain(order.payments)],
            "paid_at": [None, _plain(order.paid_at)],
        },
        source=source,
    )
    _refresh_situation(order.client)
    return order


@transaction.atomic
def payment_order_annul(*, order: PaymentOrder, actor, source: str = "screen") -> PaymentOrder:
    """Annul a pending order: it no longer counts for the situation or the balance."""
    _lock(order.client)
    order.refresh_from_db(fields=["status"])
    if order.status == PaymentOrderStatus.ANNULLED:
        return order
    if order.status == PaymentOrderStatus.PAID:
        raise PaymentOrderStateError(
            order,
            _("La orden de pago %(number)s está pagada: no se puede anular.")
            % {"number": order.number},
        )
    order.status = PaymentOrderStatus.ANNULLED
    order.annulled_at = timezone.now()
    order.save(update_fields=["status", "annulled_at", "updated_at"])
    _audit_order(
        order,
        actor=actor,
        event=AuditEventKind.UPDATED,
        changes={
            "status": [PaymentOrderStatus.PENDING, PaymentOrderStatus.ANNULLED],
            "annulled_at": [None, _plain(order.annulled_at)],
        },
        source=source,
    )
    _refresh_situation(order.client)
    return order


# --- Ajustes: segments and custom variables ---------------------------------------------


def _audit_setting(project, *, actor, resource_type: str, obj, event: str, changes: dict):
    audit_record(
        project=project,
        actor=actor,
        event=event,
        resource_type=resource_type,
        resource_id=obj.pk,
        resource_label=str(obj),
        changes=changes,
        source="screen",
    )


def _segment_name_taken(project, name: str, exclude_pk=None) -> None:
    qs = Segment.objects.filter(project=project, name__iexact=name)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise FieldError(
            "name",
            name,
            _("Segmento «%(name)s»: ya existe un segmento con ese nombre.") % {"name": name},
            label=_("Segmento"),
        )


@transaction.atomic
def segment_create(*, project, name: str, actor) -> Segment:
    name = " ".join(name.split())
    _segment_name_taken(project, name)
    try:
        with transaction.atomic():
            segment = Segment.objects.create(project=project, name=name)
    except IntegrityError:
        _segment_name_taken(project, name)
        raise
    _audit_setting(
        project, actor=actor, resource_type="segment", obj=segment,
        event=AuditEventKind.CREATED, changes={"name": [None, name]},
    )
    return segment


@transaction.atomic
def segment_rename(*, segment: Segment, name: str, actor) -> Segment:
    name = " ".join(name.split())
    if name == segment.name:
        return segment
    _segment_name_taken(segment.project, name, exclude_pk=segment.pk)
    old = segment.name
    segment.name = name
    segment.save(update_fields=["name"])
    _audit_setting(
        segment.project, actor=actor, resource_type="segment", obj=segment,
        event=AuditEventKind.UPDATED, changes={"name": [old, name]},
    )
    return segment


@transaction.atomic
def custom_variable_create(
    *, project, actor, label: str, key: str, type: str, choices: list[str] | None = None
) -> CustomVariable:
    if CustomVariable.objects.filter(project=project, key=key).exists():
        raise FieldError(
            "key",
            key,
            _("Clave «%(key)s»: ya existe una variable con esa clave.") % {"key": key},
            label=_("Clave"),
        )
    position = CustomVariable.objects.filter(project=project).count()
    variable = CustomVariable.objects.create(
        project=project, label=label, key=key, type=type, choices=choices or [], position=position
    )
    ensure_variable_statistics(key)
    _audit_setting(
        project, actor=actor, resource_type="custom_variable", obj=variable,
        event=AuditEventKind.CREATED,
        changes={"key": [None, key], "label": [None, label], "type": [None, type]},
    )
    return variable


@transaction.atomic
def custom_variable_update(
    *, variable: CustomVariable, actor, label: str, choices: list[str] | None = None
) -> CustomVariable:
    """Rename a variable or change its options. Key and type stay: files map to the
    key, and stored values were typed when they were written."""
    changes = {}
    if label != variable.label:
        changes["label"] = [variable.label, label]
        variable.label = label
    new_choices = list(choices or []) if variable.type == "choice" else variable.choices
    if new_choices != variable.choices:
        changes["choices"] = [variable.choices, new_choices]
        variable.choices = new_choices
    if changes:
        variable.save(update_fields=list(changes))
        _audit_setting(
            variable.project, actor=actor, resource_type="custom_variable", obj=variable,
            event=AuditEventKind.UPDATED, changes=changes,
        )
    return variable
