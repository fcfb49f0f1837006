"""The formula-injection rule (moonflow.formula_guard): Python and SQL say the same."""

import pytest
from django.db import connection

from moonflow.formula_guard import SKIPPED_RANGES, TRIGGERS, guard, guard_sql, is_formula

GUARDED = [
    "=1+1",
    "+57 300 1234567",
    "-2",
    "@SUM(A1)",
    "\t",
    "\tTabulado",  # OWASP: a leading tab or CR by itself
    "\rx",
    "\n=1+1",
    " =cmd",
    "   +1",
    "\t@SUM(A1)",
    "\r\n-1",
    "\x0b=1",
    "\x7f=1",
    "\u00a0=1",  # no-break space
    "\u2003+1",  # em space
    "\u200b=1",  # zero-width space
    "\u202e=1",  # right-to-left override
    "\u3000@x",  # ideographic space
    "\ufeff=1",  # BOM
    "\uff1d1+1",  # full-width =
    "\uff0b57",  # full-width +
    "\uff0d2",  # full-width -
    "\uff20SUM(A1)",  # full-width @
    " \uff1d1",
]
NOT_GUARDED = ["", "Zoila Díaz", "3001112233", "1-30", "a=b", " hola", "\nlínea", "  ", "\u3000",
               "Ωmega", "'=ya protegido", "\u2212 2"]  # U+2212 MINUS SIGN is not a trigger


@pytest.mark.parametrize("value", GUARDED)
def test_it_guards_text_a_spreadsheet_could_read_as_a_formula(value):
    assert is_formula(value)
    assert guard(value) == "'" + value


@pytest.mark.parametrize("value", NOT_GUARDED)
def test_it_leaves_other_text_as_it_is(value):
    assert not is_formula(value)
    assert guard(value) == value


def test_it_leaves_what_is_not_text_as_it_is():
    for value in (None, -2, -10.5, 0):
        assert guard(value) == value


def _every_interesting_value():
    skipped = [chr(c) for lo, hi in SKIPPED_RANGES for c in range(lo, hi + 1)]
    values = list(GUARDED) + list(NOT_GUARDED)
    for blank in skipped:
        values += [blank, blank + "x", blank + blank + "x"]
        values += [blank + t for t in TRIGGERS] + [blank * 2 + t + "1" for t in TRIGGERS]
    values += [t for t in TRIGGERS] + [f"x{t}" for t in TRIGGERS]
    return values


@pytest.mark.django_db
def test_the_sql_expression_agrees_with_python_on_every_character_of_the_rule():
    values = _every_interesting_value()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT v, {guard_sql('v')} FROM unnest(%s::text[]) WITH ORDINALITY AS u(v, n) "
            "ORDER BY n",
            [values],
        )
        rows = cursor.fetchall()
        cursor.execute(f"SELECT {guard_sql('NULL::text')}")
        null = cursor.fetchone()[0]
    assert len(rows) == len(values)
    mismatches = [(v, sql) for v, sql in rows if sql != guard(v)]
    assert mismatches == []
    assert null is None
