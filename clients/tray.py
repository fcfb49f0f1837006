"""The clients tray's page (Cuentas por cobrar → Clientes): how its rows are drawn.

What the list is (base queryset, filters, search, columns) is `clients.lists.CLIENTS`;
the kernel builds the page (moonflow/lists/listing.py).

Rows are read with `.values()` over the visible columns' paths (the joins
they need come with the same query) and the portfolio badges of the page
with one more query: the query count never grows with the page size.
"""

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.urls import NoReverseMatch, reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from moonflow.lists.columns import MONEY, NUMBER, Column
from moonflow.ui.money import format_money
from portfolios.models import PortfolioClient

from .visibility import OTHER_ADVISER, readable_adviser_ids


# --- Rows -------------------------------------------------------------------------------------


@dataclass
class Cell:
    column: Column
    text: str
    sub: str = ""
    badge: str = ""  # a Bootstrap text-bg-* class for status-like cells
    numeric: bool = False
    money: bool = False  # never wrapped: an amount is read whole


@dataclass
class Row:
    id: int
    name: str
    deleted: bool
    cells: list[Cell]
    portfolios: list[str] = field(default_factory=list)
    html: str = ""  # the rendered <tr> (see render_rows)


STATUS_BADGES = {"active": "success", "inactive": "secondary"}


def _cell(column: Column, row: dict, *, tz, readable_advisers, currency: str) -> Cell:
    if column.key in ("adviser", "supervisor"):
        member_id = row.get(f"{column.key}_id")
        if member_id is None:
            return Cell(column, "—")
        if column.key == "adviser" and readable_advisers is not None and (
            member_id not in readable_advisers
        ):
            # A restricted member reads no other adviser's name (a client shared
            # through a team portfolio may be assigned to someone else).
            return Cell(column, str(OTHER_ADVISER))
        return Cell(column, column.text(row), sub=row.get(column.path) or "")
    if column.key == "status":
        if row.get("deleted_at"):
            return Cell(column, column.text(row), badge="danger")
        return Cell(column, column.text(row), badge=STATUS_BADGES.get(row.get("status"), "light"))
    text = column.text(row, tz=tz)
    if column.kind == MONEY:
        return Cell(column, format_money(row.get(column.path), currency), numeric=True, money=True)
    if column.kind == NUMBER:
        return Cell(column, text, numeric=True)
    return Cell(column, text or "—")


# --- Row markup -------------------------------------------------------------------------------
#
# A page holds up to 100 rows of ~10 cells and 4 action buttons. Rendered
# through the template engine (a node per variable, a reverse() per button)
# that alone cost more than the page's queries, so rows are rendered here with
# `format_html`, and the action URLs are reversed once per page: a URL that
# does not exist (yet) simply leaves its button out, as `{% url … as x %}`
# would.

_PK_SENTINEL = 987654321987


@dataclass(frozen=True)
class RowLinks:
    detail: str | None
    edit: str | None
    payment_orders: str | None
    interactions: str | None
    delete: str | None
    restore: str | None

    @classmethod
    def for_project(cls, slug: str) -> "RowLinks":
        def template(name):
            try:
                return reverse(name, kwargs={"project": slug, "pk": _PK_SENTINEL})
            except NoReverseMatch:
                return None

        return cls(
            detail=template("clients:detail"),
            edit=template("clients:edit"),
            payment_orders=template("clients:client_payment_orders"),
            interactions=template("interactions:client_list"),
            delete=template("clients:delete"),
            restore=template("clients:restore"),
        )

    @staticmethod
    def fill(template: str, pk: int) -> str:
        head, _sep, tail = template.rpartition(str(_PK_SENTINEL))
        return f"{head}{pk}{tail}"


def _cell_html(cell: Cell) -> str:
    text = (
        format_html('<span class="badge text-bg-{}">{}</span>', cell.badge, cell.text)
        if cell.badge
        else escape(cell.text)
    )
    sub = (
        format_html(' <span class="small text-body-secondary">{}</span>', cell.sub)
        if cell.sub
        else ""
    )
    start = "<td>"
    if cell.numeric:
        start = '<td class="text-end money">' if cell.money else '<td class="text-end">'
    return f"{start}{text}{sub}</td>"


def render_rows(rows: list[Row], *, links: RowLinks, csrf_token: str, here: str) -> None:
    """Fill each row's `html` (a <tr>): name link, portfolio badges, cells, actions."""
    labels = {
        "edit": _("Editar"),
        "orders": _("Ver órdenes de pago"),
        "interactions": _("Ver comunicaciones"),
        "delete": _("Eliminar"),
        "restore": _("Recuperar"),
    }
    for row in rows:
        pk = row.id
        if links.detail and not row.deleted:
            name = format_html('<a href="{}">{}</a>', links.fill(links.detail, pk), row.name)
        else:
            name = escape(row.name)
        badges = "".join(
            format_html(
                ' <span class="badge rounded-pill text-bg-info" title="{label}">'
                '<i class="bi bi-briefcase" aria-hidden="true"></i> {label}</span>',
                label=_("Cartera: %(name)s") % {"name": portfolio},
            )
            for portfolio in row.portfolios
        )
        actions = []
        if row.deleted:
            if links.restore:
                actions.append(format_html(
                    '<form method="post" action="{}" class="d-inline">'
                    '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                    '<input type="hidden" name="next" value="{}">'
                    '<button type="submit" class="btn btn-outline-success btn-sm" aria-label="{l}"'
                    ' title="{l}"><i class="bi bi-arrow-counterclockwise" aria-hidden="true"></i>'
                    " {l}</button></form>",
                    links.fill(links.restore, pk), csrf_token, here, l=labels["restore"],
                ))
        else:
            if links.edit:
                actions.append(format_html(
                    '<button type="button" class="btn btn-outline-secondary btn-sm" hx-get="{}"'
                    ' hx-target="#modal-content" hx-swap="innerHTML" aria-label="{l}" title="{l}">'
                    '<i class="bi bi-pencil" aria-hidden="true"></i></button>',
                    links.fill(links.edit, pk), l=labels["edit"],
                ))
            if links.payment_orders:
                actions.append(format_html(
                    '<a class="btn btn-outline-secondary btn-sm" href="{}" aria-label="{l}"'
                    ' title="{l}"><i class="bi bi-eye" aria-hidden="true"></i></a>',
                    links.fill(links.payment_orders, pk), l=labels["orders"],
                ))
            if links.interactions:
                actions.append(format_html(
                    '<a class="btn btn-outline-secondary btn-sm" href="{}" aria-label="{l}"'
                    ' title="{l}"><i class="bi bi-envelope" aria-hidden="true"></i></a>',
                    links.fill(links.interactions, pk), l=labels["interactions"],
                ))
            if links.delete:
                actions.append(format_html(
                    '<button type="button" class="btn btn-outline-danger btn-sm" hx-get="{}"'
                    ' hx-target="#modal-content" hx-swap="innerHTML" aria-label="{l}" title="{l}">'
                    '<i class="bi bi-trash" aria-hidden="true"></i></button>',
                    links.fill(links.delete, pk), l=labels["delete"],
                ))
        row.html = mark_safe(
            ('<tr class="table-danger">' if row.deleted else "<tr>")
            + f'<th scope="row" class="fw-normal">{name}{badges}</th>'
            + "".join(_cell_html(cell) for cell in row.cells)
            + f'<td class="actions text-end">{" ".join(actions)}</td></tr>'
        )


def portfolio_badges(project_id: int, client_ids: list[int]) -> dict[int, list[str]]:
    badges: dict[int, list[str]] = {}
    if not client_ids:
        return badges
    pairs = (
        PortfolioClient.objects.filter(
            project_id=project_id, client_id__in=client_ids, portfolio__active=True
        )
        .order_by("portfolio__name")
        .values_list("client_id", "portfolio__name")
    )
    for client_id, name in pairs:
        badges.setdefault(client_id, []).append(name)
    return badges


def client_rows(member, page_rows: list[dict], columns: list[Column], *, csrf_token: str,
                here: str) -> list[Row]:
    """The page's rows, drawn: cells, portfolio badges (one query) and action buttons."""
    project = member.project
    tz = ZoneInfo(project.timezone) if project.timezone else None
    readable = readable_adviser_ids(member)
    badges = portfolio_badges(project.pk, [r["id"] for r in page_rows])
    rows = [
        Row(
            id=r["id"],
            name=r["name"],
            deleted=r["deleted_at"] is not None,
            cells=[
                _cell(c, r, tz=tz, readable_advisers=readable, currency=project.currency)
                for c in columns
                if c.key != "name"
            ],
            portfolios=badges.get(r["id"], []),
        )
        for r in page_rows
    ]
    render_rows(rows, links=RowLinks.for_project(project.slug), csrf_token=csrf_token, here=here)
    return rows
