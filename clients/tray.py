"""The clients tray, page by page: keyset pagination, the total, rows and links.

Steps of one page (`build_tray`):

1. `clients.selectors.client_tray_query` turns the URL parameters into a
   filtered, searched queryset (always from `client_base_queryset`) and a sort
   (a column's never-NULL sort keys, then `id`).
2. `paginate` reads a keyset page: `pagina` is empty (first page), `sig.<t>`
   (after the row encoded in `t`), `ant.<t>` (before it) or `ultima`. "After"
   is a row comparison `(k1, …, id) > (v1, …, id)` that PostgreSQL answers
   from an index on `(project, [filter,] k1, …, id)`, so the 2,000th page costs
   what the first does; previous and last read the reversed order and flip
   the rows back. One row more than the page size tells whether there is more.
3. `count_total` asks the planner first; unless it expects far more than
   `EXACT_COUNT_LIMIT` rows, it counts at most `EXACT_COUNT_LIMIT + 1` rows
   within `COUNT_BUDGET_MS`; otherwise the total is the planner's estimate,
   shown as approximate ("≈ 1,2 M clientes").
4. Rows are read with `.values()` over the visible columns' paths (the joins
   they need come with the same query) and the portfolio badges of the page
   with one more query: the query count never grows with the page size.
"""

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import OperationalError, connections, transaction
from django.db.models import BooleanField, F, Func, Value
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from portfolios.models import PortfolioClient

from .columns import (
    DEC,
    DT,
    INT,
    MONEY,
    NUMBER,
    TRAY,
    Column,
    format_number,
    project_variables,
    resolve_columns,
    visible_columns,
)
from .filters import active_chips, clean_tray_params, filter_controls, filter_notices
from .selectors import TrayQuery, client_tray_query, saved_view_list

EXACT_COUNT_LIMIT = 10_000
COUNT_BUDGET_MS = 15
ESTIMATE_TRUSTED_ABOVE = 50_000
QUERY_CANCELED = "57014"
PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 25
PAGE_PARAM = "pagina"
LAST_PAGE = "ultima"
NEXT_PREFIX, PREVIOUS_PREFIX = "sig.", "ant."


# --- Keyset pagination ------------------------------------------------------------------------


class RowCompare(Func):
    """(a, b, …) > (x, y, …): one btree range condition over the sort index."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, lhs, rhs, operator: str):
        if operator not in (">", "<"):
            raise ValueError(operator)
        self.operator = operator
        self.width = len(lhs)
        super().__init__(*lhs, *rhs)

    def as_sql(self, compiler, connection, **extra):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, p = compiler.compile(expression)
            parts.append(sql)
            params.extend(p)
        lhs, rhs = parts[: self.width], parts[self.width :]
        return f"({', '.join(lhs)}) {self.operator} ({', '.join(rhs)})", params


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def encode_cursor(values) -> str:
    raw = json.dumps([_plain(v) for v in values], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


CURSOR_MAX = 4000  # a real cursor is a few hundred characters
_BIGINT = 2**63
_DECIMAL_EXPONENT = 100  # far beyond any amount, far below numeric's limits


def _refuse_constant(name):
    raise ValueError(f"not a cursor value: {name}")


def _storable(text: str) -> bool:
    """Text PostgreSQL can compare: no NUL, no lone surrogate."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _cursor_value(value, kind: str):
    """One sort-key value of a cursor as its column compares it, or ValueError."""
    if kind == INT:
        if type(value) is not int or not -_BIGINT <= value < _BIGINT:
            raise ValueError(value)
        return value
    if kind == DEC:
        if isinstance(value, bool) or not isinstance(value, (int, str, Decimal)):
            raise ValueError(value)
        number = Decimal(value) if isinstance(value, (int, Decimal)) else Decimal(value.strip())
        if not number.is_finite() or abs(number.adjusted()) > _DECIMAL_EXPONENT:
            raise ValueError(value)
        return number
    if not isinstance(value, str) or not _storable(value):
        raise ValueError(value)
    if kind == DT:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError(value)
        # In UTC: PostgreSQL takes offsets up to 15:59 only (and year 1 at +23:59 overflows).
        return moment.astimezone(UTC)
    return value


def decode_cursor(token: str, types: list[str]) -> list | None:
    """The sort-key values (then the id) of a cursor, or None when it is not one of ours.

    A cursor comes back from the URL, so anyone can write one: beyond being
    base64 JSON of the right length, every value must be what its column
    compares (a finite, bounded number; text PostgreSQL can hold; an aware
    date-time), or the whole cursor is refused and the tray shows its first page.
    """
    if len(token) > CURSOR_MAX:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw.decode(), parse_float=Decimal, parse_constant=_refuse_constant)
        if not isinstance(values, list) or len(values) != len(types) + 1:
            return None
        return [_cursor_value(value, kind) for value, kind in zip(values, [*types, INT])]
    except (ValueError, TypeError, ArithmeticError, RecursionError, binascii.Error):
        return None


@dataclass
class Page:
    rows: list[dict]
    has_previous: bool
    has_next: bool
    first_cursor: str | None
    last_cursor: str | None
    refused: bool = False  # the page asked for was not a page link of ours: first page shown


def _key_names(query: TrayQuery) -> list[str]:
    return [f"_k{i}" for i in range(len(query.sort_keys))]


def paginate(query: TrayQuery, *, page: str, size: int, paths) -> Page:
    names = _key_names(query)
    qs = query.queryset.annotate(**{n: k.expression for n, k in zip(names, query.sort_keys)})
    mode, values = "first", None
    page = (page or "").strip()
    if page == LAST_PAGE:
        mode = "last"
    elif page.startswith((NEXT_PREFIX, PREVIOUS_PREFIX)):
        values = decode_cursor(page[4:], [k.type for k in query.sort_keys])
        if values is not None:
            mode = "next" if page.startswith(NEXT_PREFIX) else "previous"
    refused = bool(page) and mode == "first"
    backwards = mode in ("previous", "last")
    if values is not None:
        ascending = (not query.descending) != (mode == "previous")
        lhs = [F(n) for n in names] + [F("id")]
        qs = qs.filter(RowCompare(lhs, [Value(v) for v in values], ">" if ascending else "<"))
    qs = qs.order_by(*query.order_by_terms(reverse=backwards))
    fetched = list(qs.values("id", *names, *paths)[: size + 1])
    more = len(fetched) > size
    rows = fetched[:size]
    if backwards:
        rows.reverse()
    if mode == "previous" and not more:
        # Back at the start: show a full first page rather than a short one.
        return paginate(query, page="", size=size, paths=paths)
    has_previous = {"first": False, "next": True, "previous": more, "last": more}[mode]
    has_next = {"first": more, "next": more, "previous": True, "last": False}[mode]

    def cursor(row):
        return encode_cursor([row[n] for n in names] + [row["id"]])

    return Page(
        rows=rows,
        has_previous=has_previous,
        has_next=has_next,
        first_cursor=cursor(rows[0]) if rows else None,
        last_cursor=cursor(rows[-1]) if rows else None,
        refused=refused,
    )


# --- The total --------------------------------------------------------------------------------


@dataclass
class Total:
    value: int
    exact: bool
    label: str


def _estimate(qs) -> int:
    try:
        plan = json.loads(qs.order_by().values("pk").explain(format="json"))
        return int(plan[0]["Plan"]["Plan Rows"])
    except (ValueError, KeyError, IndexError, TypeError):
        return 0


def approximate_label(estimate: int) -> str:
    """Two significant digits, as people say them: "≈ 1,2 M", "≈ 150 mil", "≈ 4.800"."""
    estimate = max(int(estimate), 1)
    rounded = int(round(estimate, -max(len(str(estimate)) - 2, 0)))
    if rounded >= 1_000_000:
        millions = rounded / 1_000_000
        if millions < 10 and millions != int(millions):
            return f"≈ {format_number(millions, 1)} M"
        return f"≈ {format_number(int(millions))} M"
    if rounded >= 10_000:
        return f"≈ {format_number(rounded // 1000)} mil"
    return f"≈ {format_number(rounded)}"


def _bounded_count(qs, limit: int) -> int | None:
    """COUNT over at most `limit` + 1 rows, or None when it would take over COUNT_BUDGET_MS.

    The budget is a `statement_timeout` local to a savepoint, so a count that
    cannot use an index (a rare filter combination, a common search word)
    costs the page a bounded time and the total falls back to the estimate.
    """
    connection = connections[qs.db]
    outer_transaction = connection.in_atomic_block
    subquery = qs.order_by().values("pk")[: limit + 1]
    try:
        with transaction.atomic(using=qs.db):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT current_setting('statement_timeout'), "
                    "set_config('statement_timeout', %s, true)",
                    [f"{COUNT_BUDGET_MS}ms"],
                )
                previous = cursor.fetchone()[0]
            number = subquery.count()
            if outer_transaction:
                # Outside a transaction the setting ends with this block's commit.
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
            return number
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == QUERY_CANCELED:
            return None
        raise


def exact_total(number: int, *, noun_singular: str, noun_plural: str) -> Total:
    noun = noun_singular if number == 1 else noun_plural
    return Total(number, True, f"{format_number(number)} {noun}")


def count_total(qs, *, noun_singular: str, noun_plural: str) -> Total:
    """Exact when cheap, else the planner's estimate marked "≈".

    1. EXPLAIN (planning only): far above the limit (a whole book of a
       million), the estimate is the answer and nothing is counted.
    2. Otherwise COUNT at most EXACT_COUNT_LIMIT + 1 rows within
       COUNT_BUDGET_MS: exact when it fits; "Más de 10.000" when the limit is
       reached but the planner guesses fewer; the estimate when out of time.
    """
    limit = EXACT_COUNT_LIMIT
    estimate = _estimate(qs)
    if estimate > ESTIMATE_TRUSTED_ABOVE:
        return Total(estimate, False, f"{approximate_label(estimate)} {noun_plural}")
    exact = _bounded_count(qs, limit)
    if exact is not None and exact <= limit:
        return exact_total(exact, noun_singular=noun_singular, noun_plural=noun_plural)
    if exact is not None and estimate <= limit:
        shown = format_number(limit)
        return Total(limit + 1, False, _("Más de %(number)s %(noun)s") % {
            "number": shown, "noun": noun_plural})
    return Total(estimate, False, f"{approximate_label(estimate)} {noun_plural}")


def page_total(qs, *, rows: int, whole: bool, noun_singular: str, noun_plural: str) -> Total:
    """The total above a list: when one page holds every row (`whole`), its rows are
    the exact total for free; otherwise `count_total`."""
    if whole:
        return exact_total(rows, noun_singular=noun_singular, noun_plural=noun_plural)
    return count_total(qs, noun_singular=noun_singular, noun_plural=noun_plural)


# --- Query strings ----------------------------------------------------------------------------


def query_with(params: QueryDict, *, drop_page: bool = True, **changes) -> str:
    """The current query string with some parameters set (a value) or removed (None)."""
    qd = params.copy()
    if drop_page:
        qd.pop(PAGE_PARAM, None)
    for key, value in changes.items():
        qd.pop(key, None)
        if value not in (None, ""):
            qd[key] = value
    return qd.urlencode()


def query_without(params: QueryDict, key: str, value: str = "") -> str:
    qd = params.copy()
    qd.pop(PAGE_PARAM, None)
    if value:
        kept = [v for v in qd.getlist(key) if v != value]
        qd.setlist(key, kept)
        if not kept:
            qd.pop(key, None)
    else:
        qd.pop(key, None)
    return qd.urlencode()


def saved_query(params) -> str:
    """What a saved view (or a download) keeps: filters, search and order, cleaned as the
    tray reads them (clients.filters.clean_tray_params)."""
    qd = clean_tray_params(params).data.copy()
    for key in (PAGE_PARAM, "vista"):
        qd.pop(key, None)
    return qd.urlencode()


# --- Rows -------------------------------------------------------------------------------------


@dataclass
class Cell:
    column: Column
    text: str
    sub: str = ""
    badge: str = ""  # a Bootstrap text-bg-* class for status-like cells
    numeric: bool = False


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
            return Cell(column, _("Otro asesor"))
        return Cell(column, column.text(row), sub=row.get(column.path) or "")
    if column.key == "status":
        if row.get("deleted_at"):
            return Cell(column, column.text(row), badge="danger")
        return Cell(column, column.text(row), badge=STATUS_BADGES.get(row.get("status"), "light"))
    text = column.text(row, tz=tz)
    if column.kind == MONEY:
        return Cell(column, text, sub=currency, numeric=True)
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
    start = '<td class="text-end">' if cell.numeric else "<td>"
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


# --- The whole tray ---------------------------------------------------------------------------


@dataclass
class Header:
    column: Column
    aria_sort: str  # ascending / descending / none
    query: str  # the link that sorts by this column (toggling when it already does)


@dataclass
class Tray:
    params: QueryDict  # cleaned (clients.filters.clean_tray_params)
    notices: list[str]  # what the page changed or ignored in them, said above the table
    query: TrayQuery
    columns: list[Column]
    headers: list[Header]
    page: Page
    rows: list[Row]
    total: Total
    chips: list
    controls: list
    page_size: int
    saved_views: list
    active_view: object
    state_query: str  # filters + search + order (for downloads and saved views)
    first_query: str
    previous_query: str | None
    next_query: str | None
    last_query: str

    @property
    def filterset(self):
        return self.query.filterset

    @property
    def deleted_listing(self) -> bool:
        return "eliminado" in self.params.getlist("estado")

    @property
    def active_filter_count(self) -> int:
        return sum(1 for c in self.controls if c.active)

    @property
    def page_sizes(self):
        return PAGE_SIZES

    @property
    def hidden_state(self) -> list[tuple[str, str]]:
        """Order and saved view travel with the filter form (page size has its own select)."""
        return [(k, self.params[k]) for k in ("orden", "vista") if self.params.get(k)]

    @property
    def clear_query(self) -> str:
        """Without search or filters, keeping order, page size and saved view."""
        qd = QueryDict(mutable=True)
        for key in ("orden", "por_pagina", "vista"):
            if self.params.get(key):
                qd[key] = self.params[key]
        return qd.urlencode()


def page_size_from(params) -> int:
    try:
        size = int(params.get("por_pagina") or DEFAULT_PAGE_SIZE)
    except (TypeError, ValueError):
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def build_tray(*, member, params: QueryDict, csrf_token: str = "", here: str = "") -> Tray:
    project = member.project
    variables = project_variables(project)
    query = client_tray_query(member=member, params=params, variables=variables)
    params = query.params  # cleaned: every link of the page carries these
    notices = [*query.notices, *filter_notices(query.filterset)]
    saved_views = list(saved_view_list(member=member, tray=TRAY))
    view_id = params.get("vista")
    active_view = next((v for v in saved_views if str(v.pk) == view_id), None) if view_id else None
    if view_id and active_view is None:
        notices.append(_("La vista guardada que pidió no existe o ya no está compartida con "
                         "usted: se muestran sus propias columnas."))
    known = {c.key for c in query.columns}
    view_keys = [k for k in (active_view.columns or []) if k in known] if active_view else []
    if view_keys:
        columns = resolve_columns(view_keys, query.columns)
    else:
        columns = visible_columns(member, columns=query.columns)

    size = page_size_from(params)
    paths = ["deleted_at", "name", "status", "adviser_id"]
    for column in columns:
        for p in column.paths:
            if p not in paths:
                paths.append(p)
    page = paginate(query, page=params.get(PAGE_PARAM, ""), size=size, paths=paths)
    if page.refused:
        notices.append(_("El enlace de página no es válido o caducó: se muestra la primera "
                         "página."))

    tz = ZoneInfo(project.timezone) if project.timezone else None
    readable = query.filterset.readable_adviser_ids
    badges = portfolio_badges(project.pk, [r["id"] for r in page.rows])
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
        for r in page.rows
    ]
    render_rows(rows, links=RowLinks.for_project(project.slug), csrf_token=csrf_token, here=here)
    total = page_total(
        query.queryset, rows=len(rows), whole=not page.has_previous and not page.has_next,
        noun_singular=_("cliente"), noun_plural=_("clientes"),
    )

    chips = active_chips(query.filterset, query.search)
    for chip in chips:
        chip.query = query_without(params, chip.param, chip.value)

    sorted_key = query.sort_column.key
    headers = []
    for column in columns:
        if column.key == sorted_key:
            aria = "descending" if query.descending else "ascending"
            target = column.key if query.descending else f"-{column.key}"
        else:
            aria = "none"
            target = column.key
        headers.append(Header(column, aria, query_with(params, orden=target)))

    return Tray(
        params=params,
        notices=notices,
        query=query,
        columns=columns,
        headers=headers,
        page=page,
        rows=rows,
        total=total,
        chips=chips,
        controls=filter_controls(query.filterset),
        page_size=size,
        saved_views=saved_views,
        active_view=active_view,
        state_query=saved_query(params),
        first_query=query_with(params),
        previous_query=(
            query_with(params, **{PAGE_PARAM: PREVIOUS_PREFIX + page.first_cursor})
            if page.has_previous and page.first_cursor
            else None
        ),
        next_query=(
            query_with(params, **{PAGE_PARAM: NEXT_PREFIX + page.last_cursor})
            if page.has_next and page.last_cursor
            else None
        ),
        last_query=query_with(params, **{PAGE_PARAM: LAST_PAGE}),
    )

