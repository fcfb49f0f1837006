"""Ajustes → Usuarios → Descargar: the members spreadsheet, made in the background."""

from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from moonflow.jobs.announce import announce_job
from moonflow.jobs.models import JobKind
from moonflow.jobs.services import job_create
from moonflow.tenancy.decorators import admin_required

from .tasks import export_members


@admin_required
@require_POST
def member_export(request):
    job = job_create(member=request.member, kind=JobKind.MEMBER_EXPORT, task=export_members)
    announce_job(request, job, _("Descarga programada: la verás en el Log de procesos"))
    return redirect("jobs:detail", project=request.project.slug, pk=job.pk)
