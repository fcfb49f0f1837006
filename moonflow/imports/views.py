"""Ajustes → Integraciones: upload a file, map its columns, read the preview, confirm.

Crear cliente masivo (clients tray) lands on the same upload, with clients chosen.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from moonflow.dialogs import is_htmx
from moonflow.jobs.models import IMPORT_KINDS, JobStatus, ProcessJob
from moonflow.tenancy.models import Member, Role

from . import engine
from .guards import deletes_need_confirmation
from .table_views import urlpatterns as table_urls
from .forms import MappingForm, SftpSourceForm, UploadForm
from .mapping import IGNORED
from .model_report import model_report
from .reading import ImportFileError
from .registry import get_importer, importers
from .services import (
    ImportRefused,
    import_cancel,
    import_confirm,
    import_map,
    import_start,
    sftp_source_save,
)


def import_access(view):
    def wrapper(request, *args, **kwargs):
        if not request.member.may_import:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _job(request, pk) -> ProcessJob:
    job = (ProcessJob.objects.filter(project=request.project, pk=pk, kind__in=IMPORT_KINDS)
           .select_related("requested_by__user").first())
    if job is None:
        raise Http404("No such import")
    return job


def _advisers(project):
    return list(Member.objects.filter(project=project, is_active=True, role=Role.ADVISER)
                .select_related("user").order_by("user__first_name", "user__last_name", "id"))


@require_GET
@import_access
def index(request):
    recent = (ProcessJob.objects.filter(project=request.project, kind__in=IMPORT_KINDS)
              .select_related("requested_by__user").order_by("-created_at", "-id")[:10])
    from .models import SftpSource

    sources = SftpSource.objects.filter(project=request.project).select_related("template")
    return render(request, "imports/index.html", {
        "importers": importers(), "recent": recent, "sources": sources, "section": "settings"})


@require_http_methods(["GET", "POST"])
@import_access
def upload(request):
    available = importers()
    entity = request.GET.get("que") or request.POST.get("entity") or available[0].entity
    form = UploadForm(request.POST or None, request.FILES or None, importers=available,
                      advisers=_advisers(request.project), initial={"entity": entity})
    if request.method == "POST" and form.is_valid():
        importer = get_importer(form.cleaned_data["entity"])
        try:
            job = import_start(
                member=request.member, importer=importer, upload=form.cleaned_data["file"],
                mode=form.cleaned_data["mode"], scope_adviser_id=form.scope_adviser_id(),
                all_or_nothing=form.cleaned_data["all_or_nothing"],
                transfer_mode=form.cleaned_data["transfer_mode"])
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("integrations:mapping", project=request.project.slug, pk=job.pk)
    # Reached from a tray's Crear (?que=…): its own model report is one click away.
    chosen = next((i for i in available if i.entity == request.GET.get("que")), None)
    return render(request, "imports/upload.html",
                  {"form": form, "chosen": chosen, "section": "settings"})


@require_http_methods(["GET", "POST"])
@import_access
def mapping(request, pk):
    job = _job(request, pk)
    phase = job.options.get("phase")
    reading = phase == engine.READ or (job.status == JobStatus.FAILED and phase == engine.MAPPING
                                       and not job.mapping)
    if request.GET.get("leyendo") and not reading:
        response = HttpResponse(status=204)  # read: the poller loads the mapping page
        response["HX-Redirect"] = request.path
        return response
    if reading:
        template = "imports/_reading.html" if is_htmx(request) else "imports/reading.html"
        return render(request, template, {"job": job, "section": "settings"})
    if phase != engine.MAPPING:
        return redirect("integrations:detail", project=request.project.slug, pk=job.pk)
    importer = get_importer(job.options["entity"])
    fields = importer.fields(request.project)
    headers = job.options.get("headers") or []
    form = MappingForm(request.POST or None, headers=headers, fields=fields, mapping=job.mapping,
                       defaults=job.options.get("defaults"))
    if request.method == "POST" and not is_htmx(request) and form.is_valid():
        try:
            import_map(job=job, member=request.member, mapping=form.mapping(),
                       defaults=form.defaults(),
                       template_name=form.cleaned_data.get("template_name", "").strip())
        except ImportRefused as refusal:
            messages.error(request, str(refusal))
        return redirect("integrations:detail", project=request.project.slug, pk=job.pk)
    if form.is_bound:
        current = _posted_mapping(request, headers)
        defaults = {key: request.POST.get(name, "") for name, key in form.default_keys
                    if request.POST.get(name) and key not in current.values()}
    else:
        current, defaults = job.mapping, job.options.get("defaults") or {}
    context = {"job": job, "form": form, "preview": _preview(job, importer, current, defaults),
               "headers": headers, "section": "settings"}
    if is_htmx(request):
        return render(request, "imports/_mapping_preview.html", context)
    return render(request, "imports/mapping.html", context)


def _posted_mapping(request, headers) -> dict:
    return {header: request.POST.get(f"col_{index}", IGNORED)
            for index, header in enumerate(headers)}


def _preview(job, importer, mapping: dict, defaults: dict) -> list[dict]:
    """The sample rows, each cell marked with its error under this mapping."""
    context = importer.context(job)
    importer.for_file(context, decimal_mark=job.options.get("decimal_mark"))
    headers = job.options.get("headers") or []
    rows = []
    for sample in job.options.get("sample") or []:
        values = sample["values"]
        raw = {target: values.get(header, "") for header, target in mapping.items() if target}
        outcome = importer.clean({**defaults, **{k: v for k, v in raw.items() if v != ""}},
                                 context)
        by_header = {}
        column_of = {target: header for header, target in mapping.items() if target}
        for error in outcome.errors:
            by_header.setdefault(column_of.get(error.field, ""), []).append(error.message)
        rows.append({"number": sample["number"], "cells": [
            {"value": values.get(h, ""), "errors": by_header.get(h, []),
             "ignored": not mapping.get(h)} for h in headers]})
    return rows


@require_GET
@import_access
def detail(request, pk):
    job = _job(request, pk)
    phase = job.options.get("phase")
    if phase in (engine.READ, engine.MAPPING) and not job.is_finished:
        # Still being read, or waiting for its mapping: that page says which.
        return redirect("integrations:mapping", project=request.project.slug, pk=job.pk)
    if phase == engine.WRITE or job.is_finished:
        if is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse("jobs:detail", kwargs={
                "project": request.project.slug, "pk": job.pk})
            return response
        return redirect("jobs:detail", project=request.project.slug, pk=job.pk)
    plan = job.options.get("plan") or {}
    context = {"job": job, "plan": plan, "importer": get_importer(job.options["entity"]),
               "needs_delete_confirmation": deletes_need_confirmation(job),
               "analyzing": phase == engine.ANALYZE, "section": "settings"}
    template = "imports/_preview.html" if is_htmx(request) else "imports/preview.html"
    return render(request, template, context)


@require_POST
@import_access
def confirm(request, pk):
    job = _job(request, pk)
    try:
        import_confirm(job=job, confirmed_deletes=request.POST.get("confirmed_deletes", ""))
    except ImportRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("integrations:detail", project=request.project.slug, pk=job.pk)
    return redirect("jobs:detail", project=request.project.slug, pk=job.pk)


@require_POST
@import_access
def cancel(request, pk):
    job = _job(request, pk)
    try:
        import_cancel(job=job)
    except ImportRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.info(request, _("Importación cancelada: no se escribió nada."))
    return redirect("integrations:index", project=request.project.slug)


@require_GET
@import_access
def model_file(request, entity):
    try:
        importer = get_importer(entity)
    except LookupError:
        raise Http404("No such importer") from None
    content = model_report(importer.fields(request.project), sheet=str(importer.label))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{importer.model_file_name}"'
    return response


def _source_form(request, source=None):
    from .models import MappingTemplate

    initial = {}
    if source is not None:
        initial = {name: getattr(source, name) for name in (
            "name", "entity", "host", "port", "username", "folder", "pattern", "mode",
            "every_minutes", "is_active", "transfer_mode")}
        initial["template"] = str(source.template_id or "")
        initial["scope"] = str(source.scope_adviser_id or "")
    return SftpSourceForm(
        request.POST or None, initial=initial, importers=importers(),
        advisers=_advisers(request.project),
        templates=MappingTemplate.objects.filter(project=request.project),
        has_secret=bool(source and (source.password_encrypted or source.private_key_encrypted)))


@require_http_methods(["GET", "POST"])
@import_access
def sftp_source(request, pk=None):
    """Nueva fuente SFTP / Editar: host, user, secret (never shown again), folder, pattern,
    template, mode, scope, schedule."""
    from .models import SftpSource

    source = None
    if pk is not None:
        source = SftpSource.objects.filter(project=request.project, pk=pk).first()
        if source is None:
            raise Http404("No such source")
    form = _source_form(request, source)
    if request.method == "POST" and form.is_valid():
        from django.db import IntegrityError

        try:
            source = sftp_source_save(project=request.project, source=source,
                                      data=form.cleaned_data)
        except IntegrityError:
            form.add_error("name", _("Ya existe una fuente con ese nombre."))
        else:
            messages.success(request, _("Fuente SFTP «%(name)s» guardada.") % {
                "name": source.name})
            return redirect("integrations:index", project=request.project.slug)
    return render(request, "imports/sftp_form.html",
                  {"form": form, "source": source, "section": "settings"})


@require_POST
@import_access
def sftp_check(request, pk):
    """Probar conexión."""
    from .models import SftpSource
    from .sftp import check_connection

    source = SftpSource.objects.filter(project=request.project, pk=pk).first()
    if source is None:
        raise Http404("No such source")
    ok, message = check_connection(source)
    (messages.success if ok else messages.error)(request, message)
    return redirect("integrations:index", project=request.project.slug)


app_name = "integrations"

urlpatterns = [
    path("", index, name="index"),
    path("importar/", upload, name="upload"),
    path("reporte-modelo/<slug:entity>/", model_file, name="model_file"),
    path("importaciones/<int:pk>/", detail, name="detail"),
    path("importaciones/<int:pk>/mapeo/", mapping, name="mapping"),
    path("importaciones/<int:pk>/confirmar/", confirm, name="confirm"),
    path("importaciones/<int:pk>/cancelar/", cancel, name="cancel"),
    path("sftp/nueva/", sftp_source, name="sftp_create"),
    path("sftp/<int:pk>/", sftp_source, name="sftp_edit"),
    path("sftp/<int:pk>/probar/", sftp_check, name="sftp_check"),
    *table_urls,
]
