"""Descargar: a list's rows as CSV or XLSX, built by PostgreSQL and streamed to a file.

The rows are the list's own (`moonflow.lists.listing.list_query`: the entity's
base queryset with visibility, its filters, search and order), so a download
never holds a row the member could not see on screen, and the job re-applies
it when it runs. Steps of `moonflow.lists.downloads.export_list`:

1. Each column on screen becomes one or more `Field`s (the entity's
   `ListSpec.export_fields`): a Django expression for the raw value (joins
   come with it), a header and a kind (text, choice, number, money, date,
   datetime, and free text that may hold a number or an ISO date).
2. The queryset is narrowed to `.values(c0=…, c1=…)` and compiled; its SQL is
   wrapped in an outer SELECT that formats every value for the target:
   - CSV: text a spreadsheet could read as a formula gets a leading
     apostrophe (`moonflow.formula_guard`), headers included. Numbers are not
     text and are not guarded. XLSX keeps the raw text: a string cell is
     never evaluated;
   - choices are written as their labels (a CASE over the choices);
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
from django.db.models import F
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from moonflow import xlsx_stream
from moonflow.formula_guard import guard, guard_sql

from .columns import CHOICE, DATE, DATETIME, MONEY, NUMBER, Column
from .params import NOT_SAVED, STATE_PARAMS, clean_params

CSV = "csv"
XLSX = "xlsx"
FORMATS = (XLSX, CSV)

# Free text (a custom variable's JSON value) that is written as a number or a
# date only when it parses as one.
TEXT_NUMBER = "text_number"
TEXT_DATE = "text_date"
NUMBER_RE = r"^-?[0-9]+(\.[0-9]+)?$"
ISO_DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

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
    expression: object  # a Django expression over the list's model
    kind: str
    choices: Sequence[tuple] = field(default_factory=tuple)  # (value, label) of a choice


def column_fields(columns: Sequence[Column]) -> list[Field]:
    """One field per column, by its kind (what a list without special columns needs)."""
    return [
        Field(str(c.label), F(c.path), c.kind, c.choices if c.kind == CHOICE else ())
        for c in columns
    ]


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
    if kind == TEXT_NUMBER:
        params.append(NUMBER_RE)
        number = f"replace({x}, '.', ',')" if fmt == CSV else x
        # A number is written as one (CSV: decimal comma, no apostrophe even when
        # negative); XLSX: AUTO writes a number when the text is one.
        return f"CASE WHEN {x} ~ %s THEN {number} ELSE {_text_sql(x, fmt)} END", xlsx_stream.AUTO
    if kind == TEXT_DATE:
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
    sheet_name: str = "",
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
                expected_rows=expected_rows, sheet_name=sheet_name or _("Hoja 1"),
            )
        finally:
            if not local:
                for name in EXPORT_SETTINGS:
                    cursor.execute(f"RESET {name}")
    if progress is not None:
        progress(rows)
    return rows


def _copy_out(raw, copy_sql: str, query: ExportQuery, *, fmt: str, out, progress,
              expected_rows, sheet_name: str) -> int:
    if fmt == XLSX:
        with xlsx_stream.XlsxStreamWriter(
            out,
            kinds=query.sheet_kinds,
            headers=list(query.labels),
            sheet_name=sheet_name,
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


# --- A list's download ---------------------------------------------------------------------------


def params_to_options(params) -> dict[str, list[str]]:
    """A list's query (QueryDict, dict or query string), cleaned, as JSON for a job's options."""
    data = clean_params(params).data
    skipped = set(NOT_SAVED) | (set(STATE_PARAMS) - {"orden"})
    return {
        key: [v for v in values if v != ""]
        for key, values in data.lists()
        if key not in skipped and any(v != "" for v in values)
    }


def options_to_params(options: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, values in (options or {}).items():
        query.setlist(key, [str(v) for v in values] if isinstance(values, list) else [str(values)])
    return query


def filters_for_audit(params: dict[str, list[str]]) -> dict:
    return {key: values[0] if len(values) == 1 else values for key, values in params.items()}


def export_file_name(project, stem: str, fmt: str, *, now=None) -> str:
    local = timezone.localtime(now or timezone.now(), _project_zone(project))
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", project.slug)
    return f"{stem}_{slug}_{local:%Y%m%d_%H%M}.{fmt}"


def _project_zone(project):
    try:
        return ZoneInfo(project.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()
