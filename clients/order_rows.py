"""An Órdenes de pago page's <tr>s, written in Python once per page.

Through the template engine, a page of 50 orders evaluated an if-chain per
cell and translated and reversed per button: about three quarters of the
page's time. Here each column's cell writer is chosen once per page, the
buttons' labels are translated once and the URLs are filled in from
templates reversed once per project (moonflow.lists.links). Text is escaped
with `html_text`. The client's name carries the portfolio icon of each of its
active portfolios (portfolios/badges.py), read for the whole page by the caller.
"""

from urllib.parse import quote

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from moonflow.lists.columns import html_text
from moonflow.lists.links import RowUrls
from moonflow.ui.money import format_money
from portfolios.badges import icon_label, portfolio_icons

from .display import external_id_display

STATE_BADGES = {
    "vigente": ("primary", "Vigente"),
    "vencida": ("danger", "Vencida"),
    "pagada": ("success", "Pagada"),
    "anulada": ("secondary", "Anulada"),
}
MONEY_KEYS = ("amount", "interest", "discounts", "payments", "total")


def _date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def _state_cell(order) -> str:
    style, label = STATE_BADGES.get(order.state, STATE_BADGES["anulada"])
    paid = ""
    if order.state == "pagada" and order.paid_at:
        paid = f' <span class="small text-body-secondary">{_date(order.paid_at)}</span>'
    return f'<td><span class="badge text-bg-{style}">{html_text(_(label))}</span>{paid}</td>'


def _cell_writers(columns, urls: RowUrls, portfolios: dict[int, list[str]]):
    writers = []
    label = icon_label()
    for column in columns:
        key = column.key
        if key == "number":
            writers.append(lambda o: f'<th scope="row" class="fw-normal">{html_text(o.number)}</th>')
        elif key == "client":
            def client_cell(order):
                url = urls.url("client", order.client_id)
                name = html_text(order.client.name)
                link = f'<a href="{html_text(url)}">{name}</a>' if url else name
                names = portfolios.get(order.client_id)
                icons = portfolio_icons(names, label=label) if names else ""
                return f"<td>{link}{icons}</td>"

            writers.append(client_cell)
        elif key == "document":
            writers.append(lambda o: ('<td class="text-nowrap">' + html_text(external_id_display(
                o.client.document_type, o.client.document_number)) + "</td>"))
        elif key == "kind":
            writers.append(lambda o: f"<td>{html_text(o.get_kind_display())}</td>")
        elif key in ("issued_on", "due_date"):
            writers.append(lambda o, key=key: f"<td>{_date(getattr(o, key))}</td>")
        elif key == "state":
            writers.append(_state_cell)
        elif key in MONEY_KEYS:
            weight = " fw-semibold" if key == "total" else ""
            writers.append(lambda o, key=key, weight=weight: (
                f'<td class="text-end{weight} money">'
                f"{html_text(format_money(getattr(o, key), o.currency))}</td>"))
    return writers


def write_order_rows(orders, columns, *, project_slug: str, client, here: str,
                     portfolios: dict[int, list[str]] | None = None) -> None:
    """Set `order.html` (its whole <tr>) on each of a page's orders; `portfolios` are the
    active portfolios' names of the page's clients (portfolios.badges.portfolio_names)."""
    links = RowUrls(project_slug, client="clients:detail", orders="clients:client_payment_orders")
    actions = RowUrls(project_slug, edit="clients:payment_order_edit",
                      pay="clients:payment_order_pay", annul="clients:payment_order_annul")
    writers = _cell_writers(columns, links, portfolios or {})
    labels = {key: html_text(_(text)) for key, text in (
        ("orders", "Ver órdenes de pago"), ("edit", "Editar"),
        ("pay", "Marcar como pagada"), ("annul", "Anular"))}
    next_param = html_text(quote(here, safe="/"))
    editable = client is None or not client.is_deleted
    for order in orders:
        buttons = []
        if client is None:
            url = html_text(links.url("orders", order.client_id))
            buttons.append(f'<a class="btn btn-outline-secondary btn-sm" href="{url}"'
                           f' aria-label="{labels["orders"]}" title="{labels["orders"]}">'
                           '<i class="bi bi-eye" aria-hidden="true"></i></a>')
        if order.status == "pending" and editable:
            urls = actions.of(order.pk)
            for key, style, icon in (("edit", "secondary", "pencil"),
                                     ("pay", "success", "check2-circle"),
                                     ("annul", "danger", "x-circle")):
                if key in urls:
                    buttons.append(
                        f'<button type="button" class="btn btn-outline-{style} btn-sm"'
                        f' hx-get="{html_text(urls[key])}?next={next_param}"'
                        f' hx-target="#modal-content" aria-label="{labels[key]}"'
                        f' title="{labels[key]}"><i class="bi bi-{icon}" aria-hidden="true">'
                        "</i></button>")
        cells = "".join(write(order) for write in writers)
        order.html = mark_safe(f'<tr>{cells}<td class="actions text-end">{" ".join(buttons)}'
                               "</td></tr>")
