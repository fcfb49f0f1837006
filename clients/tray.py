"""The clients tray's page (Cuentas por cobrar → Clientes): how its rows are drawn.

What the list is (base queryset, filters, search, columns) is `clients.lists.CLIENTS`;
the kernel builds the page (moonflow/lists/listing.py).

Rows are read with `.values()` over the visible columns' paths (the joins
they need come with the same query) and the portfolio icons of the page
with one more query (portfolios/badges.py): the query count never grows
with the page size.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from moonflow.lists.columns import CHOICE, MONEY, NUMBER, Column, html_text
from moonflow.lists.links import PK_SENTINEL, url_template
from moonflow.ui.money import format_money
from portfolios.badges import icon_label, portfolio_icons, portfolio_names

from .visibility import OTHER_ADVISER, readable_adviser_ids


# --- Rows -------------------------------------------------------------------------------------
#
# A page holds up to 100 rows of ~10 cells and 4 action buttons. Rendered
# through the template engine (a node per variable, a reverse() per button)
# that alone cost more than the page's queries, so rows are written here:
# what a cell looks like is decided once per column and page (`_cell_writer`),
# the markup around a row's id once per page (`RowMarkup`), the action URLs
# are reversed once per project, and text is escaped with `html_text`. A URL
# that does not exist (yet) simply leaves its button out, as
# `{% url … as x %}` would.


@dataclass
class Row:
    id: int
    name: str
    deleted: bool
    portfolios: list[str] = field(default_factory=list)
    html: str = ""  # the rendered <tr>


class Rows(list):
    """A page's rows; `html` is every <tr>, for the template to write at once."""

    @property
    def html(self) -> str:
        return mark_safe("\n".join(row.html for row in self))


STATUS_BADGES = {"active": "success", "inactive": "secondary"}
EMPTY_CELL = "<td>—</td>"


def _cell_writer(column: Column, *, tz, readable_advisers, currency: str) -> Callable[[dict], str]:
    """How `column`'s <td> is written for a `.values()` row on this page."""
    key, path = column.key, column.path
    if key in ("adviser", "supervisor"):
        id_path = f"{key}_id"
        check = key == "adviser" and readable_advisers is not None
        # A restricted member reads no other adviser's name (a client shared
        # through a team portfolio may be assigned to someone else).
        hidden = f"<td>{html_text(OTHER_ADVISER)}</td>"

        def member_cell(row):
            member_id = row.get(id_path)
            if member_id is None:
                return EMPTY_CELL
            if check and member_id not in readable_advisers:
                return hidden
            code = row.get(path)
            sub = f' <span class="small text-body-secondary">{html_text(code)}</span>' if code else ""
            return f"<td>{html_text(column.text(row))}{sub}</td>"

        return member_cell
    if key == "status":
        def status_cell(row):
            badge = "danger" if row.get("deleted_at") else STATUS_BADGES.get(row.get("status"), "light")
            return f'<td><span class="badge text-bg-{badge}">{html_text(column.text(row))}</span></td>'

        return status_cell
    if column.kind == MONEY:
        return lambda row: (
            f'<td class="text-end money">{html_text(format_money(row.get(path), currency))}</td>'
        )
    if column.kind == NUMBER:
        return lambda row: f'<td class="text-end">{html_text(column.text(row, tz=tz))}</td>'
    if column.kind == CHOICE and column.display is None:
        # A choice's label depends on its value only: translated once per page.
        written: dict = {}

        def choice_cell(row):
            value = row.get(path)
            if not isinstance(value, (str, int)):
                return f"<td>{html_text(column.text(row, tz=tz) or '—')}</td>"
            cell = written.get(value)
            if cell is None:
                cell = written[value] = f"<td>{html_text(column.text(row, tz=tz) or '—')}</td>"
            return cell

        return choice_cell
    return lambda row: f"<td>{html_text(column.text(row, tz=tz) or '—')}</td>"


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
        return _row_links(slug, get_script_prefix(), get_urlconf())

    @staticmethod
    def around(template: str) -> tuple[str, str]:
        """The escaped URL before and after the row's id."""
        head, _sep, tail = template.rpartition(str(PK_SENTINEL))
        return html_text(head), html_text(tail)


def _row_links(slug: str, script_prefix: str, urlconf) -> RowLinks:
    """The row URLs of a project, with a sentinel for the id (moonflow.lists.links)."""
    return RowLinks(
        detail=url_template("clients:detail", slug),
        edit=url_template("clients:edit", slug),
        payment_orders=url_template("clients:client_payment_orders", slug),
        interactions=url_template("interactions:client_list", slug),
        delete=url_template("clients:delete", slug),
        restore=url_template("clients:restore", slug),
    )


# The tray's own links (the view's list URL, the Crear menu): name → URL name.
TRAY_LINKS = {
    "list": "clients:list",
    "create": "clients:create",
    "import": "clients:import",
    "columns": "clients:tray_columns",
    "download": "clients:download",
}


@lru_cache(maxsize=512)
def _tray_links(slug: str, script_prefix: str, urlconf) -> dict[str, str]:
    links = {}
    for key, name in TRAY_LINKS.items():
        try:
            links[key] = reverse(name, urlconf=urlconf, kwargs={"project": slug})
        except NoReverseMatch:
            links[key] = ""
    return links


def tray_links(slug: str) -> dict[str, str]:
    """The tray's links for a project, reversed once per process ("" for a URL that does not exist)."""
    return _tray_links(slug, get_script_prefix(), get_urlconf())


@dataclass(frozen=True)
class RowMarkup:
    """A page's markup around each row's id: `str(pk).join(chunks)` writes it."""

    link: tuple[str, str] | None  # the name's link to the client page, before and after the id
    actions: list[str]  # a live client's buttons
    deleted_actions: list[str]  # a deleted client's
    icon_label: str  # "Cartera: %(name)s", translated
    select_label: str = ""  # "Seleccionar a %(name)s", translated: rows get a checkbox

    @classmethod
    def for_page(cls, links: RowLinks, *, csrf_token: str, here: str,
                 selectable: bool = False) -> "RowMarkup":
        labels = {
            "edit": html_text(_("Editar")),
            "orders": html_text(_("Ver órdenes de pago")),
            "interactions": html_text(_("Ver comunicaciones")),
            "delete": html_text(_("Eliminar")),
            "restore": html_text(_("Recuperar")),
        }
        buttons = []  # (before the id, after it)
        # (URL, tag, style, label, icon, opens the dialog): a live client's buttons, in order.
        for url, tag, style, label, icon, dialog in (
            (links.edit, "button", "secondary", labels["edit"], "pencil", True),
            (links.payment_orders, "a", "secondary", labels["orders"], "eye", False),
            (links.interactions, "a", "secondary", labels["interactions"], "envelope", False),
            (links.delete, "button", "danger", labels["delete"], "trash", True),
        ):
            if not url:
                continue
            head, tail = links.around(url)
            opening = (f'<button type="button" class="btn btn-outline-{style} btn-sm" hx-get="'
                       if dialog else f'<a class="btn btn-outline-{style} btn-sm" href="')
            target = ' hx-target="#modal-content" hx-swap="innerHTML"' if dialog else ""
            buttons.append((
                opening + head,
                (f'{tail}"{target} aria-label="{label}" title="{label}">'
                 f'<i class="bi bi-{icon}" aria-hidden="true"></i></{tag}>'),
            ))
        restore = []
        if links.restore:
            head, tail = links.around(links.restore)
            label = labels["restore"]
            restore.append((
                f'<form method="post" action="{head}',
                (f'{tail}" class="d-inline">'
                 f'<input type="hidden" name="csrfmiddlewaretoken" value="{html_text(csrf_token)}">'
                 f'<input type="hidden" name="next" value="{html_text(here)}">'
                 f'<button type="submit" class="btn btn-outline-success btn-sm" aria-label="{label}"'
                 f' title="{label}"><i class="bi bi-arrow-counterclockwise" aria-hidden="true"></i>'
                 f" {label}</button></form>"),
            ))
        return cls(
            link=links.around(links.detail) if links.detail else None,
            actions=_chunks(buttons),
            deleted_actions=_chunks(restore),
            icon_label=icon_label(),
            select_label=_("Seleccionar a %(name)s") if selectable else "",
        )


def _chunks(parts: list[tuple[str, str]]) -> list[str]:
    """Markup pieces around an id, space-separated: `str(pk).join(chunks)` writes them all."""
    if not parts:
        return [""]
    chunks = [parts[0][0]]
    for (_before, after), following in zip(parts, [*parts[1:], None]):
        chunks.append(after + (" " + following[0] if following else ""))
    return chunks


# A live client's checkbox: it belongs to the selection bar's form (templates/clients/tray/
# selection_bar.html) through its `form` attribute, as rows hold forms of their own.
SELECT_BOX = ('<td class="select"><input class="form-check-input" type="checkbox" '
              'name="clients" value="{pk}" form="tray-selection" data-select-row '
              'aria-label="{label}"></td>')
NO_SELECT_BOX = '<td class="select"></td>'


def render_rows(rows: list[Row], cells: list[str], *, markup: RowMarkup) -> None:
    """Fill each row's `html` (a <tr>): its checkbox when the page is selectable, name link,
    portfolio icons, its cells, actions."""
    for row, row_cells in zip(rows, cells):
        pk = str(row.id)
        name = html_text(row.name)
        select = ""
        if markup.select_label:
            select = NO_SELECT_BOX if row.deleted else SELECT_BOX.format(
                pk=pk, label=html_text(markup.select_label % {"name": row.name}))
        if markup.link and not row.deleted:
            name = f'<a href="{markup.link[0]}{pk}{markup.link[1]}">{name}</a>'
        icons = portfolio_icons(row.portfolios, label=markup.icon_label) if row.portfolios else ""
        actions = pk.join(markup.deleted_actions if row.deleted else markup.actions)
        row.html = mark_safe(
            ('<tr class="table-danger">' if row.deleted else "<tr>")
            + select
            + f'<th scope="row" class="fw-normal">{name}{icons}</th>'
            + row_cells
            + f'<td class="actions text-end">{actions}</td></tr>'
        )


def client_rows(member, page_rows: list[dict], columns: list[Column], *, csrf_token: str,
                here: str, selectable: bool = False) -> Rows:
    """The page's rows, drawn: cells, portfolio icons (one query) and action buttons; with
    `selectable`, a checkbox naming the client on each live row."""
    project = member.project
    tz = ZoneInfo(project.timezone) if project.timezone else None
    readable = readable_adviser_ids(member)
    portfolios = portfolio_names(project.pk, [r["id"] for r in page_rows])
    writers = [
        _cell_writer(c, tz=tz, readable_advisers=readable, currency=project.currency)
        for c in columns
        if c.key != "name"
    ]
    rows = Rows(
        Row(id=r["id"], name=r["name"], deleted=r["deleted_at"] is not None,
            portfolios=portfolios.get(r["id"], []))
        for r in page_rows
    )
    cells = ["".join([write(r) for write in writers]) for r in page_rows]
    markup = RowMarkup.for_page(RowLinks.for_project(project.slug), csrf_token=csrf_token,
                                here=here, selectable=selectable)
    render_rows(rows, cells, markup=markup)
    return rows
