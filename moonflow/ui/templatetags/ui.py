"""Template helpers shared by every screen: `{% load ui %}`."""

from django import template

from moonflow.ui.money import format_money

register = template.Library()


@register.filter
def money(amount, currency=""):
    """`{{ order.total|money:order.currency }}` → "289.960,00 COP" (see moonflow.ui.money)."""
    return format_money(amount, currency or "")
