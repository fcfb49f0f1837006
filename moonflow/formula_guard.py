"""Spreadsheet formula injection (CSV injection): the one rule, in Python and in SQL.

A spreadsheet program opening a CSV file reads a cell as a formula when its
text starts with `=`, `+`, `-` or `@`, and some also after leading blanks or
invisible characters, or with the full-width forms `＝` `＋` `－` `＠` that
Asian input methods type. Such text is written with a leading apostrophe
(OWASP's advice), so it shows as typed and never runs. A value is guarded
when:

- its first character is `=`, `+`, `-`, `@`, `＝`, `＋`, `－`, `＠`, a tab or a
  carriage return (tab and CR by themselves, as OWASP lists them); or
- after a run of leading whitespace, control and invisible formatting
  characters (space, newline, no-break and ideographic spaces, zero-width
  and bidirectional marks, BOM…), the first other character is one of the
  eight above.

Only text is guarded: numbers, money and dates are written as numbers (a
negative amount "-10,50" is a number, not a formula). XLSX needs no guard at
all: a typed string cell is never evaluated, so the XLSX writers keep the
raw text (`moonflow.xlsx_stream`, `moonflow.spreadsheets.write_xlsx`).

`guard(value)` applies the rule in Python; `guard_sql(expression)` builds the
same rule as a PostgreSQL expression, for exports that format in SQL. Both
come from the character sets below.
"""

import re

APOSTROPHE = "'"

# Characters that start a formula, in their ASCII and full-width forms.
TRIGGERS = "=+-@\uff1d\uff0b\uff0d\uff20"
# OWASP's list also guards a leading tab or carriage return by itself.
ALWAYS = "\t\r"
# What a spreadsheet may skip before reading a formula: (first, last) code
# points of whitespace, control and invisible formatting characters.
SKIPPED_RANGES = (
    (0x01, 0x20),  # C0 controls (tab, newline, CR…) and space
    (0x7F, 0xA0),  # DEL, C1 controls, no-break space
    (0xAD, 0xAD),  # soft hyphen
    (0x1680, 0x1680),  # ogham space mark
    (0x180E, 0x180E),  # Mongolian vowel separator
    (0x2000, 0x200F),  # en/em… spaces, zero-width space and joiners, LRM, RLM
    (0x2028, 0x202F),  # line/paragraph separators, bidi embeddings, narrow no-break space
    (0x205F, 0x2064),  # medium mathematical space, word joiner, invisible operators
    (0x2066, 0x206F),  # bidi isolates, deprecated format characters
    (0x3000, 0x3000),  # ideographic space
    (0xFEFF, 0xFEFF),  # zero-width no-break space (BOM)
)

_TRIGGER_SET = frozenset(TRIGGERS)
_START_SET = frozenset(TRIGGERS + ALWAYS)
_SKIPPED_SET = frozenset(chr(c) for lo, hi in SKIPPED_RANGES for c in range(lo, hi + 1))


def _escaped(code: int) -> str:
    return f"\\u{code:04x}"


def _bracket(ranges) -> str:
    return "".join(
        _escaped(lo) if lo == hi else f"{_escaped(lo)}-{_escaped(hi)}" for lo, hi in ranges
    )


# `^[skipped]*[triggers]`, written with \uXXXX escapes only: the same text is a
# Python pattern and a PostgreSQL ARE, and safe inside an SQL string literal.
PATTERN = f"^[{_bracket(SKIPPED_RANGES)}]*[{_bracket((ord(c), ord(c)) for c in TRIGGERS)}]"
_match = re.compile(PATTERN).match


def is_formula(value: str) -> bool:
    """True when a spreadsheet could read the text `value` as a formula."""
    first = value[:1]
    if not first:
        return False
    if first in _START_SET:
        return True
    return first in _SKIPPED_SET and _match(value) is not None


def guard(value):
    """Text that could be read as a formula gets a leading apostrophe; anything else as it is."""
    if isinstance(value, str) and is_formula(value):
        return APOSTROPHE + value
    return value


def _codes(characters) -> str:
    return ", ".join(str(ord(c)) for c in sorted(characters))


_SQL_START_CODES = _codes(_START_SET)
_SQL_INTERESTING_CODES = _codes(_START_SET | _SKIPPED_SET)


def guard_sql(x: str) -> str:
    """The same rule in SQL over the text expression `x` (NULL stays NULL).

    Run on every text cell of an export, so the common value pays one
    `ascii()` and one hashed IN-list lookup: `ascii()` reads the first
    character's code without building a string, and PostgreSQL (14+) hashes
    an IN list of constants. Only a value that starts with a skipped
    character runs the regular expression.
    """
    return (
        f"CASE WHEN ascii({x}) NOT IN ({_SQL_INTERESTING_CODES}) THEN {x} "
        f"WHEN ascii({x}) IN ({_SQL_START_CODES}) THEN '{APOSTROPHE * 2}' || {x} "
        f"WHEN {x} ~ '{PATTERN}' THEN '{APOSTROPHE * 2}' || {x} "
        f"ELSE {x} END"
    )
