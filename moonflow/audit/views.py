"""Auditoría: a module's window (the AUDITORÍA button, e.g. Carteras) and Ajustes → Auditoría.

- `module_window` (GET /p/<project>/auditoria/<module>/, `audit:module`): opened by
  htmx into the opener page's dialog (#modal-content) it answers the dialog; its
  filters and pages, submitted inside the dialog, answer only the list
  (#audit-window); opened without htmx, the same window is a page.
- `module_download`: Descargar of the window's events (the Log de procesos).
- `project_log` (GET /p/<project>/ajustes/auditoria/, `audit:project`): every event of
  the project, admins only, a tray page with the same filters and Tipo de recurso;
  with its column picker, saved views and Descargar (the kernel's dialogs).

Who reads what is decided by moonflow.audit.selectors (403 for a member who may not;
404 for a module that does not exist).
"""

from urllib.parse import urlsplit

from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from moonflow.dialogs import htmx_redirect, is_htmx, is_partial
from moonflow.jobs.announce import announce_job
from moonflow.lists.columns import columns_for_params
from moonflow.lists.downloads import request_download
from moonflow.lists.exports import XLSX
from moonflow.lists.params import saved_query
from moonflow.lists.views import (
    DownloadForm,
    columns_dialog,
    download_dialog,
    saved_view_new,
    saved_view_remove,
)
from moonflow.tenancy.decorators import admin_required

from .lists import AUDIT, AUDIT_DOWNLOADS, MODULE_PARAM, AuditList, build_audit_list
from .selectors import get_module_for_member
from .tasks import export_audit_task

WINDOW_TARGET = "audit-window"  # the element a window's filters and pages replace


def _module_url(request, module) -> str:
    return reverse("audit:module", kwargs={"project": request.project.slug, "module": module.key})


@require_GET
def module_window(request, module):
    module = get_module_for_member(request.member, module)
    tray = build_audit_list(member=request.member, params=request.GET, module=module.key)
    url = _module_url(request, module)
    # Inside the opener page's dialog the address stays the opener's; as a page of its own,
    # the window's filters and pages go into the address.
    in_dialog = is_htmx(request) and urlsplit(request.headers.get("HX-Current-URL", "")).path != url
    context = {
        "tray": tray,
        "module": module,
        "title": _("Auditoría · %(module)s") % {"module": module.label},
        "list_url": url,
        "download_url": reverse("audit:module_download", kwargs={
            "project": request.project.slug, "module": module.key}),
        "push": not in_dialog,
        "section": "audit",
    }
    if is_partial(request) and request.headers.get("HX-Target") == WINDOW_TARGET:
        template = "audit/_window_list.html"
    elif is_partial(request):
        template = "audit/module_dialog.html"
    else:
        template = "audit/module_page.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@require_http_methods(["GET", "POST"])
def module_download(request, module):
    """The window's Descargar: its search and filters, the columns it shows, as a job."""
    module = get_module_for_member(request.member, module)
    spec = AuditList(module.key)
    data = request.POST if request.method == "POST" else request.GET
    query = saved_query(QueryDict(data.get("query", "").lstrip("?")))
    url = _module_url(request, module)
    status = 200
    if request.method == "POST" and "formato" in request.POST:
        form = DownloadForm(request.POST)
        if form.is_valid():
            params = QueryDict(query, mutable=True)
            params[MODULE_PARAM] = module.key
            columns = columns_for_params(request.member, spec.tray, QueryDict(),
                                         spec.columns(request.member))
            job = request_download(AUDIT_DOWNLOADS, member=request.member, params=params,
                                   fmt=form.cleaned_data["formato"],
                                   columns=[c.key for c in columns], task=export_audit_task)
            announce_job(request, job, _("Descarga programada. Recibirás un correo y la "
                                         "encontrarás en el Log de procesos."))
            return htmx_redirect(request, reverse("jobs:detail", kwargs={
                "project": request.project.slug, "pk": job.pk}))
        status = 400 if not is_htmx(request) else 200
    else:
        form = DownloadForm(initial={"formato": XLSX, "query": query})
    columns = columns_for_params(request.member, spec.tray, QueryDict(),
                                 spec.columns(request.member))
    return render(request, "partials/tray/download_dialog.html", {
        "partial": is_partial(request),
        "section": "audit",
        "title": _("Descargar auditoría · %(module)s") % {"module": module.label},
        "intro": spec.download_intro,
        "form": form,
        "form_action": reverse("audit:module_download", kwargs={
            "project": request.project.slug, "module": module.key}),
        "columns": columns,
        "back_url": f"{url}?{query}" if query else url,
    }, status=status)


@admin_required
@require_GET
def project_log(request):
    here = request.get_full_path()
    tray = build_audit_list(member=request.member, params=request.GET)
    template = "audit/_project_tray.html" if is_partial(request) else "audit/project_page.html"
    response = render(request, template, {
        "tray": tray,
        "here": here,
        "list_url": reverse("audit:project", kwargs={"project": request.project.slug}),
        "section": "settings",
        "tab": "audit",
    })
    patch_vary_headers(response, ["HX-Request"])
    return response


# The kernel's dialogs of Ajustes → Auditoría, for admins only.


@admin_required
@require_http_methods(["GET", "POST"])
def columns(request):
    return columns_dialog(request, AUDIT)


@admin_required
@require_http_methods(["GET", "POST"])
def view_create(request):
    return saved_view_new(request, AUDIT)


@admin_required
@require_POST
def view_delete(request, pk):
    return saved_view_remove(request, AUDIT, pk)


@admin_required
@require_http_methods(["GET", "POST"])
def download(request):
    return download_dialog(request, AUDIT, task=export_audit_task)
