"""CRM → Carteras: the list, its columns, counts, filters and search, and who sees what."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories

from .helpers import HTMX, make_portfolio, put_in, text, url

pytestmark = pytest.mark.django_db

LIST = url("portfolios:list")


@pytest.fixture
def book(cast):
    north = cast.adviser.team
    clients = [factories.make_client(cast.project, name=f"Cliente {n}") for n in range(3)]
    team = make_portfolio(cast.project, "Recuperación Julio", team=north)
    own = make_portfolio(cast.project, "Clientes VIP - Asesor2", agent=cast.restricted)
    both = make_portfolio(cast.project, "Acuerdos de pago", team=north, agent=cast.adviser,
                          active=False)
    other = make_portfolio(cast.project, "Cartera Sur",
                           team=factories.make_team(cast.project, "Equipo Sur"))
    put_in(team, *clients)
    put_in(own, clients[0])
    return {"team": team, "own": own, "both": both, "other": other}


def _rows(body: str) -> list[str]:
    """The portfolios on the page, in the page's order."""
    names = ("Recuperación Julio", "Clientes VIP - Asesor2", "Acuerdos de pago", "Cartera Sur")
    found = [(body.index(f'class="fw-normal">{n}<'), n) for n in names
             if f'class="fw-normal">{n}<' in body]
    return [name for _position, name in sorted(found)]


def test_it_shows_every_portfolio_with_its_columns_to_a_supervisor(cast, as_member, book):
    body = text(as_member(cast.supervisor).get(LIST))

    assert _rows(body) == ["Acuerdos de pago", "Cartera Sur", "Clientes VIP - Asesor2",
                           "Recuperación Julio"]
    for header in ("Nombre de cartera", "Equipo", "Agente", "Contactos", "Estado", "Ícono",
                   "Acciones"):
        assert re.search(rf">\s*{header}\s*<", body), header
    assert "4 carteras" in body
    assert 'aria-label="Cartera: Recuperación Julio"' in body
    assert f'href="{url("portfolios:contacts", pk=book["team"].pk)}">3</a>' in body
    assert f'href="{url("portfolios:contacts", pk=book["own"].pk)}">1</a>' in body
    assert "NUEVA CARTERA" in body
    assert body.count('aria-label="Editar"') == 4
    assert body.count('aria-label="Gestionar contactos"') == 4


def test_it_counts_contacts_with_one_query_whatever_the_page(cast, as_member, book):
    browser = as_member(cast.admin)
    browser.get(LIST)
    with CaptureQueriesContext(connection) as few:
        browser.get(LIST)
    for n in range(10):
        put_in(make_portfolio(cast.project, f"Más {n}", agent=cast.adviser),
               factories.make_client(cast.project))

    with CaptureQueriesContext(connection) as many:
        browser.get(LIST)

    assert len(many.captured_queries) == len(few.captured_queries)
    assert sum("GROUP BY portfolio_id" in q["sql"] for q in many.captured_queries) == 1


def test_it_finds_a_portfolio_by_part_of_its_name_without_accents_or_case(cast, as_member, book):
    body = text(as_member(cast.admin).get(LIST, {"q": "RECUPERACION"}))

    assert _rows(body) == ["Recuperación Julio"]
    assert "Búsqueda: «RECUPERACION»" in body


def test_it_treats_wildcards_in_the_search_as_text(cast, as_member, book):
    assert _rows(text(as_member(cast.admin).get(LIST, {"q": "%"}))) == []


def test_it_filters_by_state_team_and_agent(cast, as_member, book):
    browser = as_member(cast.admin)

    inactive = _rows(text(browser.get(LIST, {"estado": "inactiva"})))
    north = _rows(text(browser.get(LIST, {"equipo": cast.adviser.team.pk})))
    without_team = _rows(text(browser.get(LIST, {"equipo": "ninguno"})))
    agent = _rows(text(browser.get(LIST, {"agente": cast.restricted.pk})))

    assert inactive == ["Acuerdos de pago"]
    assert north == ["Acuerdos de pago", "Recuperación Julio"]
    assert without_team == ["Clientes VIP - Asesor2"]
    assert agent == ["Clientes VIP - Asesor2"]


def test_it_answers_htmx_with_the_tray_alone(cast, as_member, book):
    body = text(as_member(cast.admin).get(LIST, {"q": "sur"}, **HTMX))

    assert body.lstrip().startswith("<div id=\"tray\"") or 'id="tray"' in body[:300]
    assert "<html" not in body
    assert _rows(body) == ["Cartera Sur"]


def test_it_shows_an_adviser_their_own_and_their_teams_portfolios_read_only(cast, as_member,
                                                                            book):
    body = text(as_member(cast.restricted).get(LIST))

    assert _rows(body) == ["Acuerdos de pago", "Clientes VIP - Asesor2", "Recuperación Julio"]
    assert "NUEVA CARTERA" not in body
    assert 'aria-label="Editar"' not in body and "Gestionar contactos" not in body
    assert "AUDITORÍA" not in body


def test_it_shows_an_adviser_without_the_permission_the_same_read_only_list(cast, as_member,
                                                                           book):
    body = text(as_member(cast.adviser).get(LIST))

    assert _rows(body) == ["Acuerdos de pago", "Recuperación Julio"]
    assert "NUEVA CARTERA" not in body and 'aria-label="Editar"' not in body


def test_it_names_an_agent_a_restricted_adviser_may_not_read_as_another_adviser(cast, as_member,
                                                                                book):
    body = text(as_member(cast.restricted).get(LIST, {"q": "acuerdos"}))

    assert "Otro asesor" in body and "Asesor1" not in body


def test_it_shows_a_restricted_supervisor_only_their_teams_portfolios(cast, as_member, book):
    coordinator = factories.make_member(cast.project, role="supervisor", username="coordinadora",
                                        restricted=True)
    book["other"].team.supervisor = coordinator
    book["other"].team.save(update_fields=["supervisor"])

    assert _rows(text(as_member(coordinator).get(LIST))) == ["Cartera Sur"]


def test_it_leaves_the_audit_button_out_until_the_audit_window_exists(cast, as_member, book,
                                                                      settings):
    from django.urls import NoReverseMatch, reverse

    body = text(as_member(cast.admin).get(LIST))
    try:
        audit = reverse("audit:module", kwargs={"project": "demo", "module": "carteras"})
    except NoReverseMatch:
        assert "AUDITORÍA" not in body
    else:
        assert f'hx-get="{audit}"' in body and "AUDITORÍA" in body


def test_it_answers_404_to_another_projects_member(cast, as_member, book):
    assert as_member(cast.outsider).get(LIST).status_code == 404
    body = text(as_member(cast.outsider).get(url("portfolios:list", project="otra")))
    assert _rows(body) == []
