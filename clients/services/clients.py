"""The client record: create, update (a new adviser through the transfer rule, the claim
category through the claim rule), leave without adviser, delete to the recycle bin and
restore."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from moonflow.audit.changes import audit_value, save_changes
from moonflow.audit.models import AuditEventKind
from transfers.services import lock_as_shown, transfer_clients

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
# model fields; adviser and claim_category go through their own rules (transfers, claims).
CLIENT_UPDATABLE = {
    f for f in CLIENT_FIELDS if f not in ("claim_category", "adviser_code", "supervisor_code")
} | {"supervisor", "extra"}

# The transfer channel (`transfers.services.THROUGH`) of a new adviser saved by
# `client_update`, per source; an import's file, SFTP and API keep their own.
EDIT_THROUGH = {AssignmentSource.SCREEN: "edit"}


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
    shown_adviser: str | None = None,
    shown_supervisor: str | None = None,
    **fields,
) -> Client:
    """Change any of CLIENT_UPDATABLE, plus `adviser` and `claim_category`.

    Only what differs is written and audited: saving the record unchanged
    writes nothing. A different claim category goes through the claim rule.

    A new adviser goes through the transfer rule (`transfers.services`): the
    assignment history, the open gestiones, the audit. `shown_adviser` and
    `shown_supervisor` are what the edit dialog showed (ids as text, "" for
    none; None: no dialog, compare with what is stored): a field left as it was
    shown writes nothing, so a dialog opened before a transfer and saved after
    it never hands the client back, and a dialog that did change the adviser
    of a client whose adviser changed meanwhile is refused (`AdviserChanged`).
    """
    allowed = CLIENT_UPDATABLE | {"adviser", "claim_category", "claim_payment_orders"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"client_update() got unexpected fields: {sorted(unknown)}")
    lock_client(client)
    # What is stored now: a transfer may have passed since the instance was read.
    client.refresh_from_db(fields=["adviser", "supervisor"])
    adviser_given = "adviser" in fields
    adviser = fields.pop("adviser", None)
    category = fields.pop("claim_category", None)
    claim_orders = fields.pop("claim_payment_orders", None)
    if shown_supervisor is None:
        shown_supervisor = str(client.supervisor_id or "")
    if "supervisor" in fields and _id_text(fields["supervisor"]) == shown_supervisor:
        # Left as shown: never overwrites a newer supervisor, nor the one a transfer sets.
        fields.pop("supervisor")

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

    if adviser_given and _change_adviser(
        client, adviser=adviser, shown=shown_adviser, actor=actor, source=source, job=job
    ):
        # The transfer may have set the new adviser's team supervisor; a supervisor chosen in
        # the same save is written next and wins.
        client.refresh_from_db(fields=["adviser", "supervisor", "updated_at"])
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


def _id_text(instance) -> str:
    return str(instance.pk) if instance is not None else ""


def _change_adviser(client: Client, *, adviser, shown: str | None, actor, source: str, job):
    """The adviser field of an edit; returns whether the client changed adviser.

    Left as shown, or naming the adviser the client already has: nothing. Otherwise the
    client must still have the adviser that was shown, and passes to the new one with its
    open gestiones (the transfer rule), or is left without adviser (`client_assign_adviser`:
    its open gestiones stay with whoever holds them).
    """
    new = _id_text(adviser)
    current = str(client.adviser_id or "")
    if new in (shown, current):
        return False
    lock_as_shown(project=client.project, client_id=client.pk,
                  shown_adviser=current if shown is None else shown)
    if adviser is None:
        return client_assign_adviser(
            client=client, adviser=None, actor=actor, source=source, job=job
        )
    through = EDIT_THROUGH.get(source, source)
    result = transfer_clients(project=client.project, actor=actor, clients=[client.pk],
                              to_adviser=adviser, through=through, job=job)
    return bool(result.clients)


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
    """Set the client's adviser alone (None: unassigned). Returns whether it changed.

    The open history row is closed at this instant and a new one opened, so
    the history reads who held the client from when to when, who changed it
    and through what (screen, file, SFTP, API, transfer, system). The open
    gestiones stay with whoever holds them: `client_update` comes here only to
    leave a client without adviser; a new adviser goes through the transfer
    rule (`transfers.services.transfer_clients`), which hands them over.
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
