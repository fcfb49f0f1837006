"""One page of a list: what an entity supplies (`ListSpec`) and what the kernel builds.

`list_query(spec, member, params)` turns a list's parameters into a
`ListQuery`: cleaned parameters, the entity's base queryset (which carries
visibility), its FilterSet, its search and the sort. The page, the saved
views' filters and the download job all read rows through it.

`build_list(spec, member, params)` adds the page: saved views, the columns on
screen, a keyset page, the total, the rows the entity draws, chips, filter
controls, sortable headers and the links of the pager.
"""

from dataclasses import dataclass, field, replace

from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from moonflow.db.budget import OutOfTime, statement_budget
from moonflow.jobs.runner import job_message
from moonflow.text import shorten

from .columns import Column, resolve_columns, visible_columns
from .exports import column_fields
from .filters import ListFilterSet
from .keyset import LAST_PAGE, Page, order_terms, paginate
from .params import (
    PAGE_PARAM,
    SEARCH_PARAM,
    SIZE_PARAM,
    SORT_PARAM,
    VIEW_PARAM,
    clean_params,
    page_size_from,
    query_with,
    query_without,
    saved_query,
)
from .selectors import saved_view_list
from .totals import Total, page_total


class SearchCondition:
    """A search that is one condition, for a `ListSpec.search_plan` whose condition needs
    the member (its project): the page and the total are read as for `search_q`."""

    def __init__(self, condition: Q):
        self.condition = condition

    def restrict(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(self.condition)

    def fetch(self, reader) -> list[dict]:
        return reader.read(self.restrict(reader.queryset))

    def total(self, queryset):
        return None  # the kernel counts as usual


class ListSpec:
    """What an entity tells the kernel about its list. Subclass and fill in."""

    tray: str  # the list's key: preferences, saved views, downloads
    noun_singular: str
    noun_plural: str
    page_sizes: tuple[int, ...] = (25, 50, 100)
    default_page_size: int = 25
    default_sort: str = "name"
    default_descending: bool = False
    # Paths every page fetches besides the columns' (what the row drawing needs).
    row_fields: tuple[str, ...] = ()
    section: str  # the side menu's entry
    # URL names: the list, and its dialogs (moonflow.lists.views.list_view_patterns).
    list_url_name: str
    columns_url_name: str
    view_create_url_name: str
    view_delete_url_name: str
    download_url_name: str = ""
    # Descargar (moonflow.lists.downloads): the job's kind, the audit event's
    # resource type and the file's name.
    export_kind: str
    export_resource: str
    file_stem: str
    # Whether a download counts its rows before writing them, so that the Log de procesos
    # shows "done / total" while it runs. The count reads the rows a second time (as long
    # as the file itself for a restricted member's 45 days of interactions); a download
    # nobody watches (run at night) writes at once and records its total at the end.
    download_counts_first: bool = True

    def columns(self, member) -> list[Column]:
        raise NotImplementedError

    def base_queryset(self, member, params: QueryDict) -> QuerySet:
        """Every row the member may see (from the entity's selector)."""
        raise NotImplementedError

    def filterset(self, member, params: QueryDict, queryset: QuerySet) -> ListFilterSet:
        raise NotImplementedError

    def search_q(self, text: str) -> Q | None:
        """The search box's condition, None when the text finds nothing to look for."""
        return None

    def search_plan(self, member, text: str):
        """A planned search, for a list whose search a condition alone would answer by
        scanning (clients.search.ClientSearch): it gives the full condition (`restrict`),
        reads pages itself (`fetch`, see keyset.PageReader) and says the total (`total`:
        (exact, estimate), or None to count as usual). `SearchCondition` is a plain
        condition that needs the member. None: the list uses `search_q`."""
        return None

    def draw_rows(self, member, rows: list[dict], columns: list[Column], *, context) -> list:
        """What the template iterates over for the page's `.values()` rows."""
        return rows

    def export_fields(self, member, columns: list[Column]) -> list:
        """The file's fields for the columns on screen (moonflow.lists.exports.Field)."""
        return column_fields(columns)

    @property
    def download_dialog_title(self) -> str:
        return _("Descargar %(list)s") % {"list": self.noun_plural}

    @property
    def download_intro(self) -> str:
        return _("Se genera un reporte con todas las filas visibles en tu bandeja, con los "
                 "filtros, la búsqueda, el orden y las columnas actuales. Recibirás el archivo "
                 "por correo electrónico una vez que se complete el procesamiento y lo "
                 "encontrarás en el Log de procesos.")

    def download_title(self, fmt: str) -> str:
        return _("Descarga de %(list)s (%(format)s)") % {
            "list": self.noun_plural, "format": fmt.upper()}

    def download_message(self, rows: int, fmt: str):
        """The job's message (moonflow.jobs.runner.job_message: stored in every language)."""
        return job_message(
            gettext_lazy("Descarga lista: %(rows)s %(noun)s en %(format)s."),
            rows=rows, noun=self.noun_singular if rows == 1 else self.noun_plural,
            format=fmt.upper(),
        )


@dataclass
class ListQuery:
    """Everything a list derives from its parameters."""

    spec: ListSpec
    filterset: ListFilterSet
    queryset: QuerySet  # filtered + searched, unordered
    columns: list[Column]  # every column of the list
    sort_column: Column
    descending: bool
    search: str
    params: QueryDict  # cleaned
    notices: list[str]
    search_plan: object = None  # the spec's planned search, when it has one
    unsearched: QuerySet | None = None  # filtered, before a planned search

    @property
    def sort_keys(self) -> list:
        return list(self.sort_column.sort_keys)

    def order_by_terms(self, *, reverse: bool = False) -> list:
        return order_terms(self.sort_keys, descending=self.descending != reverse)

    @property
    def ordered(self) -> QuerySet:
        return self.queryset.order_by(*self.order_by_terms())


def list_query(spec: ListSpec, *, member, params, columns=None) -> ListQuery:
    cleaned = clean_params(params)
    data, notices = cleaned.data, list(cleaned.notices)
    if columns is None:
        columns = spec.columns(member)
    filterset = spec.filterset(member, data, spec.base_queryset(member, data))
    qs = unsearched = filterset.qs
    search = (data.get(SEARCH_PARAM) or "").strip()
    plan = spec.search_plan(member, search) if search else None
    if plan is not None:
        qs = plan.restrict(qs)
    else:
        condition = spec.search_q(search) if search else None
        if condition is not None:
            qs = qs.filter(condition)
    by_key = {c.key: c for c in columns if c.sortable}
    sort = (data.get(SORT_PARAM) or "").strip()
    descending = sort.startswith("-")
    column = by_key.get(sort.lstrip("-"))
    if column is None:
        column, descending = by_key[spec.default_sort], spec.default_descending
        if sort:
            notices.append(
                _("No se puede ordenar por «%(order)s» (una columna que no existe): "
                  "se ordenó por %(column)s.") % {"order": shorten(sort, 40), "column": column.label}
            )
    return ListQuery(
        spec=spec, filterset=filterset, queryset=qs, columns=columns, sort_column=column,
        descending=descending, search=search, params=data, notices=notices,
        search_plan=plan, unsearched=unsearched if plan is not None else None,
    )


@dataclass
class Header:
    column: Column
    aria_sort: str  # ascending / descending / none
    query: str  # the link that sorts by this column (toggling when it already does)


@dataclass
class ListPage:
    params: QueryDict  # cleaned: every link of the page carries these
    notices: list[str]  # what the page changed or ignored, said above the table
    query: ListQuery
    columns: list[Column]  # on screen
    headers: list[Header]
    page: Page
    rows: list
    total: Total
    chips: list
    controls: list
    page_size: int
    page_sizes: tuple[int, ...]
    saved_views: list
    active_view: object
    state_query: str  # filters + search + order (for downloads and saved views)
    first_query: str
    previous_query: str | None
    next_query: str | None
    last_query: str
    extra: dict = field(default_factory=dict)  # what an entity adds for its template

    @property
    def filterset(self):
        return self.query.filterset

    @property
    def search(self) -> str:
        return self.query.search

    @property
    def active_filter_count(self) -> int:
        return sum(1 for c in self.controls if c.active)

    @property
    def hidden_state(self) -> list[tuple[str, str]]:
        """Order and saved view travel with the filter form (page size has its own select)."""
        return [(k, self.params[k]) for k in (SORT_PARAM, VIEW_PARAM) if self.params.get(k)]

    @property
    def clear_query(self) -> str:
        """Without search or filters, keeping order, page size and saved view."""
        qd = QueryDict(mutable=True)
        for key in (SORT_PARAM, SIZE_PARAM, VIEW_PARAM):
            if self.params.get(key):
                qd[key] = self.params[key]
        return qd.urlencode()


def _headers(query: ListQuery, columns, params) -> list[Header]:
    headers = []
    for column in columns:
        if column.key == query.sort_column.key:
            aria = "descending" if query.descending else "ascending"
            target = column.key if query.descending else f"-{column.key}"
        else:
            aria, target = "none", column.key
        headers.append(Header(column, aria, query_with(params, **{SORT_PARAM: target})))
    return headers


# A page sorted by a column other than the list's own order gets this long for its rows
# (each statement): a sort no index serves, over a large book, takes seconds (bench-tray's
# "Targets missed"), and no page may wait more than 300 ms.
SORT_BUDGET_MS = 200


def _read_page(query: ListQuery, *, page: str, size: int, fields, member) -> Page:
    """The keyset page of `query`; sorted other than by the list's own order, within
    SORT_BUDGET_MS (OutOfTime beyond)."""
    plan = query.search_plan
    read = lambda: paginate(  # noqa: E731
        query.unsearched if plan is not None else query.queryset, sort_keys=query.sort_keys,
        descending=query.descending, page=page, size=size, fields=fields, plan=plan,
        member=member,
    )
    spec = query.spec
    if query.sort_column.key == spec.default_sort and query.descending == spec.default_descending:
        return read()
    with statement_budget(SORT_BUDGET_MS, using=query.queryset.db):
        return read()


def build_list(spec: ListSpec, *, member, params, context=None) -> ListPage:
    """The page of `spec`'s list for `params`. `context` reaches `spec.draw_rows`."""
    all_columns = spec.columns(member)
    query = list_query(spec, member=member, params=params, columns=all_columns)
    params = query.params
    notices = [*query.notices, *query.filterset.notices()]

    saved_views = list(saved_view_list(member=member, tray=spec.tray))
    view_id = params.get(VIEW_PARAM)
    active_view = next((v for v in saved_views if str(v.pk) == view_id), None) if view_id else None
    if view_id and active_view is None:
        notices.append(_("La vista guardada que pidió no existe o ya no está compartida con "
                         "usted: se muestran sus propias columnas."))
    known = {c.key for c in all_columns}
    view_keys = [k for k in (active_view.columns or []) if k in known] if active_view else []
    if view_keys:
        columns = resolve_columns(view_keys, all_columns)
    else:
        columns = visible_columns(member, spec.tray, all_columns)

    size = page_size_from(params, spec.page_sizes, spec.default_page_size)
    fields = list(spec.row_fields)
    for column in columns:
        fields += [p for p in column.paths if p not in fields]
    plan = query.search_plan
    try:
        page = _read_page(query, page=params.get(PAGE_PARAM, ""), size=size, fields=fields,
                          member=member)
    except OutOfTime:
        # Sorted by a column no index keeps in order, over more rows than it can sort in
        # time: the page comes in the list's own order, and says so.
        default = next(c for c in all_columns if c.key == spec.default_sort)
        notices.append(_(
            "Ordenar por «%(column)s» tardaba demasiado sobre tantos %(noun)s: se muestran "
            "ordenados por %(default)s. Filtre la lista para ordenarla por «%(column)s».") % {
            "column": query.sort_column.label, "noun": spec.noun_plural,
            "default": default.label})
        params = params.copy()
        params.pop(SORT_PARAM, None)
        params.pop(PAGE_PARAM, None)
        query = replace(query, sort_column=default, descending=spec.default_descending,
                        params=params)
        page = _read_page(query, page="", size=size, fields=fields, member=member)
    if page.refused:
        notices.append(_("El enlace de página no es válido o caducó: se muestra la primera "
                         "página."))
    rows = spec.draw_rows(member, page.rows, columns, context=context or {})
    total = page_total(query.queryset, rows=len(page.rows), whole=page.whole,
                       noun_singular=str(spec.noun_singular), noun_plural=str(spec.noun_plural),
                       plan=plan, unsearched=query.unsearched)

    chips = query.filterset.chips(query.search)
    for chip in chips:
        chip.query = query_without(params, chip.param, chip.value)
    previous, following = page.query("previous"), page.query("next")
    return ListPage(
        params=params,
        notices=notices,
        query=query,
        columns=columns,
        headers=_headers(query, columns, params),
        page=page,
        rows=rows,
        total=total,
        chips=chips,
        controls=query.filterset.controls(),
        page_size=size,
        page_sizes=spec.page_sizes,
        saved_views=saved_views,
        active_view=active_view,
        state_query=saved_query(params),
        first_query=query_with(params),
        previous_query=query_with(params, **{PAGE_PARAM: previous}) if previous else None,
        next_query=query_with(params, **{PAGE_PARAM: following}) if following else None,
        last_query=query_with(params, **{PAGE_PARAM: LAST_PAGE}),
    )
