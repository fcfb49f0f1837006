"""The dialogs every list has: Agregar/quitar columnas, Guardar vista, delete a saved
view, and Descargar.

`list_view_patterns(spec, prefix=…, names=…)` gives a list these URLs; the
views only validate input and call the list services.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from moonflow.jobs.announce import announce_job

from .columns import always_shown_note, columns_for_params
from .downloads import request_download
from .exports import CSV, XLSX
from .params import PAGE_PARAM, VIEW_PARAM, saved_query
from .selectors import get_saved_view_for_member
from .services import saved_view_create, saved_view_delete, tray_columns_set


def is_partial(request) -> bool:
    """An htmx request for a part of the page (a history restore wants the whole page)."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def _list_url(request, spec) -> str:
    return reverse(spec.list_url_name, kwargs={"project": request.project.slug})


def _next_url(request, spec, *, drop_view: str | None = None) -> str:
    """A page of the project to go back to (from `next`), without the page cursor."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    list_url = _list_url(request, spec)
    if not candidate or not url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return list_url
    base, _sep, query = candidate.partition("?")
    if not base.startswith(f"/p/{request.project.slug}/"):
        # Back to a page of this project only (a list may show on several pages:
        # Órdenes de pago for every client, or for one).
        return list_url
    params = QueryDict(query, mutable=True)
    params.pop(PAGE_PARAM, None)
    if drop_view is not None and params.get(VIEW_PARAM) in (drop_view, "*"):
        params.pop(VIEW_PARAM, None)
    encoded = params.urlencode()
    return f"{base}?{encoded}" if encoded else base


def _go(request, url: str):
    """After a dialog's POST: htmx reloads the page at `url`; a plain form is redirected."""
    if request.headers.get("HX-Request") == "true":
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


def _dialog(request, spec, template: str, context: dict, *, status: int = 200):
    context = {"section": spec.section, "partial": is_partial(request), **context}
    return render(request, template, context, status=status)


def columns_dialog(request, spec):
    """Agregar/quitar columnas: the member's columns, remembered for the next visit."""
    member = request.member
    columns = spec.columns(member)
    if request.method == "POST":
        known = {c.key for c in columns}
        keys = [] if "restablecer" in request.POST else [
            k for k in request.POST.getlist("columnas") if k in known
        ]
        tray_columns_set(member=member, tray=spec.tray, columns=keys)
        return _go(request, _next_url(request, spec, drop_view="*"))
    params = QueryDict(request.GET.get("next", "").partition("?")[2])
    chosen = {c.key for c in columns_for_params(member, spec.tray, params, columns)}
    return _dialog(request, spec, "partials/tray/columns_dialog.html", {
        "title": _("Agregar/quitar columnas"),
        "form_action": reverse(spec.columns_url_name, kwargs={"project": request.project.slug}),
        "columns": columns,
        "chosen": chosen,
        "always_shown": always_shown_note(columns),
        "next": _next_url(request, spec),
        "back_url": _next_url(request, spec),
    })


class SavedViewForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Nombre de la vista"), max_length=80)
    shared = forms.BooleanField(label=gettext_lazy("Compartida con el proyecto"), required=False)
    consulta = forms.CharField(required=False, widget=forms.HiddenInput, max_length=4000)
    vista = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({"class": "form-control", "autocomplete": "off"})


def saved_view_new(request, spec):
    """Guardar vista: the list's current filters, order and columns under a name."""
    member = request.member
    action = reverse(spec.view_create_url_name, kwargs={"project": request.project.slug})
    list_url = _list_url(request, spec)
    if request.method == "POST":
        form = SavedViewForm(request.POST)
        if form.is_valid():
            query = saved_query(QueryDict(form.cleaned_data["consulta"] or ""))
            lookup = QueryDict(mutable=True)
            if form.cleaned_data["vista"]:
                lookup[VIEW_PARAM] = form.cleaned_data["vista"]
            columns = [c.key for c in columns_for_params(member, spec.tray, lookup,
                                                         spec.columns(member))]
            try:
                view = saved_view_create(
                    member=member, tray=spec.tray, name=form.cleaned_data["name"],
                    query=query, columns=columns, shared=form.cleaned_data["shared"],
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("Vista «%(name)s» guardada.") % {"name": view.name})
                url = f"{list_url}?{query}&{VIEW_PARAM}={view.pk}" if query else (
                    f"{list_url}?{VIEW_PARAM}={view.pk}"
                )
                return _go(request, url)
        status = 200 if is_partial(request) else 400
    else:
        form = SavedViewForm(initial={
            "consulta": request.GET.get("consulta", ""),
            "vista": request.GET.get(VIEW_PARAM, ""),
        })
        status = 200
    return _dialog(request, spec, "partials/tray/saved_view_dialog.html", {
        "title": _("Guardar vista"),
        "form": form,
        "form_action": action,
        "back_url": list_url,
    }, status=status)


def saved_view_remove(request, spec, pk):
    """Delete one of the member's own saved views (a shared one of someone else: 403)."""
    view = get_saved_view_for_member(request.member, pk, tray=spec.tray)
    saved_view_delete(member=request.member, view=view)
    return _go(request, _next_url(request, spec, drop_view=str(pk)))


FORMAT_CHOICES = [
    (XLSX, gettext_lazy("Excel (XLSX)")),
    (CSV, gettext_lazy("CSV (separado por punto y coma)")),
]


class DownloadForm(forms.Form):
    formato = forms.ChoiceField(
        label=gettext_lazy("Formato"), choices=FORMAT_CHOICES, widget=forms.RadioSelect
    )
    query = forms.CharField(required=False, widget=forms.HiddenInput, max_length=4000)
    vista = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)


def _list_state(request) -> tuple[str, str]:
    """(query string, saved view id) of the list being downloaded.

    The list posts its state in `query` (and `vista`); the dialog may also be
    opened with the list's own query string.
    """
    data = request.POST if request.method == "POST" else request.GET
    if "query" in data:
        params = QueryDict(data["query"].lstrip("?"), mutable=True)
    else:
        params = request.GET.copy()
    view_id = data.get(VIEW_PARAM) or params.get(VIEW_PARAM) or ""
    return saved_query(params), view_id


def download_dialog(request, spec, *, task):
    """GET (or the list's POST without a format): the dialog. POST with a format: the job.

    The list's filters, search and order travel with the request; the columns
    are those on screen (the saved view's, else the member's). The job reads
    the rows when it runs, through the same list query as the page.
    """
    member = request.member
    query, view_id = _list_state(request)
    lookup = QueryDict(mutable=True)
    if view_id:
        lookup[VIEW_PARAM] = view_id
    columns = columns_for_params(member, spec.tray, lookup, spec.columns(member))
    status = 200
    if request.method == "POST" and "formato" in request.POST:
        form = DownloadForm(request.POST)
        if form.is_valid():
            job = request_download(spec, member=member, params=QueryDict(query),
                                   fmt=form.cleaned_data["formato"],
                                   columns=[c.key for c in columns], task=task)
            announce_job(request, job, _("Descarga programada. Recibirás un correo y la "
                                         "encontrarás en el Log de procesos."))
            return _go(request, reverse("jobs:detail", kwargs={"project": request.project.slug,
                                                               "pk": job.pk}))
        status = 400
    else:
        form = DownloadForm(initial={"formato": XLSX, "query": query, "vista": view_id})
    list_url = _list_url(request, spec)
    return _dialog(request, spec, "partials/tray/download_dialog.html", {
        "title": spec.download_dialog_title,
        "intro": spec.download_intro,
        "form": form,
        "form_action": reverse(spec.download_url_name, kwargs={"project": request.project.slug}),
        "columns": columns,
        "back_url": f"{list_url}?{query}" if query else list_url,
    }, status=status)


def list_view_patterns(spec, *, prefix: str, names: dict[str, str], download_task=None) -> list:
    """The URLs of a list's dialogs. `names`: "columns", "view_create", "view_delete" and,
    with a `download_task`, "download" → URL names."""

    @require_http_methods(["GET", "POST"])
    def columns(request):
        return columns_dialog(request, spec)

    @require_http_methods(["GET", "POST"])
    def view_create(request):
        return saved_view_new(request, spec)

    @require_POST
    def view_delete(request, pk):
        return saved_view_remove(request, spec, pk)

    @require_http_methods(["GET", "POST"])
    def download(request):
        return download_dialog(request, spec, task=download_task)

    patterns = [
        path(f"{prefix}columnas/", columns, name=names["columns"]),
        path(f"{prefix}vistas/nueva/", view_create, name=names["view_create"]),
        path(f"{prefix}vistas/<int:pk>/eliminar/", view_delete, name=names["view_delete"]),
    ]
    if download_task is not None:
        patterns.append(path(f"{prefix}descargar/", download, name=names["download"]))
    return patterns
