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
    kind: str,
    task,
    member=None,
    project=None,
    title: str = "",
    options: dict | None = None,
    mapping: dict | None = None,
    input_file: File | None = None,
    input_name: str = "",
) -> ProcessJob:
    """Record a queued job and hand it to `task` once the transaction commits.

    The task receives only the job id; if the transaction rolls back, no task
    is ever sent, so a worker never looks for a job that does not exist. A job
    of the system (the nightly recomputation) has a project and no member.

    After the commit, `job.enqueued` says whether the broker took it (None while
    the commit is pending): when it did not, the job stays recorded and the
    sweeper sends it as soon as the broker answers again.
    """
    if kind not in JobKind.values:
        raise ValueError(f"Unknown job kind: {kind!r}")
    if member is None and project is None:
        raise ValueError("job_create needs a member or a project")
    with transaction.atomic():
        job = ProcessJob.objects.create(
            project=project or member.project,
            requested_by=member,
            kind=kind,
            title=title,
            options=options or {},
            mapping=mapping or {},
            input_name=input_name or (input_file.name if input_file else ""),
            task_name=task.name,
        )
        if input_file is not None:
            # upload_to uses the pk, so the file is stored once the row exists.
            job.input_file.save(input_name or input_file.name, input_file, save=False)
            job.save(update_fields=["input_file"])
        job.enqueued = None

        def send():
            job.enqueued = job_enqueue(job.pk, task.name)
            if job.enqueued:
                job.enqueued_at = timezone.now()

        transaction.on_commit(send)
    return job


def job_resume(job: ProcessJob, **fields) -> bool:
    """Queue again a job that waits for the user (AWAITING), with `fields` changed.

    Only a waiting job moves (two clicks on "Confirmar" queue it once); its
    attempts start again, since the next step is new work. Returns whether it moved.
    """
    from .models import JobStatus

    with transaction.atomic():
        moved = ProcessJob.objects.filter(
            project_id=job.project_id, pk=job.pk, status=JobStatus.AWAITING
        ).update(
            status=JobStatus.QUEUED, attempts=0, enqueued_at=None, heartbeat_at=None, **fields
        )
        if moved:
            transaction.on_commit(lambda: job_enqueue(job.pk, job.task_name))
    if moved:
        job.refresh_from_db()
    return bool(moved)


def job_enqueue(job_id: int, task_name: str) -> bool:
    """Hand a recorded job to the broker, in a few seconds at most; True if it took it.

    One attempt on a connection of its own with short socket timeouts
    (CELERY_BROKER_TRANSPORT_OPTIONS): a broker that is down or frozen costs
    the request a few seconds, not half a minute, and the job stays in the
    database for the sweeper. `enqueued_at` records the last hand-over.
    """
    from moonflow.celery import app

    try:
        # One connection attempt: kombu would otherwise retry for its whole connect timeout.
        with app.connection_for_write(transport_options={"max_retries": 0}) as conn:
            app.send_task(task_name, args=[job_id], connection=conn, retry=False)
    except Exception as exc:  # any broker failure: the sweeper sends it later
        logger.warning("Job %s could not be handed to the broker yet: %s", job_id, exc)
        return False
    ProcessJob.objects.filter(pk=job_id).update(enqueued_at=timezone.now())
    return True


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
        ProcessJob.objects.filter(project_id=job.project_id, pk=job.pk).update(files_purged=True)
        purged += 1
    if purged:
        logger.info("Purged the files of %s expired jobs", purged)
    return purged
