"""Ajustes → Segmentos, Variables adicionales, Equipos: Exportar, and Importar with a preview."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from moonflow.forms import BootstrapFormMixin
from moonflow.jobs.models import JobKind, JobStatus, ProcessJob
from moonflow.tenancy.decorators import admin_required

from .reading import ImportFileError
from .tables import export_table, get_table, table_confirm, table_run, table_start


class TableUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=gettext_lazy("Archivo"), allow_empty_file=True,
                           help_text=gettext_lazy("XLSX, XLS, ODS o CSV: por ejemplo, el que "
                                                  "descarga con Exportar."))


def _table(key):
    try:
        return get_table(key)
    except LookupError:
        raise Http404("No such table") from None


def _job(request, pk) -> ProcessJob:
    job = ProcessJob.objects.filter(project=request.project, pk=pk,
                                    kind=JobKind.SETTINGS_IMPORT).first()
    if job is None:
        raise Http404("No such import")
    return job


@require_GET
@admin_required
def table_export(request, table):
    spec = _table(table)
    content = export_table(spec, project=request.project, actor=request.user)
    return FileResponse(content, as_attachment=True, filename=spec.file_name)


@require_http_methods(["GET", "POST"])
@admin_required
def table_import(request, table):
    spec = _table(table)
    form = TableUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = table_start(spec, member=request.member, upload=form.cleaned_data["file"])
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("integrations:table_preview", project=request.project.slug, pk=job.pk)
    return render(request, "imports/table_upload.html",
                  {"form": form, "table": spec, "section": "settings"})


@require_GET
@admin_required
def table_preview(request, pk):
    job = _job(request, pk)
    if job.status != JobStatus.AWAITING:
        return redirect("jobs:detail", project=request.project.slug, pk=job.pk)
    spec = _table(job.options.get("table", ""))
    outcome = table_run(spec, job, dry_run=True)
    return render(request, "imports/table_preview.html",
                  {"job": job, "table": spec, "outcome": outcome, "section": "settings"})


@require_POST
@admin_required
def table_import_confirm(request, pk):
    job = _job(request, pk)
    spec = _table(job.options.get("table", ""))
    try:
        table_confirm(spec, job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("jobs:detail", project=request.project.slug, pk=job.pk)


urlpatterns = [
    path("tablas/<slug:table>/exportar/", table_export, name="table_export"),
    path("tablas/<slug:table>/importar/", table_import, name="table_import"),
    path("tablas/importaciones/<int:pk>/", table_preview, name="table_preview"),
    path("tablas/importaciones/<int:pk>/confirmar/", table_import_confirm,
         name="table_confirm"),
]
