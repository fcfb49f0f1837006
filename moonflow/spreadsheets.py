"""Writing spreadsheets people open in Excel or LibreOffice, safely.

CSV: text a spreadsheet program could read as a formula (CSV/formula
injection, the rule in `moonflow.formula_guard`) is written with a leading
apostrophe, headers included, so it shows as typed and never runs. XLSX:
strings are written as typed string cells, which are never evaluated, so they
keep their raw text (a phone "+57 300…" stays "+57 300…").
"""

import csv
import io
import tempfile

import xlsxwriter
from django.core.files import File

from moonflow import xlsx_stream
from moonflow.formula_guard import guard


def write_xlsx(rows, *, headers: list[str], sheet: str = "Datos",
               kinds: list[str] | None = None) -> File:
    """Stream rows into an XLSX on disk (constant memory) and return it as a File.

    The product's one XLSX writer (`moonflow.xlsx_stream`, the one the
    downloads measure): `kinds` per column (text by default, so an ID "0012"
    keeps its zeros); strings are typed string cells, never formulas.
    """
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    with xlsx_stream.XlsxStreamWriter(
        handle, kinds=kinds or [xlsx_stream.TEXT] * len(headers), headers=list(headers),
        sheet_name=sheet,
    ) as worksheet:
        for row in rows:
            worksheet.write_row(list(row))
    handle.seek(0)
    return File(handle)


def write_csv(rows, *, headers: list[str], delimiter: str = ";") -> File:
    """CSV in UTF-8 with BOM (Excel opens it with accents intact), `;`-separated."""
    handle = tempfile.TemporaryFile(mode="w+b")
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow([guard(h) for h in headers])
    for row in rows:
        writer.writerow([guard(v) for v in row])
    text.flush()
    text.detach()
    handle.seek(0)
    return File(handle)


ERROR_HEADERS = ["Fila", "Columna", "Valor", "Detalle del error"]
FIX_SHEET = "Filas para corregir"  # read back by the import reader (convert_child.py)


def write_import_report(errors, *, headers: list[str], rows_to_fix) -> File:
    """An import's error report: "Errores" (`Fila | Columna | Valor | Detalle del error`) and
    "Filas para corregir" (the failed rows as they were in the file, with their errors in a
    last column). Uploaded again, the report imports its rows to fix.

    `errors` yields (row, column, value, message); `rows_to_fix` yields (row, [cells],
    message). Strings are typed string cells (never formulas); constant memory.
    """
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    book = xlsxwriter.Workbook(handle, {"constant_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("Errores")
    for column, title in enumerate(ERROR_HEADERS):
        sheet.write_string(0, column, title, bold)
    for number, (row, column, value, message) in enumerate(errors, start=1):
        sheet.write_number(number, 0, row)
        for position, text in ((1, column), (2, value), (3, message)):
            if text:  # an empty cell stays empty
                sheet.write_string(number, position, text)
    sheet.set_column(1, 2, 22)
    sheet.set_column(3, 3, 90)
    fix = book.add_worksheet(FIX_SHEET)
    for column, title in enumerate([*headers, "Detalle del error"]):
        fix.write_string(0, column, title, bold)
    for number, (_row, cells, message) in enumerate(rows_to_fix, start=1):
        for column, cell in enumerate([*cells, message]):
            if cell:
                fix.write_string(number, column, cell)
    book.close()
    handle.seek(0)
    return File(handle)


def write_error_report(errors) -> File:
    """`errors` yields (row, column, value, message): the file users fix and re-upload."""
    kinds = [xlsx_stream.NUMBER, xlsx_stream.TEXT, xlsx_stream.TEXT, xlsx_stream.TEXT]
    return write_xlsx(errors, headers=ERROR_HEADERS, sheet="Errores", kinds=kinds)
