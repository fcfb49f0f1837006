"""Numbers as a person reads them, in the active language (es 1.234,56; en 1,234.56)."""

from django.utils import formats


def format_number(value, decimals: int | None = None) -> str:
    """Grouped thousands always ("12.345 clientes"), `decimals` places when given."""
    return formats.number_format(value, decimals, use_l10n=True, force_grouping=True)
