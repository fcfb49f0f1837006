"""moonflow.spreadsheets: CSV guarded against formula injection, XLSX strings kept raw."""

import csv
import io

import openpyxl

from moonflow import xlsx_stream
from moonflow.spreadsheets import write_csv, write_error_report, write_xlsx

TRICKY = ["=1+1", "\n=1+1", " =cmd", "\uff1d1+1", "\t@SUM(A1)", "-2", "+57 300 1234567"]


def _csv_rows(file) -> list[list[str]]:
    return list(csv.reader(io.StringIO(file.read().decode("utf-8-sig"), newline=""), delimiter=";"))


def _xlsx_sheet(file):
    return openpyxl.load_workbook(io.BytesIO(file.read())).active


def test_it_guards_csv_cells_and_headers_with_a_leading_apostrophe():
    rows = _csv_rows(write_csv([[v, "Zoila"] for v in TRICKY], headers=["=Peligro", "Nombre"]))
    assert rows[0] == ["'=Peligro", "Nombre"]
    assert [row[0] for row in rows[1:]] == ["'" + v for v in TRICKY]
    assert {row[1] for row in rows[1:]} == {"Zoila"}


def test_it_writes_numbers_in_csv_as_numbers_even_when_negative():
    rows = _csv_rows(write_csv([[-2, -10.5, "-2"]], headers=["Entero", "Decimal", "Texto"]))
    assert rows[1] == ["-2", "-10.5", "'-2"]


def test_it_writes_xlsx_strings_as_raw_string_cells_never_formulas():
    sheet = _xlsx_sheet(write_xlsx([[v, -2] for v in TRICKY], headers=["=Peligro", "Número"],
                                   kinds=[xlsx_stream.TEXT, xlsx_stream.NUMBER]))
    assert [c.value for c in sheet[1]] == ["=Peligro", "Número"]
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == TRICKY
    for row in sheet.iter_rows():
        assert row[0].data_type == "s"
    assert {row[1].value for row in sheet.iter_rows(min_row=2)} == {-2}


def test_it_writes_xlsx_columns_as_text_unless_told_otherwise():
    sheet = _xlsx_sheet(write_xlsx([["0012", 7]], headers=["ID", "Cantidad"]))
    assert [c.value for c in sheet[2]] == ["0012", "7"]  # an ID keeps its zeros


def test_the_error_report_keeps_the_rejected_value_as_typed():
    sheet = _xlsx_sheet(write_error_report([(2, "Teléfono", "+57 300 1234567", "Inválido")]))
    assert [c.value for c in sheet[2]] == [2, "Teléfono", "+57 300 1234567", "Inválido"]
    assert sheet["C2"].data_type == "s"
