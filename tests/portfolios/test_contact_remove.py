"""The bin icon of En cartera: a confirmation, the Contacto eliminado event, and the sight the
portfolio gave that goes with it."""

import pytest
from django.utils import timezone

from clients.selectors import client_base_queryset
from moonflow.audit.models import AuditEventKind
from portfolios.models import PortfolioClient
from portfolios.services import portfolio_create
from tests import factories

from .helpers import HTMX, events, members_of, put_in, text, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio(cast):
    return portfolio_create(member=cast.admin, name="Recuperación Julio", team=cast.adviser.team)


@pytest.fixture
def lucia(cast, portfolio):
    south = factories.make_member(cast.project, username="asesor_sur")
    client = factories.make_client(cast.project, name="Lucía Méndez", document_number="52000111",
                                   adviser=south)
    put_in(portfolio, client)
    return client


def _url(portfolio, client, project="demo"):
    """The bin of `client`'s row (its place in `portfolio`; any id when it has none)."""
    contact = PortfolioClient.objects.filter(portfolio=portfolio, client=client).first()
    return url("portfolios:contact_remove", project=project, pk=portfolio.pk,
               contact_pk=contact.pk if contact else 9_999_999)


def test_it_asks_before_removing(cast, as_member, portfolio, lucia):
    body = text(as_member(cast.supervisor).get(_url(portfolio, lucia), **HTMX))

    assert "¿Quitar a Lucía Méndez (CC 52.000.111) de la cartera «Recuperación Julio»?" in body
    assert ">Eliminar</button>" in body
    assert members_of(portfolio) == {"Lucía Méndez"}


def test_it_removes_the_client_and_records_who_removed_whom(cast, as_member, portfolio, lucia):
    assert client_base_queryset(member=cast.restricted).filter(pk=lucia.pk).exists()

    response = as_member(cast.supervisor).post(_url(portfolio, lucia), **HTMX)

    assert response.status_code == 204
    assert members_of(portfolio) == set()
    event = events(portfolio, AuditEventKind.CONTACT_REMOVED).get()
    assert event.actor == cast.supervisor.user
    assert event.changes == {"contacto": ["Lucía Méndez (CC 52.000.111)", None]}
    assert not client_base_queryset(member=cast.restricted).filter(pk=lucia.pk).exists()


def test_it_says_so_on_the_page(cast, as_member, portfolio, lucia):
    browser = as_member(cast.admin)

    response = browser.post(_url(portfolio, lucia))

    page = text(browser.get(response.url))
    assert "Lucía Méndez (CC 52.000.111) ya no está en la cartera «Recuperación Julio»." in page


def test_it_removes_a_client_that_is_in_the_papelera(cast, as_member, portfolio, lucia):
    lucia.deleted_at = timezone.now()
    lucia.save(update_fields=["deleted_at"])

    as_member(cast.admin).post(_url(portfolio, lucia))

    assert members_of(portfolio) == set()


def test_it_answers_404_for_a_contact_of_another_portfolio(cast, as_member, portfolio, lucia):
    other = portfolio_create(member=cast.admin, name="Otra", agent=cast.adviser)
    put_in(other, lucia)
    theirs = PortfolioClient.objects.get(portfolio=other)

    response = as_member(cast.admin).post(url("portfolios:contact_remove", pk=portfolio.pk,
                                              contact_pk=theirs.pk))

    assert response.status_code == 404
    assert members_of(other) == {"Lucía Méndez"}


def test_it_answers_404_for_a_contact_whose_client_a_supervisor_may_not_see(cast, as_member,
                                                                           portfolio, lucia):
    coordinator = factories.make_member(cast.project, role="supervisor", username="coordinadora",
                                        restricted=True)
    cast.adviser.team.supervisor = coordinator
    cast.adviser.team.save(update_fields=["supervisor"])
    hidden = factories.make_client(cast.project, name="Oculta", adviser=factories.make_member(
        cast.project, username="lejano"))
    put_in(portfolio, hidden)
    portfolio.active = False  # the portfolio no longer shows its clients
    portfolio.save(update_fields=["active"])

    assert as_member(coordinator).get(_url(portfolio, hidden)).status_code == 404


@pytest.mark.parametrize("who", ["adviser", "restricted"])
def test_it_is_closed_to_advisers(cast, as_member, portfolio, lucia, who):
    browser = as_member(getattr(cast, who))

    assert browser.get(_url(portfolio, lucia)).status_code == 403
    assert browser.post(_url(portfolio, lucia)).status_code == 403
    assert members_of(portfolio) == {"Lucía Méndez"}


def test_it_answers_404_to_another_projects_member(cast, as_member, portfolio, lucia):
    assert as_member(cast.outsider).post(_url(portfolio, lucia, project="otra")).status_code == 404
    assert members_of(portfolio) == {"Lucía Méndez"}
