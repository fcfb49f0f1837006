"""Gestionar contactos: the page, and En cartera (paged, searchable, each row with its bin)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portfolios.models import PortfolioClient
from tests import factories

from .helpers import HTMX, make_portfolio, text, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio(cast):
    return make_portfolio(cast.project, "Recuperación Julio", team=cast.adviser.team)


def _fill(cast, portfolio, names):
    """Clients added one minute apart, in this order."""
    start = timezone.now() - timedelta(days=1)
    clients = [factories.make_client(cast.project, name=name) for name in names]
    PortfolioClient.objects.bulk_create(
        PortfolioClient(project=cast.project, portfolio=portfolio, client=c)
        for c in clients)
    for n, client in enumerate(clients):
        PortfolioClient.objects.filter(portfolio=portfolio, client=client).update(
            added_at=start + timedelta(minutes=n))
    return clients


def test_it_shows_the_seeds_two_sections(cast, as_member, portfolio):
    body = text(as_member(cast.supervisor).get(url("portfolios:contacts", pk=portfolio.pk)))

    assert "Gestionar contactos: Recuperación Julio" in body
    assert "Busque y seleccione para agregar" in body
    assert "En cartera" in body
    assert "La cartera todavía no tiene contactos" in body
    assert "Agregar desde la bandeja de clientes" in body and "Agregar desde archivo" in body


def test_it_lists_the_newest_first_with_a_bin_on_each_row(cast, as_member, portfolio):
    _fill(cast, portfolio, ["Ana Antigua", "Bruno Medio", "Carla Reciente"])

    body = text(as_member(cast.admin).get(url("portfolios:contacts", pk=portfolio.pk)))

    assert body.index("Carla Reciente") < body.index("Bruno Medio") < body.index("Ana Antigua")
    assert "3 contactos" in body
    assert body.count('aria-label="Eliminar"') == 3


def test_it_pages_with_keyset_links(cast, as_member, portfolio):
    _fill(cast, portfolio, [f"Cliente {n:02d}" for n in range(30)])
    browser = as_member(cast.admin)

    first = text(browser.get(url("portfolios:contacts", pk=portfolio.pk)))
    assert "Cliente 29" in first and "Cliente 04" not in first
    link = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = text(browser.get(link, **HTMX, HTTP_HX_TARGET="tray"))

    assert "pagina=sig." in link
    assert "Cliente 04" in second and "Cliente 29" not in second
    assert "<html" not in second


def test_it_sorts_by_name(cast, as_member, portfolio):
    _fill(cast, portfolio, ["Zoe", "Ana", "Marta"])

    body = text(as_member(cast.admin).get(url("portfolios:contacts", pk=portfolio.pk),
                                          {"orden": "name"}))

    assert body.index(">Ana") < body.index(">Marta") < body.index(">Zoe")


def test_it_finds_a_contact_by_name_or_document(cast, as_member, portfolio):
    ana, bruno = _fill(cast, portfolio, ["Ana Ríos", "Bruno Díaz"])
    factories.make_client(cast.project, name="Ana Fuera")  # not in the portfolio
    browser = as_member(cast.admin)

    by_name = text(browser.get(url("portfolios:contacts", pk=portfolio.pk), {"q": "ana"}))
    by_document = text(browser.get(url("portfolios:contacts", pk=portfolio.pk),
                                   {"q": bruno.document_number}))

    assert "Ana Ríos" in by_name and "Bruno Díaz" not in by_name and "Ana Fuera" not in by_name
    assert "Bruno Díaz" in by_document and "Ana Ríos" not in by_document


def test_it_marks_a_contact_in_the_papelera(cast, as_member, portfolio):
    [ana] = _fill(cast, portfolio, ["Ana Borrada"])
    ana.deleted_at = timezone.now()
    ana.save(update_fields=["deleted_at"])

    body = text(as_member(cast.admin).get(url("portfolios:contacts", pk=portfolio.pk)))

    assert "Ana Borrada" in body and "En papelera" in body


@pytest.mark.parametrize("who", ["adviser", "restricted"])
def test_it_is_closed_to_advisers(cast, as_member, portfolio, who):
    assert as_member(getattr(cast, who)).get(
        url("portfolios:contacts", pk=portfolio.pk)).status_code == 403


def test_it_answers_404_to_another_projects_member(cast, as_member, portfolio):
    assert as_member(cast.outsider).get(
        url("portfolios:contacts", project="otra", pk=portfolio.pk)).status_code == 404
