"""The portfolio icon on a single client's pages (portfolios/badges.py).

    {% load portfolio_icons %}
    <h1>{{ client.name }}{% portfolio_icons client %}</h1>

One query for the client; the trays write the icon with their rows instead.
"""

from django import template

from ..badges import portfolio_icons as icons
from ..badges import portfolio_names

register = template.Library()


@register.simple_tag
def portfolio_icons(client) -> str:
    """The icon of each active portfolio of `client` (nothing when it is in none)."""
    return icons(portfolio_names(client.project_id, [client.pk]).get(client.pk, []))
