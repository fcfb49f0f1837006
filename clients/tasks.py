"""Background work on clients."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from celery import shared_task
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from moonflow.jobs.models import JobKind, ProcessJob
from moonflow.jobs.runner import job_message, job_task
from moonflow.jobs.services import job_create
from moonflow.tenancy.models import Project

from .lists import export_clients_task  # noqa: F401  (registers the download tasks)
from .order_lists import export_payment_orders_task  # noqa: F401
from .models import Client
from .recycle_bin import expired_in_bin, purge_job
from .situation import project_today, recompute_situations


@job_task("clients.tasks.recompute_project_situations")
def recompute_project_situations(run):
    """One set-based UPDATE over the project's clients (dates move every night)."""
    project = run.project
    total = Client.objects.filter(project=project).count()
    run.set_total(total)
    changed = recompute_situations(project=project)
    run.progress(total, force=True, read=total, updated=changed)
    return job_message(
        gettext_lazy("Situaciones recalculadas al %(today)s: %(changed)s clientes cambiaron."),
        today=project_today(project).strftime("%d/%m/%Y"),
        changed=changed,
    )


def _recomputed_today(project) -> bool:
    """Whether this project's situations were already recomputed since its local midnight."""
    local_midnight = datetime.combine(
        project_today(project), time.min, tzinfo=ZoneInfo(project.timezone)
    )
    return ProcessJob.objects.filter(
        project=project, kind=JobKind.SITUATION_RECOMPUTE, created_at__gte=local_midnight
    ).exists()


@job_task("clients.tasks.purge_project_recycle_bin")
def purge_project_recycle_bin(run):
    """Delete for good the project's clients that spent their days in the Papelera."""
    return purge_job(run)


@shared_task(name="clients.tasks.purge_recycle_bins")
def purge_recycle_bins() -> int:
    """Nightly: a purge job (in the Log de procesos, with its count) for each project whose
    Papelera holds clients past their days."""
    started = 0
    for project in Project.objects.all().iterator():
        if not expired_in_bin(project).exists():
            continue
        job_create(project=project, kind=JobKind.RECYCLE_BIN_PURGE,
                   task=purge_project_recycle_bin, title=_("Vaciado nocturno de la papelera"))
        started += 1
    return started


@shared_task(name="clients.tasks.recompute_all_situations")
def recompute_all_situations() -> int:
    """Hourly: start the nightly recomputation of every project whose day has turned.

    Projects live in different timezones, so each is recomputed once per local
    day, right after its own midnight; the job reports to the Log de procesos.
    """
    started = 0
    for project in Project.objects.all().iterator():
        if _recomputed_today(project):
            continue
        job_create(
            project=project,
            kind=JobKind.SITUATION_RECOMPUTE,
            task=recompute_project_situations,
            title=_("Recálculo nocturno de situaciones"),
        )
        started += 1
    return started
