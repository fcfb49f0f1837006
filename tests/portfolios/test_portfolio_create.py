"""NUEVA CARTERA: the dialog, its rules (a team or an agent or both, a name unique without case
or accents, owners the member may pick) and the Creado event."""

import pytest

from moonflow.audit.models import AuditEventKind
from portfolios.models import Portfolio
from tests import factories

from .helpers import HTMX, events, make_portfolio, text, url

pytestmark = pytest.mark.django_db

CREATE = url("portfolios:create")


def test_it_opens_the_dialog_with_the_seeds_labels_in_the_seeds_order(cast, as_member):
    body = text(as_member(cast.supervisor).get(CREATE, **HTMX))

    assert "Nueva cartera" in body
    positions = [body.index(label) for label in
                 ("Seleccionar equipo", "Seleccione agente", "Nombre de cartera", "GUARDAR")]
    assert positions == sorted(positions)
    assert "Equipo Norte" in body
    assert cast.adviser.display_name in body and cast.restricted.display_name in body


def test_it_creates_a_team_portfolio_and_records_who_created_what(cast, as_member):
    team = cast.adviser.team
    browser = as_member(cast.supervisor)

    response = browser.post(
        CREATE, {"team": team.pk, "agent": "", "name": "  Recuperación   Julio "}, **HTMX)

    assert response.status_code == 204
    assert response.headers["HX-Refresh"] == "true"
    portfolio = Portfolio.objects.get(project=cast.project)
    assert (portfolio.name, portfolio.team, portfolio.agent, portfolio.active) == (
        "Recuperación Julio", team, None, True)
    [event] = events(portfolio)
    assert event.event == AuditEventKind.CREATED
    assert event.actor == cast.supervisor.user
    assert event.resource_label == "Recuperación Julio"
    assert event.changes == {"name": [None, "Recuperación Julio"], "team": [None, "Equipo Norte"],
                             "agent": [None, None], "active": [None, True]}
    page = text(browser.get(url("portfolios:list")))
    assert "Cartera «Recuperación Julio» creada." in page


def test_it_creates_a_portfolio_of_an_agent_and_of_both(cast, as_member):
    browser = as_member(cast.admin)

    browser.post(CREATE, {"agent": cast.restricted.pk, "name": "Clientes VIP - Asesor2"}, **HTMX)
    browser.post(CREATE, {"team": cast.adviser.team.pk, "agent": cast.adviser.pk,
                          "name": "Acuerdos de pago"}, **HTMX)

    vip = Portfolio.objects.get(name="Clientes VIP - Asesor2")
    both = Portfolio.objects.get(name="Acuerdos de pago")
    assert (vip.team, vip.agent) == (None, cast.restricted)
    assert (both.team, both.agent) == (cast.adviser.team, cast.adviser)
    assert events(vip).get().changes["agent"] == [None, f"Asesor2 ({cast.restricted.code})"]


def test_it_refuses_a_portfolio_without_team_or_agent_next_to_the_team(cast, as_member):
    response = as_member(cast.admin).post(CREATE, {"name": "Huérfana"}, **HTMX)

    body = text(response)
    assert response.status_code == 200
    assert "Elija un equipo, un agente o ambos: una cartera necesita al menos uno de los dos." \
        in body
    assert 'id="id_team_error"' in body
    assert not Portfolio.objects.exists()


@pytest.mark.parametrize("typed", ["recuperacion julio", "RECUPERACIÓN JULIO",
                                   "Recuperación  Julio", " Recuperacion Julió "])
def test_it_refuses_a_name_that_differs_only_in_case_accents_or_spaces(cast, as_member, typed):
    make_portfolio(cast.project, "Recuperación Julio", team=cast.adviser.team)

    response = as_member(cast.admin).post(
        CREATE, {"team": cast.adviser.team.pk, "name": typed}, **HTMX)

    body = text(response)
    assert "Ya existe una cartera llamada «Recuperación Julio» (los nombres se comparan sin " \
           "mayúsculas ni tildes): elija otro nombre." in body
    assert 'id="id_name_error"' in body
    assert Portfolio.objects.count() == 1


def test_it_lets_another_project_use_the_same_name(cast, as_member):
    make_portfolio(cast.other_project, "Recuperación Julio")

    as_member(cast.admin).post(CREATE, {"team": cast.adviser.team.pk,
                                        "name": "Recuperación Julio"}, **HTMX)

    assert Portfolio.objects.filter(project=cast.project, name="Recuperación Julio").exists()


def test_it_asks_for_a_name_and_refuses_a_long_one(cast, as_member):
    browser = as_member(cast.admin)

    empty = text(browser.post(CREATE, {"team": cast.adviser.team.pk, "name": "  "}, **HTMX))
    long = text(browser.post(CREATE, {"team": cast.adviser.team.pk, "name": "x" * 121}, **HTMX))

    assert "Escriba el nombre de la cartera." in empty
    assert "El nombre de la cartera admite hasta 120 caracteres" in long and "tiene 121." in long
    assert not Portfolio.objects.exists()


def test_it_refuses_an_owner_of_another_project(cast, as_member):
    foreign_team = factories.make_team(cast.other_project, "Equipo Ajeno")

    response = as_member(cast.admin).post(
        CREATE, {"team": foreign_team.pk, "agent": cast.outsider.pk, "name": "Ajena"}, **HTMX)

    body = text(response)
    assert "Ese equipo no existe en este proyecto o no es uno que usted pueda asignar: elija " \
           "uno de la lista." in body
    assert "Ese agente no es un asesor activo de este proyecto que usted pueda asignar: elija " \
           "uno de la lista." in body
    assert not Portfolio.objects.exists()


def test_it_lets_a_restricted_supervisor_pick_only_their_teams_and_advisers(cast, as_member):
    coordinator = factories.make_member(cast.project, role="supervisor", username="coordinadora",
                                        restricted=True)
    south = factories.make_team(cast.project, "Equipo Sur", supervisor=coordinator)
    southern = factories.make_member(cast.project, username="surena", team=south)
    browser = as_member(coordinator)

    dialog = text(browser.get(CREATE, **HTMX))
    refused = text(browser.post(CREATE, {"team": cast.adviser.team.pk, "name": "Norte"}, **HTMX))
    browser.post(CREATE, {"team": south.pk, "agent": southern.pk, "name": "Sur"}, **HTMX)

    assert "Equipo Sur" in dialog and "Equipo Norte" not in dialog
    assert "Surena" in dialog and cast.adviser.display_name not in dialog
    assert "Ese equipo no existe en este proyecto o no es uno que usted pueda asignar" in refused
    assert list(Portfolio.objects.values_list("name", flat=True)) == ["Sur"]


def test_it_shows_the_dialog_as_a_page_when_opened_directly(cast, as_member):
    response = as_member(cast.admin).get(CREATE)

    assert response.status_code == 200
    assert "<html" in text(response) and "Nueva cartera" in text(response)


@pytest.mark.parametrize("who", ["adviser", "restricted"])
def test_it_is_closed_to_advisers(cast, as_member, who):
    browser = as_member(getattr(cast, who))

    assert browser.get(CREATE).status_code == 403
    assert browser.post(CREATE, {"team": cast.adviser.team.pk, "name": "X"}).status_code == 403
    assert not Portfolio.objects.exists()


def test_it_answers_404_to_another_projects_member(cast, as_member):
    assert as_member(cast.outsider).get(CREATE).status_code == 404
