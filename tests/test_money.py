"""Money has one format per language (docs ui.md): es 289.960,00 COP, en 289,960.00 COP."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from moonflow.ui.money import format_money
from tests import factories

NBSP = "\u00a0"  # the amount never wraps apart from its currency


@pytest.fixture(autouse=True)
def spanish_around_each_test():
    """An English request leaves English active in the thread: later tests must not read it."""
    with translation.override("es"):
        yield


def render(template: str, **context) -> str:
    return Template("{% load ui %}" + template).render(Context(context))


@pytest.mark.parametrize(
    ("language", "expected"),
    [("es", f"289.960,00{NBSP}COP"), ("en", f"289,960.00{NBSP}COP")],
)
def test_it_writes_money_in_the_active_language(language, expected):
    with translation.override(language):
        assert format_money(Decimal("289960"), "COP") == expected
        assert render("{{ amount|money:currency }}", amount=Decimal("289960"),
                      currency="COP") == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("es", f"-1.234.567,89{NBSP}USD"), ("en", f"-1,234,567.89{NBSP}USD")],
)
def test_it_keeps_the_sign_and_rounds_to_cents(language, expected):
    with translation.override(language):
        assert format_money(Decimal("-1234567.891"), "USD") == expected


def test_it_takes_numbers_of_any_type_and_numeric_text():
    with translation.override("es"):
        assert format_money(1500000, "COP") == f"1.500.000,00{NBSP}COP"
        assert format_money(12.5, "COP") == f"12,50{NBSP}COP"
        assert format_money("2500.5", "COP") == f"2.500,50{NBSP}COP"


def test_it_reads_a_missing_amount_as_a_dash_and_leaves_text_alone():
    assert format_money(None, "COP") == "—"
    assert format_money("", "COP") == "—"
    assert format_money("n/d", "COP") == "n/d"
    assert render("{{ amount|money:currency }}", amount=None, currency="COP") == "—"


def test_it_writes_only_the_number_without_a_currency():
    with translation.override("es"):
        assert format_money(Decimal("1234.5")) == "1.234,50"
        assert render("{{ amount|money }}", amount=Decimal("1234.5")) == "1.234,50"


def test_it_escapes_the_currency_in_templates():
    assert "&lt;b&gt;" in render("{{ amount|money:currency }}", amount=1, currency="<b>")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "amount"), [("es", f"1.500.000,00{NBSP}COP"), ("en", f"1,500,000.00{NBSP}COP")]
)
def test_the_client_and_payment_order_pages_write_money_one_way(
    cast, as_member, settings, language, amount
):
    client = factories.make_client(cast.project, name="Fabio Lara")
    factories.make_payment_order(client, number="OP-1", amount=Decimal("1500000"),
                                 currency="COP")
    browser = as_member(cast.admin)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    pages = [
        reverse("clients:detail", kwargs={"project": "demo", "pk": client.pk}),
        reverse("clients:client_payment_orders", kwargs={"project": "demo", "pk": client.pk}),
        reverse("clients:payment_orders", kwargs={"project": "demo"}),
    ]
    for url in pages:
        html = browser.get(url).content.decode()
        assert amount in html, url
        assert "COP 1" not in html, url
