"""Descargar: the file's content, cell by cell, for CSV and XLSX (clients.exports.export_clients)."""

import csv
import html
import io
import re
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import urlencode

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from clients.choices import ClientStatus, PortfolioType, Situation
from clients.columns import visible_columns
from clients.lists import export_clients
from clients.models import Client, CustomVariable
from moonflow.lists.models import TrayPreference
from clients.lists import client_list
from portfolios.models import Portfolio, PortfolioClient
from tests import factories

ROW_HEADER = re.compile(r'<th scope="row"[^>]*>(.*?)</th>', re.S)
BADGE = re.compile(r'<span class="badge[^"]*"[^>]*>.*?</span>', re.S)
TAG = re.compile(r"<[^>]+>")


def make_variable(project, key, label, type_, position=0) -> CustomVariable:
    return CustomVariable.objects.create(project=project, key=key, label=label, type=type_,
                                         position=position)


def tray_names(browser, project, params) -> list[str]:
    """The client names of the tray's rows, in order, as a person reads them."""
    url = reverse("clients:list", kwargs={"project": project.slug})
    response = browser.get(f"{url}?{urlencode(params, doseq=True)}")
    assert response.status_code == 200
    return [
        html.unescape(TAG.sub("", BADGE.sub("", cell))).strip()
        for cell in ROW_HEADER.findall(response.content.decode())
    ]

COLUMNS = [
    "name", "document", "email", "phone", "segment", "status", "situation", "portfolio_type",
    "adviser", "supervisor", "balance", "created_at", "var_producto", "var_score", "var_castigo",
]
HEADERS = [
    "Nombre", "Tipo de documento", "Número de documento", "Correo electrónico", "Teléfono",
    "Segmento", "Estado", "Situación", "Tipo de cartera", "Asesor asignado", "Asesor ID",
    "Supervisor asignado", "Saldo", "Creado", "Producto", "Puntaje", "Fecha de castigo",
]
HYPERLINK = '=HYPERLINK("http://evil.example/?x=1","Clic aquí")'
CREATED = datetime(2024, 3, 5, 15, 4, tzinfo=UTC)  # 10:04 in Bogotá


@pytest.fixture
def book(cast):
    """Clients covering every kind of value, and every formula trigger."""
    project = cast.project
    make_variable(project, "producto", "Producto", "text", position=1)
    make_variable(project, "score", "Puntaje", "number", position=2)
    make_variable(project, "castigo", "Fecha de castigo", "date", position=3)
    segment = factories.make_segment(project, "Empresas")
    clients = {
        "evil": factories.make_client(
            project, name=HYPERLINK, document_type="CC", document_number="0012",
            email="ana@example.com", phone="+57 300 1234567", segment=segment,
            status=ClientStatus.ACTIVE, situation=Situation.LATE_1_30,
            adviser=cast.restricted, supervisor=cast.supervisor,
            balance=Decimal("1234567.89"),
            extra={"producto": "Crédito; rotativo", "score": 7.5, "castigo": "2024-01-31"},
        ),
        "plus": factories.make_client(
            project, name="+Plus Ltda", document_type="NIT", document_number="900123",
            status=ClientStatus.INACTIVE, portfolio_type=PortfolioType.WRITTEN_OFF,
            situation=Situation.CLAIM, adviser=cast.adviser, balance=Decimal("-10.50"),
            extra={"producto": "-50 descuento", "score": -3, "castigo": "31/01/2024"},
        ),
        "minus": factories.make_client(project, name="-Menos", document_number="77",
                                       extra={"producto": "@cmd", "score": "n/a"}),
        "at": factories.make_client(project, name="@Arroba", document_number="78",
                                    phone="\tTabulado", email=""),
        "plain": factories.make_client(project, name="Zoila Díaz", document_number="79",
                                       phone="3001112233"),
    }
    Client.objects.filter(project=project).update(created_at=CREATED)
    return clients


def export_csv(member, params=None, columns=COLUMNS) -> tuple[bytes, list[list[str]], int]:
    out = io.BytesIO()
    rows = export_clients(member=member, params=params or {}, columns=columns, fmt="csv", out=out)
    content = out.getvalue()
    return content, list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";")), rows


def export_xlsx(member, params=None, columns=COLUMNS) -> tuple[list[tuple], int, object]:
    out = io.BytesIO()
    rows = export_clients(member=member, params=params or {}, columns=columns, fmt="xlsx", out=out)
    out.seek(0)
    sheet = openpyxl.load_workbook(out).active
    return [tuple(c.value for c in row) for row in sheet.iter_rows()], rows, sheet


def by_name(rows, name):
    return next(row for row in rows if row[0] == name)


def test_it_writes_the_csv_cell_by_cell(cast, book):
    content, rows, count = export_csv(cast.admin)

    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the accents
    assert count == 5
    assert rows[0] == HEADERS
    restricted, supervisor = cast.restricted, cast.supervisor
    assert by_name(rows, "'" + HYPERLINK) == [
        "'" + HYPERLINK, "CC", "0012", "ana@example.com", "'+57 300 1234567", "Empresas",
        "Activo", "Mora 1-30 días", "Vigente", restricted.display_name, restricted.code,
        supervisor.display_name, "1234567,89", "05/03/2024 10:04", "Crédito; rotativo", "7,5",
        "31/01/2024",
    ]
    assert by_name(rows, "'+Plus Ltda") == [
        "'+Plus Ltda", "NIT", "900123", "", "", "", "Inactivo", "Con reclamo", "Castigada",
        cast.adviser.display_name, cast.adviser.code, "", "-10,50", "05/03/2024 10:04",
        "'-50 descuento", "-3", "31/01/2024",
    ]
    assert by_name(rows, "'-Menos")[14:] == ["'@cmd", "n/a", ""]
    assert by_name(rows, "'@Arroba")[4] == "'\tTabulado"
    assert by_name(rows, "Zoila Díaz")[:7] == [
        "Zoila Díaz", "CC", "79", "", "3001112233", "", "Activo"
    ]


def test_it_writes_the_xlsx_cell_by_cell(cast, book):
    rows, count, sheet = export_xlsx(cast.admin)

    assert count == 5
    assert sheet.title == "Clientes"
    assert list(rows[0]) == HEADERS
    restricted, supervisor = cast.restricted, cast.supervisor
    # Text is written as it is, with no apostrophe: a string cell never runs.
    assert by_name(rows, HYPERLINK) == (
        HYPERLINK, "CC", "0012", "ana@example.com", "+57 300 1234567", "Empresas",
        "Activo", "Mora 1-30 días", "Vigente", restricted.display_name, restricted.code,
        supervisor.display_name, 1234567.89, datetime(2024, 3, 5, 10, 4), "Crédito; rotativo",
        7.5, "31/01/2024",
    )
    assert by_name(rows, "+Plus Ltda")[12:16] == (-10.5, datetime(2024, 3, 5, 10, 4),
                                                  "-50 descuento", -3)
    assert by_name(rows, "-Menos")[14:] == ("@cmd", "n/a", None)
    assert by_name(rows, "@Arroba")[4] == "\tTabulado"
    # No cell is a formula: text is a string cell; numbers and dates are real
    # numbers with their formats.
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
    evil_row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == HYPERLINK)
    assert evil_row[12].number_format == "#,##0.00"
    assert evil_row[13].number_format == "dd/mm/yyyy hh:mm"
    assert evil_row[0].data_type == "s" and evil_row[4].data_type == "s"


def test_it_guards_every_formula_trigger_in_csv_and_keeps_the_raw_text_in_xlsx(cast, book):
    _content, csv_rows, _count = export_csv(cast.admin, columns=["name"])
    xlsx_rows, _count, _sheet = export_xlsx(cast.admin, columns=["name"])
    assert {row[0] for row in csv_rows[1:]} == {
        "'" + HYPERLINK, "'+Plus Ltda", "'-Menos", "'@Arroba", "Zoila Díaz"
    }
    assert {row[0] for row in xlsx_rows[1:]} == {
        HYPERLINK, "+Plus Ltda", "-Menos", "@Arroba", "Zoila Díaz"
    }


# Text a spreadsheet could read as a formula: behind blanks and control
# characters, in full-width forms, or a negative-number-looking text.
HIDDEN_FORMULAS = ["\n=1+1", " =cmd", "\uff1d1+1", "\t@SUM(A1)", "-2", "\u3000+1", "\u200b@x",
                   "\r\n-1"]
HARMLESS = [" hola", "\nlínea", "1-30", "a=b", "Zoila"]


@pytest.fixture
def tricky(cast):
    """One client per tricky value, in the name, the phone and a text variable."""
    make_variable(cast.project, "nota", "Nota", "text", position=1)
    make_variable(cast.project, "score", "Puntaje", "number", position=2)
    for i, value in enumerate(HIDDEN_FORMULAS + HARMLESS):
        factories.make_client(cast.project, name=f"Cliente {i:02d}", document_number=str(500 + i),
                              phone=value, extra={"nota": value, "score": -2})


def test_it_guards_formulas_behind_blanks_controls_and_full_width_signs_in_csv(cast, tricky):
    _content, rows, _count = export_csv(cast.admin, columns=["name", "phone", "var_nota",
                                                             "var_score", "balance"])
    assert rows[0] == ["Nombre", "Teléfono", "Saldo", "Nota", "Puntaje"]
    values = HIDDEN_FORMULAS + HARMLESS
    for i, value in enumerate(values):
        name, phone, balance, note, score = by_name(rows, f"Cliente {i:02d}")
        expected = "'" + value if value in HIDDEN_FORMULAS else value
        assert (phone, note) == (expected, expected), value
        # Numbers are not text: a negative number is written as a number.
        assert (balance, score) == ("0,00", "-2")


def test_it_writes_formula_looking_text_as_raw_string_cells_in_xlsx(cast, tricky):
    rows, _count, sheet = export_xlsx(cast.admin, columns=["name", "phone", "var_nota",
                                                           "var_score"])
    values = HIDDEN_FORMULAS + HARMLESS
    for i, value in enumerate(values):
        assert by_name(rows, f"Cliente {i:02d}")[1:] == (value, value, -2), value
    for row in sheet.iter_rows(min_row=2):
        assert [c.data_type for c in row] == ["s", "s", "s", "n"]


def test_it_guards_a_formula_in_a_custom_variables_name_in_csv_headers_only(cast, book):
    make_variable(cast.project, "peligro", "=HYPERLINK(\"x\")", "text", position=9)
    _content, rows, _count = export_csv(cast.admin, columns=["name", "var_peligro"])
    xlsx_rows, _count, _sheet = export_xlsx(cast.admin, columns=["name", "var_peligro"])
    assert rows[0] == ["Nombre", "'=HYPERLINK(\"x\")"]
    assert xlsx_rows[0] == ("Nombre", "=HYPERLINK(\"x\")")


def test_it_writes_the_rows_of_the_tray_in_its_order(cast, as_member, book):
    deleted = factories.make_client(cast.project, name="Borrado Pérez", document_number="80",
                                    deleted_at=timezone.now())
    queries = [
        {},
        {"orden": "-name"},
        {"orden": "-balance"},
        {"estado": "inactivo"},
        {"estado": ["activo", "eliminado"]},
        {"situacion": str(Situation.LATE_1_30.value)},
        {"q": "Zoila"},
        {"var_score_min": "0"},
        {"estado": "eliminado", "orden": "name"},
    ]
    browser = as_member(cast.admin)
    for params in queries:
        _content, rows, count = export_csv(cast.admin, params=params, columns=["name"])
        names = [row[0].removeprefix("'") for row in rows[1:]]
        expected = [c.name for c in client_list(member=cast.admin, params=params)]
        assert names == expected, params
        assert names == tray_names(browser, cast.project, params), params
        assert count == len(expected)
    _content, rows, _count = export_csv(cast.admin, params={"estado": "eliminado"},
                                        columns=["name", "status"])
    assert rows[1:] == [[deleted.name, "Eliminado"]]


def test_it_writes_the_members_visible_columns_when_none_are_given(cast, book):
    TrayPreference.objects.create(project=cast.project, member=cast.admin, tray="clients",
                                  columns=["name", "situation", "balance", "var_score"])
    _content, rows, _count = export_csv(cast.admin, columns=None)
    assert rows[0] == ["Nombre", "Situación", "Saldo", "Puntaje"]
    assert [c.key for c in visible_columns(cast.admin)] == ["name", "situation", "balance",
                                                             "var_score"]
    assert by_name(rows, "Zoila Díaz") == ["Zoila Díaz", "Finalizado", "0,00", ""]

    xlsx_rows, _count, _sheet = export_xlsx(cast.admin, columns=["situation", "var_gone"])
    assert xlsx_rows[0] == ("Nombre", "Situación")  # "Nombre" always; unknown keys dropped


def test_it_gives_a_restricted_adviser_only_their_clients(cast, book):
    # A client of another adviser in the restricted adviser's portfolio: visible, but
    # not who holds it ("Otro asesor"), as in the tray.
    portfolio = Portfolio.objects.create(project=cast.project, name="Recuperación",
                                         agent=cast.restricted)
    shared = factories.make_client(cast.project, name="Compartido", document_number="90",
                                   adviser=cast.adviser)
    PortfolioClient.objects.create(project=cast.project, portfolio=portfolio, client=shared)

    _content, rows, count = export_csv(cast.restricted, columns=["name", "adviser"])
    assert count == 2
    assert rows[0] == ["Nombre", "Asesor asignado", "Asesor ID"]
    assert sorted(rows[1:]) == sorted([
        ["Compartido", "Otro asesor", ""],
        ["'" + HYPERLINK, cast.restricted.display_name, cast.restricted.code],
    ])
    params = {"estado": ["activo", "inactivo"]}
    xlsx_rows, count, _sheet = export_xlsx(cast.restricted, columns=["name"], params=params)
    visible = client_list(member=cast.restricted, params=params)
    assert [r[0] for r in xlsx_rows[1:]] == [c.name for c in visible]
    assert {r[0] for r in xlsx_rows[1:]} == {"Compartido", HYPERLINK}


def test_it_writes_only_the_header_when_nothing_matches(cast, book):
    content, rows, count = export_csv(cast.admin, params={"q": "nadie se llama así"},
                                      columns=["name", "balance"])
    assert count == 0 and rows == [["Nombre", "Saldo"]]
    xlsx_rows, count, _sheet = export_xlsx(cast.admin, params={"q": "nadie"}, columns=["name"])
    assert count == 0 and xlsx_rows == [("Nombre",)]


def test_it_writes_to_a_path(cast, book, tmp_path):
    target = tmp_path / "clientes.csv"
    rows = export_clients(member=cast.admin, params={"q": "Zoila"}, columns=["name"], fmt="csv",
                          out=target)
    assert rows == 1
    assert target.read_bytes().decode("utf-8-sig") == "Nombre\nZoila Díaz\n"


def test_it_refuses_an_unknown_format(cast):
    with pytest.raises(ValueError):
        export_clients(member=cast.admin, params={}, columns=["name"], fmt="pdf", out=io.BytesIO())
