"""A streaming XLSX writer for large exports: constant memory, several times faster
than xlsxwriter's constant_memory mode.

The sheet XML is written by hand, row by row, straight into a deflated zip
member, so nothing but the current chunk of rows is ever held in memory. It
writes only what an export needs: a sheet (more when the rows pass Excel's
1,048,576), a bold, frozen header row, inline strings, numbers, and
dates/datetimes/money as numbers with a number format.

Two ways to feed it:

- `write_row(values)` takes Python values (str, int, float, Decimal, date,
  datetime, None), for small or irregular sources.
- `write_serialized_row(fields)` takes strings already in the sheet's own
  representation: numbers as plain numeric text ("1234.5"), dates and datetimes
  as Excel serial numbers ("45322", "45322.5"), text as text, None or "" for an
  empty cell. That is what PostgreSQL produces cheaply (see `excel_date_sql`
  and `excel_datetime_sql`), so a `COPY (SELECT …) TO STDOUT` can be streamed
  into the sheet with `copy_text_fields()` and no per-value conversion in Python.

Text is XML-escaped and the characters XML 1.0 forbids (control characters
other than tab, newline and carriage return) are dropped, so any database
value produces a file that Excel, LibreOffice and openpyxl open; text with
leading or trailing whitespace keeps it (`xml:space="preserve"`). Text is
always a typed string cell (an inline string, `t="inlineStr"`), never a
formula: the writer has no formula cells at all, so text starting with `=`,
`+`, `-` or `@` is shown exactly as it is and never runs, and needs no leading
apostrophe (`moonflow.formula_guard` is for CSV only).

    with XlsxStreamWriter(out, kinds=[TEXT, DATE, MONEY], headers=["Nombre", …]) as sheet:
        for row in rows:
            sheet.write_row(row)
"""

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal

# Cell kinds (how a column's values are written).
TEXT = "text"
NUMBER = "number"
MONEY = "money"  # a number shown with thousands separator and two decimals
DATE = "date"
DATETIME = "datetime"
AUTO = "auto"  # a number when the value looks like one, else text (free-form data)

KINDS = (TEXT, NUMBER, MONEY, DATE, DATETIME, AUTO)

# Style indexes in styles.xml (cellXfs order).
_STYLE = {TEXT: "", NUMBER: "", AUTO: "", DATE: ' s="1"', DATETIME: ' s="2"', MONEY: ' s="3"'}
_HEADER_STYLE = ' s="4"'

_EPOCH = dt.datetime(1899, 12, 30)
_EPOCH_DATE = _EPOCH.date()

# Characters that need escaping or are not allowed in XML 1.0 at all.
_NEEDS_ESCAPE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]").search
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# XML whitespace that a reader may trim at the edges of a text without
# xml:space="preserve".
_EDGE_SPACE = (" ", "\t", "\n")
# A row's text fields are joined with this character for the checks below: it
# is neither whitespace nor escaped, so an empty field raises no false alarm.
_JOIN = "\x7f"
_NUMBER_LIKE = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?").fullmatch

# Excel's rows per sheet; an export with more continues on another sheet.
MAX_SHEET_ROWS = 1_048_576
# Below this many cells a sheet cannot reach the 2 GiB that needs Zip64.
_SMALL_SHEET_CELLS = 5_000_000

# Rows are joined and handed to the compressor in chunks of this many rows
# (or of _CHUNK_CHARS characters for the header and the sheet's frame).
_ROWS_PER_CHUNK = 2000
_CHUNK_CHARS = 1 << 20


def _row_needs_work(joined: str) -> bool:
    """Over a row's text fields joined by _JOIN: anything to escape, or a field that
    may start or end with a space, tab or newline (it needs xml:space="preserve").

    False positives only send the row through the slower, exact per-cell path.
    Plain substring tests: a regex with these alternations costs ten times more.
    """
    return (
        _NEEDS_ESCAPE(joined) is not None
        or joined.startswith(_EDGE_SPACE)
        or joined.endswith(_EDGE_SPACE)
        or "\x7f " in joined
        or " \x7f" in joined
        or "\x7f\t" in joined
        or "\t\x7f" in joined
        or "\x7f\n" in joined
        or "\n\x7f" in joined
    )


def xml_text(value: str) -> str:
    """Escape text for an XML element, dropping characters XML cannot hold."""
    if _NEEDS_ESCAPE(value) is None:
        return value
    value = _ILLEGAL.sub("", value)
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _xml_attr(value: str) -> str:
    return xml_text(value).replace('"', "&quot;")


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def excel_date_sql(expression: str) -> str:
    """SQL turning a `date` expression into its Excel serial number (NULL stays NULL)."""
    return f"({expression} - DATE '1899-12-30')"


def excel_datetime_sql(expression: str, timezone_placeholder: str = "%s") -> str:
    """SQL turning a `timestamptz` into an Excel serial in a time zone given as a parameter.

    Excel has no time zones: the serial is the wall-clock time in the project's
    zone. date_part() works in float8, several times cheaper than extract()'s
    numeric; 25569 is 1970-01-01 as an Excel serial.
    """
    return (
        f"(date_part('epoch', {expression} AT TIME ZONE {timezone_placeholder}) / 86400.0 + 25569)"
    )


_COPY_UNESCAPE = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}
_COPY_ESCAPE = re.compile(r"\\(.)")


def _unescape_copy(value: str):
    if value == "\\N":
        return None
    if "\\" not in value:
        return value
    return _COPY_ESCAPE.sub(lambda m: _COPY_UNESCAPE.get(m.group(1), m.group(1)), value)


def copy_text_fields(chunks: Iterable) -> Iterable[list]:
    """Rows of a `COPY … TO STDOUT` in PostgreSQL's text format, as lists of str/None.

    psycopg hands over one row per chunk (bytes or memoryview, ending in a
    newline). Only rows holding a backslash need unescaping, which keeps the
    common row at one decode and one split: ask for `(NULL '')` so that NULLs
    do not bring a backslash into most rows (a NULL and "" are both an empty
    cell).
    """
    for chunk in chunks:
        line = str(chunk, "utf-8")[:-1]
        fields = line.split("\t")
        if "\\" in line:
            fields = [_unescape_copy(field) for field in fields]
        yield fields


def _sheet_name(name: str) -> str:
    # Excel refuses these characters and names longer than 31 characters.
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", name).strip() or "Datos"
    return cleaned[:31]


class XlsxStreamWriter:
    """An XLSX written as a stream into `out` (a path or a binary file object).

    Rows go to one sheet until Excel's limit of 1,048,576 rows; further rows
    continue on "<name> 2", "<name> 3"…, each with the header repeated. The
    workbook's parts that list the sheets are written when it is closed.
    """

    def __init__(
        self,
        out,
        *,
        kinds: Sequence[str],
        headers: Sequence[str] | None = None,
        sheet_name: str = "Datos",
        widths: Sequence[float] | None = None,
        compresslevel: int = 1,
        expected_rows: int | None = None,
        max_rows: int = MAX_SHEET_ROWS,
    ):
        unknown = set(kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"Unknown cell kinds: {sorted(unknown)}")
        if headers is not None and len(headers) != len(kinds):
            raise ValueError("headers and kinds must have the same length")
        if max_rows < 2:
            raise ValueError("max_rows must leave room for a header and a row")
        self.kinds = list(kinds)
        self.headers = list(headers) if headers is not None else None
        self.rows = 0  # rows of the current sheet, its header included
        self.sheets: list[str] = []
        self._max_rows = max_rows
        self._widths = widths
        self._base_name = _sheet_name(sheet_name)
        self._letters = [column_letter(i) for i in range(len(kinds))]
        # A zip entry needs Zip64 past 2 GiB, which is only known at the end:
        # ask for it unless the caller's row count says the sheet stays small
        # (some older readers dislike Zip64 headers they do not need).
        self._zip64 = expected_rows is None or expected_rows * max(1, len(kinds)) > _SMALL_SHEET_CELLS
        self._zip = zipfile.ZipFile(
            out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel
        )
        self._sheet = None
        self._parts: list[str] = []
        self._pending = 0
        self._closed = False
        self._serialized = self._make_serialized_row_writer()
        self._start_sheet()

    # -- public API ---------------------------------------------------------

    def write_row(self, values: Sequence) -> None:
        """Write Python values (see the module docstring for what each kind accepts).

        Every cell is checked: a value that is not a number in a number column
        is written as text rather than making the file unreadable.
        """
        if len(values) != len(self.kinds):
            raise ValueError(f"Expected {len(self.kinds)} values, got {len(values)}")
        n = self._next_row()
        self._append(self._checked_row(n, [_serialize(value) for value in values]))

    def write_serialized_row(self, fields: Sequence) -> None:
        """Write strings already in sheet form (numbers as numeric text, dates as serials).

        Number, money, date and datetime fields are trusted to be numeric text,
        as SQL produces them; text is escaped as needed.
        """
        self._serialized(fields)

    def write_serialized_rows(self, rows: Iterable[Sequence], *, every: int = 0, progress=None) -> int:
        """Write many serialized rows; calls `progress(rows_so_far)` every `every` rows."""
        write = self._serialized
        count = 0
        if progress is None or every <= 0:
            for fields in rows:
                write(fields)
                count += 1
            return count
        for fields in rows:
            write(fields)
            count += 1
            if count % every == 0:
                progress(count)
        return count

    def write_copy_rows(self, chunks: Iterable, *, every: int = 0, progress=None) -> int:
        """Write the rows of a `COPY (SELECT …) TO STDOUT` (text format) as they arrive.

        The SELECT yields one column per sheet column, already in sheet form.
        """
        return self.write_serialized_rows(copy_text_fields(chunks), every=every, progress=progress)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._end_sheet()
        self._write_workbook_parts()
        self._zip.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
            return
        # Leave no open zip behind, but do not mask the original error.
        self._closed = True
        try:
            if self._sheet is not None:
                self._sheet.close()
            self._zip.close()
        except Exception:
            pass

    # -- sheets -------------------------------------------------------------

    def _start_sheet(self) -> None:
        number = len(self.sheets) + 1
        name = self._base_name if number == 1 else f"{self._base_name[:27]} {number}"
        self.sheets.append(name)
        self.rows = 0
        self._sheet = self._zip.open(
            f"xl/worksheets/sheet{number}.xml", "w", force_zip64=self._zip64
        )
        views = (
            '<sheetViews><sheetView workbookViewId="0"'
            + (' tabSelected="1"' if number == 1 else "")
            + '><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            "</sheetView></sheetViews>"
            if self.headers is not None
            else ""
        )
        cols = ""
        if self._widths:
            cols = "<cols>" + "".join(
                f'<col min="{i}" max="{i}" width="{float(w):.1f}" customWidth="1"/>'
                for i, w in enumerate(self._widths, start=1)
            ) + "</cols>"
        self._append(
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"{views}{cols}<sheetData>"
        )
        if self.headers is not None:
            self.rows = 1
            cells = "".join(
                _text_cell(letter, 1, str(label), _HEADER_STYLE)
                for letter, label in zip(self._letters, self.headers)
                if label
            )
            self._append(f'<row r="1">{cells}</row>')

    def _end_sheet(self) -> None:
        self._append("</sheetData></worksheet>")
        self._flush()
        self._sheet.close()
        self._sheet = None

    def _next_row(self) -> int:
        """The number of the next row, on a new sheet when this one is full."""
        if self.rows >= self._max_rows:
            self._end_sheet()
            self._start_sheet()
        self.rows += 1
        return self.rows

    # -- rows ---------------------------------------------------------------

    def _checked_row(self, n: int, fields: Sequence) -> str:
        """The exact, slower path: each cell on its own."""
        cells = []
        for letter, kind, value in zip(self._letters, self.kinds, fields):
            if not value:
                continue
            if kind == TEXT or _NUMBER_LIKE(value) is None:
                cells.append(_text_cell(letter, n, value, ""))
            else:
                cells.append(f'<c r="{letter}{n}"{_STYLE[kind]}><v>{value}</v></c>')
        return f'<row r="{n}">{"".join(cells)}</row>'

    def _append(self, xml: str) -> None:
        self._parts.append(xml)
        self._pending += len(xml)
        if self._pending >= _CHUNK_CHARS:
            self._flush()

    def _flush(self) -> None:
        # Emptied in place: the compiled row writer holds a reference to this list.
        if self._parts:
            self._sheet.write("".join(self._parts).encode("utf-8"))
            self._parts.clear()
            self._pending = 0

    def _make_serialized_row_writer(self):
        """A row writer compiled for this sheet's columns: the hot loop of an export.

        Python spends most of an export here, so the function is generated
        with the columns unrolled into one join per row (about twice as fast
        as a loop over the cells). Escaping is checked once per row over all
        its text; only the rare row that needs it takes the per-cell path.
        """
        width = len(self.kinds)
        names = [f"v{i}" for i in range(width)]
        textual = [f"v{i}" for i, kind in enumerate(self.kinds) if kind in (TEXT, AUTO)]
        cells = []
        for i, (letter, kind) in enumerate(zip(self._letters, self.kinds)):
            v = f"v{i}"
            text = f"<c r=\"{letter}{{n}}\" t=\"inlineStr\"><is><t>{{{v}}}</t></is></c>"
            number = f"<c r=\"{letter}{{n}}\"{_STYLE[kind]}><v>{{{v}}}</v></c>"
            if kind == TEXT:
                cells.append(f"(f'{text}' if {v} else '')")
            elif kind == AUTO:
                cells.append(
                    f"((f'{text}' if number_like({v}) is None else f'{number}') if {v} else '')"
                )
            else:
                cells.append(f"(f'{number}' if {v} else '')")
        fast_row = "''.join((f'<row r=\"{n}\">', " + ", ".join(cells) + ", '</row>'))"
        lines = [
            "def write(fields):",
            f"    {', '.join(names)}{',' if width == 1 else ''} = fields",
            "    n = this.rows + 1",
            "    if n > MAX_ROWS:",
            "        n = this._next_row()",
            "    else:",
            "        this.rows = n",
        ]
        if textual:
            joined = repr(_JOIN)[1:-1].join("{" + v + "}" for v in textual)
            lines += [
                f"    if needs(f'{joined}'):",
                "        parts.append(checked_row(n, fields))",
                "    else:",
                f"        parts.append({fast_row})",
            ]
        else:
            lines.append(f"    parts.append({fast_row})")
        lines += [
            "    if len(parts) >= ROWS_PER_CHUNK:",
            "        flush()",
        ]
        namespace = {
            "this": self,
            "parts": self._parts,
            "flush": self._flush,
            "needs": _row_needs_work,
            "checked_row": self._checked_row,
            "number_like": _NUMBER_LIKE,
            "ROWS_PER_CHUNK": _ROWS_PER_CHUNK,
            "MAX_ROWS": self._max_rows,
        }
        exec("\n".join(lines), namespace)  # noqa: S102 - source built above from kinds only
        return namespace["write"]

    def _write_workbook_parts(self) -> None:
        z = self._zip
        count = len(self.sheets)
        sheet_types = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, count + 1)
        )
        z.writestr("[Content_Types].xml", _CONTENT_TYPES.replace("{sheets}", sheet_types))
        z.writestr("_rels/.rels", _ROOT_RELS)
        sheets = "".join(
            f'<sheet name="{_xml_attr(name)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, name in enumerate(self.sheets, start=1)
        )
        z.writestr("xl/workbook.xml", _WORKBOOK.replace("{sheets}", sheets))
        rels = "".join(
            f'<Relationship Id="rId{i}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, count + 1)
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            _WORKBOOK_RELS.replace("{sheets}", rels).replace("{styles_id}", f"rId{count + 1}"),
        )
        z.writestr("xl/styles.xml", _STYLES)


def _text_cell(letter: str, n: int, value: str, style: str) -> str:
    escaped = xml_text(value)
    space = ' xml:space="preserve"' if escaped[:1].isspace() or escaped[-1:].isspace() else ""
    return f'<c r="{letter}{n}" t="inlineStr"{style}><is><t{space}>{escaped}</t></is></c>'


def _serialize(value):
    """A Python value in sheet form (see write_serialized_row)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            # The caller localises aware datetimes; a naive wall time is what Excel shows.
            value = value.replace(tzinfo=None)
        delta = value - _EPOCH
        return repr(delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400)
    if isinstance(value, dt.date):
        return str((value - _EPOCH_DATE).days)
    return str(value)


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{sheets}"
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)

_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    "</Relationships>"
)

_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<bookViews><workbookView/></bookViews>'
    "<sheets>{sheets}</sheets>"
    "</workbook>"
)

_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    "{sheets}"
    '<Relationship Id="{styles_id}" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/>'
    "</Relationships>"
)

# cellXfs: 0 default · 1 date · 2 date and time · 3 money (#,##0.00, built-in 4) · 4 bold header.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="2">'
    '<numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
    '<numFmt numFmtId="165" formatCode="dd/mm/yyyy hh:mm"/>'
    "</numFmts>"
    '<fonts count="2">'
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    "</fonts>"
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
