"""The Celery tasks of imports (queue "imports"): every import job, and the SFTP poll."""

from celery import shared_task

from moonflow.jobs.models import JobStatus
from moonflow.jobs.runner import AWAIT_USER, job_task

from .engine import run_import
from .registry import get_importer
from .services import IMPORT_TASK


@job_task(IMPORT_TASK)
def import_task(run):
    from . import sftp

    from_sftp = bool(run.job.options.get("sftp_source_id"))
    try:
        result = run_import(run, get_importer(run.job.options.get("entity", "")))
    except Exception:
        if from_sftp:
            run.job.status = JobStatus.FAILED
            sftp.after_import(run.job)
        raise
    if from_sftp and result is not AWAIT_USER:
        sftp.after_import(run.job)
    return result


@shared_task(name="moonflow.imports.tasks.poll_sftp_sources")
def poll_sftp_sources() -> int:
    """Every minute: poll each active SFTP source whose schedule is due."""
    from . import sftp

    started = 0
    for source in sftp.due_sources():
        started += len(sftp.poll(source))
    return started
