"""Clientes tray: the columns shown, Agregar/quitar columnas remembered per member, the contract."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from clients.columns import COLUMNS, columns_for_project, visible_columns
from moonflow.lists.models import TrayPreference
from clients.lists import client_list
from tests import factories

from .test_tray_helpers import get_tray, make_variable, text

DEFAULT_HEADERS = ["Nombre", "Documento", "Correo electrónico", "Teléfono", "Segmento", "Estado",
                   "Situación", "Asesor asignado", "Saldo"]
HIDDEN_BY_DEFAULT = ["Tipo de cartera", "Supervisor asignado", "Contactabilidad",
                     "Alertas de contacto", "Reclamos", "Ciudad", "Creado"]


def headers(response) -> list[str]:
    import re

    html = text(response)
    return [
        re.sub(r"<[^>]+>", "", h).strip()
        for h in re.findall(r'<th scope="col" aria-sort="[a-z]+"[^>]*>(.*?)</th>', html, re.S)
    ]


@pytest.fixture
def columns_url(cast):
    return reverse("clients:tray_columns", kwargs={"project": cast.project.slug})


def test_it_shows_the_default_columns_then_acciones(cast, as_member):
    factories.make_client(cast.project, name="Ana")
    response = get_tray(as_member(cast.admin), cast.project)
    assert headers(response) == DEFAULT_HEADERS
    assert '<th scope="col" class="actions text-end">Acciones</th>' in text(response)


def test_it_shows_the_values_of_a_row(cast, as_member):
    segment = factories.make_segment(cast.project, "Pyme")
    factories.make_client(
        cast.project, name="Ana Ríos", document_type="CC", document_number="1020",
        email="ana@example.com", phone="3001112233", segment=segment, adviser=cast.adviser,
        balance=Decimal("1234567.8"),
    )
    html = text(get_tray(as_member(cast.admin), cast.project))
    for value in ["<td>CC 1020</td>", "<td>ana@example.com</td>", "<td>3001112233</td>",
                  "<td>Pyme</td>", '<span class="badge text-bg-success">Activo</span>',
                  "<td>Finalizado</td>",
                  f'{cast.adviser.display_name} <span class="small text-body-secondary">'
                  f'{cast.adviser.code}</span>',
                  '<td class="text-end money">1.234.567,80\u00a0COP</td>']:
        assert value in html, value


def test_it_opens_the_picker_with_the_current_columns_checked(cast, as_member, columns_url):
    response = as_member(cast.admin).get(columns_url, headers={"HX-Request": "true"})
    html = text(response)
    assert response.status_code == 200
    assert "Agregar/quitar columnas" in html
    assert 'value="email" id="col-email" checked' in html
    assert 'value="city" id="col-city">' in html
    assert 'value="name" id="col-name" checked disabled' in html


def test_it_opens_the_picker_as_a_page_inside_the_layout(cast, as_member, columns_url):
    html = text(as_member(cast.admin).get(columns_url))
    assert "<html" in html
    assert "Cuentas por cobrar" in html
    assert 'value="email" id="col-email" checked' in html


def test_it_remembers_the_chosen_columns_for_that_member_only(cast, as_member, columns_url):
    factories.make_client(cast.project, name="Ana", city="Cali")
    browser = as_member(cast.admin)
    response = browser.post(
        columns_url,
        {"columnas": ["city", "created_at", "bogus"], "next": "/p/demo/clientes/?q=an"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/p/demo/clientes/?q=an"
    assert headers(get_tray(browser, cast.project)) == ["Nombre", "Ciudad", "Creado"]
    assert "<td>Cali</td>" in text(get_tray(browser, cast.project))
    # Another member still sees the defaults.
    assert headers(get_tray(as_member(cast.supervisor), cast.project)) == DEFAULT_HEADERS
    assert TrayPreference.objects.get(member=cast.admin, tray="clients").columns == [
        "city", "created_at"
    ]


def test_it_restores_the_defaults(cast, as_member, columns_url):
    browser = as_member(cast.admin)
    browser.post(columns_url, {"columnas": ["city"]})
    response = browser.post(columns_url, {"columnas": ["city"], "restablecer": "1"})
    assert response.status_code == 302
    assert headers(get_tray(browser, cast.project)) == DEFAULT_HEADERS


def test_it_offers_every_column_including_custom_variables(cast, as_member, columns_url):
    make_variable(cast.project, "puntaje", "Puntaje", "number")
    html = text(as_member(cast.admin).get(columns_url))
    for label in DEFAULT_HEADERS + HIDDEN_BY_DEFAULT + ["Puntaje"]:
        assert f">{label}</label>" in html, label


def test_it_shows_custom_variable_values_formatted(cast, as_member, columns_url):
    make_variable(cast.project, "puntaje", "Puntaje", "number", position=1)
    make_variable(cast.project, "corte", "Fecha de corte", "date", position=2)
    make_variable(cast.project, "producto", "Producto", "choice", choices=["Tarjeta"], position=3)
    factories.make_client(cast.project, name="Ana",
                          extra={"puntaje": 1234.5, "corte": "2024-12-31", "producto": "Tarjeta"})
    browser = as_member(cast.admin)
    browser.post(columns_url, {"columnas": ["var_puntaje", "var_corte", "var_producto"]})
    response = get_tray(browser, cast.project)
    assert headers(response) == ["Nombre", "Puntaje", "Fecha de corte", "Producto"]
    html = text(response)
    assert '<td class="text-end">1.234,5</td>' in html
    assert "<td>31/12/2024</td>" in html
    assert "<td>Tarjeta</td>" in html


def test_it_shows_created_at_in_the_projects_timezone(cast, as_member, columns_url):
    client = factories.make_client(cast.project, name="Ana")
    from clients.models import Client

    Client.objects.filter(pk=client.pk).update(
        created_at=datetime(2024, 3, 1, 2, 30, tzinfo=ZoneInfo("UTC"))
    )
    browser = as_member(cast.admin)
    browser.post(columns_url, {"columnas": ["created_at"]})
    assert "<td>29/02/2024 21:30</td>" in text(get_tray(browser, cast.project))  # Bogotá, UTC-5


def test_columns_contract_for_downloads(cast):
    make_variable(cast.project, "puntaje", "Puntaje", "number")
    factories.make_client(cast.project, name="Ana", adviser=cast.adviser, extra={"puntaje": 7})
    columns = columns_for_project(cast.project)
    assert [c.key for c in columns][: len(COLUMNS)] == list(COLUMNS)
    variable = columns[-1]
    assert (variable.key, variable.path, variable.kind) == (
        "var_puntaje", "extra__puntaje", "number"
    )
    assert {c.kind for c in columns} <= {"text", "choice", "number", "date", "datetime", "money"}
    assert COLUMNS["adviser"].path == "adviser__code"
    assert COLUMNS["segment"].path == "segment__name"
    # Every path works in .values() on the tray's queryset, and text() reads such a row.
    paths = [p for c in columns for p in c.paths]
    row = client_list(member=cast.admin, params={}).values(*paths).get()
    assert COLUMNS["adviser"].text(row) == cast.adviser.display_name
    assert variable.text(row) == "7"
    assert COLUMNS["status"].text(row) == "Activo"


def test_visible_columns_drop_unknown_keys_and_keep_the_name(cast):
    TrayPreference.objects.create(project=cast.project, member=cast.admin, tray="clients",
                                  columns=["var_borrada", "email"])
    assert [c.key for c in visible_columns(cast.admin)] == ["name", "email"]
    assert [c.key for c in visible_columns(cast.supervisor)] == [
        c.key for c in COLUMNS.values() if c.default
    ]
