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

from moonflow.formula_guard import guard


def write_xlsx(rows, *, headers: list[str], sheet: str = "Datos") -> File:
    """Stream rows into an XLSX on disk (constant memory) and return it as a File.

    Strings are always string cells: xlsxwriter is told never to turn them into
    formulas, numbers or links.
    """
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")
    workbook = xlsxwriter.Workbook(
        handle.name, {"constant_memory": True, "strings_to_formulas": False,
                      "strings_to_urls": False, "strings_to_numbers": False}
    )
    worksheet = workbook.add_worksheet(sheet)
    bold = workbook.add_format({"bold": True})
    worksheet.write_row(0, 0, headers, bold)
    for index, row in enumerate(rows, start=1):
        worksheet.write_row(index, 0, row)
    workbook.close()
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


def write_error_report(errors) -> File:
    """`errors` yields (row, column, value, message): the file users fix and re-upload."""
    return write_xlsx(errors, headers=ERROR_HEADERS, sheet="Errores")
