"""Cuentas por cobrar → Clientes: the tray, its column picker and its saved views.

The tray is one template partial (`clients/tray/tray.html`) rendered inside
the full page on a normal request and alone for htmx requests (filters,
sorting, pagination, chips), which push the URL so the back button works.
A history restore (`HX-History-Restore-Request`) gets the full page. The
column picker, the saved views and Descargar are every list's
(moonflow/lists/views.py). Members who may transfer clients tick rows, and the
selection bar opens Cambio de gestor for them (transfers.views.bulk_transfer).
"""

from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers

from moonflow.lists.views import is_partial, list_view_patterns
from transfers.selectors import may_transfer

from ..lists import CLIENTS, build_tray, export_clients_task
from ..tray import tray_links


def client_list(request):
    here = request.get_full_path()
    selectable = may_transfer(request.member)
    tray = build_tray(
        member=request.member, params=request.GET, csrf_token=get_token(request), here=here,
        selectable=selectable,
    )
    links = tray_links(request.project.slug)
    context = {"tray": tray, "section": "clients", "list_url": links["list"], "here": here,
               "tray_links": links}
    if selectable:
        # The selection bar's one action: Cambio de gestor for the ticked rows.
        context["selection_url"] = reverse("transfers:bulk",
                                           kwargs={"project": request.project.slug})
    template = "clients/tray/tray.html" if is_partial(request) else "clients/client_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def client_bulk_create(request):
    """Crear → Crear cliente masivo: the one import path (Ajustes → Integraciones), clients chosen."""
    url = reverse("integrations:upload", kwargs={"project": request.project.slug})
    return redirect(f"{url}?que=clients")


urlpatterns = [
    path("clientes/", client_list, name="list"),
    path("clientes/crear-masivo/", client_bulk_create, name="import"),
    *list_view_patterns(CLIENTS, prefix="clientes/", download_task=export_clients_task, names={
        "columns": "tray_columns",
        "view_create": "saved_view_create",
        "view_delete": "saved_view_delete",
        "download": "download",
    }),
]
