"""The portfolio icon: a client in an active portfolio carries it wherever its name shows.

"Los agentes podrán identificar a estos clientes de forma inmediata en todos
los canales gracias a un ícono distintivo" (the Carteras article): the clients
tray, Órdenes de pago, Interacciones, the client's page and its payment orders
and communications pages all write it through `portfolio_icons`.

- `portfolio_names(project_id, client_ids)`: the active portfolios of a page's
  clients, by name, in one statement for the whole page (never a query per row).
- `portfolio_icons(names)`: the markup. One icon per portfolio, each an image
  whose accessible name and tooltip are "Cartera: <nombre>": a client is in one
  portfolio or two, and each name stays readable and announced on its own
  instead of being folded into a longer label.

Downloads and night files carry no icon (the interactions download keeps its
"Nombres de cartera" column).

This module depends on `portfolios.models` and `moonflow` only: clients and
interactions import it, and `clients.visibility` imports `portfolios.models`.
"""

from collections.abc import Iterable

from django.db import connection
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from moonflow.lists.columns import html_text

from .models import Portfolio, PortfolioClient

ICON = "bi-briefcase-fill"


def portfolio_names(project_id: int, client_ids: Iterable[int]) -> dict[int, list[str]]:
    """The names of the active portfolios of each client (by id), sorted by name.

    One plain statement for a page (on every page view, the ORM's compiling of
    this join cost several times the query itself). Clients in no active
    portfolio are absent from the result.
    """
    ids = list(client_ids)
    names: dict[int, list[str]] = {}
    if not ids:
        return names
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pc.client_id, p.name FROM {quote(PortfolioClient._meta.db_table)} pc "
            f"JOIN {quote(Portfolio._meta.db_table)} p "
            "ON p.project_id = pc.project_id AND p.id = pc.portfolio_id "
            "WHERE pc.project_id = %s AND pc.client_id = ANY(%s) AND p.active "
            "ORDER BY p.name",
            [project_id, ids],
        )
        for client_id, name in cursor.fetchall():
            names.setdefault(client_id, []).append(name)
    return names


def icon_label() -> str:
    """"Cartera: %(name)s" in the active language: a page that writes many rows
    translates it once and passes it to `portfolio_icons`."""
    return _("Cartera: %(name)s")


def portfolio_icons(names: Iterable[str], *, label: str | None = None) -> SafeString:
    """The portfolio icon of each name (empty for none), to write after a client's name."""
    label = icon_label() if label is None else label
    html = ""
    for name in names:
        text = html_text(label % {"name": name})
        html += (f' <span class="portfolio-icon text-primary" role="img" aria-label="{text}"'
                 f' title="{text}"><i class="bi {ICON}" aria-hidden="true"></i></span>')
    return mark_safe(html)
