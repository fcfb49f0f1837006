"""The clients list on the list kernel: what the clients tray, its download and the API read.

`CLIENTS` (a `ListSpec`) tells `moonflow.lists` what is the clients': the
base queryset (`client_base_queryset`, with the recycle bin only when the
"Estado" filter asks for it), the FilterSet (clients.filters), the search box
(clients.search, planned: `search_plan`), the columns (built-ins and custom
variables), how a row is drawn (clients.tray) and how a column is written to
a file (clients.exports).
The kernel does the rest: cleaned parameters, sort, keyset page, bounded
total, chips, saved views, the download job.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from moonflow.jobs.models import JobKind
from moonflow.jobs.runner import job_message
from moonflow.lists.downloads import download_task, export_list, request_download
from moonflow.lists.listing import ListPage, ListQuery, ListSpec, build_list, list_query

from .columns import TRAY, columns_for_project, project_variables
from .exports import export_fields
from .filters import ClientTrayFilterSet, wants_recycle_bin
from .search import client_search
from .selectors import client_base_queryset
from .tray import client_rows
from .visibility import readable_adviser_ids


class ClientList(ListSpec):
    tray = TRAY
    noun_singular = gettext_lazy("cliente")
    noun_plural = gettext_lazy("clientes")
    default_sort = "name"
    row_fields = ("deleted_at", "name", "status", "adviser_id")
    section = "clients"
    list_url_name = "clients:list"
    columns_url_name = "clients:tray_columns"
    view_create_url_name = "clients:saved_view_create"
    view_delete_url_name = "clients:saved_view_delete"
    download_url_name = "clients:download"
    download_dialog_title = gettext_lazy("Descargar clientes")
    download_intro = gettext_lazy(
        "Se genera un reporte con todos los clientes visibles en tu bandeja, con los filtros, "
        "la búsqueda, el orden y las columnas actuales. Recibirás el archivo por correo "
        "electrónico una vez que se complete el procesamiento y lo encontrarás en el Log de "
        "procesos."
    )
    export_kind = JobKind.CLIENT_EXPORT
    export_resource = "client_export"
    file_stem = "clientes"

    def columns(self, member):
        return columns_for_project(member.project, variables=self._variables(member))

    def _variables(self, member):
        # One read of the project's variables per request: columns and filters share it.
        cache = getattr(member, "_tray_variables", None)
        if cache is None:
            cache = project_variables(member.project)
            member._tray_variables = cache
        return cache

    def base_queryset(self, member, params):
        return client_base_queryset(member=member, include_deleted=wants_recycle_bin(params))

    def filterset(self, member, params, queryset):
        return ClientTrayFilterSet(params, queryset=queryset, member=member,
                                   variables=self._variables(member))

    def search_plan(self, member, text):
        return client_search(member.project_id, text)

    def draw_rows(self, member, rows, columns, *, context):
        return client_rows(member, rows, columns, csrf_token=context.get("csrf_token", ""),
                           here=context.get("here", ""),
                           selectable=context.get("selectable", False))

    def export_fields(self, member, columns):
        return export_fields(columns, readable_adviser_ids=readable_adviser_ids(member))

    def download_title(self, fmt: str) -> str:
        return _("Descarga de clientes (%(format)s)") % {"format": fmt.upper()}

    def download_message(self, rows: int, fmt: str):
        return job_message(
            ngettext_lazy(
                "Descarga lista: %(rows)s cliente en %(format)s.",
                "Descarga lista: %(rows)s clientes en %(format)s.",
                rows,
            ),
            rows=rows, format=fmt.upper(),
        )


CLIENTS = ClientList()


def client_tray_query(*, member, params) -> ListQuery:
    """Filters, search and order of the clients tray for `params` (a URL's, a saved view's)."""
    return list_query(CLIENTS, member=member, params=params)


def client_list(*, member, params) -> QuerySet:
    """The clients tray's rows for `params`: filtered, searched and ordered, not paginated.

    Every row comes from `client_base_queryset(member=…)`; unknown or invalid
    parameters are ignored, as on screen; `id` is the final tie-breaker.
    """
    return client_tray_query(member=member, params=params).ordered


def export_clients(*, member, params, columns=None, fmt: str, out, progress=None,
                   expected_rows=None) -> int:
    """Write the clients `member` sees for the tray's `params` into `out`; returns the rows."""
    return export_list(CLIENTS, member=member, params=params, columns=columns, fmt=fmt, out=out,
                       progress=progress, expected_rows=expected_rows)


# Routed to the "exports" queue by its name (CELERY_TASK_ROUTES "*.tasks.export_*").
export_clients_task = download_task("clients.tasks.export_clients", CLIENTS)


def client_export_request(*, member, params, fmt: str, columns=None):
    """Queue a download of the tray's clients (a CLIENT_EXPORT job) and return the job."""
    return request_download(CLIENTS, member=member, params=params, fmt=fmt, columns=columns,
                            task=export_clients_task)


def build_tray(*, member, params, csrf_token: str = "", here: str = "",
               selectable: bool = False) -> ListPage:
    """One page of the clients tray; `selectable`: its live rows can be ticked (the selection
    bar acts on them)."""
    tray = build_list(CLIENTS, member=member, params=params,
                      context={"csrf_token": csrf_token, "here": here, "selectable": selectable})
    tray.extra["deleted_listing"] = "eliminado" in tray.params.getlist("estado")
    tray.extra["selectable"] = selectable
    return tray
