"""Acciones → Transferir cliente: who may, what the dialog shows, the transfer and its refusals."""

import pytest
from django.urls import reverse

from clients.models import Client, ClientAssignment
from followups.choices import FollowUpKind, FollowUpStatus, NoteKind
from followups.models import ClientNote, FollowUp
from moonflow.tenancy.models import Role
from tests import factories
from transfers.services import transfer_clients

from .helpers import make_held_client

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def transfer_url(client, project="demo"):
    return reverse("transfers:client", kwargs={"project": project, "pk": client.pk})


def detail_url(client):
    return reverse("clients:detail", kwargs={"project": "demo", "pk": client.pk})


@pytest.fixture
def held(cast):
    """asesor1's client with open gestiones, a pending promise, a scheduled contact, orders."""
    return make_held_client(cast.project, cast.adviser, name="Elena Soto")


def confirm(browser, client, adviser, *, shown, note=""):
    return browser.post(transfer_url(client), {
        "adviser": adviser.pk if hasattr(adviser, "pk") else adviser,
        "shown_adviser": shown.pk if shown is not None else "", "note": note}, **HTMX)


def test_it_shows_transferir_cliente_to_admins_and_supervisors_only(cast, as_member, held):
    for member in (cast.admin, cast.supervisor):
        html = as_member(member).get(detail_url(held)).content.decode()
        assert 'aria-label="Transferir cliente"' in html
        assert transfer_url(held) in html
    html = as_member(cast.adviser).get(detail_url(held)).content.decode()
    assert "Transferir cliente" not in html


def test_it_opens_the_dialog_for_admins_and_supervisors(cast, as_member, held):
    for member in (cast.admin, cast.supervisor):
        response = as_member(member).get(transfer_url(held), **HTMX)
        assert response.status_code == 200
        assert "Transferir cliente: Elena Soto" in response.content.decode()


def test_it_refuses_advisers_who_see_the_client(cast, as_member, held):
    assert as_member(cast.adviser).get(transfer_url(held), **HTMX).status_code == 403
    assert confirm(as_member(cast.adviser), held, cast.restricted,
                   shown=cast.adviser).status_code == 403
    own = factories.make_client(cast.project, adviser=cast.restricted)
    assert as_member(cast.restricted).get(transfer_url(own), **HTMX).status_code == 403
    assert Client.objects.get(pk=held.pk).adviser_id == cast.adviser.pk


def test_it_answers_404_for_a_client_the_member_cannot_see(cast, as_member, held):
    # The restricted adviser does not see asesor1's client: 404, as a missing one.
    assert as_member(cast.restricted).get(transfer_url(held), **HTMX).status_code == 404
    # A restricted supervisor sees their teams' clients only.
    boss = factories.make_member(cast.project, role=Role.SUPERVISOR, username="jefa_sur",
                                 restricted=True)
    factories.make_team(cast.project, "Equipo Sur", supervisor=boss)
    assert as_member(boss).get(transfer_url(held), **HTMX).status_code == 404
    assert confirm(as_member(boss), held, cast.restricted,
                   shown=cast.adviser).status_code == 404
    assert Client.objects.get(pk=held.pk).adviser_id == cast.adviser.pk


def test_it_answers_404_for_another_projects_client_and_a_missing_one(cast, as_member, held):
    outsider = as_member(cast.outsider)
    assert outsider.get(transfer_url(held, project="otra"), **HTMX).status_code == 404
    assert confirm(outsider, held, cast.restricted, shown=cast.adviser).status_code == 404
    assert outsider.post(transfer_url(held, project="otra"),
                         {"adviser": cast.restricted.pk, "shown_adviser": cast.adviser.pk},
                         **HTMX).status_code == 404
    missing = Client(pk=held.pk + 10_000)
    assert as_member(cast.admin).get(transfer_url(missing), **HTMX).status_code == 404
    assert Client.objects.get(pk=held.pk).adviser_id == cast.adviser.pk


def test_it_shows_what_moves_and_leaves_the_current_adviser_out(cast, as_member, held):
    html = as_member(cast.admin).get(transfer_url(held), **HTMX).content.decode()
    assert f"Asesor actual: <strong>{cast.adviser.display_name} ({cast.adviser.code})" in html
    assert "Tareas abiertas: <strong>1</strong>" in html
    assert "Promesas de pago pendientes: <strong>1</strong>" in html
    assert "Contactos programados: <strong>1</strong>" in html
    assert "Órdenes de pago por cobrar: <strong>1</strong>" in html
    assert f'<option value="{cast.restricted.pk}">' in html
    assert f'<option value="{cast.adviser.pk}">' not in html
    assert "Nota de traspaso" in html
    assert "cartera activa" not in html


def test_it_warns_when_the_former_adviser_keeps_the_client_through_a_portfolio(
        cast, as_member, held):
    from portfolios.models import Portfolio, PortfolioClient

    portfolio = Portfolio.objects.create(project=cast.project, name="Mora 90",
                                         agent=cast.adviser, active=True)
    PortfolioClient.objects.create(project=cast.project, portfolio=portfolio, client=held)
    html = as_member(cast.admin).get(transfer_url(held), **HTMX).content.decode()
    assert "está en una cartera activa de su asesor actual" in html


def test_it_searches_advisers_by_name_or_asesor_id(cast, as_member, held):
    other = factories.make_member(cast.project, username="bruno")
    browser = as_member(cast.admin)
    html = browser.get(transfer_url(held), {"q": "BRU"}, **HTMX).content.decode()
    assert html.strip().startswith("<select")
    assert f'<option value="{other.pk}">' in html
    assert f'<option value="{cast.restricted.pk}">' not in html
    html = browser.get(transfer_url(held), {"q": cast.restricted.code.lower()},
                       **HTMX).content.decode()
    assert f'<option value="{cast.restricted.pk}">' in html
    assert f'<option value="{other.pk}">' not in html


def test_it_transfers_the_client_with_its_open_gestiones(cast, as_member, held):
    browser = as_member(cast.supervisor)

    response = confirm(browser, held, cast.restricted, shown=cast.adviser,
                       note="Cliente pide llamar en la tarde")

    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"
    held.refresh_from_db()
    assert held.adviser_id == cast.restricted.pk
    history = list(ClientAssignment.objects.filter(client=held).order_by("started_at"))
    assert [(a.adviser_id, a.source, a.ended_at is None) for a in history] == [
        (cast.adviser.pk, "file", False), (cast.restricted.pk, "transfer", True)]
    assert history[-1].changed_by == cast.supervisor.user
    open_ones = FollowUp.objects.filter(client=held, status=FollowUpStatus.PENDING)
    assert {(f.kind, f.adviser_id) for f in open_ones} == {
        (FollowUpKind.TASK, cast.restricted.pk), (FollowUpKind.PROMISE, cast.restricted.pk),
        (FollowUpKind.CONTACT, cast.restricted.pk)}
    closed = FollowUp.objects.filter(client=held).exclude(status=FollowUpStatus.PENDING)
    assert {f.adviser_id for f in closed} == {cast.adviser.pk}
    note = ClientNote.objects.get(client=held, kind=NoteKind.HANDOFF)
    assert note.text == "Cliente pide llamar en la tarde"

    page = browser.get(detail_url(held)).content.decode()
    assert (f"Cliente Elena Soto transferido a {cast.restricted.display_name} "
            f"({cast.restricted.code}). Gestiones abiertas que pasaron al nuevo asesor: 3."
            in page)
    assert (f'<dt class="col-sm-5">Asesor asignado</dt><dd class="col-sm-7">'
            f"{cast.restricted.display_name}</dd>" in page)
    assert "<td>Transferencia</td>" in page


def test_the_new_adviser_sees_the_client_and_the_former_one_loses_it(cast, as_member):
    mine = make_held_client(cast.project, cast.restricted, name="Pablo Ruiz")
    assert as_member(cast.restricted).get(detail_url(mine)).status_code == 200

    assert confirm(as_member(cast.admin), mine, cast.adviser,
                   shown=cast.restricted).status_code == 204

    assert as_member(cast.restricted).get(detail_url(mine)).status_code == 404
    assert as_member(cast.adviser).get(detail_url(mine)).status_code == 200


def test_it_refuses_a_stale_dialog_when_the_client_changed_adviser(cast, as_member, held):
    third = factories.make_member(cast.project, username="carla")
    # Opened while asesor1 held it; meanwhile someone hands the client to Carla.
    transfer_clients(project=cast.project, actor=cast.admin.user, clients=[held.pk],
                     to_adviser=third, through="screen")

    response = confirm(as_member(cast.admin), held, cast.restricted, shown=cast.adviser)

    html = response.content.decode()
    assert response.status_code == 200
    assert (f"El cliente cambió de asesor mientras este diálogo estaba abierto: ahora lo tiene "
            f"{third.display_name} ({third.code}). No se transfirió" in html)
    # The dialog now shows the client as it is, ready to confirm again.
    assert f'name="shown_adviser" value="{third.pk}"' in html
    held.refresh_from_db()
    assert held.adviser_id == third.pk
    assert not ClientAssignment.objects.filter(client=held, adviser=cast.restricted).exists()


def test_it_refuses_a_dialog_that_shows_no_adviser_and_one_that_shows_garbage(
        cast, as_member, held):
    browser = as_member(cast.admin)
    for shown in ("", "abc", "-1"):
        response = browser.post(transfer_url(held), {"adviser": cast.restricted.pk,
                                                     "shown_adviser": shown}, **HTMX)
        assert "No se transfirió" in response.content.decode()
    assert Client.objects.get(pk=held.pk).adviser_id == cast.adviser.pk


@pytest.mark.parametrize("bad", ["", "abc", "999999", "1.5", "current", "outsider", "inactive",
                                 "supervisor"])
def test_it_refuses_an_adviser_who_may_not_receive_the_client(cast, as_member, held, bad):
    inactive = factories.make_member(cast.project, username="ines")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    value = {"current": cast.adviser.pk, "outsider": cast.outsider.pk, "inactive": inactive.pk,
             "supervisor": cast.supervisor.pk}.get(bad, bad)

    response = confirm(as_member(cast.admin), held, value, shown=cast.adviser)

    html = response.content.decode()
    assert response.status_code == 200
    expected = ("Elija el asesor que recibe el cliente." if bad == "" else
                "El asesor elegido no puede recibir este cliente: elija uno de la lista.")
    assert expected in html
    assert 'aria-invalid="true"' in html or "is-invalid" in html
    assert Client.objects.get(pk=held.pk).adviser_id == cast.adviser.pk


def test_a_restricted_supervisor_hands_clients_only_to_their_teams_advisers(cast, as_member):
    boss = factories.make_member(cast.project, role=Role.SUPERVISOR, username="jefa_sur",
                                 restricted=True)
    south = factories.make_team(cast.project, "Equipo Sur", supervisor=boss)
    mine = factories.make_member(cast.project, username="diego", team=south)
    theirs = factories.make_member(cast.project, username="elisa", team=south)
    client = make_held_client(cast.project, mine, name="Sara Gil")
    browser = as_member(boss)

    html = browser.get(transfer_url(client), **HTMX).content.decode()
    assert f'<option value="{theirs.pk}">' in html
    assert f'<option value="{cast.adviser.pk}">' not in html
    refused = confirm(browser, client, cast.adviser, shown=mine)
    assert "no puede recibir este cliente" in refused.content.decode()

    assert confirm(browser, client, theirs, shown=mine).status_code == 204
    assert Client.objects.get(pk=client.pk).adviser_id == theirs.pk


def test_it_refuses_a_note_too_long(cast, as_member, held):
    response = confirm(as_member(cast.admin), held, cast.restricted, shown=cast.adviser,
                       note="x" * 2001)
    assert "Nota de traspaso: máximo 2000 caracteres (tiene 2001)." in response.content.decode()
    assert Client.objects.get(pk=held.pk).adviser_id == cast.adviser.pk


def test_a_client_in_the_bin_is_not_transferred(cast, as_member, held):
    from clients import services

    services.client_delete(client=held, actor=cast.admin.user, reason="")
    response = as_member(cast.admin).get(transfer_url(held))
    assert response.status_code == 409
    assert "está en la papelera" in response.content.decode()
    response = confirm(as_member(cast.admin), held, cast.restricted, shown=cast.adviser)
    assert "está en la papelera" in response.content.decode()
    assert Client.objects.get(pk=held.pk).adviser_id == cast.adviser.pk


def test_without_htmx_it_is_a_page_that_redirects_to_the_client(cast, as_member, held):
    browser = as_member(cast.admin)
    assert "Confirmar" in browser.get(transfer_url(held)).content.decode()
    response = browser.post(transfer_url(held), {"adviser": cast.restricted.pk,
                                                 "shown_adviser": cast.adviser.pk})
    assert response.status_code == 302 and response["Location"] == detail_url(held)
    assert Client.objects.get(pk=held.pk).adviser_id == cast.restricted.pk
