"""Writing spreadsheets people open in Excel or LibreOffice, safely.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is
read as a formula by spreadsheet programs (CSV/formula injection); such text
is written with a leading apostrophe so it shows as typed and never runs.
"""

import csv
import io
import tempfile

import xlsxwriter
from django.core.files import File

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that would be read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def write_xlsx(rows, *, headers: list[str], sheet: str = "Datos") -> File:
    """Stream rows into an XLSX on disk (constant memory) and return it as a File."""
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")
    workbook = xlsxwriter.Workbook(
        handle.name, {"constant_memory": True, "strings_to_formulas": False,
                      "strings_to_urls": False, "strings_to_numbers": False}
    )
    worksheet = workbook.add_worksheet(sheet)
    bold = workbook.add_format({"bold": True})
    worksheet.write_row(0, 0, headers, bold)
    for index, row in enumerate(rows, start=1):
        worksheet.write_row(index, 0, [neutralise(v) for v in row])
    workbook.close()
    handle.seek(0)
    return File(handle)


def write_csv(rows, *, headers: list[str], delimiter: str = ";") -> File:
    """CSV in UTF-8 with BOM (Excel opens it with accents intact), `;`-separated."""
    handle = tempfile.TemporaryFile(mode="w+b")
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    text.flush()
    text.detach()
    handle.seek(0)
    return File(handle)


ERROR_HEADERS = ["Fila", "Columna", "Valor", "Detalle del error"]


def write_error_report(errors) -> File:
    """`errors` yields (row, column, value, message): the file users fix and re-upload."""
    return write_xlsx(errors, headers=ERROR_HEADERS, sheet="Errores")
