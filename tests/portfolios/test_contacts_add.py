"""Agregar: the ticked clients join the portfolio, one Contacto agregado event each; the agent
and the team then see them even with "Asignación de asesor" on."""

import pytest
from django.utils import timezone

from clients.selectors import client_base_queryset
from moonflow.audit.models import AuditEventKind
from portfolios.models import PortfolioClient
from portfolios.services import portfolio_create
from tests import factories

from .helpers import events, members_of, put_in, text, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio(cast):
    return portfolio_create(member=cast.admin, name="Recuperación Julio", team=cast.adviser.team)


@pytest.fixture
def far(cast):
    """Clients held by an adviser of another team: the restricted adviser does not see them."""
    south = factories.make_member(cast.project, username="asesor_sur")
    return [
        factories.make_client(cast.project, name="Lucía Méndez", document_number="1020304050",
                              adviser=south),
        factories.make_client(cast.project, name="Pedro Páramo", document_number="79111222",
                              adviser=south),
    ]


def _add(browser, portfolio, *clients):
    return browser.post(url("portfolios:contacts_add", pk=portfolio.pk),
                        {"clientes": [c.pk for c in clients]})


def test_it_adds_two_clients_and_records_one_event_for_each(cast, as_member, portfolio, far):
    browser = as_member(cast.supervisor)

    response = _add(browser, portfolio, *far)

    assert response.status_code == 302
    assert response.url == url("portfolios:contacts", pk=portfolio.pk)
    assert members_of(portfolio) == {"Lucía Méndez", "Pedro Páramo"}
    added = events(portfolio, AuditEventKind.CONTACT_ADDED)
    assert [e.changes for e in added] == [
        {"contacto": [None, "Lucía Méndez (CC 1.020.304.050)"]},
        {"contacto": [None, "Pedro Páramo (CC 79.111.222)"]},
    ]
    assert {e.actor for e in added} == {cast.supervisor.user}
    assert PortfolioClient.objects.filter(portfolio=portfolio, added_by=cast.supervisor.user) \
        .count() == 2
    page = text(browser.get(response.url))
    assert "2 contactos agregados a «Recuperación Julio»." in page
    assert "Lucía Méndez" in page and "Pedro Páramo" in page


def test_it_lets_the_team_see_the_clients_added_at_once(cast, as_member, portfolio, far):
    assert not client_base_queryset(member=cast.restricted).filter(pk=far[0].pk).exists()

    _add(as_member(cast.admin), portfolio, far[0])

    visible = client_base_queryset(member=cast.restricted)
    assert visible.filter(pk=far[0].pk).exists()
    assert not visible.filter(pk=far[1].pk).exists()
    assert as_member(cast.restricted).get(url("clients:detail", pk=far[0].pk)).status_code == 200


def test_it_lets_the_agent_see_the_clients_of_their_portfolio(cast, as_member, far):
    own = portfolio_create(member=cast.admin, name="Clientes VIP", agent=cast.restricted)

    _add(as_member(cast.admin), own, far[1])

    assert client_base_queryset(member=cast.restricted).filter(pk=far[1].pk).exists()


def test_it_says_which_were_already_in_and_adds_them_once(cast, as_member, portfolio, far):
    put_in(portfolio, far[0])
    browser = as_member(cast.admin)

    response = _add(browser, portfolio, *far)

    page = text(browser.get(response.url))
    assert "1 contacto agregado a «Recuperación Julio»." in page
    assert "1 cliente ya estaba en la cartera." in page
    assert PortfolioClient.objects.filter(portfolio=portfolio).count() == 2
    assert len(events(portfolio, AuditEventKind.CONTACT_ADDED)) == 1


def test_it_never_adds_a_client_in_the_papelera_or_of_another_project(cast, as_member, portfolio):
    gone = factories.make_client(cast.project, name="Beto Papelera", deleted_at=timezone.now())
    foreign = factories.make_client(cast.other_project, name="Carla Ajena")
    browser = as_member(cast.admin)

    response = _add(browser, portfolio, gone, foreign)

    page = text(browser.get(response.url))
    assert "2 clientes no se agregaron: no están entre los clientes que usted ve o están en la " \
           "Papelera." in page
    assert members_of(portfolio) == set()
    assert not events(portfolio, AuditEventKind.CONTACT_ADDED).exists()


def test_it_asks_to_tick_a_client_first(cast, as_member, portfolio):
    browser = as_member(cast.admin)

    response = browser.post(url("portfolios:contacts_add", pk=portfolio.pk), {})

    assert "Seleccione al menos un cliente para agregar." in text(browser.get(response.url))


def test_it_sends_more_than_fifty_at_once_to_the_bulk_additions(cast, as_member, portfolio):
    browser = as_member(cast.admin)

    response = browser.post(url("portfolios:contacts_add", pk=portfolio.pk),
                            {"clientes": list(range(1, 52))})

    page = text(browser.get(response.url))
    assert "Puede agregar hasta 50 clientes a la vez (seleccionó 51)." in page
    assert "Agregar desde la bandeja de clientes" in page


@pytest.mark.parametrize("who", ["adviser", "restricted"])
def test_it_is_closed_to_advisers(cast, as_member, portfolio, far, who):
    assert _add(as_member(getattr(cast, who)), portfolio, *far).status_code == 403
    assert members_of(portfolio) == set()


def test_it_answers_404_to_another_projects_member(cast, as_member, portfolio, far):
    response = as_member(cast.outsider).post(
        url("portfolios:contacts_add", project="otra", pk=portfolio.pk),
        {"clientes": [far[0].pk]})

    assert response.status_code == 404
    assert members_of(portfolio) == set()
