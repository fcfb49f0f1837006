"""The hand-written streaming XLSX writer opens in openpyxl with the right values and types."""

import datetime as dt
import io
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

import openpyxl
import pytest

from moonflow.xlsx_stream import (
    AUTO,
    DATE,
    DATETIME,
    MONEY,
    NUMBER,
    TEXT,
    XlsxStreamWriter,
    column_letter,
    copy_text_fields,
)


def _open(buffer, *, read_only=False):
    buffer.seek(0)
    return openpyxl.load_workbook(buffer, read_only=read_only).active


def _rows(buffer):
    sheet = _open(buffer)
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_it_writes_headers_text_numbers_dates_and_money():
    buffer = io.BytesIO()
    with XlsxStreamWriter(
        buffer,
        kinds=[TEXT, NUMBER, MONEY, DATE, DATETIME],
        headers=["Nombre", "Cantidad", "Saldo", "Vencimiento", "Creado"],
        sheet_name="Clientes",
    ) as sheet:
        sheet.write_row(
            ["Ana Pérez", 42, Decimal("1234567.89"), dt.date(2024, 1, 31), dt.datetime(2024, 1, 31, 13, 45)]
        )
        sheet.write_row(["Bruno", 3.5, Decimal("0.10"), None, None])

    ws = _open(buffer)
    assert ws.title == "Clientes"
    assert [c.value for c in ws[1]] == ["Nombre", "Cantidad", "Saldo", "Vencimiento", "Creado"]
    assert all(c.font.b for c in ws[1])
    assert [c.value for c in ws[2]] == [
        "Ana Pérez", 42, 1234567.89, dt.datetime(2024, 1, 31), dt.datetime(2024, 1, 31, 13, 45)
    ]
    assert ws["D2"].number_format == "dd/mm/yyyy"
    assert ws["E2"].number_format == "dd/mm/yyyy hh:mm"
    assert ws["C2"].number_format == "#,##0.00"
    assert ws["A2"].data_type == "s" and ws["B2"].data_type == "n"
    assert [c.value for c in ws[3]] == ["Bruno", 3.5, 0.1, None, None]
    assert ws.freeze_panes == "A2"


def test_it_writes_serialized_rows_as_sql_produces_them():
    buffer = io.BytesIO()
    with XlsxStreamWriter(buffer, kinds=[TEXT, DATE, DATETIME, MONEY, AUTO, AUTO]) as sheet:
        sheet.write_serialized_row(["x", "45322", "45322.5", "10.50", "7", "siete"])
        sheet.write_serialized_row([None, "", None, None, "", None])
        sheet.write_serialized_row(["y", None, None, "-3", "-0.25", "1-30"])

    assert _rows(buffer) == [
        ["x", dt.datetime(2024, 1, 31), dt.datetime(2024, 1, 31, 12, 0), 10.5, 7, "siete"],
        [None, None, None, None, None, None],
        ["y", None, None, -3, -0.25, "1-30"],
    ]


def test_it_escapes_xml_and_drops_characters_xml_forbids():
    buffer = io.BytesIO()
    values = [
        "<b>Tom & Jerry</b>",
        "a\x00b\x01c\x1fd\x0be",
        "línea 1\nlínea 2",
        "  espacios  ",
        "tab\tinterior",
        "retorno\r",
        'comillas "dobles"',
        "emoji 😀 ñ",
    ]
    with XlsxStreamWriter(buffer, kinds=[TEXT] * len(values), headers=["<&>"] + [""] * 7) as sheet:
        sheet.write_serialized_row(values)
        sheet.write_row(values)

    rows = _rows(buffer)
    expected = [
        "<b>Tom & Jerry</b>",
        "abcde",
        "línea 1\nlínea 2",
        "  espacios  ",
        "tab\tinterior",
        "retorno\r",
        'comillas "dobles"',
        "emoji 😀 ñ",
    ]
    assert rows[0][0] == "<&>"
    assert rows[1] == expected
    assert rows[2] == expected
    # Every part is well-formed XML.
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as archive:
        for name in archive.namelist():
            ElementTree.fromstring(archive.read(name))


def test_it_keeps_a_non_number_in_a_number_column_as_text_when_given_python_values():
    buffer = io.BytesIO()
    with XlsxStreamWriter(buffer, kinds=[NUMBER, MONEY]) as sheet:
        sheet.write_row(["n/a", "<1>"])
    assert _rows(buffer) == [["n/a", "<1>"]]


def test_it_has_the_minimal_parts_and_a_deflated_sheet():
    buffer = io.BytesIO()
    with XlsxStreamWriter(buffer, kinds=[TEXT], sheet_name="Hoja: [1]/2") as sheet:
        sheet.write_row(["x"])
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as archive:
        assert set(archive.namelist()) == {
            "[Content_Types].xml",
            "_rels/.rels",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
            "xl/styles.xml",
            "xl/worksheets/sheet1.xml",
        }
        assert archive.getinfo("xl/worksheets/sheet1.xml").compress_type == zipfile.ZIP_DEFLATED
    assert _open(buffer).title == "Hoja   1  2"


def test_it_streams_many_rows_into_a_file_that_read_only_openpyxl_reads_whole(tmp_path):
    path = tmp_path / "big.xlsx"
    with XlsxStreamWriter(str(path), kinds=[NUMBER, TEXT], headers=["N", "Texto"]) as sheet:
        for n in range(1, 5001):
            sheet.write_serialized_row([str(n), f"fila {n}" if n % 7 else None])
    assert sheet.rows == 5001

    workbook = openpyxl.load_workbook(path, read_only=True)
    ws = workbook.active
    ws.reset_dimensions()
    rows = list(ws.iter_rows(values_only=True))
    workbook.close()
    assert len(rows) == 5001
    assert rows[0] == ("N", "Texto")
    assert rows[1] == (1, "fila 1")
    assert rows[7][0] == 7 and rows[7][1:] in ((), (None,))
    assert rows[-1] == (5000, "fila 5000")


def test_it_continues_on_a_new_sheet_past_the_row_limit():
    buffer = io.BytesIO()
    with XlsxStreamWriter(buffer, kinds=[NUMBER, TEXT], headers=["N", "Texto"],
                          sheet_name="Clientes", max_rows=3) as sheet:
        sheet.write_serialized_rows([str(n), f"fila {n}"] for n in range(1, 6))
    assert sheet.sheets == ["Clientes", "Clientes 2", "Clientes 3"]
    buffer.seek(0)
    workbook = openpyxl.load_workbook(buffer)
    assert workbook.sheetnames == ["Clientes", "Clientes 2", "Clientes 3"]
    assert [[[c.value for c in row] for row in ws.iter_rows()] for ws in workbook.worksheets] == [
        [["N", "Texto"], [1, "fila 1"], [2, "fila 2"]],
        [["N", "Texto"], [3, "fila 3"], [4, "fila 4"]],
        [["N", "Texto"], [5, "fila 5"]],
    ]


def test_it_uses_zip64_only_when_the_sheet_may_be_large():
    small, unknown = io.BytesIO(), io.BytesIO()
    with XlsxStreamWriter(small, kinds=[TEXT], expected_rows=1000) as sheet:
        sheet.write_row(["x"])
    with XlsxStreamWriter(unknown, kinds=[TEXT]) as sheet:
        sheet.write_row(["x"])
    with zipfile.ZipFile(small) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").extract_version < 45
    with zipfile.ZipFile(unknown) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").extract_version == 45
    for buffer in (small, unknown):
        assert _rows(buffer) == [["x"]]


def test_it_is_read_by_calamine_too():
    from python_calamine import CalamineWorkbook

    buffer = io.BytesIO()
    with XlsxStreamWriter(buffer, kinds=[TEXT, MONEY, DATE], headers=["Nombre", "Saldo", "Día"]) as sheet:
        sheet.write_serialized_row(["Ana & <Bruno>", "1234.5", "45322"])
        sheet.write_serialized_row([None, "-1", None])
    buffer.seek(0)
    rows = CalamineWorkbook.from_filelike(buffer).get_sheet_by_index(0).to_python()
    assert rows == [["Nombre", "Saldo", "Día"], ["Ana & <Bruno>", 1234.5, dt.date(2024, 1, 31)],
                    ["", -1.0, ""]]


def test_it_rejects_rows_of_the_wrong_width_and_unknown_kinds():
    with pytest.raises(ValueError):
        XlsxStreamWriter(io.BytesIO(), kinds=["formula"])
    with XlsxStreamWriter(io.BytesIO(), kinds=[TEXT, TEXT]) as sheet:
        with pytest.raises(ValueError):
            sheet.write_serialized_row(["only one"])
        with pytest.raises(ValueError):
            sheet.write_row(["only one"])


def test_it_reads_postgresql_copy_text_rows():
    chunks = [
        b"Ana\t12\t\\N\n",
        memoryview("tab\\there\tnew\\nline\tback\\\\slash\n".encode()),
        "Pérez\t\t0\n".encode(),
    ]
    assert list(copy_text_fields(chunks)) == [
        ["Ana", "12", None],
        ["tab\there", "new\nline", "back\\slash"],
        ["Pérez", "", "0"],
    ]


def test_it_names_columns_like_excel():
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"
    ]


def test_it_writes_formula_looking_text_as_string_cells_exactly_as_given():
    values = ["=1+1", "\n=1+1", " =cmd", "\uff1d1+1", "\t@SUM(A1)", "-2", "+57 300 1234567",
              "=1+1\n"]
    buffer = io.BytesIO()
    headers = ["=Peligro"] + [""] * (len(values) - 1)
    with XlsxStreamWriter(buffer, kinds=[TEXT] * len(values), headers=headers) as sheet:
        sheet.write_serialized_row(values)  # the fast path of the exports
        sheet.write_serialized_row(["", "\n=1+1", "", "", "", "", "", ""])
        sheet.write_row(values)

    buffer.seek(0)
    with zipfile.ZipFile(buffer) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere
    # A text with a leading or trailing newline keeps it in every reader.
    assert xml.count('<t xml:space="preserve">\n=1+1</t>') == 3
    ws = _open(buffer)
    assert ws["A1"].value == "=Peligro" and ws["A1"].data_type == "s"
    for row in (2, 4):
        assert [c.value for c in ws[row]] == values
        assert {c.data_type for c in ws[row]} == {"s"}
    assert ws["B3"].value == "\n=1+1"
