"""Child process: the first worksheet of a spreadsheet → a UTF-8 CSV of text cells.

Run as a script (`python convert_child.py SOURCE TARGET MAX_MEMORY_BYTES`), not
as a module of the `moonflow` package, so the child imports neither Django nor
Celery: python-calamine loads the whole sheet (~1.5 GB at 1M rows), and that
memory dies with this short-lived process instead of staying in the worker.
Only the standard library and python-calamine are imported here.

Cells become the text a person sees, so that every later step parses one form:
- text stays as typed (leading zeros kept);
- a whole number cell is written without decimals (12345.0 → "12345", a
  13-digit document never becomes 1.23E+12); other numbers in plain decimal
  notation (1e-05 → "0.00001");
- a date cell → "yyyy-mm-dd"; a date-time → "yyyy-mm-dd HH:MM:SS" ("yyyy-mm-dd"
  at midnight); a time → "HH:MM:SS";
- booleans → "TRUE" / "FALSE"; empty cells → "".

The CSV keeps the sheet's geometry from cell A1: CSV record n is sheet row n.
On success it prints one JSON line (rows, seconds, peak RSS) on stdout; on a
known failure it exits with status 3 and one JSON line {"error": code}.
"""

import csv
import datetime
import json
import resource
import sys
import time
from decimal import Decimal

FAILED = 3


def _float_text(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        return ""
    if value.is_integer() and -1e15 < value < 1e15:
        return str(int(value))
    # The shortest text that reads back as the same float (what the program
    # shows), in plain notation: 1e-05 → "0.00001", 1.234567890123457e+17 →
    # "123456789012345700".
    text = repr(value)
    if "e" not in text:
        return text[:-2] if text.endswith(".0") else text
    number = Decimal(text)
    if value.is_integer():
        number = number.to_integral_value()
    return format(number, "f")


def _datetime_text(value: datetime.datetime) -> str:
    if value.time() == datetime.time(0, 0):
        return value.date().isoformat()
    return value.isoformat(sep=" ", timespec="seconds")


def _timedelta_text(value: datetime.timedelta) -> str:
    total = int(value.total_seconds())
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


# Exact types first (one dict lookup per cell: a 1M-row sheet has 16M cells).
_BY_TYPE = {
    str: lambda value: value,
    float: _float_text,
    bool: lambda value: "TRUE" if value else "FALSE",
    int: str,
    datetime.datetime: _datetime_text,
    datetime.date: datetime.date.isoformat,
    datetime.time: datetime.time.isoformat,
    datetime.timedelta: _timedelta_text,
    type(None): lambda value: "",
}


def cell_text(value) -> str:
    convert = _BY_TYPE.get(type(value))
    return convert(value) if convert is not None else str(value)


FIX_SHEET = "Filas para corregir"  # moonflow.spreadsheets.FIX_SHEET (this child imports no app)


def convert(source: str, target: str) -> int:
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_path(source)
    except python_calamine.PasswordError:
        _fail("encrypted")
    except Exception as error:  # calamine raises several types for broken files
        _fail("corrupt", error)
    index = None
    visible = [position for position, meta in enumerate(workbook.sheets_metadata)
               if str(meta.typ).endswith("WorkSheet") and str(meta.visible).endswith(".Visible")]
    if visible:
        index = visible[0]
        # A Moonflow error report imports back as it is: its rows to fix, not its list.
        for position in visible:
            if workbook.sheets_metadata[position].name == FIX_SHEET:
                index = position
    if index is None:
        _fail("no_sheet")
    try:
        sheet = workbook.get_sheet_by_index(index)
        _first_row, first_column = sheet.start or (0, 0)
        rows = 0
        with open(target, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            # python-calamine 0.9 `iter_rows()` yields rows from the sheet's row 1 but
            # cells from its first used column: pad those columns back (the tests pin
            # this geometry). `to_python(skip_empty_area=False)` would give it as is,
            # at the cost of a second full copy of the sheet as Python lists.
            padding = [""] * first_column
            text = cell_text
            for row in sheet.iter_rows():
                writer.writerow(padding + [text(value) for value in row])
                rows += 1
    except python_calamine.PasswordError:
        _fail("encrypted")
    except MemoryError:
        _fail("memory")
    except Exception as error:
        _fail("corrupt", error)
    return rows


def _fail(code: str, error: Exception | None = None):
    detail = f"{type(error).__name__}: {error}"[:500] if error else ""
    print(json.dumps({"error": code, "detail": detail}), flush=True)
    sys.exit(FAILED)


def _peak_rss_kb() -> int:
    """This process's own peak: VmHWM (ru_maxrss survives exec, so it would carry
    the parent worker's peak into the child's figure)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str]) -> None:
    source, target, max_memory = argv[1], argv[2], int(argv[3])
    if max_memory > 0:
        # A sheet that lies about its size, or a bomb that slipped past the
        # declared-size checks, ends here instead of exhausting the machine.
        resource.setrlimit(resource.RLIMIT_AS, (max_memory, max_memory))
    started = time.monotonic()
    rows = convert(source, target)
    peak_kb = _peak_rss_kb()
    print(json.dumps({"rows": rows, "seconds": round(time.monotonic() - started, 3),
                      "peak_rss_mb": round(peak_kb / 1024, 1)}), flush=True)


if __name__ == "__main__":
    main(sys.argv)
