"""Descargar (clients tray): the clients a member sees, as CSV or XLSX, built by PostgreSQL.

The rows are the tray's: `clients.selectors.client_tray_query(member, params)`
(the same queryset `client_list` returns: visibility, filters, search and
order), so a download never holds a client the member could not see on screen,
and the job re-applies it when it runs. Steps of `export_clients`:

1. Each visible column becomes one or more `Field`s: a Django expression for
   the raw value (joins come with it, e.g. `segment__name`), a header and a
   kind (text, choice, number, money, date, datetime and the custom-variable
   kinds, whose JSON values are free text).
2. The queryset is narrowed to `.values(c0=…, c1=…)` and compiled; its SQL is
   wrapped in an outer SELECT that formats every value for the target:
   - CSV: text a spreadsheet could read as a formula gets a leading
     apostrophe (`moonflow.formula_guard`: `=`, `+`, `-`, `@` and their
     full-width forms, also after leading blanks or control characters; a
     leading tab or CR), headers included. Numbers are not text and are not
     guarded. XLSX keeps the raw text: a string cell is never evaluated;
   - choices are written as their Spanish labels (a CASE over the choices);
   - CSV: dates `dd/mm/aaaa`, date-times `dd/mm/aaaa hh:mm` in the project's
     time zone, numbers and money with a decimal comma and no thousands
     separator (with `;` as delimiter this is what a Spanish-locale Excel
     reads as a number);
   - XLSX: numbers as they are, dates and date-times as Excel serial numbers
     (shown with a date format), money with a `#,##0.00` format.
3. `COPY (<that SELECT>) TO STDOUT` streams the rows: for CSV straight into the
   file (after a UTF-8 BOM and the header row); for XLSX into
   `moonflow.xlsx_stream.XlsxStreamWriter`. Nothing but the current chunk is
   ever in memory, whatever the number of rows.

The parameters of the compiled query are inlined with psycopg's client-side
quoting (`ClientCursor.mogrify`), because COPY takes no bind parameters.
"""

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import psycopg
from django.db import connection
from django.db.models import Case, CharField, F, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from moonflow import xlsx_stream
from moonflow.formula_guard import guard, guard_sql

from .columns import (
    CHOICE,
    DATE,
    DATETIME,
    ISO_DATE_RE,
    MONEY,
    NUMBER,
    NUMBER_RE,
    TEXT,
    Column,
    columns_for_project,
    visible_columns,
)
from .visibility import OTHER_ADVISER, readable_adviser_ids

CSV = "csv"
XLSX = "xlsx"
FORMATS = (XLSX, CSV)

# Field kinds beyond the columns' own: custom variables keep free-form JSON
# text, so their numbers and dates are formatted only when they parse.
VARIABLE_NUMBER = "variable_number"
VARIABLE_DATE = "variable_date"

DELETED = "__deleted__"  # the status shown for a client in the recycle bin

BOM = "\ufeff"
CSV_DELIMITER = ";"

# Settings of the export's statement only: the ORDER BY of a whole book sorts
# in memory instead of spilling to temp files (the default work_mem is 4 MB),
# and no JIT: compiling the formatting CASEs costs seconds and gains nothing.
EXPORT_SETTINGS = {"work_mem": "64MB", "jit": "off"}

# How often (in rows) the progress callback is called; the job runner
# throttles its own writes further.
PROGRESS_EVERY = 5000


@dataclass
class Field:
    """One column of the file."""

    label: str
    expression: object  # a Django expression over Client
    kind: str
    choices: Sequence[tuple] = field(default_factory=tuple)  # (value, label) of a choice


# --- Columns → fields ----------------------------------------------------------------------------


def _member_name(prefix: str):
    """A member's display name (full name, else username); NULL when unassigned."""
    full = Trim(
        Concat(
            F(f"{prefix}__user__first_name"),
            Value(" "),
            F(f"{prefix}__user__last_name"),
            output_field=CharField(),
        )
    )
    return Coalesce(NullIf(full, Value("")), F(f"{prefix}__user__username"))


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
                Field(label, _readable(_member_name("adviser"), readable_adviser_ids, other_adviser), TEXT)
            )
            hidden_code = Value(None, output_field=CharField())
            fields.append(
                Field(_("Asesor ID"), _readable(F("adviser__code"), readable_adviser_ids, hidden_code), TEXT)
            )
        elif column.key == "supervisor":
            fields.append(Field(label, _member_name("supervisor"), TEXT))
        elif column.is_variable:
            kind = {NUMBER: VARIABLE_NUMBER, DATE: VARIABLE_DATE}.get(column.kind, TEXT)
            # Choice variables store their option's text: written as it is.
            fields.append(Field(label, KT(column.path), kind))
        elif column.kind == CHOICE:
            fields.append(Field(label, F(column.path), CHOICE, column.choices))
        else:
            fields.append(Field(label, F(column.path), column.kind))
    return fields


# --- SQL ------------------------------------------------------------------------------------------

def _text_sql(x: str, fmt: str) -> str:
    """Free text for the file: guarded against formula injection in CSV, raw in XLSX."""
    return guard_sql(x) if fmt == CSV else x


def _choice_sql(x: str, choices, params: list, fmt: str) -> str:
    """CASE over the choices' labels; an unknown stored value is written as it is.

    Values are compared in the column's own type (an integer choice against
    integers), so no row pays a cast.
    """
    if not choices:
        return _text_sql(f"{x}::text", fmt)
    whens = []
    for value, label in choices:
        whens.append("WHEN %s THEN %s")
        params += [int(value) if isinstance(value, int) else str(value), str(label)]
    return f"CASE {x} {' '.join(whens)} ELSE {_text_sql(f'{x}::text', fmt)} END"


def _field_sql(f: Field, x: str, fmt: str, tz: str, params: list) -> tuple[str, str]:
    """(SQL over the inner column `x`, the XLSX cell kind) for one field."""
    kind = f.kind
    if kind == CHOICE:
        return _choice_sql(x, f.choices, params, fmt), xlsx_stream.TEXT
    if kind in (NUMBER, MONEY):
        sheet_kind = xlsx_stream.MONEY if kind == MONEY else xlsx_stream.NUMBER
        if fmt == CSV:
            return f"replace({x}::text, '.', ',')", sheet_kind
        return f"{x}::text", sheet_kind
    if kind == DATE:
        if fmt == CSV:
            return f"to_char({x}, 'DD/MM/YYYY')", xlsx_stream.DATE
        return xlsx_stream.excel_date_sql(x), xlsx_stream.DATE
    if kind == DATETIME:
        params.append(tz)
        if fmt == CSV:
            return f"to_char({x} AT TIME ZONE %s, 'DD/MM/YYYY HH24:MI')", xlsx_stream.DATETIME
        return xlsx_stream.excel_datetime_sql(x), xlsx_stream.DATETIME
    if kind == VARIABLE_NUMBER:
        params.append(NUMBER_RE)
        number = f"replace({x}, '.', ',')" if fmt == CSV else x
        # A number is written as one (CSV: decimal comma, no apostrophe even when
        # negative); XLSX: AUTO writes a number when the text is one.
        return f"CASE WHEN {x} ~ %s THEN {number} ELSE {_text_sql(x, fmt)} END", xlsx_stream.AUTO
    if kind == VARIABLE_DATE:
        # ISO text to dd/mm/aaaa by position: a cast would abort the whole
        # export on one impossible date; anything else is written as it is.
        params.append(ISO_DATE_RE)
        return (
            f"CASE WHEN {x} ~ %s THEN substr({x}, 9, 2) || '/' || substr({x}, 6, 2) || '/' "
            f"|| substr({x}, 1, 4) ELSE {_text_sql(x, fmt)} END",
            xlsx_stream.TEXT,
        )
    return _text_sql(f"{x}::text", fmt), xlsx_stream.TEXT


@dataclass
class ExportQuery:
    sql: str  # a complete SELECT, parameters inlined
    labels: list[str]
    sheet_kinds: list[str]


def export_query(queryset, fields: Sequence[Field], *, fmt: str, tz: str) -> ExportQuery:
    """The SELECT producing the file's rows, in the queryset's order."""
    aliases = {f"c{i}": f.expression for i, f in enumerate(fields)}
    inner_sql, inner_params = queryset.prefetch_related(None).values(**aliases).query.sql_with_params()
    params: list = []
    outer = []
    sheet_kinds = []
    for i, f in enumerate(fields):
        sql, sheet_kind = _field_sql(f, f's."c{i}"', fmt, tz, params)
        outer.append(sql)
        sheet_kinds.append(sheet_kind)
    # The outer parameters come first in the text: SELECT <formatting> FROM (<inner>).
    statement = f"SELECT {', '.join(outer)} FROM ({inner_sql}) AS s"
    sql = _inline(statement, [*params, *inner_params])
    return ExportQuery(sql=sql, labels=[f.label for f in fields], sheet_kinds=sheet_kinds)


def _inline(sql: str, params: Sequence) -> str:
    connection.ensure_connection()
    cursor = psycopg.ClientCursor(connection.connection)
    try:
        return cursor.mogrify(sql, params)
    finally:
        cursor.close()


# --- Writing --------------------------------------------------------------------------------------


def _csv_header(labels: Sequence[str]) -> bytes:
    # Headers come partly from admins (custom variables' names): guarded like cells.
    line = io.StringIO()
    csv.writer(line, delimiter=CSV_DELIMITER, lineterminator="\n").writerow(
        [guard(label) for label in labels]
    )
    return (BOM + line.getvalue()).encode("utf-8")


def _column_width(kind: str) -> float:
    return {xlsx_stream.DATE: 12, xlsx_stream.DATETIME: 17, xlsx_stream.MONEY: 16}.get(kind, 22)


def write_query(
    query: ExportQuery,
    *,
    fmt: str,
    out,
    progress: Callable[[int], None] | None = None,
    expected_rows: int | None = None,
) -> int:
    """Run the COPY and write the file into `out` (a binary file object); returns rows."""
    if fmt == CSV:
        copy_sql = f"COPY ({query.sql}) TO STDOUT (FORMAT csv, DELIMITER '{CSV_DELIMITER}')"
    else:
        # NULL as an empty field (an empty cell either way): a row then holds a
        # backslash only for a real escape, and skips the unescaping path.
        copy_sql = f"COPY ({query.sql}) TO STDOUT (NULL '')"
    with connection.cursor() as cursor:
        local = connection.in_atomic_block
        for name, value in EXPORT_SETTINGS.items():
            cursor.execute("SELECT set_config(%s, %s, %s)", [name, value, local])
        try:
            rows = _copy_out(
                cursor.cursor, copy_sql, query, fmt=fmt, out=out, progress=progress,
                expected_rows=expected_rows,
            )
        finally:
            if not local:
                for name in EXPORT_SETTINGS:
                    cursor.execute(f"RESET {name}")
    if progress is not None:
        progress(rows)
    return rows


def _copy_out(raw, copy_sql: str, query: ExportQuery, *, fmt: str, out, progress,
              expected_rows) -> int:
    if fmt == XLSX:
        with xlsx_stream.XlsxStreamWriter(
            out,
            kinds=query.sheet_kinds,
            headers=list(query.labels),
            sheet_name=_("Clientes"),
            widths=[_column_width(kind) for kind in query.sheet_kinds],
            expected_rows=expected_rows,
        ) as sheet:
            with raw.copy(copy_sql) as copy:
                return sheet.write_copy_rows(copy, every=PROGRESS_EVERY, progress=progress)
    rows = 0
    write = out.write
    write(_csv_header(query.labels))
    with raw.copy(copy_sql) as copy:
        # One chunk is one row: libpq hands COPY data over row by row.
        for chunk in copy:
            write(chunk)
            rows += 1
            if progress is not None and rows % PROGRESS_EVERY == 0:
                progress(rows)
    return rows


def resolve_export_columns(member, keys) -> list[Column]:
    """The project's columns named by `keys`, in the tray's order ("Nombre" always first).

    Keys of columns that no longer exist (a deleted custom variable) are
    dropped; with none left, the member's visible columns are used.
    """
    all_columns = columns_for_project(member.project)
    if keys:
        wanted = {str(k) for k in keys}
        chosen = [c for c in all_columns if c.key in wanted or c.required]
        if any(c.key in wanted for c in chosen):
            return chosen
    return visible_columns(member, columns=all_columns)


def export_clients(
    *, member, params, columns=None, fmt: str, out, progress=None, expected_rows=None
) -> int:
    """Write the clients `member` sees for the tray's `params` into `out`; returns the rows.

    `columns`: tray column keys (or `Column`s); None means the member's visible
    columns. `out`: a path or a binary file object. `progress(rows)` is called
    every few thousand rows. `expected_rows` (a count, when the caller has
    one) lets a small XLSX skip Zip64. No Celery needed: the job, the
    benchmarks and the tests all call this.
    """
    from .selectors import client_tray_query

    fmt = str(fmt).lower()
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format: {fmt!r}")
    if columns and all(isinstance(c, Column) for c in columns):
        chosen = list(columns)
    else:
        chosen = resolve_export_columns(member, columns)
    tray = client_tray_query(member=member, params=params)
    fields = export_fields(chosen, readable_adviser_ids=readable_adviser_ids(member))
    query = export_query(tray.ordered, fields, fmt=fmt, tz=member.project.timezone or "UTC")
    if isinstance(out, (str, bytes)) or hasattr(out, "__fspath__"):
        with open(out, "wb", buffering=1 << 20) as handle:
            return write_query(query, fmt=fmt, out=handle, progress=progress,
                               expected_rows=expected_rows)
    return write_query(query, fmt=fmt, out=out, progress=progress, expected_rows=expected_rows)


# --- Requesting a download -------------------------------------------------------------------------

# Parameters of the tray URL that do not change the rows.
_NOT_FILTERS = ("pagina", "por_pagina", "vista", "csrfmiddlewaretoken")


def params_to_options(params) -> dict[str, list[str]]:
    """A tray query (QueryDict, dict or query string) as JSON for the job's options."""
    if isinstance(params, str):
        params = QueryDict(params.lstrip("?"))
    if isinstance(params, QueryDict):
        items = params.lists()
    else:
        items = ((k, v if isinstance(v, (list, tuple)) else [v]) for k, v in (params or {}).items())
    return {
        key: [str(v) for v in values if v not in (None, "")]
        for key, values in items
        if key not in _NOT_FILTERS and any(v not in (None, "") for v in values)
    }


def options_to_params(options: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, values in (options or {}).items():
        query.setlist(key, list(values))
    return query


def filters_for_audit(params: dict[str, list[str]]) -> dict:
    return {key: values[0] if len(values) == 1 else values for key, values in params.items()}


def export_file_name(project, fmt: str, *, now=None) -> str:
    local = timezone.localtime(now or timezone.now(), _project_zone(project))
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", project.slug)
    return f"clientes_{slug}_{local:%Y%m%d_%H%M}.{fmt}"


def _project_zone(project):
    try:
        return ZoneInfo(project.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


def client_export_request(*, member, params, fmt: str, columns: Sequence[str] | None = None):
    """Queue a download of the tray's clients (a CLIENT_EXPORT job) and return the job.

    `columns` are the tray column keys on screen; None means the member's
    visible columns. Nothing is read here: the job applies visibility,
    filters and columns when it runs.
    """
    from moonflow.jobs.models import JobKind
    from moonflow.jobs.services import job_create

    from .export_tasks import export_clients_task

    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format: {fmt!r}")
    from .filters import clean_tray_params

    keys = [c.key for c in resolve_export_columns(member, columns)]
    params = clean_tray_params(params).data  # what the tray itself would query
    return job_create(
        member=member,
        kind=JobKind.CLIENT_EXPORT,
        task=export_clients_task,
        title=_("Descarga de clientes (%(format)s)") % {"format": fmt.upper()},
        options={"params": params_to_options(params), "columns": keys, "format": fmt},
    )
