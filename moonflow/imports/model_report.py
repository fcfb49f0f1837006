"""The "reporte modelo": an XLSX with every field as a header, an example row, and how to fill it.

It imports back as it is: its headers are the fields' labels (required ones
marked with "*", which the mapping ignores), on the first sheet.
"""

from __future__ import annotations

import io

import xlsxwriter
from django.utils.translation import gettext as _


def model_report(fields, *, sheet: str) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_numbers": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True, "bg_color": "#E7EEF7", "border": 1})
    required = book.add_format({"bold": True, "bg_color": "#FCE8C3", "border": 1})
    text = book.add_format({"num_format": "@"})
    data = book.add_worksheet(sheet[:31])
    for column, spec in enumerate(fields):
        header = f"{spec.label} *" if spec.required else spec.label
        data.write_string(0, column, header, required if spec.required else bold)
        data.write_string(1, column, spec.example or "", text)
        data.set_column(column, column, max(14, min(40, len(header) + 4)), text)
    data.freeze_panes(1, 0)
    help_sheet = book.add_worksheet(_("Instrucciones")[:31])
    heads = [_("Campo"), _("Obligatorio"), _("Valores aceptados"), _("Ejemplo")]
    for column, head in enumerate(heads):
        help_sheet.write_string(0, column, head, bold)
    for row, spec in enumerate(fields, start=1):
        help_sheet.write_string(row, 0, spec.label)
        help_sheet.write_string(row, 1, _("Sí") if spec.required else _("No"))
        help_sheet.write_string(row, 2, spec.help or "")
        help_sheet.write_string(row, 3, spec.example or "")
    note = len(fields) + 2
    help_sheet.write_string(note, 0, _(
        "Los campos con * son obligatorios para crear un registro. Borre la fila de ejemplo "
        "antes de cargar el archivo. Una celda vacía no borra el valor que ya tiene Moonflow."))
    help_sheet.set_column(0, 0, 28)
    help_sheet.set_column(1, 1, 12)
    help_sheet.set_column(2, 2, 90)
    help_sheet.set_column(3, 3, 24)
    book.close()
    return out.getvalue()
