"""Buscar ("Nombre de usuario o recurso"): a word's beginning in the actor's name or username or
in the resource's label, without accents or case; read by walking the list or from the index."""

import pytest
from django.db import connection

from moonflow.audit import search
from moonflow.audit.lists import build_audit_list
from moonflow.audit.models import AuditEvent
from moonflow.audit.search import fold, search_query, words
from tests import factories

from .helpers import record

pytestmark = pytest.mark.django_db

SAMPLES = ["Ñandú ÁLVAREZ", "José-María O'Neil", "Çağla Øster", "clientes_2026.xlsx",
           "MÜLLER Straße", "  Peña   Núñez  ", "Recuperación Julio (CC 1020)"]


@pytest.mark.parametrize("text", SAMPLES)
def test_python_folds_and_splits_as_postgresql(cast, text):
    with connection.cursor() as cursor:
        cursor.execute("SELECT audit_fold(%s)", [text])
        assert cursor.fetchone()[0] == fold(text)
    event = record(cast.project, None, label=text)
    stored = AuditEvent.objects.filter(pk=event.pk).values_list("search_vector", flat=True).get()
    lexemes = {part.strip("'") for part in stored.split()}
    assert lexemes == {f"{cast.project.pk}:{word}" for word in words(text)}


def test_the_query_holds_every_word_the_last_as_a_beginning_within_the_project():
    assert search_query(42, "  Juan   PÉREZ ") == "'42:juan' & '42:perez':*"
    assert search_query(42, " -!?. ") is None
    assert search_query(42, "a b c d e f g h") == (
        "'42:a' & '42:b' & '42:c' & '42:d' & '42:e' & '42:f':*")


def test_the_words_of_another_project_never_match(cast):
    record(cast.other_project, cast.outsider, label="Cartera Compartida")
    record(cast.project, cast.admin, label="Cartera Propia")
    page = build_audit_list(member=cast.admin, params={"q": "cartera"})
    assert [row.resource for row in page.rows] == ["Cartera Propia"]


@pytest.fixture
def book(cast):
    """150 events, one in five by Juan Pérez; the rest by the admin."""
    juan = factories.make_user("jperez", first_name="Juan", last_name="Pérez")
    for n in range(150):
        actor = juan if n % 5 == 0 else cast.admin.user
        record(cast.project, actor, label=f"Cartera {n:03d}")
    return juan


def pages(member, params):
    """Every page of the list, following its "next" links: the resources of each."""
    seen, query = [], params
    while True:
        page = build_audit_list(member=member, params=query)
        seen.append([row.resource for row in page.rows])
        if not page.next_query:
            return seen
        query = page.next_query


JUANS = [f"Cartera {n:03d}" for n in range(145, -1, -5)]  # newest first


@pytest.mark.parametrize("walk_rows", [search.WALK_ROWS, 40, 3])
def test_the_walk_and_the_index_read_the_same_pages(cast, book, monkeypatch, walk_rows):
    """Long walks fill the pages; a walk too short to fill one takes the matches from the
    GIN index instead: the pages are the same."""
    monkeypatch.setattr(search, "WALK_ROWS", walk_rows)
    assert pages(cast.admin, {"q": "perez", "tipo": "portfolio"}) == [JUANS[:25], JUANS[25:]]
    assert pages(cast.admin, {"q": "pérez jua", "tipo": "portfolio", "evento": "updated"}) == [
        JUANS[:25], JUANS[25:]]


@pytest.mark.parametrize("walk_rows", [search.WALK_ROWS, 3])
def test_it_searches_oldest_first_and_from_the_last_page(cast, book, monkeypatch, walk_rows):
    monkeypatch.setattr(search, "WALK_ROWS", walk_rows)
    oldest = build_audit_list(member=cast.admin,
                              params={"q": "jperez", "orden": "created_at", "tipo": "portfolio"})
    assert [row.resource for row in oldest.rows] == JUANS[::-1][:25]
    last = build_audit_list(member=cast.admin,
                            params={"q": "jperez", "pagina": "ultima", "tipo": "portfolio"})
    assert [row.resource for row in last.rows] == JUANS[5:]
    back = build_audit_list(member=cast.admin,
                            params=f"{last.previous_query}")
    assert [row.resource for row in back.rows] == JUANS[:25]


def test_a_search_that_finds_nothing_says_so(cast, book):
    page = build_audit_list(member=cast.admin, params={"q": "xilofono"})
    assert page.rows == []
    assert page.total.label == "0 eventos"


@pytest.mark.parametrize("walk_rows, label", [
    (search.WALK_ROWS, "30 eventos"),  # the walk read the whole list: every match counted
    (3, "30 eventos"),  # the index gave every match
])
def test_a_search_counts_its_matches_when_it_read_them_all(cast, book, monkeypatch, walk_rows,
                                                           label):
    monkeypatch.setattr(search, "WALK_ROWS", walk_rows)
    page = build_audit_list(member=cast.admin, params={"q": "juan", "tipo": "portfolio"})
    assert page.total.label == label and page.total.exact


def test_a_dense_search_estimates_from_the_share_it_walked(cast, book, monkeypatch):
    """130 rows walked hold 26 of Juan's events (one in five): the page is full, the total
    is that share of the list's estimated rows, said as an estimate, never counted."""
    monkeypatch.setattr(search, "WALK_ROWS", 130)
    page = build_audit_list(member=cast.admin, params={"q": "juan", "tipo": "portfolio"})
    assert len(page.rows) == 25
    assert not page.total.exact and page.total.label.startswith("≈ ")
