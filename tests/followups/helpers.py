"""Builders of gestiones and notes, consistent with their client (project, holder)."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from followups.choices import ContactChannel, FollowUpKind, FollowUpStatus, NoteKind
from followups.models import ClientNote, FollowUp


def make_followup(client, *, kind=FollowUpKind.TASK, status=FollowUpStatus.PENDING,
                  adviser="client", **fields) -> FollowUp:
    """An open task held by the client's adviser unless told otherwise; a closed one gets its
    closing time."""
    if adviser == "client":
        adviser = client.adviser
    fields.setdefault("due_on", date.today() + timedelta(days=3))
    if kind == FollowUpKind.TASK:
        fields.setdefault("title", "Llamar para negociar")
    if kind == FollowUpKind.PROMISE:
        fields.setdefault("amount", Decimal("150000.00"))
        fields.setdefault("currency", "COP")
    if kind == FollowUpKind.CONTACT:
        fields.setdefault("channel", ContactChannel.CALL)
    if status != FollowUpStatus.PENDING:
        fields.setdefault("closed_at", timezone.now())
    return FollowUp.objects.create(project_id=client.project_id, client=client, kind=kind,
                                   status=status, adviser=adviser, **fields)


def make_note(client, text="Cliente pide llamar en la tarde", **fields) -> ClientNote:
    fields.setdefault("kind", NoteKind.NOTE)
    return ClientNote.objects.create(project_id=client.project_id, client=client, text=text,
                                     **fields)
