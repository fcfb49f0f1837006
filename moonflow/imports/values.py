"""Dates and numbers as people type them in a file, parsed strictly.

Pure functions: text in, a `date` or `Decimal` out, or `InvalidValue` whose
`reason` is a Spanish sentence fragment the caller puts after the column and
value ("Vencimiento «31/02/2024»: <reason>").
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _


class InvalidValue(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


_DAY_FIRST = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$")
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_YEAR_FIRST_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")


def parse_date(text: str) -> date:
    """`dd/mm/yyyy`, `d/m/yyyy` (also with `-` or `.`), `yyyy-mm-dd`, `yyyy/mm/dd` or ISO 8601.

    Day first, always: "03/04/2024" is 3 April. A day-first date that does not
    exist ("13/25/2024", "31/02/2024") is an error, never read as month first.
    A date-time keeps its date (the time is dropped). Two-digit years are refused.
    """
    text = (text or "").strip()
    if not text:
        raise InvalidValue(_("falta la fecha."))
    if match := _DAY_FIRST.match(text):
        day, month, year = int(match[1]), int(match[3]), int(match[4])
    elif match := (_ISO.match(text) or _YEAR_FIRST_SLASH.match(text)):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    else:
        raise InvalidValue(_("no es una fecha válida: use dd/mm/aaaa (31/12/2024) o "
                             "aaaa-mm-dd (2024-12-31)."))
    if not 1 <= month <= 12:
        raise InvalidValue(_("el mes %(month)s no existe: la fecha se lee como día/mes/año "
                             "(dd/mm/aaaa).") % {"month": month})
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidValue(_("esa fecha no existe: el día %(day)s no está en el mes %(month)s "
                             "de %(year)s.") % {"day": day, "month": month, "year": year}) from None


_SPACES = re.compile(r"[\s\u00a0\u202f']")  # spaces, no-break spaces and ' group thousands
_BODY = re.compile(r"^[\d.,]+$")
_GROUPED = re.compile(r"^\d{1,3}(?:X\d{3})+$")


def parse_number(text: str, *, decimal_mark: str | None = None) -> Decimal:
    """A number with `.` or `,` as decimal mark and the other as thousands separator.

    "1.234.567,89", "1,234,567.89", "1234,5", "1234.5", "-1.000,00", "1 234,5".
    When both marks appear, the last one is the decimal mark. A mark that appears
    several times groups thousands. A single mark followed by exactly three
    digits ("1.000", "-1,000") is ambiguous (a thousand, or one?): it is resolved
    by `decimal_mark` ("," or ".") when the caller knows it (the file's or the
    project's convention), else refused. Scientific notation is refused too
    (a spreadsheet has already lost digits when it shows 1,23E+09).
    """
    if decimal_mark not in (None, ",", "."):
        raise ValueError("decimal_mark must be ',', '.' or None")
    raw = (text or "").strip()
    if not raw:
        raise InvalidValue(_("falta el número."))
    body = _SPACES.sub("", raw)
    sign = ""
    if body[:1] in "+-":
        sign, body = body[0].replace("+", ""), body[1:]
    if re.search(r"\d[eE][-+]?\d", body):
        raise InvalidValue(_("está en notación científica; escriba el número completo "
                             "(por ejemplo 1234567890)."))
    if not body or not _BODY.match(body) or not re.search(r"\d", body):
        raise InvalidValue(_("no es un número válido: use solo dígitos, un signo y los "
                             "separadores . o , (por ejemplo 1.234,56)."))
    dots, commas = body.count("."), body.count(",")
    if dots and commas:
        decimal = "." if body.rfind(".") > body.rfind(",") else ","
        group = "," if decimal == "." else "."
        integer, _mark, fraction = body.rpartition(decimal)
        if body.count(decimal) > 1 or group in fraction:
            raise _garbled()
        integer = _ungrouped(integer, group)
    elif dots or commas:
        mark = "." if dots else ","
        integer, _mark, fraction = body.rpartition(mark)
        if body.count(mark) > 1:
            integer, fraction = _ungrouped(body, mark), ""
        elif len(fraction) == 3 and integer and integer != "0" and len(integer) <= 3:
            if decimal_mark is None:
                raise InvalidValue(_("es ambiguo: «%(value)s» puede ser un número con "
                                     "decimales o uno con miles. Escríbalo sin separador de "
                                     "miles (1000) o con decimales (1.000,00).")
                                   % {"value": raw})
            if decimal_mark != mark:
                integer, fraction = integer + fraction, ""
        elif not fraction:
            raise _garbled()
    else:
        integer, fraction = body, ""
    try:
        return Decimal(f"{sign}{integer or '0'}" + (f".{fraction}" if fraction else ""))
    except InvalidOperation:
        raise _garbled() from None


def _ungrouped(integer: str, group: str) -> str:
    """Digits of an integer part whose thousands are grouped by `group`, checked."""
    if group not in integer:
        return integer
    if not _GROUPED.match(integer.replace(group, "X")):
        raise _garbled()
    return integer.replace(group, "")


def _garbled() -> InvalidValue:
    return InvalidValue(_("no es un número válido: los separadores de miles van cada tres "
                          "dígitos y el decimal una sola vez (1.234.567,89 o 1,234,567.89)."))
