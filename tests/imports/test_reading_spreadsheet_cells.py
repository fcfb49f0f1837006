"""Spreadsheet cells become the text a person sees, parsed in a child process."""

from datetime import date, datetime

import pytest

from moonflow.imports.reading import ImportFileError

from .helpers import FIXTURES, MB, read_all, rewrite_zip, write_xlsx


def test_it_turns_typed_cells_into_text(tmp_path):
    path = write_xlsx(tmp_path / "celdas.xlsx", [
        ["Documento", "Monto", "Vencimiento", "Registro", "Activo", "Nota"],
        [12345.0, 1234.5, date(2024, 3, 1), datetime(2024, 3, 1, 14, 30), True, "0012"],
        [1234567890123, 0.00001, datetime(2024, 12, 31), None, False, "  con espacios  "],
        [123456789012345678, -1000000.0, None, None, None, "=A1"],
    ])

    _table, rows = read_all(path)

    assert rows == [
        (2, {"Documento": "12345", "Monto": "1234.5", "Vencimiento": "2024-03-01",
             "Registro": "2024-03-01 14:30:00", "Activo": "TRUE", "Nota": "0012"}, {}),
        (3, {"Documento": "1234567890123", "Monto": "0.00001", "Vencimiento": "2024-12-31",
             "Registro": "", "Activo": "FALSE", "Nota": "con espacios"}, {}),
        # A number cell holds 16 significant digits at most (the file stores
        # 1.234567890123457E+17): read as the program shows it, never as 1.23E+17.
        (4, {"Documento": "123456789012345700", "Monto": "-1000000", "Vencimiento": "",
             "Registro": "", "Activo": "", "Nota": "=A1"}, {}),
    ]


def test_it_keeps_the_sheet_geometry_when_the_data_starts_away_from_a1(tmp_path):
    path = write_xlsx(tmp_path / "desplazado.xlsx", [
        ["Reporte de cartera", None],
        [None, None],
        ["Documento", "Nombre"],
        ["001", "Ana"],
    ], start_row=2, start_col=1)

    table, rows = read_all(path)

    assert table.header_row == 5
    assert table.headers == ["", "Documento", "Nombre"]
    assert rows == [(6, {"Documento": "001", "Nombre": "Ana"}, {})]


def test_it_reads_every_row_when_the_dimension_lies(tmp_path):
    honest = write_xlsx(tmp_path / "honesto.xlsx",
                        [["Documento", "Nombre"]] + [[f"{n:03d}", f"N{n}"] for n in range(1, 51)])

    def lie(name, data):
        if name == "xl/worksheets/sheet1.xml":
            assert b'<dimension ref="A1:B51"/>' in data
            return data.replace(b'<dimension ref="A1:B51"/>', b'<dimension ref="A1:A2"/>')
        return data

    liar = rewrite_zip(honest, tmp_path / "miente.xlsx", lie)

    table, rows = read_all(liar)

    assert table.total_rows == 50
    assert rows[-1] == (51, {"Documento": "050", "Nombre": "N50"}, {})


def test_it_reads_only_the_first_visible_sheet(tmp_path):
    import xlsxwriter

    path = tmp_path / "hojas.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    hidden = workbook.add_worksheet("Oculta")
    hidden.write_row(0, 0, ["Otra", "Cosa"])
    hidden.write_row(1, 0, ["x", "y"])
    hidden.hide()
    data = workbook.add_worksheet("Datos")
    data.write_row(0, 0, ["Documento", "Nombre"])
    data.write_row(1, 0, ["001", "Ana"])
    data.activate()
    workbook.add_worksheet("Ayuda").write_row(0, 0, ["Campo", "Descripción"])
    workbook.close()

    _table, rows = read_all(path)

    assert rows == [(2, {"Documento": "001", "Nombre": "Ana"}, {})]


def test_it_stops_a_sheet_that_needs_more_memory_than_the_child_may_take(tmp_path):
    cells = "".join(f'<c r="{column}{{row}}"><v>{{row}}</v></c>' for column in "ABCDEFGHIJ")
    header = "".join(f'<c r="{column}1" t="inlineStr"><is><t>Columna {column}</t></is></c>'
                     for column in "ABCDEFGHIJ")
    rows = f'<row r="1">{header}</row>' + "".join(
        f'<row r="{row}">' + cells.format(row=row) + "</row>" for row in range(2, 60_001))
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
             'openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + rows
             + "</sheetData></worksheet>").encode()
    path = rewrite_zip(FIXTURES / "clientes.xlsx", tmp_path / "pesada.xlsx",
                       lambda name, data: sheet if name == "xl/worksheets/sheet1.xml" else data)

    with pytest.raises(ImportFileError) as error:
        read_all(path, max_rows=100_000, max_child_memory_bytes=48 * MB)

    assert error.value.code == "too_heavy"
    assert str(error.value) == (
        "El archivo «pesada.xlsx» es demasiado pesado para leerlo como hoja de cálculo. "
        "Guárdelo como CSV y súbalo de nuevo.")
    # The same file within the default ceiling reads whole.
    table, rows = read_all(path, max_rows=100_000)
    assert table.total_rows == 59_999
    assert rows[-1][:2] == (60_000, {f"Columna {column}": "60000" for column in "ABCDEFGHIJ"})
