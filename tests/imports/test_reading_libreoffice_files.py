"""Files written by LibreOffice (see fixtures/make_fixtures.py) read cell by cell."""

import os

import pytest

from .helpers import FIXTURES, read_all

HEADERS = ["Documento", "Nombre", "Ciudad", "Monto", "Vencimiento", "Asesor ID", "Nota"]

# What every spreadsheet format gives: the file's own row numbers (title, cut-off
# date line and blank row 3 above the header on row 4; blank row 8 skipped).
SPREADSHEET_ROWS = [
    (5, ["00123456", "José Peña", "Bogotá", "1234.5", "2024-03-01", "ase-01", "=SUMA(A1:A2)"]),
    (6, ["12345", "María Núñez", "Medellín", "1000000", "2024-12-31", "ASE-02", ""]),
    (7, ["1234567890123", "Ana Ibáñez", "Cúcuta", "0.1", "2025-02-28", "ASE-02", "línea «uno»"]),
    (9, ["987", "Luis Gómez", "Cali", "-45.75", "2024-01-15", "ASE-01", "1"]),
]


@pytest.mark.parametrize("extension", ["xlsx", "xls", "ods"])
def test_it_reads_a_spreadsheet_as_text_rows_with_their_row_numbers(extension):
    table, rows = read_all(FIXTURES / f"clientes.{extension}")

    assert table.kind == extension
    assert table.header_row == 4
    assert table.headers == HEADERS
    assert table.total_rows == 4
    assert rows == [(number, dict(zip(HEADERS, values, strict=True)), {})
                    for number, values in SPREADSHEET_ROWS]


def test_it_reads_a_semicolon_windows_1252_csv_with_accents_and_day_first_dates():
    table, rows = read_all(FIXTURES / "clientes.csv")

    assert (table.kind, table.encoding, table.delimiter) == ("csv", "cp1252", ";")
    assert table.header_row == 4
    assert rows == [
        (5, dict(zip(HEADERS, ["00123456", "José Peña", "Bogotá", "1.234,50", "01/03/2024",
                                "ase-01", "=SUMA(A1:A2)"], strict=True)), {}),
        (6, dict(zip(HEADERS, ["12345", "María Núñez", "Medellín", "1.000.000,00",
                                "31/12/2024", "ASE-02", ""], strict=True)), {}),
        (7, dict(zip(HEADERS, ["1234567890123", "Ana Ibáñez", "Cúcuta", "0,10", "28/02/2025",
                                "ASE-02", "línea «uno»"], strict=True)), {}),
        (9, dict(zip(HEADERS, ["987", "Luis Gómez", "Cali", "-45,75", "15/01/2024", "ASE-01",
                                "1"], strict=True)), {}),
    ]


def test_it_reads_the_extension_from_the_bytes_not_the_name(tmp_path):
    renamed = tmp_path / "clientes.csv"
    renamed.write_bytes((FIXTURES / "clientes.xlsx").read_bytes())

    table, rows = read_all(renamed, file_name="clientes.csv")

    assert table.kind == "xlsx"
    assert rows[0][1]["Documento"] == "00123456"


def test_it_deletes_the_converted_csv_when_the_table_closes():
    table, _rows = read_all(FIXTURES / "clientes.xlsx")

    assert table.conversion is not None
    assert not os.path.exists(table.conversion.path)
