"""Descargar of the Auditoría lists: one job for a module's window and for Ajustes → Auditoría.

The job checks again, when it runs, that whoever asked may still read those events
(a module's window: its `may_open`; the project's log: admins), then writes the file
through the list kernel (moonflow.lists.downloads.run_download), which audits the
download as an "Exportado" event of resource type "audit_export".
"""

from django.utils.translation import gettext_lazy

from moonflow.jobs.runner import JobFailed, job_task
from moonflow.lists.downloads import run_download
from moonflow.lists.exports import options_to_params

from .lists import AUDIT_DOWNLOADS
from .selectors import may_open_module, may_read_project_log


def _may_still_read(run) -> bool:
    member = run.member
    if member is None or not member.is_active or member.project_id != run.job.project_id:
        return False
    params = options_to_params((run.job.options or {}).get("params") or {})
    module = AUDIT_DOWNLOADS.module_of(params)
    return may_open_module(member, module) if module else may_read_project_log(member)


# Routed to the "exports" queue by its name (CELERY_TASK_ROUTES "*.tasks.export_*").
@job_task("moonflow.audit.tasks.export_audit")
def export_audit_task(run):
    if not _may_still_read(run):
        raise JobFailed(gettext_lazy("Quien pidió la descarga ya no puede ver esta auditoría."))
    return run_download(AUDIT_DOWNLOADS, run)
