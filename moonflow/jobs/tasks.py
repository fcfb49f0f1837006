from celery import shared_task

from .services import job_files_purge


@shared_task(name="moonflow.jobs.tasks.purge_expired_files")
def purge_expired_files() -> int:
    """Nightly: result and error files are kept for JOB_FILE_RETENTION_DAYS."""
    return job_files_purge()


@shared_task(name="moonflow.jobs.tasks.sweep_jobs")
def sweep_jobs() -> dict:
    """Every minute: send again the jobs whose message was lost (see sweeper.py)."""
    from .sweeper import sweep_jobs as sweep

    return vars(sweep())
