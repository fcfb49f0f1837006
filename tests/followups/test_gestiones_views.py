"""The client's Gestiones panel and its dialogs: Nueva gestión, Completar, Reprogramar, Anular,
Agregar nota; what the user sees after each, who may act, and bad input."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from clients.situation import project_today
from followups.choices import FollowUpKind, FollowUpStatus
from followups.models import ClientNote, FollowUp
from moonflow.audit.models import AuditEvent
from tests import factories
from tests.conftest import login

from .helpers import make_followup, make_note

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, client_or_followup):
    return reverse(f"followups:{name}", kwargs={"project": "demo", "pk": client_or_followup.pk})


def panel(browser, client) -> str:
    response = browser.get(url("client_panel", client), **HTMX)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def client(cast):
    return factories.make_client(cast.project, name="Ana Gómez", adviser=cast.restricted)


def test_it_loads_the_panel_from_the_client_page(cast, client):
    page = login(cast.admin).get(reverse("clients:detail",
                                         kwargs={"project": "demo", "pk": client.pk}))
    assert url("client_panel", client) in page.content.decode()


def test_it_lists_open_and_closed_gestiones_and_the_notes(cast, client):
    make_followup(client, title="Llamar el lunes")
    make_followup(client, title="Enviar extracto", status=FollowUpStatus.DONE,
                  closing_note="Enviado por correo")
    make_note(client, text="Prefiere WhatsApp")

    html = panel(login(cast.restricted), client)

    assert "Llamar el lunes" in html
    assert "Enviar extracto" in html and "Completada" in html and "Enviado por correo" in html
    assert "Prefiere WhatsApp" in html
    assert "Nueva gestión" in html and "Agregar nota" in html


def test_it_creates_a_payment_promise_that_then_appears_in_the_panel(cast, client):
    browser = login(cast.restricted)
    due = project_today(cast.project) + timedelta(days=5)

    response = browser.post(url("create", client), {
        "kind": "promise", "amount": "250000", "due_on": due.isoformat(), "title": ""}, **HTMX)

    assert response.status_code == 204
    assert response.headers["HX-Refresh"] == "true"
    promise = FollowUp.objects.get(client=client)
    assert (promise.kind, promise.amount, promise.due_on) == (
        FollowUpKind.PROMISE, Decimal("250000.00"), due)
    assert promise.adviser == cast.restricted
    html = panel(browser, client)
    assert "Promesa de pago" in html and due.strftime("%d/%m/%Y") in html


def test_it_creates_a_scheduled_contact_with_its_channel_and_hour(cast, client):
    due = project_today(cast.project) + timedelta(days=1)
    response = login(cast.admin).post(url("create", client), {
        "kind": "contact", "channel": "whatsapp", "due_on": due.isoformat(),
        "due_time": "15:30", "title": "Confirmar pago"}, **HTMX)

    assert response.status_code == 204
    html = panel(login(cast.admin), client)
    assert "WhatsApp" in html and "15:30" in html and "Programado" in html


def test_it_refuses_a_task_without_title_on_the_field(cast, client):
    response = login(cast.admin).post(url("create", client), {
        "kind": "task", "title": "  ", "due_on": project_today(cast.project).isoformat()},
        **HTMX)

    html = response.content.decode()
    assert response.status_code == 200  # the dialog stays open with its errors
    assert 'id="id_title_error"' in html and "Qué hacer: escriba la tarea." in html
    assert not FollowUp.objects.exists()


def test_it_refuses_a_negative_promised_amount(cast, client):
    response = login(cast.admin).post(url("create", client), {
        "kind": "promise", "amount": "-100", "due_on": project_today(cast.project).isoformat()})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_amount_error"' in html and "debe ser mayor que cero" in html
    assert not FollowUp.objects.exists()


def test_it_refuses_a_missing_or_unreadable_date(cast, client):
    response = login(cast.admin).post(url("create", client), {
        "kind": "task", "title": "Llamar", "due_on": "31/02/2026"})

    assert response.status_code == 400
    assert "Fecha: no es una fecha válida (dd/mm/aaaa)." in response.content.decode()
    response = login(cast.admin).post(url("create", client), {"kind": "task", "title": "x"})
    assert "Fecha: es obligatoria (dd/mm/aaaa)." in response.content.decode()


def test_it_completes_a_task_and_shows_it_closed(cast, client):
    task = make_followup(client, title="Llamar el lunes")
    browser = login(cast.restricted)

    dialog = browser.get(url("complete", task), **HTMX).content.decode()
    assert "Completar: Llamar el lunes" in dialog
    response = browser.post(url("complete", task), {"note": "Atendió, paga el viernes"}, **HTMX)

    assert response.status_code == 204
    task.refresh_from_db()
    assert task.status == FollowUpStatus.DONE and task.closed_by == cast.restricted.user
    html = panel(browser, client)
    assert "Sin gestiones abiertas." in html and "Atendió, paga el viernes" in html
    assert AuditEvent.objects.filter(resource_type="followup", resource_id=task.pk).exists()


def test_it_marks_a_promise_broken(cast, client):
    promise = make_followup(client, kind=FollowUpKind.PROMISE)
    login(cast.admin).post(url("complete", promise), {"kept": "no"}, **HTMX)

    promise.refresh_from_db()
    assert promise.status == FollowUpStatus.BROKEN
    assert "Incumplida" in panel(login(cast.admin), client)


def test_it_says_a_closed_gestion_cannot_be_completed_again(cast, client):
    task = make_followup(client, status=FollowUpStatus.CANCELLED)
    response = login(cast.admin).post(url("complete", task), {}, **HTMX)

    assert "Esta gestión ya está cerrada (cancelada): no se puede modificar." in (
        response.content.decode())


def test_it_reschedules_to_another_day(cast, client):
    task = make_followup(client)
    new_day = project_today(cast.project) + timedelta(days=10)

    response = login(cast.restricted).post(url("reschedule", task), {
        "due_on": new_day.strftime("%d/%m/%Y"), "due_time": "09:00"}, **HTMX)

    assert response.status_code == 204
    task.refresh_from_db()
    assert task.due_on == new_day and task.is_open
    assert new_day.strftime("%d/%m/%Y") in panel(login(cast.restricted), client)


def test_it_refuses_a_reschedule_without_date(cast, client):
    task = make_followup(client)
    response = login(cast.admin).post(url("reschedule", task), {"due_on": ""}, **HTMX)

    assert 'id="id_due_on_error"' in response.content.decode()


def test_it_asks_before_cancelling_and_then_cancels(cast, client):
    task = make_followup(client, title="Visitar")
    browser = login(cast.supervisor)

    dialog = browser.get(url("cancel", task), **HTMX).content.decode()
    assert "¿Anular esta gestión?" in dialog and "Anular gestión" in dialog
    task.refresh_from_db()
    assert task.is_open  # asking changes nothing
    browser.post(url("cancel", task), {"note": "Ya pagó"}, **HTMX)

    task.refresh_from_db()
    assert task.status == FollowUpStatus.CANCELLED
    assert "Cancelada" in panel(browser, client)


def test_it_adds_a_note(cast, client):
    browser = login(cast.restricted)
    response = browser.post(url("note_add", client), {"text": "Cambió de trabajo"}, **HTMX)

    assert response.status_code == 204
    assert ClientNote.objects.get(client=client).author == cast.restricted.user
    assert "Cambió de trabajo" in panel(browser, client)


def test_it_refuses_an_empty_note(cast, client):
    response = login(cast.admin).post(url("note_add", client), {"text": " "}, **HTMX)

    assert "Nota: escriba el texto de la nota." in response.content.decode()
    assert not ClientNote.objects.exists()


@pytest.mark.parametrize("who", ["restricted", "outsider"])
def test_it_answers_404_to_who_cannot_see_the_client(cast, who):
    hidden = factories.make_client(cast.project, adviser=cast.adviser)
    task = make_followup(hidden)
    browser = login(getattr(cast, who))
    project = "demo" if who == "restricted" else "otra"

    def at(name, obj):
        return reverse(f"followups:{name}", kwargs={"project": project, "pk": obj.pk})

    for path in (at("client_panel", hidden), at("create", hidden), at("note_add", hidden),
                 at("complete", task), at("reschedule", task), at("cancel", task)):
        assert browser.get(path).status_code == 404, path
    assert browser.post(at("complete", task), {}).status_code == 404
    assert browser.post(at("create", hidden), {
        "kind": "task", "title": "x", "due_on": "2030-01-01"}).status_code == 404
    task.refresh_from_db()
    assert task.is_open and FollowUp.objects.count() == 1
