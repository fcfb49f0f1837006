"""The client record: create, update (with its adviser and claim category), hand to
an adviser, delete to the recycle bin and restore."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from moonflow.audit.changes import audit_value, save_changes
from moonflow.audit.models import AuditEventKind

from ..choices import (
    AssignmentSource,
    ClaimCategory,
    ClientStatus,
    Contactability,
    ContactAlert,
    PortfolioType,
)
from ..models import Client, ClientAssignment, Segment
from ..validation import CLIENT_FIELDS, FieldError, check_external_id_free
from .claims import apply_claim_category, claim_set_category
from .common import audit_client, client_label, lock_client, refresh_situation

# Fields `client_update` may change directly: the row's fields (clients.validation), as
# model fields; adviser and claim_category go through their own rules (assignment
# history, claims).
CLIENT_UPDATABLE = {
    f for f in CLIENT_FIELDS if f not in ("claim_category", "adviser_code", "supervisor_code")
} | {"supervisor", "extra"}


def _external_id_taken(*, document_type, document_number):
    return FieldError(
        "document_number",
        document_number,
        _("Número de documento «%(value)s»: ya existe un cliente con el documento %(id)s.")
        % {"value": document_number, "id": f"{document_type} {document_number}"},
    )


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

    `member` is the acting member, when a person acts. An adviser's new
    client is theirs, whatever adviser was asked for: advisers do not hand
    clients out, and a restricted adviser would not see it otherwise. For
    everybody, `member` also shapes the duplicate message: a restricted
    adviser is not told the name of a client they may not see.
    """
    if member is not None and not member.can_manage:
        adviser = member
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
    audit_client(
        client,
        actor=actor,
        event=AuditEventKind.CREATED,
        changes={
            "document": [None, client.external_id],
            "name": [None, name],
            **({"adviser": [None, audit_value(adviser)]} if adviser else {}),
        },
        source=source,
    )
    if adviser is not None:
        _open_assignment(client, adviser=adviser, actor=actor, source=source, job=job)
        client.adviser = adviser
        client.save(update_fields=["adviser"])
    if claim_category != ClaimCategory.NONE:
        apply_claim_category(client, category=claim_category, actor=actor, source=source)
    refresh_situation(client)
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

    Only what differs is written and audited: saving the record unchanged
    writes nothing. The adviser goes through `client_assign_adviser`
    (history row), a different claim category through the claim rule; both
    recompute what they affect.
    """
    allowed = CLIENT_UPDATABLE | {"adviser", "claim_category", "claim_payment_orders"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"client_update() got unexpected fields: {sorted(unknown)}")
    lock_client(client)
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

    save_changes(
        client,
        fields,
        actor=actor,
        resource_type="client",
        label=client_label,
        source=source,
        project=client.project,
        on_conflict=lambda: _external_id_taken(
            document_type=new_type, document_number=new_number
        ),
    )
    if adviser_given:
        client_assign_adviser(client=client, adviser=adviser, actor=actor, source=source, job=job)
    if category is not None:
        client.refresh_from_db(fields=["claim_category"])
        if category != client.claim_category:
            claim_set_category(
                client=client,
                category=category,
                actor=actor,
                payment_orders=claim_orders,
                source=source,
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
    lock_client(client)
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
    audit_client(
        client,
        actor=actor,
        event=AuditEventKind.UPDATED,
        changes={"adviser": [audit_value(old), audit_value(adviser)]},
        source=source,
    )
    return True


@transaction.atomic
def client_delete(*, client: Client, actor, reason: str = "", source: str = "screen") -> Client:
    """Move the client to the recycle bin; everything linked to it stays as is."""
    lock_client(client)
    client.refresh_from_db(fields=["deleted_at"])
    if client.deleted_at is not None:
        return client
    client.deleted_at = timezone.now()
    client.deleted_by = actor
    client.deletion_reason = (reason or "").strip()[:255]
    client.save(update_fields=["deleted_at", "deleted_by", "deletion_reason", "updated_at"])
    changes = {"deleted_at": [None, audit_value(client.deleted_at)]}
    if client.deletion_reason:
        changes["deletion_reason"] = [None, client.deletion_reason]
    audit_client(client, actor=actor, event=AuditEventKind.DELETED, changes=changes, source=source)
    return client


@transaction.atomic
def client_restore(*, client: Client, actor, source: str = "screen") -> Client:
    """Bring the client back from the recycle bin with all its data."""
    lock_client(client)
    client.refresh_from_db(fields=["deleted_at"])
    if client.deleted_at is None:
        return client
    old = client.deleted_at
    client.deleted_at = None
    client.deleted_by = None
    client.deletion_reason = ""
    client.save(update_fields=["deleted_at", "deleted_by", "deletion_reason", "updated_at"])
    audit_client(
        client,
        actor=actor,
        event=AuditEventKind.RESTORED,
        changes={"deleted_at": [audit_value(old), None]},
        source=source,
    )
    # Days went by in the bin: the nightly job skipped nothing, but be exact now.
    refresh_situation(client)
    return client
