"""Clientes tray: hand-made or broken parameters never break the page; it says what it ignored."""

import base64
import html
import json

import pytest
from django.urls import reverse

from clients.lists import CLIENTS
from moonflow.lists.keyset import DEC, DT, INT, STR
from moonflow.lists.models import SavedView
from clients.lists import client_list
from moonflow.lists.keyset import decode_cursor
from tests import factories

from .test_tray_helpers import get_tray, make_variable, row_names, text

NAMES = ["Ana", "Bruno", "Carla", "Dario", "Elena"]
BAD_PAGE = "El enlace de página no es válido o caducó: se muestra la primera página."
CLEANED = "Se quitaron caracteres no válidos (como NUL) de la búsqueda o los filtros"


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(CLIENTS, "default_page_size", 3)
    monkeypatch.setattr(CLIENTS, "page_sizes", (3, 25, 50, 100))


@pytest.fixture
def book(cast):
    make_variable(cast.project, "motivo", "Motivo", "text")
    make_variable(cast.project, "plan", "Plan", "choice", ["Oro", "Plata"])
    make_variable(cast.project, "puntaje", "Puntaje", "number")
    make_variable(cast.project, "revision", "Revisión", "date")
    for i, name in enumerate(NAMES):
        factories.make_client(cast.project, name=name, extra={
            "motivo": f"m{4 - i}", "plan": ["Plata", "Oro"][i % 2], "puntaje": 10 - i,
            "revision": f"2024-0{9 - i}-01",
        })


def cursor(values) -> str:
    raw = values if isinstance(values, str) else json.dumps(values)
    return base64.urlsafe_b64encode(raw.encode("utf-8", "surrogatepass")).decode().rstrip("=")


def notices(response) -> str:
    return html.unescape(text(response))


@pytest.mark.parametrize(
    "order, expected",
    [
        ("var_motivo", ["Elena", "Dario", "Carla", "Bruno", "Ana"]),
        ("-var_plan", ["Elena", "Carla", "Ana", "Dario", "Bruno"]),
        ("var_puntaje", ["Elena", "Dario", "Carla", "Bruno", "Ana"]),
        ("var_revision", ["Elena", "Dario", "Carla", "Bruno", "Ana"]),
    ],
)
def test_it_sorts_and_pages_by_every_kind_of_variable(cast, as_member, book, small_pages,
                                                       order, expected):
    browser = as_member(cast.adviser)
    first = get_tray(browser, cast.project, {"orden": order})
    assert row_names(first) == expected[:3]
    next_link = html.unescape(text(first)).split('rel="next" href="', 1)[1].split('"', 1)[0]
    second = get_tray(browser, cast.project, next_link.split("?", 1)[1])
    assert row_names(second) == expected[3:]


def test_it_sorts_by_a_number_too_long_to_compare_as_if_it_were_missing(cast, as_member, book):
    factories.make_client(cast.project, name="Zoe", extra={"puntaje": int("9" * 25)})
    names = row_names(get_tray(as_member(cast.admin), cast.project, {"orden": "var_puntaje"}))
    assert names[-1] == "Zoe"


def test_it_searches_without_the_nul_byte_and_says_so(cast, as_member, book):
    response = get_tray(as_member(cast.admin), cast.project, {"q": "Ca\x00rla"})
    assert row_names(response) == ["Carla"]
    assert CLEANED in notices(response)
    assert "Búsqueda: «Carla»" in notices(response)


def test_it_reopens_a_saved_view_holding_a_nul_byte(cast, as_member, book):
    view = SavedView.objects.create(project=cast.project, owner=cast.admin, tray="clients",
                                    name="Antigua", query="q=Ca%00rla&orden=-var_plan")
    response = get_tray(as_member(cast.admin), cast.project,
                        f"{view.query}&vista={view.pk}", htmx=True)
    assert row_names(response) == ["Carla"]
    assert CLEANED in notices(response)


def test_it_saves_a_view_without_the_nul_byte(cast, as_member, book):
    url = reverse("clients:saved_view_create", kwargs={"project": cast.project.slug})
    response = as_member(cast.admin).post(
        url, {"name": "Carla", "consulta": "q=Ca%00rla&orden=name"})
    assert response.status_code == 302
    assert SavedView.objects.get(name="Carla").query == "q=Carla&orden=name"


def test_it_gives_the_download_job_the_same_cleaned_parameters(cast, book):
    rows = client_list(member=cast.admin, params={"q": ["Ca\x00rla"], "orden": ["var_motivo"]})
    assert [c.name for c in rows] == ["Carla"]


@pytest.mark.parametrize(
    "order, page",
    [
        ("balance", "sig." + cursor("[Infinity, 1]")),
        ("balance", "sig." + cursor("[1e309, 1]")),
        ("balance", "sig." + cursor('["NaN", 1]')),
        ("situation", "sig." + cursor("[1e309, 1]")),
        ("var_puntaje", "sig." + cursor("[0, NaN, 1]")),
        ("var_puntaje", "ant." + cursor('[0, "1e999999", 1]')),
        ("name", "sig." + cursor("[" * 5000 + "]" * 5000)),
        ("name", "sig." + cursor(["Ca\x00rla", 1])),
        ("name", "ant." + cursor('["\\ud800", 1]')),
        ("created_at", "sig." + cursor(["2024-01-01T00:00:00", 1])),
        ("created_at", "sig." + cursor(["0001-01-01T00:00:00+23:59", 1])),
        ("-created_at", "ant." + cursor(["9999-12-31T23:59:59-23:59", 1])),
        ("name", "sig." + "A" * 5000),
        ("name", "nada"),
    ],
)
def test_it_shows_the_first_page_for_a_hand_made_cursor(cast, as_member, book, small_pages,
                                                        order, page):
    browser = as_member(cast.restricted if order == "situation" else cast.admin)
    factories.make_client(cast.project, name="Fabio", adviser=cast.restricted)
    expected = row_names(get_tray(browser, cast.project, {"orden": order}))
    response = get_tray(browser, cast.project, {"orden": order, "pagina": page})
    assert row_names(response) == expected
    assert BAD_PAGE in notices(response)
    assert "Anterior" in text(response) and 'rel="prev"' not in text(response)


def test_it_keeps_real_cursors_working(cast, as_member, book, small_pages):
    response = get_tray(as_member(cast.admin), cast.project, {"orden": "-balance"})
    assert BAD_PAGE not in notices(response) and 'rel="next"' in text(response)


@pytest.mark.parametrize(
    "values, types",
    [
        ([1, 2], [INT]),
        (["1000.50", 3], [DEC]),
        ([0, "12.5", 3], [INT, DEC]),
        (["2024-01-01T10:00:00+00:00", 4], [DT]),
        (["Ana", 5], [STR]),
    ],
)
def test_it_decodes_its_own_cursors(values, types):
    assert decode_cursor(cursor(values), types) is not None


@pytest.mark.parametrize(
    "raw, types",
    [
        ("[1e309, 1]", [INT]),
        ("[true, 1]", [INT]),
        ("[9223372036854775808, 1]", [INT]),
        ('["sNaN", 1]', [DEC]),
        ('["-Infinity", 1]', [DEC]),
        ("[1e999999, 1]", [DEC]),
        ('["2024-01-01", 1]', [DT]),
        ('["a\\u0000", 1]', [STR]),
        ('[["a"], 1]', [STR]),
        ("[" * 5000 + "]" * 5000, [STR]),
    ],
)
def test_it_refuses_cursors_it_cannot_compare(raw, types):
    assert decode_cursor(cursor(raw), types) is None


def test_it_says_which_filter_it_ignored(cast, as_member, book):
    response = get_tray(as_member(cast.admin), cast.project,
                        {"var_puntaje_min": "9" * 5000, "var_revision_desde": "31/02/2024"})
    page = notices(response)
    assert row_names(response) == NAMES
    assert "Se ignoró el filtro «Puntaje»: su valor no es válido. Revíselo en Filtros." in page
    assert "Se ignoró el filtro «Revisión»: su valor no es válido. Revíselo en Filtros." in page


def test_it_says_it_cannot_sort_by_a_column_that_does_not_exist(cast, as_member, book):
    response = get_tray(as_member(cast.admin), cast.project, {"orden": "var_" + "x" * 500})
    assert row_names(response) == NAMES
    assert (f"No se puede ordenar por «var_{'x' * 36}…» (una columna que no existe): "
            "se ordenó por Nombre.") in notices(response)


def test_it_cuts_an_overlong_search_and_says_so(cast, as_member, book):
    response = get_tray(as_member(cast.admin), cast.project, {"q": "Carla" + " " * 200 + "x"})
    assert row_names(response) == ["Carla"]
    assert "La búsqueda admite hasta 100 caracteres" in notices(response)


def test_it_links_saved_views_by_their_plain_id(cast, as_member, book):
    view = SavedView.objects.create(pk=1_234_567, project=cast.project, owner=cast.admin,
                                    tray="clients", name="Mora", query="situacion=50")
    page = text(get_tray(as_member(cast.admin), cast.project, f"vista={view.pk}"))
    assert 'href="/p/demo/clientes/?situacion=50&amp;vista=1234567"' in page
    assert "vista=1234567" in page.split("Guardar vista actual")[0].rsplit("<a", 1)[1]
    assert "La vista guardada que pidió no existe" not in notices(get_tray(
        as_member(cast.admin), cast.project, f"vista={view.pk}"))


def test_it_says_a_saved_view_it_cannot_find(cast, as_member, book):
    response = get_tray(as_member(cast.adviser), cast.project, "vista=" + "9" * 30)
    assert row_names(response) == NAMES
    assert ("La vista guardada que pidió no existe o ya no está compartida con usted: se "
            "muestran sus propias columnas.") in notices(response)
