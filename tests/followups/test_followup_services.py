"""Gestiones: create (who holds it), complete, reschedule, cancel; each audited, each refused with
a clear message when it cannot be done; and a client's notes."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest

from clients.validation import FieldError
from followups.choices import FollowUpKind, FollowUpStatus
from followups.models import ClientNote, FollowUp
from followups.services import (
    client_note_add,
    followup_cancel,
    followup_complete,
    followup_create,
    followup_reschedule,
)
from moonflow.audit.models import AuditEvent
from tests import factories

SOON = date.today() + timedelta(days=2)


@pytest.fixture
def client(cast):
    return factories.make_client(cast.project, name="Ana Gómez", adviser=cast.adviser)


def events(followup):
    return list(AuditEvent.objects.filter(resource_type="followup", resource_id=str(followup.pk))
                .order_by("created_at", "id").values_list("event", "changes"))


def test_a_task_is_held_by_the_clients_adviser_and_audited(cast, client):
    task = followup_create(client=client, actor=cast.supervisor.user, kind=FollowUpKind.TASK,
                           title="  Llamar para negociar ", due_on=SOON)
    assert (task.adviser_id, task.created_by, task.title, task.status) == (
        cast.adviser.pk, cast.supervisor.user, "Llamar para negociar", "pending")
    [(event, changes)] = events(task)
    assert event == "created"
    assert changes == {"kind": [None, "task"], "due_on": [None, SOON.isoformat()],
                       "adviser_id": [None, cast.adviser.pk],
                       "title": [None, "Llamar para negociar"]}
    audit = AuditEvent.objects.get(resource_type="followup")
    assert audit.resource_label == f"Tarea · Ana Gómez ({client.external_id})"


def test_a_promise_takes_the_projects_currency_and_a_contact_its_channel_and_hour(cast, client):
    promise = followup_create(client=client, actor=None, kind=FollowUpKind.PROMISE,
                              amount=Decimal("250000"), due_on=SOON)
    assert (promise.amount, promise.currency, promise.status_label) == (
        Decimal("250000"), "COP", "Pendiente")
    contact = followup_create(client=client, actor=None, kind=FollowUpKind.CONTACT,
                              channel="whatsapp", due_on=SOON, due_time=time(15, 30))
    assert (contact.channel, contact.due_time, contact.status_label) == (
        "whatsapp", time(15, 30), "Programado")


def test_an_unassigned_clients_gestion_is_held_by_who_creates_it(cast):
    loose = factories.make_client(cast.project)
    task = followup_create(client=loose, actor=cast.restricted.user, kind="task",
                           title="Buscar teléfono", due_on=SOON)
    assert task.adviser_id == cast.restricted.pk


@pytest.mark.parametrize("kind, fields, message", [
    ("task", {"title": ""}, "Qué hacer: escriba la tarea."),
    ("promise", {"amount": Decimal("0")}, "Monto prometido: debe ser mayor que cero."),
    ("promise", {}, "Monto prometido: debe ser mayor que cero."),
    ("contact", {"channel": "paloma"},
     "Canal: elija uno de: Llamada, WhatsApp, SMS, Correo electrónico, Visita."),
    ("task", {"title": "Llamar", "due_on": None}, "Fecha: es obligatoria (dd/mm/aaaa)."),
], ids=["task_without_title", "zero_promise", "promise_without_amount", "unknown_channel",
        "no_date"])
def test_bad_input_is_refused_with_what_is_wrong(cast, client, kind, fields, message):
    fields = {"due_on": SOON, **fields}
    with pytest.raises(FieldError) as refusal:
        followup_create(client=client, actor=None, kind=kind, **fields)
    assert refusal.value.text == message
    assert not FollowUp.objects.exists()


def test_a_client_in_the_bin_takes_no_gestion(cast, client):
    from django.utils import timezone

    client.deleted_at = timezone.now()
    client.save(update_fields=["deleted_at"])
    with pytest.raises(FieldError, match="está en la papelera: recupérelo antes"):
        followup_create(client=client, actor=None, kind="task", title="x", due_on=SOON)


def test_completing_keeps_who_held_it_and_who_closed_it(cast, client):
    promise = followup_create(client=client, actor=cast.adviser.user, kind="promise",
                              amount=Decimal("1000"), due_on=SOON)
    done = followup_complete(followup=promise, actor=cast.adviser.user, note="Pagó en caja")
    assert (done.status, done.status_label, done.closed_by, done.closing_note) == (
        "done", "Cumplida", cast.adviser.user, "Pagó en caja")
    assert done.closed_at is not None and done.adviser_id == cast.adviser.pk
    assert events(promise)[-1][1]["status"] == ["pending", "done"]


def test_a_broken_promise_is_incumplida_and_only_promises_break(cast, client):
    promise = followup_create(client=client, actor=None, kind="promise",
                              amount=Decimal("1000"), due_on=SOON)
    assert followup_complete(followup=promise, actor=None, kept=False).status_label == (
        "Incumplida")
    task = followup_create(client=client, actor=None, kind="task", title="x", due_on=SOON)
    with pytest.raises(ValueError):
        followup_complete(followup=task, actor=None, kept=False)


def test_a_closed_gestion_cannot_be_closed_rescheduled_or_cancelled_again(cast, client):
    task = followup_create(client=client, actor=None, kind="task", title="x", due_on=SOON)
    followup_cancel(followup=task, actor=cast.admin.user, note="Ya no aplica")
    assert FollowUp.objects.get(pk=task.pk).status == FollowUpStatus.CANCELLED
    for attempt in (lambda: followup_complete(followup=task, actor=None),
                    lambda: followup_cancel(followup=task, actor=None),
                    lambda: followup_reschedule(followup=task, actor=None, due_on=SOON)):
        with pytest.raises(FieldError) as refusal:
            attempt()
        assert refusal.value.text == ("Esta gestión ya está cerrada (cancelada): no se puede "
                                      "modificar.")


def test_rescheduling_writes_only_what_changed(cast, client):
    contact = followup_create(client=client, actor=None, kind="contact", channel="call",
                              due_on=SOON, due_time=time(9, 0))
    later = SOON + timedelta(days=5)
    followup_reschedule(followup=contact, actor=cast.adviser.user, due_on=later,
                        due_time=time(9, 0))
    contact.refresh_from_db()
    assert (contact.due_on, contact.due_time, contact.status) == (later, time(9, 0), "pending")
    assert events(contact)[-1] == ("updated", {"due_on": [SOON.isoformat(), later.isoformat()]})
    followup_reschedule(followup=contact, actor=None, due_on=later, due_time=time(9, 0))
    assert len(events(contact)) == 2  # unchanged: nothing written, nothing audited


def test_a_note_is_signed_and_audited_and_an_empty_or_long_one_refused(cast, client):
    note = client_note_add(client=client, actor=cast.adviser.user, text="  Prefiere WhatsApp ")
    assert (note.text, note.author, note.kind) == ("Prefiere WhatsApp", cast.adviser.user, "note")
    assert AuditEvent.objects.filter(resource_type="client_note", resource_id=str(note.pk)).exists()
    with pytest.raises(FieldError, match="escriba el texto"):
        client_note_add(client=client, actor=None, text="   ")
    with pytest.raises(FieldError, match=r"máximo 5000 caracteres \(tiene 5001\)"):
        client_note_add(client=client, actor=None, text="x" * 5001)
    assert ClientNote.objects.count() == 1
