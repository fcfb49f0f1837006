"""Creating jobs, reading notifications and purging old job files."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from .models import JobKind, Notification, ProcessJob

logger = logging.getLogger(__name__)


def job_create(
    *,
    member,
    kind: str,
    task,
    title: str = "",
    options: dict | None = None,
    mapping: dict | None = None,
    input_file: File | None = None,
    input_name: str = "",
) -> ProcessJob:
    """Record a queued job and hand it to `task` once the transaction commits.

    The task receives only the job id; if the transaction rolls back, no task
    is ever sent, so a worker never looks for a job that does not exist.
    """
    if kind not in JobKind.values:
        raise ValueError(f"Unknown job kind: {kind!r}")
    with transaction.atomic():
        job = ProcessJob.objects.create(
            project=member.project,
            requested_by=member,
            kind=kind,
            title=title,
            options=options or {},
            mapping=mapping or {},
            input_name=input_name or (input_file.name if input_file else ""),
        )
        if input_file is not None:
            # upload_to uses the pk, so the file is stored once the row exists.
            job.input_file.save(input_name or input_file.name, input_file, save=False)
            job.save(update_fields=["input_file"])
        job_id = job.pk
        # robust: the request has committed the job; a broker outage is logged
        # (the job stays "En cola") instead of turning the answer into an error.
        transaction.on_commit(lambda: task.delay(job_id), robust=True)
    return job


def notifications_mark_read(*, member, job=None) -> int:
    """Mark the member's unread notifications as read (only those of `job` if given)."""
    unread = Notification.objects.filter(
        project=member.project, member=member, read_at__isnull=True
    )
    if job is not None:
        unread = unread.filter(job=job)
    return unread.update(read_at=timezone.now())


def files_expiry_from(now):
    return now + timedelta(days=settings.JOB_FILE_RETENTION_DAYS)


def job_files_purge(*, now=None) -> int:
    """Delete input, result and error files whose retention ended; returns jobs purged.

    The file names stay on the job, so its page can say which files existed
    and that they are no longer available.
    """
    now = now or timezone.now()
    purged = 0
    expired = ProcessJob.objects.filter(files_purged=False, files_expire_at__lte=now).only(
        "pk", "project_id", "input_file", "result_file", "error_file"
    )
    for job in expired.iterator(chunk_size=200):
        for field in (job.result_file, job.error_file, job.input_file):
            if field:
                # Deleting a file that is already gone is not an error, so a
                # purge interrupted here simply runs again.
                field.storage.delete(field.name)
        ProcessJob.objects.filter(pk=job.pk).update(files_purged=True)
        purged += 1
    if purged:
        logger.info("Purged the files of %s expired jobs", purged)
    return purged
