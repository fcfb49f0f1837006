"""Clientes tray: a restricted adviser ("Asignación de asesor") sees and counts only theirs."""

import pytest

from tests import factories

from .test_tray_helpers import get_tray, put_in_portfolio, row_names, text, total_label


@pytest.fixture
def book(cast):
    p = cast.project
    make = factories.make_client
    mine = make(p, name="Mía Directa", document_number="111222", email="mia@example.com",
                phone="3000000001", adviser=cast.restricted)
    other = make(p, name="Ajena Secreta", document_number="333444", email="ajena@example.com",
                 phone="3000000002", adviser=cast.adviser)
    shared = make(p, name="Compartida Equipo", adviser=cast.adviser)
    put_in_portfolio(shared, "Cartera Norte", team=cast.restricted.team)
    make(p, name="Sin Asesor")
    make(cast.other_project, name="De Otro Proyecto", adviser=None)
    return {"mine": mine, "other": other, "shared": shared}


def test_it_lists_and_counts_only_the_restricted_advisers_clients(cast, as_member, book):
    response = get_tray(as_member(cast.restricted), cast.project)
    assert row_names(response) == ["Compartida Equipo", "Mía Directa"]
    assert total_label(response) == "2 clientes"


def test_it_never_shows_another_advisers_name(cast, as_member, book):
    html = text(get_tray(as_member(cast.restricted), cast.project))
    other_name = cast.adviser.display_name
    assert other_name not in html
    # The team-portfolio client assigned to someone else reads "Otro asesor".
    assert "Otro asesor" in html
    assert cast.restricted.display_name in html


def test_it_offers_only_themself_as_adviser_choice(cast, as_member, book):
    browser = as_member(cast.restricted)
    html = text(get_tray(browser, cast.project))
    assert f'value="{cast.restricted.pk}"' in html
    assert f'name="asesor" value="{cast.adviser.pk}"' not in html
    # Filtering by someone else is ignored, with no chip naming them.
    response = get_tray(browser, cast.project, {"asesor": cast.adviser.pk})
    assert row_names(response) == ["Compartida Equipo", "Mía Directa"]
    assert cast.adviser.display_name not in text(response)


@pytest.mark.parametrize("query", ["ajena", "333444", "ajena@", "0002", "secreta"])
def test_it_does_not_find_others_clients_by_search(cast, as_member, book, query):
    response = get_tray(as_member(cast.restricted), cast.project, {"q": query})
    assert row_names(response) == []
    assert total_label(response) == "0 clientes"


@pytest.mark.parametrize("query", ["mía", "111222", "mia@", "0001"])
def test_it_finds_its_own_clients_by_search(cast, as_member, book, query):
    response = get_tray(as_member(cast.restricted), cast.project, {"q": query})
    assert row_names(response) == ["Mía Directa"]


def test_an_unrestricted_adviser_sees_the_whole_book(cast, as_member, book):
    response = get_tray(as_member(cast.adviser), cast.project)
    assert total_label(response) == "4 clientes"
    assert "De Otro Proyecto" not in text(response)


def test_a_restricted_supervisor_is_offered_their_teams_advisers(cast, as_member, book):
    cast.supervisor.restricted_to_assigned = True
    cast.supervisor.save(update_fields=["restricted_to_assigned"])
    outsider_adviser = factories.make_member(cast.project, username="lejano")
    html = text(get_tray(as_member(cast.supervisor), cast.project))
    assert f'name="asesor" value="{cast.adviser.pk}"' in html
    assert f'name="asesor" value="{cast.restricted.pk}"' in html
    assert f'name="asesor" value="{outsider_adviser.pk}"' not in html


def test_other_projects_and_anonymous_visitors_are_kept_out(cast, as_member, book, client):
    assert as_member(cast.outsider).get("/p/demo/clientes/").status_code == 404
    response = client.get("/p/demo/clientes/")
    assert response.status_code == 302 and "/cuenta/ingresar/" in response["Location"]
    # The outsider's own tray never shows project demo's clients.
    other = get_tray(as_member(cast.outsider), cast.other_project)
    assert row_names(other) == ["De Otro Proyecto"]
