"""The one access path to clients and what hangs from them."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404, QueryDict

from .models import Client, PaymentOrder, SavedView
from .visibility import client_visibility_q


def client_base_queryset(*, member, include_deleted: bool = False):
    """Every client the member may see, in their project. All reads start here."""
    qs = Client.objects.filter(project_id=member.project_id).filter(client_visibility_q(member))
    if not include_deleted:
        qs = qs.filter(deleted_at__isnull=True)
    return qs


def get_client_for_member(member, pk, *, include_deleted: bool = False) -> Client:
    """Another project's client, or one the member may not see, answers 404."""
    client = (
        client_base_queryset(member=member, include_deleted=include_deleted)
        .select_related("segment", "adviser__user", "supervisor__user")
        .filter(pk=pk)
        .first()
    )
    if client is None:
        raise Http404("No such client")
    return client


def payment_order_base_queryset(*, member):
    return PaymentOrder.objects.filter(project_id=member.project_id).filter(
        client_visibility_q(member, prefix="client__"), client__deleted_at__isnull=True
    )


# --- The clients tray (Cuentas por cobrar → Clientes) ---------------------------------------


def client_list(*, member, params) -> QuerySet[Client]:
    """The clients tray's rows for `params`: filtered, searched and ordered, not paginated.

    `params` is a QueryDict or a dict of the tray's GET parameters (the tray's
    query string, as the download job saves it); no request is needed. Every
    row comes from `client_base_queryset(member=…)`, with the recycle bin
    included only when the "Estado" filter asks for "eliminado". Unknown or
    invalid parameters are ignored, as on screen. The order is the tray's
    (`orden`, default by name) with `id` as the final tie-breaker.
    """
    return client_tray_query(member=member, params=params).ordered


@dataclass
class TrayQuery:
    """Everything the tray derives from its parameters (see `client_tray_query`)."""

    filterset: object
    queryset: QuerySet  # filtered + searched, unordered
    columns: list  # every column of the project (built-ins + custom variables)
    sort_column: object
    descending: bool
    search: str
    params: QueryDict  # the cleaned parameters (clients.filters.clean_tray_params)
    notices: list  # what the page says it changed or ignored in them

    @property
    def sort_keys(self) -> list:
        return list(self.sort_column.sort_keys)

    def order_by_terms(self, *, reverse: bool = False) -> list:
        descending = self.descending != reverse
        terms = [
            key.expression.desc() if descending else key.expression.asc() for key in self.sort_keys
        ]
        terms.append("-id" if descending else "id")
        return terms

    @property
    def ordered(self) -> QuerySet:
        return self.queryset.order_by(*self.order_by_terms())


def client_tray_query(*, member, params, variables=None) -> TrayQuery:
    """Filters (clients.filters), search (clients.search) and order of the tray."""
    from django.utils.translation import gettext as _

    from .columns import COLUMNS, columns_for_project, project_variables
    from .filters import ClientTrayFilterSet, clean_tray_params, wants_recycle_bin
    from moonflow.text import shorten
    from .search import search_q

    cleaned = clean_tray_params(params)
    data, notices = cleaned.data, list(cleaned.notices)
    if variables is None:
        variables = project_variables(member.project)
    columns = columns_for_project(member.project, variables=variables)
    base = client_base_queryset(member=member, include_deleted=wants_recycle_bin(data))
    filterset = ClientTrayFilterSet(data, queryset=base, member=member, variables=variables)
    qs = filterset.qs
    search = (data.get("q") or "").strip()
    condition = search_q(search)
    if condition is not None:
        qs = qs.filter(condition)
    by_key = {c.key: c for c in columns if c.sortable}
    sort = (data.get("orden") or "").strip()
    descending = sort.startswith("-")
    column = by_key.get(sort.lstrip("-"))
    if column is None:
        if sort:
            notices.append(
                _("No se puede ordenar por «%(order)s» (una columna que no existe): "
                  "se ordenó por Nombre.") % {"order": shorten(sort)}
            )
        column, descending = COLUMNS["name"], False
    return TrayQuery(
        filterset=filterset,
        queryset=qs,
        columns=columns,
        sort_column=column,
        descending=descending,
        search=search,
        params=data,
        notices=notices,
    )


def saved_view_list(*, member, tray: str):
    """The member's own saved views and those shared with the project."""
    return SavedView.objects.filter(
        Q(owner=member) | Q(shared=True), project_id=member.project_id, tray=tray
    ).order_by("name", "id")


def get_saved_view_for_member(member, pk, *, tray: str, missing_ok: bool = False):
    """A saved view the member may apply (own or shared); 404 otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = None
    view = saved_view_list(member=member, tray=tray).filter(pk=pk).first() if pk else None
    if view is None and not missing_ok:
        raise Http404("No such saved view")
    return view
