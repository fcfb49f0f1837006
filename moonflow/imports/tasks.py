"""The one Celery task of every import (queue "imports")."""

from moonflow.jobs.runner import job_task

from .engine import run_import
from .registry import get_importer


@job_task("moonflow.imports.tasks.run_import")
def import_task(run):
    return run_import(run, get_importer(run.job.options.get("entity", "")))
