"""Descargar (clients tray): which fields the file has for the tray's columns.

The download itself is the list kernel's (moonflow/lists/exports.py: the
tray's rows through `COPY … TO STDOUT`, formatted by PostgreSQL, streamed to
CSV or XLSX; moonflow/lists/downloads.py: the job). The clients' part is how
a column becomes fields: "Documento" is split into its type and number,
"Asesor asignado" is followed by the adviser's "Asesor ID" (as the imports
read them), and an adviser the member may not read is "Otro asesor" with no
Asesor ID (`clients.visibility.readable_adviser_ids`).
"""

from collections.abc import Sequence

from django.db.models import Case, CharField, F, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from moonflow.lists.columns import CHOICE, DATE, NUMBER, TEXT, Column
from moonflow.lists.exports import TEXT_DATE, TEXT_NUMBER, Field

from .columns import is_variable, member_name
from .visibility import OTHER_ADVISER

DELETED = "__deleted__"  # the status shown for a client in the recycle bin


def _readable(expression, readable_ids, hidden):
    """The expression for advisers the member may read, `hidden` for any other adviser.

    A restricted member sees a client of a portfolio held by another adviser,
    but not who that adviser is, exactly as in the tray ("Otro asesor"):
    `readable_ids` is `clients.visibility.readable_adviser_ids(member)`.
    """
    if readable_ids is None:
        return expression
    return Case(
        When(adviser__isnull=True, then=Value(None, output_field=CharField())),
        When(adviser_id__in=list(readable_ids), then=expression),
        default=hidden,
        output_field=CharField(),
    )


def export_fields(columns: Sequence[Column], *, readable_adviser_ids=None) -> list[Field]:
    """The file's columns, in the tray's order, for the given tray columns.

    Where the screen joins two values in one cell, the file splits them, as
    the imports read them: "Documento" becomes its type and number, and
    "Asesor asignado" is followed by the adviser's "Asesor ID".
    """
    fields: list[Field] = []
    other_adviser = Value(str(OTHER_ADVISER), output_field=CharField())
    for column in columns:
        label = str(column.label)
        if column.key == "document":
            fields.append(Field(_("Tipo de documento"), F("document_type"), TEXT))
            fields.append(Field(_("Número de documento"), F("document_number"), TEXT))
        elif column.key == "status":
            expression = Case(
                When(deleted_at__isnull=False, then=Value(DELETED)),
                default=F("status"),
                output_field=CharField(),
            )
            choices = (*column.choices, (DELETED, _("Eliminado")))
            fields.append(Field(label, expression, CHOICE, choices))
        elif column.key == "adviser":
            fields.append(
                Field(label, _readable(member_name("adviser", unassigned=None),
                                       readable_adviser_ids, other_adviser), TEXT)
            )
            hidden_code = Value(None, output_field=CharField())
            fields.append(
                Field(_("Asesor ID"), _readable(F("adviser__code"), readable_adviser_ids, hidden_code), TEXT)
            )
        elif column.key == "supervisor":
            fields.append(Field(label, member_name("supervisor", unassigned=None), TEXT))
        elif is_variable(column):
            kind = {NUMBER: TEXT_NUMBER, DATE: TEXT_DATE}.get(column.kind, TEXT)
            # Choice variables store their option's text: written as it is.
            fields.append(Field(label, KT(column.path), kind))
        elif column.kind == CHOICE:
            fields.append(Field(label, F(column.path), CHOICE, column.choices))
        else:
            fields.append(Field(label, F(column.path), column.kind))
    return fields
