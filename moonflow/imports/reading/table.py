"""An uploaded file as a table: its header and a stream of text rows with their row numbers.

`open_table()` does every check before the first row is handed out: type,
size, safety, encoding, delimiter, header, row limit (counting the data rows in
one streaming pass, which also gives the job its total for the progress bar).
Then `Table.rows()` streams; memory stays flat whatever the file's size.

Rules a user can rely on:
- Encoding: a UTF-8 BOM (or UTF-16 BOM) decides; otherwise UTF-8 if the whole
  file decodes as UTF-8, else Windows-1252.
- Delimiter: of `;`, tab and `,`, the one that splits the most of the first
  lines into the same number (≥ 2) of fields; ties go in that order.
- Header row: among the first `HEADER_SEARCH_ROWS` rows, the first whose
  non-empty cells are at least two (one if the file has a single column), at
  least half as many as the widest of those rows has, none a number or a
  date, and no two equal. Lines above it (titles, "Fecha de corte: …") are skipped.
- Row numbers are the file's own (1-based, counting title, header and blank
  rows), as a spreadsheet program shows them. Blank rows are skipped.
- Decimal mark: a spreadsheet's number cells arrive as plain numbers ("." and no
  grouping); a CSV's numbers are written as the program showed them, so its
  mark is told from the first DECIMAL_SAMPLE_ROWS rows' unambiguous numbers
  ("1.234,56" or "0,5" say ","; "1,234.56" or "0.5" say "."), or None when no
  number says (a lone "45.000" is then refused as ambiguous, never guessed).
- Cells are text, stripped of surrounding spaces. A non-empty value in a
  column without a header is not dropped: it is in `Row.extra` under the
  column's letter, for the caller to report.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from moonflow.text import shorten
from moonflow.xlsx_stream import column_letter

from .convert import Conversion, convert_to_csv
from .sniff import CSV, ZipLimits, detect_format, fail

HEADER_SEARCH_ROWS = 20
DECIMAL_SAMPLE_ROWS = 5_000  # rows of a CSV read to tell its decimal mark
SAMPLE_CHARS = 64 * 1024
DELIMITERS = (";", "\t", ",")


@dataclass(frozen=True)
class Row:
    number: int  # the file's row number, as a spreadsheet program shows it
    values: dict[str, str]  # header → text ("" when empty)
    extra: dict[str, str] = field(default_factory=dict)  # column letter → text, no header


class Table:
    """An opened file; as a context manager, a converted spreadsheet's CSV is deleted on close."""

    def __init__(self, *, file_name: str, kind: str, csv_path: str, encoding: str,
                 delimiter: str, header_row: int, headers: list[str], total_rows: int,
                 conversion: Conversion | None, decimal_mark: str | None = None):
        self.file_name = file_name
        self.kind = kind  # "xlsx", "xls", "ods", "xlsb" or "csv"
        self.encoding = encoding
        self.delimiter = delimiter
        self.header_row = header_row
        self.headers = headers  # in file order; "" for a column without a header
        self.total_rows = total_rows  # non-blank data rows below the header
        self.conversion = conversion
        self.decimal_mark = decimal_mark  # "," or "." for the file's numbers; None: unknown
        self._csv_path = csv_path

    @property
    def columns(self) -> list[str]:
        """The named columns, in file order."""
        return [name for name in self.headers if name]

    def rows(self) -> Iterator[Row]:
        headers = self.headers
        width = len(headers)
        every_column_named = all(headers)
        for number, cells in _records(self._csv_path, self.encoding, self.delimiter,
                                      self.file_name):
            if number <= self.header_row:
                continue
            cells = [cell.strip() for cell in cells]
            if not any(cells):
                continue
            if len(cells) == width and every_column_named:  # the usual row, taken at once
                yield Row(number, dict(zip(headers, cells)))
                continue
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
            values, extra = {}, {}
            for index, cell in enumerate(cells):
                name = headers[index] if index < width else ""
                if name:
                    values[name] = cell
                elif cell:
                    extra[column_letter(index)] = cell
            yield Row(number=number, values=values, extra=extra)

    def keep_converted(self) -> str | None:
        """Keep a spreadsheet's CSV past close() (the caller owns it now): its path, or None
        for a file that was a CSV already. `open_converted` opens it again without converting."""
        if self.conversion is None:
            return None
        path, self.conversion = self._csv_path, None
        return path

    def close(self) -> None:
        if self.conversion is not None and os.path.exists(self._csv_path):
            os.unlink(self._csv_path)

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_table(path, *, max_bytes: int, max_rows: int, file_name: str | None = None,
               work_dir: str | None = None, zip_limits: ZipLimits = ZipLimits(),
               max_child_memory_bytes: int = 3 * 1024**3,
               counted_rows: int | None = None) -> Table:
    """Open the file at `path` (named `file_name` to the user) or raise ImportFileError.

    `max_bytes` and `max_rows` are the caller's limits (the settings). A
    spreadsheet is converted to a temporary CSV (in `work_dir`) by a child process
    first, under `max_child_memory_bytes` of address space. The rows are counted
    here (`Table.total_rows`, the progress bar's total), so a row limit fails
    before any row is handed out; `counted_rows`, what an earlier opening of the
    same file counted (the limit checked then), spares a million-row file that pass.
    """
    file_name = file_name or Path(path).name
    kind = detect_format(path, file_name=file_name, max_bytes=max_bytes, zip_limits=zip_limits)
    conversion = None
    if kind == CSV:
        csv_path = os.fspath(path)
        encoding = _detect_encoding(csv_path)
        delimiter = None
    else:
        conversion = convert_to_csv(path, file_name=file_name, work_dir=work_dir,
                                    max_memory_bytes=max_child_memory_bytes)
        csv_path, encoding, delimiter = conversion.path, "utf-8", ","
    try:
        if conversion is None:  # the child writes UTF-8 with ",": nothing to detect there
            encoding = _validated_encoding(csv_path, encoding, file_name)
            delimiter = _detect_delimiter(csv_path, encoding)
        header_row, headers = _find_header(csv_path, encoding, delimiter, file_name)
        total = counted_rows or _count_rows(csv_path, encoding, delimiter, file_name,
                                            header_row, max_rows)
        decimal_mark = "." if conversion is not None else _detect_decimal_mark(
            csv_path, encoding, delimiter, file_name, header_row)
    except BaseException:
        if conversion is not None:
            os.unlink(conversion.path)
        raise
    return Table(file_name=file_name, kind=kind, csv_path=csv_path, encoding=encoding,
                 delimiter=delimiter, header_row=header_row, headers=headers, total_rows=total,
                 conversion=conversion, decimal_mark=decimal_mark)


def open_converted(csv_path, *, file_name: str, max_rows: int,
                   counted_rows: int | None = None) -> Table:
    """A spreadsheet's CSV kept by `Table.keep_converted`, opened again as the spreadsheet it
    came from (its name in messages, its row numbers, numbers with "." as written by the
    converter); the caller deletes the CSV when done. `counted_rows` as for `open_table`."""
    csv_path = os.fspath(csv_path)
    header_row, headers = _find_header(csv_path, "utf-8", ",", file_name)
    total = counted_rows or _count_rows(csv_path, "utf-8", ",", file_name, header_row,
                                        max_rows)
    return Table(file_name=file_name, kind="converted", csv_path=csv_path, encoding="utf-8",
                 delimiter=",", header_row=header_row, headers=headers, total_rows=total,
                 conversion=None, decimal_mark=".")


# --- Encoding and delimiter ------------------------------------------------------


def _detect_encoding(path: str) -> str:
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8"


def _validated_encoding(path: str, encoding: str, file_name: str) -> str:
    """Plain UTF-8 holds only if the whole file decodes; else Windows-1252.

    One pass at memory speed, so a stray "ñ" in Windows-1252 at row 900,000 is
    known before row 1 is handed out. Latin-1 (every byte a character) is the
    last resort for the five bytes Windows-1252 leaves undefined.
    """
    candidates = ["utf-8", "cp1252", "latin-1"] if encoding == "utf-8" else [encoding]
    for candidate in candidates:
        decoder = codecs.getincrementaldecoder(candidate)()
        try:
            with open(path, "rb") as handle:
                while chunk := handle.read(1024**2):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return candidate
    raise fail("encoding", file_name, _(
        "El archivo «%(file)s» declara la codificación %(encoding)s pero tiene caracteres "
        "en otra codificación. Guárdelo de nuevo como CSV UTF-8.")
        % {"file": file_name, "encoding": encoding.upper().replace("-SIG", "")})


def _detect_delimiter(path: str, encoding: str) -> str:
    with open(path, encoding=encoding, newline="") as handle:
        sample = handle.read(SAMPLE_CHARS)
        complete = not handle.read(1)
    lines = sample.splitlines()
    if not complete and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    lines = [line for line in lines[:HEADER_SEARCH_ROWS * 3] if line.strip()]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        counts: dict[int, int] = {}
        for cells in csv.reader(lines, delimiter=delimiter):
            if len(cells) >= 2:
                counts[len(cells)] = counts.get(len(cells), 0) + 1
        if counts:
            width, lines_with_width = max(counts.items(), key=lambda item: (item[1], item[0]))
            score = (lines_with_width, width)
            if score > best_score:
                best, best_score = delimiter, score
    return best


def _records(path: str, encoding: str, delimiter: str, file_name: str
             ) -> Iterator[tuple[int, list[str]]]:
    with open(path, encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        number = 0
        try:
            for cells in reader:
                number += 1
                yield number, cells
        except csv.Error:
            raise fail("malformed", file_name, _(
                "El archivo «%(file)s» no se puede leer a partir de la fila %(row)s: una celda "
                "está mal formada (comillas sin cerrar o un valor demasiado largo).")
                % {"file": file_name, "row": number + 1}, row=number + 1) from None


# Numbers whose decimal mark is beyond doubt: both marks, or a lone mark not followed
# by exactly three digits (a lone "1.000" could be a thousand or one).
_COMMA_DECIMAL = re.compile(r"^[-+]?(?:\d{1,3}(?:\.\d{3})+,\d+|\d+,(?:\d{1,2}|\d{4,}))$")
_DOT_DECIMAL = re.compile(r"^[-+]?(?:\d{1,3}(?:,\d{3})+\.\d+|\d+\.(?:\d{1,2}|\d{4,}))$")


def _detect_decimal_mark(path: str, encoding: str, delimiter: str, file_name: str,
                         header_row: int) -> str | None:
    comma = dot = 0
    for number, cells in _records(path, encoding, delimiter, file_name):
        if number <= header_row:
            continue
        if number > header_row + DECIMAL_SAMPLE_ROWS:
            break
        for cell in cells:
            cell = cell.strip()
            if not cell or not cell[-1].isdigit() or _DATE.match(cell):
                continue
            if _COMMA_DECIMAL.match(cell):
                comma += 1
            elif _DOT_DECIMAL.match(cell):
                dot += 1
    if comma == dot:
        return None
    return "," if comma > dot else "."


# --- Header ---------------------------------------------------------------------

_NUMBER = re.compile(r"^[-+]?[\d.,\s]*\d[\d.,\s]*%?$")
_DATE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T].*)?$")


def _is_label(cell: str) -> bool:
    return not (_NUMBER.match(cell) or _DATE.match(cell))


def _find_header(path: str, encoding: str, delimiter: str, file_name: str
                 ) -> tuple[int, list[str]]:
    sample: list[tuple[int, list[str]]] = []
    for number, cells in _records(path, encoding, delimiter, file_name):
        if number > HEADER_SEARCH_ROWS:
            break
        sample.append((number, [cell.strip() for cell in cells]))
    filled = [(number, [cell for cell in cells if cell]) for number, cells in sample]
    widest = max((len(cells) for _number, cells in filled), default=0)
    if widest == 0:
        raise fail("empty", file_name, _(
            "El archivo «%(file)s» no tiene datos.") % {"file": file_name})
    needed = max(2 if widest >= 2 else 1, (widest + 1) // 2)
    for (number, cells), (_same, nonempty) in zip(sample, filled, strict=True):
        if len(nonempty) < needed or not all(_is_label(cell) for cell in nonempty):
            continue
        duplicates = _duplicates(cells)
        if duplicates:
            raise fail("duplicate_header", file_name, _(
                "El archivo «%(file)s» tiene la columna «%(column)s» repetida en la fila de "
                "encabezados (fila %(row)s). Cada columna debe tener un nombre distinto.")
                % {"file": file_name, "column": shorten(duplicates[0]), "row": number},
                row=number, column=duplicates[0])
        width = max(index for index, cell in enumerate(cells) if cell) + 1
        return number, cells[:width]
    raise fail("no_header", file_name, _(
        "No encontramos la fila de encabezados en el archivo «%(file)s»: en las primeras "
        "%(rows)s filas, ninguna tiene los nombres de las columnas (textos, sin números ni "
        "fechas, sin repetir).") % {"file": file_name, "rows": HEADER_SEARCH_ROWS})


def _duplicates(cells: list[str]) -> list[str]:
    seen, repeated = set(), []
    for cell in cells:
        if cell and cell.casefold() in seen:
            repeated.append(cell)
        seen.add(cell.casefold())
    return repeated


def _count_rows(path: str, encoding: str, delimiter: str, file_name: str, header_row: int,
                max_rows: int) -> int:
    total = 0
    for number, cells in _records(path, encoding, delimiter, file_name):
        if number <= header_row or not any(cell.strip() for cell in cells):
            continue
        total += 1
        if total > max_rows:
            raise fail("too_many_rows", file_name, _(
                "El archivo «%(file)s» tiene más de %(max)s filas de datos (la fila %(row)s "
                "supera el máximo). Divídalo en varios archivos.")
                % {"file": file_name, "max": f"{max_rows:,}".replace(",", "."), "row": number},
                row=number)
    if total == 0:
        raise fail("header_only", file_name, _(
            "El archivo «%(file)s» solo tiene la fila de encabezados (fila %(row)s), sin "
            "filas de datos.") % {"file": file_name, "row": header_row}, row=header_row)
    return total
