"""Writes on gestiones and client notes: create, complete, reschedule, cancel; add a note.

Keyword-only, one transaction each, audited (resource type "followup" or
"client_note"); `actor` is the Django user who acted. A gestión is closed
once: completing, cancelling or rescheduling a closed one is refused with a
message that says its state. Values come typed (dates, decimals); the rules
that a form cannot see are checked here.

Holding a client: creating a gestión locks the client's row (FOR SHARE), so
a transfer of that client (which locks it FOR UPDATE) either sees the new
gestión and hands it over, or runs first and the gestión goes to the client's
new adviser.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client
from clients.situation import project_today
from clients.validation import FieldError
from moonflow.audit.changes import audit_value, save_changes
from moonflow.audit.models import AuditEventKind
from moonflow.audit.services import audit_record
from moonflow.tenancy.models import Member

from .choices import ContactChannel, FollowUpKind, FollowUpStatus, NoteKind, status_label
from .models import ClientNote, FollowUp

NOTE_MAX_CHARS = 5_000
TITLE_MAX_CHARS = 200


def followup_label(followup: FollowUp) -> str:
    """How the audit log names a gestión: "Promesa de pago · Ana Gómez (CC 1020304050)"."""
    client = followup.client
    return f"{followup.get_kind_display()} · {client.name} ({client.external_id})"


def _lock_client(client: Client) -> dict:
    """The client's adviser and bin state, read under a share lock (see the module's doc)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT adviser_id, deleted_at FROM clients_client "
            "WHERE project_id = %s AND id = %s FOR SHARE",
            [client.project_id, client.pk])
        row = cursor.fetchone()
    if row is None:
        raise Client.DoesNotExist
    return {"adviser_id": row[0], "deleted_at": row[1]}


def _check_fields(*, kind, due_on, amount, channel, title) -> None:
    if kind not in FollowUpKind.values:
        raise ValueError(f"Unknown follow-up kind: {kind!r}")
    if not isinstance(due_on, date):
        raise FieldError("due_on", due_on or "", _("Fecha: es obligatoria (dd/mm/aaaa)."),
                         label=_("Fecha"))
    if len(title or "") > TITLE_MAX_CHARS:
        raise FieldError("title", title, _("Qué hacer: máximo %(n)s caracteres.")
                         % {"n": TITLE_MAX_CHARS}, label=_("Qué hacer"))
    if kind == FollowUpKind.TASK and not (title or "").strip():
        raise FieldError("title", "", _("Qué hacer: escriba la tarea."), label=_("Qué hacer"))
    if kind == FollowUpKind.PROMISE and (amount is None or Decimal(amount) <= 0):
        raise FieldError("amount", amount if amount is not None else "",
                         _("Monto prometido: debe ser mayor que cero."),
                         label=_("Monto prometido"))
    if kind == FollowUpKind.CONTACT and channel not in ContactChannel.values:
        raise FieldError("channel", channel or "", _("Canal: elija uno de: %(options)s.") % {
            "options": ", ".join(str(label) for _v, label in ContactChannel.choices)},
            label=_("Canal"))


@transaction.atomic
def followup_create(
    *,
    client: Client,
    actor,
    kind: str,
    due_on: date,
    due_time: time | None = None,
    title: str = "",
    detail: str = "",
    amount: Decimal | None = None,
    currency: str = "",
    channel: str = "",
    adviser: Member | None = None,
    source: str = "screen",
) -> FollowUp:
    """A new open gestión on `client`.

    It is held by `adviser` when given, else by the client's adviser, else by
    the member who creates it (`actor`'s membership). A promise is in the
    project's currency unless another is given.
    """
    _check_fields(kind=kind, due_on=due_on, amount=amount, channel=channel, title=title)
    state = _lock_client(client)
    if state["deleted_at"] is not None:
        raise FieldError("client", client.external_id, _(
            "El cliente %(key)s está en la papelera: recupérelo antes de agregarle "
            "gestiones.") % {"key": client.external_id}, label=_("Cliente"))
    if adviser is not None and adviser.project_id != client.project_id:
        raise ValueError("The adviser belongs to another project")
    holder_id = adviser.pk if adviser is not None else state["adviser_id"]
    if holder_id is None and actor is not None:
        holder_id = (Member.objects.filter(project_id=client.project_id, user=actor)
                     .values_list("pk", flat=True).first())
    followup = FollowUp.objects.create(
        project_id=client.project_id,
        client=client,
        kind=kind,
        title=(title or "").strip(),
        detail=(detail or "").strip(),
        due_on=due_on,
        due_time=due_time,
        amount=amount if kind == FollowUpKind.PROMISE else None,
        currency=((currency or client.project.currency).upper()
                  if kind == FollowUpKind.PROMISE else ""),
        channel=channel if kind == FollowUpKind.CONTACT else "",
        adviser_id=holder_id,
        created_by=actor,
    )
    changes = {"kind": [None, followup.kind], "due_on": [None, audit_value(due_on)],
               "adviser_id": [None, holder_id]}
    if followup.title:
        changes["title"] = [None, followup.title]
    if followup.amount is not None:
        changes["amount"] = [None, audit_value(followup.amount)]
        changes["currency"] = [None, followup.currency]
    if followup.channel:
        changes["channel"] = [None, followup.channel]
    if due_time is not None:
        changes["due_time"] = [None, audit_value(due_time)]
    audit_record(project=client.project, actor=actor, event=AuditEventKind.CREATED,
                 resource_type="followup", resource_id=followup.pk,
                 resource_label=followup_label(followup), changes=changes, source=source)
    return followup


def _lock_open(followup: FollowUp) -> FollowUp:
    """The gestión as stored, locked; refused when it is no longer open."""
    current = (FollowUp.objects.select_for_update()
               .filter(project_id=followup.project_id, pk=followup.pk).first())
    if current is None:
        raise FollowUp.DoesNotExist
    if current.status != FollowUpStatus.PENDING:
        raise FieldError("status", current.status, _(
            "Esta gestión ya está cerrada (%(state)s): no se puede modificar.") % {
            "state": str(status_label(current.kind, current.status)).lower()},
            label=_("Estado"))
    current.client = followup.client
    return current


def _close(followup: FollowUp, *, actor, status: str, note: str, source: str) -> FollowUp:
    current = _lock_open(followup)
    save_changes(
        current,
        {"status": status, "closed_at": timezone.now(), "closed_by": actor,
         "closing_note": (note or "").strip()},
        actor=actor, resource_type="followup", label=followup_label, source=source,
        project=current.client.project,
    )
    return current


@transaction.atomic
def followup_complete(*, followup: FollowUp, actor, kept: bool = True, note: str = "",
                      source: str = "screen") -> FollowUp:
    """Close an open gestión as done; a promise as cumplida, or incumplida (`kept=False`)."""
    if not kept and followup.kind != FollowUpKind.PROMISE:
        raise ValueError("Only a payment promise can be broken")
    status = FollowUpStatus.DONE if kept else FollowUpStatus.BROKEN
    return _close(followup, actor=actor, status=status, note=note, source=source)


@transaction.atomic
def followup_cancel(*, followup: FollowUp, actor, note: str = "",
                    source: str = "screen") -> FollowUp:
    """Close an open gestión without doing it (a promise: anulada)."""
    return _close(followup, actor=actor, status=FollowUpStatus.CANCELLED, note=note,
                  source=source)


@transaction.atomic
def followup_reschedule(*, followup: FollowUp, actor, due_on: date,
                        due_time: time | None = None, source: str = "screen") -> FollowUp:
    """Move an open gestión to another day (and hour), today or later in the project's
    timezone; unchanged, it writes nothing."""
    if not isinstance(due_on, date):
        raise FieldError("due_on", due_on or "", _("Fecha: es obligatoria (dd/mm/aaaa)."),
                         label=_("Fecha"))
    current = _lock_open(followup)
    today = project_today(current.client.project)
    if due_on < today:
        raise FieldError("due_on", due_on.strftime("%d/%m/%Y"), _(
            "Nueva fecha: no puede ser anterior a hoy (%(today)s); reprograme para hoy o un "
            "día siguiente.") % {"today": today.strftime("%d/%m/%Y")}, label=_("Nueva fecha"))
    save_changes(current, {"due_on": due_on, "due_time": due_time}, actor=actor,
                 resource_type="followup", label=followup_label, source=source,
                 project=current.client.project)
    return current


@transaction.atomic
def client_note_add(*, client: Client, actor, text: str, source: str = "screen") -> ClientNote:
    """A note on the client, signed by `actor`."""
    text = (text or "").strip()
    if not text:
        raise FieldError("text", "", _("Nota: escriba el texto de la nota."), label=_("Nota"))
    if len(text) > NOTE_MAX_CHARS:
        raise FieldError("text", text, _("Nota: máximo %(n)s caracteres (tiene %(len)s).") % {
            "n": NOTE_MAX_CHARS, "len": len(text)}, label=_("Nota"))
    note = ClientNote.objects.create(project_id=client.project_id, client=client,
                                     kind=NoteKind.NOTE, text=text, author=actor)
    audit_record(project=client.project, actor=actor, event=AuditEventKind.CREATED,
                 resource_type="client_note", resource_id=note.pk,
                 resource_label=f"{client.name} ({client.external_id})",
                 changes={"text": [None, text]}, source=source)
    return note
