"""A tray sorted by a column no index keeps in order gets SORT_BUDGET_MS for its rows;
beyond, the page comes in the list's own order and says why (no page waits for seconds)."""

import re
from contextlib import contextmanager

import pytest

from moonflow.db.budget import OutOfTime
from moonflow.lists import listing
from tests import factories

from .test_tray_helpers import get_tray, make_variable, row_names, text


@pytest.fixture
def book(cast):
    make_variable(cast.project, "puntaje", "Puntaje", "number")
    for name, score in [("Ana", 3), ("Bruno", 1), ("Carla", 2)]:
        factories.make_client(cast.project, name=name, extra={"puntaje": score})


@pytest.fixture
def budgets(monkeypatch):
    """Every budgeted read runs out of time; the budgets asked are recorded."""
    asked = []

    @contextmanager
    def out_of_time(milliseconds, *, using="default"):
        asked.append(milliseconds)
        raise OutOfTime
        yield  # pragma: no cover

    monkeypatch.setattr(listing, "statement_budget", out_of_time)
    return asked


def test_a_sort_that_runs_out_of_time_shows_the_list_in_its_own_order_and_says_so(
    cast, as_member, book, budgets
):
    response = get_tray(as_member(cast.admin), cast.project, "orden=-var_puntaje")
    assert response.status_code == 200
    assert row_names(response) == ["Ana", "Bruno", "Carla"]
    html = text(response)
    assert "Ordenar por «Puntaje» tardaba demasiado sobre tantos clientes" in html
    assert "se muestran ordenados por Nombre" in html
    assert '<th scope="col" aria-sort="ascending">' in html  # the order shown is marked
    # No link of the tray (sort headers, pager, chips) repeats the sort that ran out; the
    # dialogs' "back to" links keep the URL asked.
    tray_links = [h for h in re.findall(r'href="([^"]+)"', html)
                  if h.startswith("/p/demo/clientes/?")]
    assert tray_links and not [h for h in tray_links if "-var_puntaje" in h]
    assert budgets == [listing.SORT_BUDGET_MS]


def test_a_sort_within_its_budget_is_applied(cast, as_member, book):
    names = row_names(get_tray(as_member(cast.admin), cast.project, "orden=-var_puntaje"))
    assert names == ["Ana", "Carla", "Bruno"]


def test_the_lists_own_order_is_never_cut_short(cast, as_member, book, budgets):
    assert row_names(get_tray(as_member(cast.admin), cast.project, "")) == [
        "Ana", "Bruno", "Carla"]
    assert budgets == []


def test_the_budget_keeps_a_page_under_the_300_ms_the_lists_promise():
    assert listing.SORT_BUDGET_MS <= 200
