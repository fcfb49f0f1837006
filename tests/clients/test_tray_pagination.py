"""Clientes tray: sorting by any visible column, keyset pages (first, previous, next, last)."""

import html as htmllib
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clients.lists import CLIENTS
from clients.choices import Situation
from clients.models import Client
from tests import factories

from .test_tray_helpers import get_tray, make_variable, row_names, text

NAMES = ["Ana", "Bruno", "Carla", "Dario", "Elena", "Fabio", "Gina", "Hugo"]


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(CLIENTS, "default_page_size", 3)
    monkeypatch.setattr(CLIENTS, "page_sizes", (3, 25, 50, 100))


@pytest.fixture
def book(cast):
    return [factories.make_client(cast.project, name=n) for n in reversed(NAMES)]


def link(response, label: str) -> str | None:
    """The query string of a pagination link ("Siguiente", "Anterior", "Primera", "Última")."""
    for href, inner in re.findall(r'<a class="page-link"[^>]*href="([^"]+)"[^>]*>(.*?)</a>',
                                  text(response), re.S):
        if label in inner:
            return htmllib.unescape(href).split("?", 1)[1]
    return None


def walk_forward(browser, project, query=""):
    pages = [row_names(get_tray(browser, project, query))]
    response = get_tray(browser, project, query)
    while (next_query := link(response, "Siguiente")) is not None:
        response = get_tray(browser, project, next_query)
        pages.append(row_names(response))
    return pages


def test_it_pages_forward_without_duplicates_or_gaps(cast, as_member, book, small_pages):
    pages = walk_forward(as_member(cast.admin), cast.project)
    assert pages == [NAMES[0:3], NAMES[3:6], NAMES[6:8]]


def test_it_opens_the_last_page_and_goes_back(cast, as_member, book, small_pages):
    browser = as_member(cast.admin)
    last = get_tray(browser, cast.project, link(get_tray(browser, cast.project), "Última"))
    assert row_names(last) == NAMES[5:8]
    assert link(last, "Siguiente") is None and link(last, "Última") is None
    previous = get_tray(browser, cast.project, link(last, "Anterior"))
    assert row_names(previous) == NAMES[2:5]
    back_again = get_tray(browser, cast.project, link(previous, "Anterior"))
    # Fewer than a page left before it: the first page, full.
    assert row_names(back_again) == NAMES[0:3]
    assert link(back_again, "Anterior") is None and link(back_again, "Primera") is None


def test_it_breaks_ties_by_id_in_both_directions(cast, as_member, small_pages):
    for i in range(7):
        factories.make_client(cast.project, name="Igual", document_number=f"{500 + i}")
    browser = as_member(cast.admin)

    def documents(response):
        return re.findall(r"<td>CC (\d+)</td>", text(response))

    seen, response = [], get_tray(browser, cast.project)
    while True:
        seen += documents(response)
        next_query = link(response, "Siguiente")
        if next_query is None:
            break
        response = get_tray(browser, cast.project, next_query)
    assert seen == [str(500 + i) for i in range(7)]
    # And backwards from the last page.
    response = get_tray(browser, cast.project, "pagina=ultima")
    backwards = documents(response)
    while (previous := link(response, "Anterior")) is not None:
        response = get_tray(browser, cast.project, previous)
        backwards = documents(response) + backwards
    assert backwards[-3:] == ["504", "505", "506"] and set(backwards) == set(seen)


def test_it_keeps_filters_and_order_across_pages(cast, as_member, book, small_pages):
    Client.objects.filter(name__in=["Bruno", "Dario", "Fabio", "Hugo"]).update(
        situation=Situation.LATE_1_30
    )
    pages = walk_forward(as_member(cast.admin), cast.project, "situacion=20&orden=-name")
    assert pages == [["Hugo", "Fabio", "Dario"], ["Bruno"]]


def test_it_changes_the_page_size(cast, as_member, book, small_pages):
    browser = as_member(cast.admin)
    response = get_tray(browser, cast.project, "por_pagina=25")
    assert row_names(response) == NAMES
    assert '<option value="25" selected>25</option>' in text(response)
    assert len(row_names(get_tray(browser, cast.project, "por_pagina=7"))) == 3  # not offered


def test_it_survives_a_tampered_cursor(cast, as_member, book, small_pages):
    browser = as_member(cast.admin)
    for page in ["sig.%%%", "ant.bm90IGpzb24", "sig.WzEsMl0", "sig.WyJhIiwiYiJd", "nada"]:
        assert row_names(get_tray(browser, cast.project, {"pagina": page})) == NAMES[0:3]


def test_it_marks_the_sorted_column_and_toggles_it(cast, as_member, book):
    html = text(get_tray(as_member(cast.admin), cast.project, "orden=name"))
    assert '<th scope="col" aria-sort="ascending">' in html
    assert 'href="/p/demo/clientes/?orden=-name"' in html
    assert html.count('aria-sort="none"') == 8
    html = text(get_tray(as_member(cast.admin), cast.project, "orden=-name"))
    assert '<th scope="col" aria-sort="descending">' in html
    assert 'href="/p/demo/clientes/?orden=name"' in html


@pytest.mark.parametrize(
    "order, expected",
    [
        ("-name", list(reversed(NAMES))),
        ("balance", ["Hugo", "Gina", "Fabio", "Elena", "Dario", "Carla", "Bruno", "Ana"]),
        ("-balance", NAMES),
        # Ties are broken by name (then id), the order of the column's index.
        ("situation", ["Bruno", "Dario", "Fabio", "Hugo", "Ana", "Carla", "Elena", "Gina"]),
        ("-created_at", NAMES),
        ("email", ["Hugo", "Gina", "Fabio", "Elena", "Dario", "Carla", "Bruno", "Ana"]),
        ("adviser", ["Ana", "Carla", "Elena", "Gina", "Bruno", "Dario", "Fabio", "Hugo"]),
        ("nonsense", NAMES),
    ],
)
def test_it_sorts_by_a_column(cast, as_member, book, order, expected):
    now = timezone.now()
    for i, client in enumerate(sorted(book, key=lambda c: c.name)):
        Client.objects.filter(pk=client.pk).update(
            balance=Decimal(1000 - i),
            situation=Situation.UP_TO_DATE if i % 2 else Situation.LATE_1_30,
            created_at=now - timedelta(days=i),
            email=f"{chr(ord('z') - i)}@example.com",
            adviser=cast.adviser if i % 2 else None,
        )
    names = row_names(get_tray(as_member(cast.admin), cast.project, {"orden": order}))
    assert names == expected


def test_it_sorts_and_pages_by_a_number_variable_with_missing_values_last(
    cast, as_member, small_pages
):
    make_variable(cast.project, "puntaje", "Puntaje", "number")
    for name, extra in [("Sin", {}), ("Diez", {"puntaje": 10}), ("Dos", {"puntaje": 2}),
                        ("Texto", {"puntaje": "n/a"}), ("Cien", {"puntaje": 100.5})]:
        factories.make_client(cast.project, name=name, extra=extra)
    pages = walk_forward(as_member(cast.admin), cast.project, "orden=var_puntaje")
    assert pages == [["Dos", "Diez", "Cien"], ["Sin", "Texto"]]


def test_it_sorts_and_pages_by_a_joined_name(cast, as_member, small_pages):
    segments = {n: factories.make_segment(cast.project, n) for n in ["Beta", "Alfa"]}
    for name, segment in [("Uno", "Beta"), ("Dos", None), ("Tres", "Alfa"), ("Cuatro", "Beta")]:
        factories.make_client(cast.project, name=name, segment=segments.get(segment))
    pages = walk_forward(as_member(cast.admin), cast.project, "orden=segment")
    assert pages == [["Dos", "Tres", "Cuatro"], ["Uno"]]  # one segment's clients by name
