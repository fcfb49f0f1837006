"""Paging through a search returns every match exactly once, in the list's order.

A search reads its pages in one of several ways (clients.search.ClientSearch:
collect the few matches, candidates by name from the terms index, a walk of
the list's order testing each row against hashed ids or its own words, the
plain query when a walk is cut). A small book reaches each of them by
lowering the thresholds; whichever is used, walking the pages forward (and
back from the last one) must give exactly the rows of the plain ORDER BY.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients import search
from clients.choices import Situation
from clients.lists import CLIENTS, build_tray, client_list
from clients.models import Client
from moonflow.lists.params import PAGE_PARAM
from tests import factories

from .test_tray_helpers import make_variable

PAGE = 6
FIRST = ["Juan", "Juana", "Juancho", "María", "Carlos", "Carolina", "Ana"]
LAST = ["García", "Garcés", "Pérez", "Juanes", "Ruiz", "Cárdenas"]

STRATEGIES = {
    "collect": {},
    "by-name": {"N_COLLECT": 0},
    "by-name, whole ranges": {"N_COLLECT": 0, "EXPANSION": 0},
    "by-name, then walk": {"N_COLLECT": 0, "CANDIDATES": (1,)},
    "walk, hashed": {"N_COLLECT": 0, "N_HASHED": 10**9, "NAME_RANGE": 0, "EXPANSION": 0},
    "walk, own words": {"N_COLLECT": 0, "N_HASHED": 0, "NAME_RANGE": 0, "EXPANSION": 0},
    "walk cut, then the query": {"N_COLLECT": 0, "WALK_ROWS": 2, "NAME_RANGE": 0,
                                 "EXPANSION": 0},
}
SORTS = ["name", "-name", "balance", "-balance", "situation", "-situation", "segment",
         "-segment", "adviser", "email", "-created_at", "var_puntaje"]


@pytest.fixture
def book(cast, monkeypatch):
    monkeypatch.setattr(CLIENTS, "default_page_size", PAGE)
    monkeypatch.setattr(CLIENTS, "page_sizes", (PAGE, 2 * PAGE, 25))
    make_variable(cast.project, "puntaje", "Puntaje", "number")
    segments = [factories.make_segment(cast.project, n) for n in ["Consumo", "Pyme"]]
    advisers = [cast.adviser, cast.restricted, None]
    n = 0
    for i, first in enumerate(FIRST):
        for j, last in enumerate(LAST):
            n += 1
            factories.make_client(
                cast.project, name=f"{first} {last}", document_number=f"{4500 + n}",
                email=f"{search.fold(first)}.{search.fold(last)}{n}@correo.com",
                phone=f"+5730012{n:05d}", balance=Decimal((n * 7919) % 500),
                situation=[Situation.UP_TO_DATE, Situation.LATE_1_30, Situation.LATE_90_PLUS][n % 3],
                segment=(segments + [None])[n % 3], adviser=advisers[(n // 3) % 3],
                extra={"puntaje": n % 5} if n % 4 else {},
            )
    # Same names twice (ties broken by id), the recycle bin, another project.
    for last in LAST[:3]:
        factories.make_client(cast.project, name=f"Juan {last}", email="pagos@correo.com")
    for client in Client.objects.filter(project=cast.project, name__startswith="Juana")[:2]:
        Client.objects.filter(pk=client.pk).update(deleted_at=timezone.now())
    for first in FIRST:
        factories.make_client(cast.other_project, name=f"{first} García")


def as_query(params: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in params.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return query


def walk(member, params: dict) -> list[int]:
    ids, query = [], as_query(params)
    for _ in range(100):
        tray = build_tray(member=member, params=query)
        ids += [row.id for row in tray.rows]
        if not tray.next_query:
            return ids
        query = QueryDict(tray.next_query)
    raise AssertionError("more than 100 pages")


def walk_back(member, params: dict) -> list[int]:
    """From the last page back to the first. Back at the start the list shows a full first
    page, which may repeat rows of the page after it: those are read once."""
    pages, query = [], as_query({**params, PAGE_PARAM: "ultima"})
    for _ in range(100):
        tray = build_tray(member=member, params=query)
        pages.insert(0, [row.id for row in tray.rows])
        if not tray.previous_query:
            return list(dict.fromkeys(i for page in pages for i in page))
        query = QueryDict(tray.previous_query)
    raise AssertionError("more than 100 pages")


def expected(member, params: dict) -> list[int]:
    return list(client_list(member=member, params=as_query(params)).values_list("id", flat=True))


def use(monkeypatch, strategy: str):
    for name, value in STRATEGIES[strategy].items():
        monkeypatch.setattr(search, name, value)


def cases(sorts_of):
    return [(strategy, sort) for strategy in STRATEGIES for sort in sorts_of(strategy)]


def all_sorts(strategy):
    """The name sorts for the strategies that differ there only; every sort for the others."""
    if strategy.startswith("by-name"):
        return ["name", "-name"]
    if strategy.startswith("walk cut"):
        return ["name", "-balance", "segment", "var_puntaje"]
    return SORTS


@pytest.mark.parametrize("strategy, sort", cases(all_sorts))
@pytest.mark.parametrize("query", [{"q": "juan"}, {"q": "juan gar", "situacion": "20"}])
def test_pages_hold_every_match_once_in_order(cast, book, monkeypatch, strategy, sort, query):
    use(monkeypatch, strategy)
    params = {**query, "orden": sort}
    rows = expected(cast.admin, params)
    assert rows, "the book has matches"
    assert walk(cast.admin, params) == rows
    assert walk_back(cast.admin, params) == rows


def some_sorts(strategy):
    return ["name"] if strategy.startswith("by-name") else ["name", "-balance", "segment"]


@pytest.mark.parametrize("strategy, sort", cases(some_sorts))
@pytest.mark.parametrize("query", [
    {"q": "car"}, {"q": "pagos"}, {"q": "juan.g"}, {"q": "4501"}, {"q": "00012"},
    {"q": "juan", "estado": ["activo", "eliminado"]}, {"q": "juana", "estado": "eliminado"},
    {"q": "juan", "segmento": "ninguno"}, {"q": "xilofono"},
])
def test_every_kind_of_search_pages_alike(cast, book, monkeypatch, strategy, query, sort):
    use(monkeypatch, strategy)
    params = {**query, "orden": sort}
    rows = expected(cast.admin, params)
    assert walk(cast.admin, params) == rows
    assert walk_back(cast.admin, params) == rows


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_restricted_adviser_pages_through_their_own_matches(cast, book, monkeypatch,
                                                              strategy):
    use(monkeypatch, strategy)
    for sort in ["name", "balance", "segment"]:
        params = {"q": "juan", "orden": sort}
        rows = expected(cast.restricted, params)
        assert rows and set(Client.objects.filter(pk__in=rows)
                            .values_list("adviser_id", flat=True)) <= {cast.restricted.pk}
        assert walk(cast.restricted, params) == rows


@pytest.mark.parametrize("strategy", [s for s in STRATEGIES if s != "by-name, then walk"])
@pytest.mark.parametrize("sort", ["name", "balance", "segment", "var_puntaje"])
def test_a_search_page_runs_as_many_queries_for_6_rows_as_for_12(cast, book, monkeypatch,
                                                                  strategy, sort):
    use(monkeypatch, strategy)

    def queries(size):
        query = as_query({"q": "juan", "orden": sort, "por_pagina": str(size)})
        build_tray(member=cast.admin, params=query)  # warm the member's caches
        with CaptureQueriesContext(connection) as captured:
            tray = build_tray(member=cast.admin, params=query)
        assert len(tray.rows) == size and tray.next_query  # neither page holds every row
        return len(captured.captured_queries)

    assert queries(PAGE) == queries(2 * PAGE)


def test_the_total_is_exact_when_the_matches_are_few(cast, book):
    tray = build_tray(member=cast.admin, params=as_query({"q": "juan"}))
    assert tray.total.exact and tray.total.value == len(expected(cast.admin, {"q": "juan"}))
