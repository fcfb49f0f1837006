"""Dates and numbers as people type them: parsed strictly, refused with a reason."""

from datetime import date
from decimal import Decimal

import pytest

from moonflow.imports.values import InvalidValue, parse_date, parse_number


@pytest.mark.parametrize(("text", "expected"), [
    ("01/03/2024", date(2024, 3, 1)),
    ("1/3/2024", date(2024, 3, 1)),
    ("03/04/2024", date(2024, 4, 3)),  # day first, always
    ("31-12-2024", date(2024, 12, 31)),
    ("29.02.2024", date(2024, 2, 29)),
    ("2024-03-01", date(2024, 3, 1)),
    ("2024/3/1", date(2024, 3, 1)),
    ("2024-03-01 10:22:00", date(2024, 3, 1)),
    ("2024-03-01T10:22:00Z", date(2024, 3, 1)),
    ("2024-03-01T10:22:00.123-05:00", date(2024, 3, 1)),
    (" 15/01/2024 ", date(2024, 1, 15)),
])
def test_it_parses_day_first_and_iso_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(("text", "reason"), [
    ("12/13/2024", "el mes 13 no existe: la fecha se lee como día/mes/año (dd/mm/aaaa)."),
    ("13/25/2024", "el mes 25 no existe: la fecha se lee como día/mes/año (dd/mm/aaaa)."),
    ("31/02/2024", "esa fecha no existe: el día 31 no está en el mes 2 de 2024."),
    ("29/02/2023", "esa fecha no existe: el día 29 no está en el mes 2 de 2023."),
    ("2024-02-30", "esa fecha no existe: el día 30 no está en el mes 2 de 2024."),
    ("1/3/24", "no es una fecha válida: use dd/mm/aaaa (31/12/2024) o aaaa-mm-dd (2024-12-31)."),
    ("mañana", "no es una fecha válida: use dd/mm/aaaa (31/12/2024) o aaaa-mm-dd (2024-12-31)."),
    ("45352", "no es una fecha válida: use dd/mm/aaaa (31/12/2024) o aaaa-mm-dd (2024-12-31)."),
    ("", "falta la fecha."),
])
def test_it_refuses_a_date_that_is_not_day_first_or_does_not_exist(text, reason):
    with pytest.raises(InvalidValue) as error:
        parse_date(text)
    assert error.value.reason == reason


@pytest.mark.parametrize(("text", "expected"), [
    ("1.234.567,89", Decimal("1234567.89")),
    ("1,234,567.89", Decimal("1234567.89")),
    ("1234,5", Decimal("1234.5")),
    ("1234.5", Decimal("1234.5")),
    ("-1.000,00", Decimal("-1000.00")),
    ("1.234.567", Decimal("1234567")),
    ("1,234,567", Decimal("1234567")),
    ("1 234 567,5", Decimal("1234567.5")),
    ("1\u00a0234,5", Decimal("1234.5")),
    ("+12", Decimal("12")),
    ("0,5", Decimal("0.5")),
    (",5", Decimal("0.5")),
    ("0.000", Decimal("0.000")),
    ("1234.567", Decimal("1234.567")),
    ("007", Decimal("7")),
])
def test_it_parses_numbers_with_either_decimal_mark(text, expected):
    result = parse_number(text)
    assert result == expected
    assert str(result) == str(expected)


def test_it_reads_a_single_mark_before_three_digits_as_the_caller_says():
    assert parse_number("-1.000", decimal_mark=",") == Decimal("-1000")
    assert parse_number("1,000", decimal_mark=",") == Decimal("1.000")
    assert parse_number("-1.000", decimal_mark=".") == Decimal("-1.000")
    assert parse_number("1,000", decimal_mark=".") == Decimal("1000")
    # Unambiguous input ignores the hint.
    assert parse_number("1.234,5", decimal_mark=".") == Decimal("1234.5")


GARBLED = ("no es un número válido: los separadores de miles van cada tres dígitos y el "
           "decimal una sola vez (1.234.567,89 o 1,234,567.89).")
NOT_A_NUMBER = ("no es un número válido: use solo dígitos, un signo y los separadores . o , "
                "(por ejemplo 1.234,56).")


@pytest.mark.parametrize(("text", "reason"), [
    ("-1.000", "es ambiguo: «-1.000» puede ser un número con decimales o uno con miles. "
               "Escríbalo sin separador de miles (1000) o con decimales (1.000,00)."),
    ("1,234", "es ambiguo: «1,234» puede ser un número con decimales o uno con miles. "
              "Escríbalo sin separador de miles (1000) o con decimales (1.000,00)."),
    ("12,34,567", GARBLED),
    ("1.2.3", GARBLED),
    ("1.234,567.8", GARBLED),
    ("1,234.5,6", GARBLED),
    ("5.", GARBLED),
    ("1.23E+09", "está en notación científica; escriba el número completo "
                 "(por ejemplo 1234567890)."),
    ("12abc", NOT_A_NUMBER),
    ("$1.234,00", NOT_A_NUMBER),
    ("--5", NOT_A_NUMBER),
    ("-", NOT_A_NUMBER),
    (".", NOT_A_NUMBER),
    ("", "falta el número."),
])
def test_it_refuses_ambiguous_or_garbled_numbers_with_a_reason(text, reason):
    with pytest.raises(InvalidValue) as error:
        parse_number(text)
    assert error.value.reason == reason


def test_the_reasons_read_in_english_for_an_english_speaker():
    from django.utils import translation

    from moonflow.imports.values import InvalidValue, parse_date

    with translation.override("en"):
        try:
            parse_date("31/13/2024")
        except InvalidValue as error:
            reason = str(error.reason)
        else:
            raise AssertionError("31/13/2024 was read as a date")
    assert reason == "month 13 does not exist: dates are read as day/month/year (dd/mm/yyyy)."
