"""Descargar (clients tray): ask for the format, queue the job, send the member to it.

The tray's query string (filters, search and order) and its saved view (the
columns) travel with the request; the job reads the rows when it runs, through
the same selectors as the tray.
"""

from django import forms
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from moonflow.jobs.announce import announce_job

from moonflow.lists.exports import CSV, XLSX

from ..columns import columns_for_params
from ..lists import client_export_request

FORMAT_CHOICES = [
    (XLSX, gettext_lazy("Excel (XLSX)")),
    (CSV, gettext_lazy("CSV (separado por punto y coma)")),
]

# Parameters that are not the tray's filters, search or order.
_NOT_STATE = ("pagina", "por_pagina", "vista", "formato", "query", "csrfmiddlewaretoken")


class DownloadForm(forms.Form):
    formato = forms.ChoiceField(
        label=gettext_lazy("Formato"), choices=FORMAT_CHOICES, widget=forms.RadioSelect
    )
    query = forms.CharField(required=False, widget=forms.HiddenInput, max_length=4000)
    vista = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)


def _tray_state(request) -> tuple[str, str]:
    """(query string, saved view id) of the tray being downloaded.

    The tray posts its state in `query` (and `vista`); the dialog may also be
    opened with the tray's own query string.
    """
    data = request.POST if request.method == "POST" else request.GET
    if "query" in data:
        params = QueryDict(data["query"].lstrip("?"), mutable=True)
    else:
        params = request.GET.copy()
    view_id = data.get("vista") or params.get("vista") or ""
    for key in _NOT_STATE:
        params.pop(key, None)
    return params.urlencode(), view_id


def _columns(member, view_id: str):
    """The columns on screen: the saved view's, else the member's own choice."""
    lookup = QueryDict(mutable=True)
    if view_id:
        lookup["vista"] = view_id
    return columns_for_params(member, lookup)


@require_http_methods(["GET", "POST"])
def client_download(request):
    """GET (or the tray's POST without a format): the dialog. POST with a format: the job."""
    member = request.member
    query, view_id = _tray_state(request)
    status = 200
    if request.method == "POST" and "formato" in request.POST:
        form = DownloadForm(request.POST)
        if form.is_valid():
            job = client_export_request(
                member=member,
                params=QueryDict(query),
                fmt=form.cleaned_data["formato"],
                columns=[c.key for c in _columns(member, view_id)],
            )
            announce_job(
                request,
                job,
                _("Descarga programada. Recibirás un correo y la encontrarás en el Log de procesos."),
            )
            url = reverse("jobs:detail", kwargs={"project": request.project.slug, "pk": job.pk})
            if request.headers.get("HX-Request") == "true":
                return HttpResponse(status=204, headers={"HX-Redirect": url})
            return redirect(url)
        status = 400
    else:
        form = DownloadForm(initial={"formato": XLSX, "query": query, "vista": view_id})
    list_url = reverse("clients:list", kwargs={"project": request.project.slug})
    context = {
        "section": "clients",
        "partial": request.headers.get("HX-Request") == "true"
        and not request.headers.get("HX-History-Restore-Request"),
        "title": _("Descargar clientes"),
        "form": form,
        "form_action": reverse("clients:download", kwargs={"project": request.project.slug}),
        "columns": _columns(member, view_id),
        "back_url": f"{list_url}?{query}" if query else list_url,
    }
    return render(request, "clients/download/dialog.html", context, status=status)


urlpatterns = [
    path("clientes/descargar/", client_download, name="download"),
]
