"""Clientes tray: the search box finds clients by name, document, email and phone."""

import pytest

from clients.choices import Situation
from tests import factories

from .test_tray_helpers import get_tray, row_names, text, total_label


@pytest.fixture
def book(cast):
    p = cast.project
    make = factories.make_client
    make(p, name="José Pérez Gómez", document_number="10203040", email="Jose.Perez@Correo.com",
         phone="+57 (300) 123-4567")
    make(p, name="María Gómez Ruiz", document_number="52001122", email="maria@empresa.co",
         phone="3109876543", situation=Situation.LATE_1_30)
    make(p, name="Inversiones Ñandú S.A.S.", document_number="900123456", document_type="NIT",
         email="pagos@nandu.com", phone="")
    make(p, name="Pedro Josefino", document_number="77001", email="", phone="6015554567")


@pytest.mark.parametrize(
    "query, expected",
    [
        ("jose", ["José Pérez Gómez", "Pedro Josefino"]),
        ("JOSÉ PÉREZ", ["José Pérez Gómez"]),
        ("pérez gó", ["José Pérez Gómez"]),
        ("pér gómez", []),  # only the last word may be a beginning
        ("gomez", ["José Pérez Gómez", "María Gómez Ruiz"]),
        ("ruiz maría", ["María Gómez Ruiz"]),
        ("nandu", ["Inversiones Ñandú S.A.S."]),
        ("ose", []),  # a word is matched from its start
    ],
)
def test_it_finds_names_by_words_and_a_last_prefix_ignoring_case_and_accents(
    cast, as_member, book, query, expected
):
    assert row_names(get_tray(as_member(cast.admin), cast.project, {"q": query})) == expected


@pytest.mark.parametrize(
    "query, expected",
    [
        ("10203040", ["José Pérez Gómez"]),
        ("1020", ["José Pérez Gómez"]),
        ("900.123.456", ["Inversiones Ñandú S.A.S."]),
        ("52001122", ["María Gómez Ruiz"]),
    ],
)
def test_it_finds_documents_exactly_or_by_prefix(cast, as_member, book, query, expected):
    assert row_names(get_tray(as_member(cast.admin), cast.project, {"q": query})) == expected


@pytest.mark.parametrize(
    "query, expected",
    [
        ("jose.perez@correo.com", ["José Pérez Gómez"]),
        ("JOSE.PEREZ@", ["José Pérez Gómez"]),
        ("pagos", ["Inversiones Ñandú S.A.S."]),
        ("maria@", ["María Gómez Ruiz"]),
    ],
)
def test_it_finds_emails_by_prefix(cast, as_member, book, query, expected):
    assert row_names(get_tray(as_member(cast.admin), cast.project, {"q": query})) == expected


@pytest.mark.parametrize(
    "query, expected",
    [
        ("4567", ["José Pérez Gómez", "Pedro Josefino"]),
        ("123-4567", ["José Pérez Gómez"]),
        ("3001234567", ["José Pérez Gómez"]),
        ("9876543", ["María Gómez Ruiz"]),
    ],
)
def test_it_finds_phones_by_their_last_digits(cast, as_member, book, query, expected):
    assert row_names(get_tray(as_member(cast.admin), cast.project, {"q": query})) == expected


def test_it_combines_search_with_filters_and_counts_the_matches(cast, as_member, book):
    response = get_tray(
        as_member(cast.admin), cast.project, {"q": "gomez", "situacion": Situation.LATE_1_30.value}
    )
    assert row_names(response) == ["María Gómez Ruiz"]
    assert total_label(response) == "1 cliente"


def test_it_says_when_nothing_matches_and_keeps_the_text_in_the_box(cast, as_member, book):
    response = get_tray(as_member(cast.admin), cast.project, {"q": "Zzyzx <b>"})
    html = text(response)
    assert row_names(response) == []
    assert "Ningún cliente coincide con la búsqueda o los filtros." in html
    assert 'value="Zzyzx &lt;b&gt;"' in html
    assert "<b>" not in html.split("<main", 1)[1]


def test_it_does_not_treat_tsquery_syntax_as_operators(cast, as_member, book):
    for query in ["jose & !maria", "jose:*|", "(maria", "'", "\\"]:
        get_tray(as_member(cast.admin), cast.project, {"q": query})


def test_it_searches_the_recycle_bin_when_listing_it(cast, as_member, book):
    from django.utils import timezone

    factories.make_client(cast.project, name="José Borrado", deleted_at=timezone.now())
    browser = as_member(cast.admin)
    assert row_names(get_tray(browser, cast.project, {"q": "borrado"})) == []
    assert row_names(
        get_tray(browser, cast.project, {"q": "borrado", "estado": "eliminado"})
    ) == ["José Borrado"]
