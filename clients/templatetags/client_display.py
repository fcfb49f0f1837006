"""Stored client values as people read them (clients/display.py), for templates.

    {% load client_display %}
    {{ client|document }}      → 888.605.031-8
    {{ client|external_id }}   → NIT 888.605.031-8
    {{ client.phone|phone }}   → +57 309 461 7291
"""

from django import template

from ..display import document_display, external_id_display, phone_display

register = template.Library()


@register.filter
def document(client) -> str:
    """The document number of a client (or of any object with document_type/_number)."""
    return document_display(client.document_type, client.document_number)


@register.filter
def external_id(client) -> str:
    return external_id_display(client.document_type, client.document_number)


@register.filter
def phone(value) -> str:
    return phone_display(value)
