"""Clientes tray: the page: title and total, Crear menu, row actions, badges, htmx refresh."""

import re
from decimal import Decimal

import pytest

from clients.lists import CLIENTS
from moonflow.lists import totals
from tests import factories

from .test_tray_helpers import get_tray, put_in_portfolio, row_names, text, total_label, url_exists


def test_it_shows_the_title_and_the_exact_total(cast, as_member):
    factories.make_client(cast.project, name="Ana")
    response = get_tray(as_member(cast.admin), cast.project)
    html = text(response)
    assert '<h1 class="h4 mb-0">Clientes</h1>' in html
    assert total_label(response) == "1 cliente"
    assert 'aria-current="page">Clientes</a>' in html  # left menu: Cuentas por cobrar → Clientes


@pytest.fixture
def pages_of_two(monkeypatch):
    monkeypatch.setattr(CLIENTS, "default_page_size", 2)
    monkeypatch.setattr(CLIENTS, "page_sizes", (2, 25, 50, 100))


def test_it_shows_the_planners_estimate_for_a_huge_book(cast, as_member, monkeypatch, pages_of_two):
    monkeypatch.setattr(totals, "_plan", lambda qs: (1_234_567, 10.0))
    for name in ["Ana", "Beto", "Cris"]:
        factories.make_client(cast.project, name=name)
    assert total_label(get_tray(as_member(cast.admin), cast.project)) == "≈ 1,2 M clientes"


def test_it_does_not_start_a_count_priced_beyond_its_budget(
    cast, as_member, monkeypatch, pages_of_two
):
    monkeypatch.setattr(totals, "_plan", lambda qs: (4812, totals.COUNT_COST_LIMIT + 1))

    def counted(qs, limit):
        raise AssertionError("a count priced beyond the budget was started")

    monkeypatch.setattr(totals, "_bounded_count", counted)
    for name in ["Ana", "Beto", "Cris"]:
        factories.make_client(cast.project, name=name)
    assert total_label(get_tray(as_member(cast.admin), cast.project)) == "≈ 4.800 clientes"


def test_it_falls_back_to_the_estimate_when_counting_takes_too_long(
    cast, as_member, monkeypatch, pages_of_two
):
    monkeypatch.setattr(totals, "_plan", lambda qs: (4812, 10.0))
    monkeypatch.setattr(totals, "_bounded_count", lambda qs, limit: None)
    for name in ["Ana", "Beto", "Cris"]:
        factories.make_client(cast.project, name=name)
    assert total_label(get_tray(as_member(cast.admin), cast.project)) == "≈ 4.800 clientes"


def test_it_counts_exactly_below_the_threshold(cast, as_member, pages_of_two):
    for i in range(5):
        factories.make_client(cast.project, name=f"Cliente {i}")
    assert total_label(get_tray(as_member(cast.admin), cast.project)) == "5 clientes"


def test_it_shows_an_approximate_total_above_the_threshold(cast, as_member, monkeypatch,
                                                           pages_of_two):
    monkeypatch.setattr(totals, "EXACT_COUNT_LIMIT", 3)
    for i in range(5):
        factories.make_client(cast.project, name=f"Cliente {i}")
    label = total_label(get_tray(as_member(cast.admin), cast.project))
    # The planner's estimate of a tiny table is anything: never an exact "5 clientes".
    assert label.startswith("≈ ") or label == "Más de 3 clientes"
    assert label != "5 clientes"


@pytest.mark.parametrize(
    "estimate, label",
    [(1_234_567, "≈ 1,2 M"), (998_000, "≈ 1 M"), (15_000_000, "≈ 15 M"), (150_400, "≈ 150 mil"),
     (12_345, "≈ 12 mil"), (4_812, "≈ 4.800"), (57, "≈ 57")],
)
def test_it_rounds_estimates_as_people_say_them(estimate, label):
    from django.utils import translation

    with translation.override("es"):
        assert totals.approximate_label(estimate) == label


def test_it_offers_the_crear_menu_with_column_picker_and_download(cast, as_member):
    html = text(get_tray(as_member(cast.admin), cast.project, "situacion=40"))
    assert "Crear" in html and "Agregar/quitar columnas" in html
    assert ("Crear cliente</a>" in html) == url_exists("clients:create", project="demo")
    assert ("Crear cliente masivo" in html) == url_exists("clients:import", project="demo")
    has_download = url_exists("clients:download", project="demo")
    assert (">Descargar" in html or "</i> Descargar" in html) == has_download
    if has_download:
        assert re.search(r'<form method="post" action="[^"]+\?situacion=40" hx-post=', html)
        assert '<input type="hidden" name="query" value="situacion=40">' in html


def test_it_offers_row_actions_as_labelled_icon_buttons(cast, as_member):
    client = factories.make_client(cast.project, name="Ana")
    html = text(get_tray(as_member(cast.admin), cast.project))
    expected = {
        "Editar": ("clients:edit", f'hx-get="/p/demo/clientes/{client.pk}/editar/"'),
        "Ver órdenes de pago": ("clients:client_payment_orders", "bi-eye"),
        "Ver comunicaciones": ("interactions:client_list", "bi-envelope"),
        "Eliminar": ("clients:delete", "bi-trash"),
    }
    for label, (name, marker) in expected.items():
        present = f'aria-label="{label}" title="{label}"' in html
        assert present == url_exists(name, project="demo", pk=client.pk), label
        if present:
            assert marker in html
    if url_exists("clients:edit", project="demo", pk=client.pk):
        assert 'hx-target="#modal-content"' in html
    if url_exists("clients:detail", project="demo", pk=client.pk):
        assert f'<a href="/p/demo/clientes/{client.pk}/">Ana</a>' in html
    # Acciones is the last column.
    assert html.index(">Acciones</th>") > html.index(">Saldo")


def test_it_shows_a_badge_per_active_portfolio(cast, as_member):
    client = factories.make_client(cast.project, name="Ana")
    put_in_portfolio(client, "Norte")
    put_in_portfolio(client, "Vieja", active=False)
    html = text(get_tray(as_member(cast.admin), cast.project))
    assert 'aria-label="Cartera: Norte"' in html
    assert "Cartera: Vieja" not in html


def test_htmx_gets_the_tray_alone_and_history_restores_get_the_page(cast, as_member):
    factories.make_client(cast.project, name="Ana")
    browser = as_member(cast.admin)
    partial = get_tray(browser, cast.project, "orden=-name", htmx=True)
    assert text(partial).lstrip().startswith('<div id="tray"')
    assert "<html" not in text(partial)
    assert "HX-Request" in partial["Vary"]
    restore = browser.get("/p/demo/clientes/?orden=-name",
                          headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in text(restore) and 'id="tray"' in text(restore)
    full = get_tray(browser, cast.project)
    assert "<html" in text(full) and "js/tray.js" in text(full)


def test_the_filter_form_pushes_its_state_to_the_url(cast, as_member):
    html = text(get_tray(as_member(cast.admin), cast.project, "orden=-balance&vista=9"))
    form = html[html.index('<form id="tray-filters"'):]
    assert 'hx-push-url="true"' in form[:400] and 'hx-target="#tray"' in form[:400]
    assert '<input type="hidden" name="orden" value="-balance">' in form
    assert '<label class="form-label small mb-1" for="tray-q">Buscar cliente</label>' in form


def test_it_counts_large_money_and_formats_it(cast, as_member):
    factories.make_client(cast.project, name="Ana", balance=Decimal("98765.4"))
    assert "98.765,40" in text(get_tray(as_member(cast.admin), cast.project))


def test_it_says_when_the_book_is_empty(cast, as_member):
    response = get_tray(as_member(cast.admin), cast.project)
    assert row_names(response) == []
    assert "Todavía no hay clientes." in text(response)
    assert total_label(response) == "0 clientes"
