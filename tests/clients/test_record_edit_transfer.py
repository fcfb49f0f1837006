"""Editar → a new Asesor ID goes through the transfer rule, and a dialog opened before a
transfer never hands the client back."""

import pytest
from django.urls import reverse

from clients import services
from clients.choices import AssignmentSource
from clients.models import Client, ClientAssignment
from followups.choices import FollowUpStatus
from followups.models import FollowUp
from moonflow.audit.models import AuditEvent
from moonflow.tenancy.models import Role
from tests import factories
from tests.transfers.helpers import make_held_client
from transfers.services import transfer_clients

from .test_record_edit_unchanged import FormValues

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(client):
    return reverse("clients:edit", kwargs={"project": "demo", "pk": client.pk})


def open_dialog(browser, client) -> dict:
    """What the browser would send back from the dialog, left as it was opened."""
    page = browser.get(url(client), **HTMX)
    assert page.status_code == 200
    parser = FormValues()
    parser.feed(page.content.decode())
    return parser.values


@pytest.fixture
def south(cast):
    """Carla, of Equipo Sur (supervised by Julia)."""
    julia = factories.make_member(cast.project, role=Role.SUPERVISOR, username="julia",
                                  code="SUP-SUR")
    team = factories.make_team(cast.project, "Equipo Sur", supervisor=julia)
    carla = factories.make_member(cast.project, username="carla", team=team, code="CAR-77")
    return carla, julia


@pytest.fixture
def held(cast):
    """asesor1's client, supervised by the team's supervisor, with open and closed gestiones."""
    client = make_held_client(cast.project, cast.adviser, name="Elena Soto")
    Client.objects.filter(pk=client.pk).update(supervisor=cast.supervisor)
    return Client.objects.get(pk=client.pk)


def holders(client, status=FollowUpStatus.PENDING):
    return sorted(FollowUp.objects.filter(client=client, status=status)
                  .values_list("adviser_id", flat=True))


def test_a_new_asesor_id_hands_over_the_open_gestiones(cast, as_member, held, south):
    carla, julia = south
    closed_before = holders(held, FollowUpStatus.DONE)
    form = open_dialog(as_member(cast.admin), held)
    form["adviser_code"] = carla.code

    response = as_member(cast.admin).post(url(held), form, **HTMX)

    assert response.status_code == 204
    held.refresh_from_db()
    assert (held.adviser, held.supervisor) == (carla, julia)
    assert holders(held) == [carla.pk] * 3
    assert holders(held, FollowUpStatus.DONE) == closed_before == [cast.adviser.pk] * 2
    latest = ClientAssignment.objects.filter(client=held, ended_at__isnull=True).get()
    assert (latest.adviser, latest.source, latest.changed_by) == (
        carla, AssignmentSource.SCREEN, cast.admin.user)
    event = AuditEvent.objects.get(resource_type="transfer", resource_id=str(held.pk))
    assert event.changes["followups"][1] == {"task": 1, "promise": 1, "contact": 1}
    assert event.changes["through"] == [None, "edit"]
    # The client's page reads the change in its history.
    html = as_member(cast.admin).get(
        reverse("clients:detail", kwargs={"project": "demo", "pk": held.pk})).content.decode()
    assert "CAR-77" in html and "Pantalla" in html


def test_a_dialog_opened_before_a_transfer_keeps_the_new_adviser(cast, as_member, held, south):
    carla, julia = south
    form = open_dialog(as_member(cast.admin), held)
    transfer_clients(project=cast.project, actor=cast.supervisor.user, clients=[held.pk],
                     to_adviser=carla, through="screen")
    rows = ClientAssignment.objects.filter(client=held).count()
    form["name"] = "Elena Soto Ruiz"

    response = as_member(cast.admin).post(url(held), form, **HTMX)

    assert response.status_code == 204
    held.refresh_from_db()
    assert held.name == "Elena Soto Ruiz"
    assert (held.adviser, held.supervisor) == (carla, julia)
    assert holders(held) == [carla.pk] * 3
    assert ClientAssignment.objects.filter(client=held).count() == rows


def test_a_stale_dialog_that_changed_the_adviser_is_refused(cast, as_member, held, south):
    carla, _julia = south
    browser = as_member(cast.admin)
    form = open_dialog(browser, held)
    transfer_clients(project=cast.project, actor=cast.supervisor.user, clients=[held.pk],
                     to_adviser=carla, through="screen")
    form.update(adviser_code=cast.restricted.code, name="Otro nombre")

    response = browser.post(url(held), form, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert ("El cliente cambió de asesor mientras este diálogo estaba abierto: ahora lo tiene "
            "Carla (CAR-77). No se guardó ningún cambio") in html
    held.refresh_from_db()
    assert (held.adviser, held.name) == (carla, "Elena Soto")
    assert holders(held) == [carla.pk] * 3

    # The dialog now knows the adviser it shows: a second Guardar applies the Asesor ID.
    parser = FormValues()
    parser.feed(html)
    assert parser.values["adviser_code"] == cast.restricted.code
    assert parser.values["shown_adviser"] == str(carla.pk)
    assert browser.post(url(held), parser.values, **HTMX).status_code == 204
    held.refresh_from_db()
    assert (held.adviser, held.name) == (cast.restricted, "Otro nombre")
    assert holders(held) == [cast.restricted.pk] * 3


def test_a_supervisor_chosen_with_the_new_adviser_wins_over_the_teams(cast, as_member, held,
                                                                       south):
    carla, _julia = south
    form = open_dialog(as_member(cast.admin), held)
    form.update(adviser_code=carla.code, supervisor_code="")

    assert as_member(cast.admin).post(url(held), form, **HTMX).status_code == 204

    held.refresh_from_db()
    assert (held.adviser, held.supervisor) == (carla, None)


def test_emptying_the_asesor_id_of_a_stale_dialog_is_refused(cast, as_member, held, south):
    carla, _julia = south
    form = open_dialog(as_member(cast.admin), held)
    transfer_clients(project=cast.project, actor=cast.supervisor.user, clients=[held.pk],
                     to_adviser=carla, through="screen")
    form["adviser_code"] = ""

    response = as_member(cast.admin).post(url(held), form, **HTMX)

    assert "ahora lo tiene Carla (CAR-77)" in response.content.decode()
    held.refresh_from_db()
    assert held.adviser == carla


def test_the_service_without_a_dialog_still_transfers(cast, held, south):
    carla, julia = south
    services.client_update(client=held, actor=cast.admin.user, adviser=carla)
    held.refresh_from_db()
    assert (held.adviser, held.supervisor) == (carla, julia)
    assert holders(held) == [carla.pk] * 3
