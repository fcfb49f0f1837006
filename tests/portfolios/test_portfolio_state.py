"""Activar / Desactivar: a confirmation, the event, and the clients' visibility that follows."""

import pytest

from clients.selectors import client_base_queryset
from moonflow.audit.models import AuditEventKind
from portfolios.models import Portfolio
from portfolios.services import portfolio_create
from tests import factories

from .helpers import HTMX, events, put_in, text, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio(cast):
    return portfolio_create(member=cast.admin, name="Cartera Equipo Norte", team=cast.adviser.team)


@pytest.fixture
def far_client(cast, portfolio):
    """A client of another adviser, seen by the restricted adviser only through the portfolio."""
    other = factories.make_member(cast.project, username="asesor_sur")
    client = factories.make_client(cast.project, name="Tomás Lejano", adviser=other)
    put_in(portfolio, client)
    return client


def _visible(member):
    return set(client_base_queryset(member=member).values_list("name", flat=True))


def test_it_asks_before_deactivating(cast, as_member, portfolio):
    body = text(as_member(cast.supervisor).get(
        url("portfolios:deactivate", pk=portfolio.pk), **HTMX))

    assert "Desactivar cartera: Cartera Equipo Norte" in body
    assert "dejan de ver sus clientes" in body
    assert Portfolio.objects.get(pk=portfolio.pk).active


def test_it_deactivates_and_the_team_stops_seeing_the_clients_at_once(cast, as_member, portfolio,
                                                                     far_client):
    assert "Tomás Lejano" in _visible(cast.restricted)

    response = as_member(cast.supervisor).post(url("portfolios:deactivate", pk=portfolio.pk),
                                               **HTMX)

    assert response.status_code == 204
    assert not Portfolio.objects.get(pk=portfolio.pk).active
    assert "Tomás Lejano" not in _visible(cast.restricted)
    client_page = as_member(cast.restricted).get(url("clients:detail", pk=far_client.pk))
    assert client_page.status_code == 404
    event = events(portfolio, AuditEventKind.DEACTIVATED).get()
    assert (event.actor, event.changes) == (cast.supervisor.user, {"active": [True, False]})


def test_it_activates_again_and_the_team_sees_them_again(cast, as_member, portfolio, far_client):
    browser = as_member(cast.admin)
    browser.post(url("portfolios:deactivate", pk=portfolio.pk), **HTMX)

    browser.post(url("portfolios:activate", pk=portfolio.pk), **HTMX)

    assert "Tomás Lejano" in _visible(cast.restricted)
    assert [e.event for e in events(portfolio)] == [
        AuditEventKind.CREATED, AuditEventKind.DEACTIVATED, AuditEventKind.ACTIVATED]
    assert events(portfolio, AuditEventKind.ACTIVATED).get().changes == {"active": [False, True]}


def test_it_records_nothing_when_the_state_does_not_change(cast, as_member, portfolio):
    as_member(cast.admin).post(url("portfolios:activate", pk=portfolio.pk), **HTMX)

    assert [e.event for e in events(portfolio)] == [AuditEventKind.CREATED]


def test_it_shows_the_state_and_the_other_action_in_the_list(cast, as_member, portfolio):
    browser = as_member(cast.admin)
    browser.post(url("portfolios:deactivate", pk=portfolio.pk), **HTMX)

    page = text(browser.get(url("portfolios:list")))

    assert "Cartera «Cartera Equipo Norte» desactivada." in page
    assert "Inactiva" in page
    assert url("portfolios:activate", pk=portfolio.pk) in page
    assert url("portfolios:deactivate", pk=portfolio.pk) not in page


@pytest.mark.parametrize("who", ["adviser", "restricted"])
def test_it_is_closed_to_advisers(cast, as_member, portfolio, who):
    browser = as_member(getattr(cast, who))

    for name in ("portfolios:activate", "portfolios:deactivate"):
        assert browser.get(url(name, pk=portfolio.pk)).status_code == 403
        assert browser.post(url(name, pk=portfolio.pk)).status_code == 403
    assert Portfolio.objects.get(pk=portfolio.pk).active


def test_it_answers_404_to_another_projects_member(cast, as_member, portfolio):
    browser = as_member(cast.outsider)

    assert browser.post(url("portfolios:deactivate", project="otra", pk=portfolio.pk)) \
        .status_code == 404
    assert Portfolio.objects.get(pk=portfolio.pk).active
