"""Money as a person reads it: one format per language, in templates and in Python.

es "289.960,00 COP", en "289,960.00 COP": the number in the active language
(moonflow/formats/) with two decimals, then the ISO currency code, joined by a
no-break space so the amount never wraps apart from its currency.
"""

from decimal import Decimal, InvalidOperation

from django.utils import formats

NO_BREAK_SPACE = "\u00a0"


def format_money(amount, currency: str = "") -> str:
    """`amount` (Decimal, int, float or numeric text) with two decimals and `currency`.

    An empty amount reads "—"; text that is not a number is returned as given.
    """
    if amount is None or amount == "":
        return "—"
    if not isinstance(amount, (Decimal, int, float)):
        try:
            amount = Decimal(str(amount))
        except InvalidOperation:
            return str(amount)
    number = formats.number_format(amount, 2, use_l10n=True, force_grouping=True)
    return f"{number}{NO_BREAK_SPACE}{currency}" if currency else number
