"""The jobs recorded in the database are the truth; the broker only carries them.

A message can be lost: the broker was down when the job was created, Redis
restarted without its data, a worker was killed in the middle of a job.
`sweep_jobs` runs every minute (Celery beat) and sends again:

- queued jobs never handed to the broker, or handed to it long ago
  (JOB_REQUEUE_AFTER_SECONDS) without being started;
- running jobs whose heartbeat is stale (their worker died), unless they
  already used JOB_MAX_ATTEMPTS claims: those end as failed, with a message.

Sending a job twice is harmless: the claim (a conditional UPDATE) lets one
delivery run it, and the others find it taken or finished. Queued jobs that
nobody started within JOB_QUEUED_EXPIRE_HOURS end as failed.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .models import JobStatus, ProcessJob
from .runner import (
    give_up_if_exhausted,
    job_message,
    notify_requester,
    stale_after,
    stored_message,
)
from .services import files_expiry_from, job_enqueue

logger = logging.getLogger(__name__)


@dataclass
class Sweep:
    resent: int = 0
    given_up: int = 0
    expired: int = 0


def sweep_jobs(*, now=None) -> Sweep:
    now = now or timezone.now()
    sweep = Sweep()
    requeue_before = now - timedelta(seconds=settings.JOB_REQUEUE_AFTER_SECONDS)

    stale = ProcessJob.objects.filter(
        status=JobStatus.RUNNING, heartbeat_at__lt=now - stale_after()
    )
    exhausted = stale.filter(attempts__gte=settings.JOB_MAX_ATTEMPTS)
    for job_id in exhausted.values_list("pk", flat=True):
        if give_up_if_exhausted(job_id):
            sweep.given_up += 1
    # Not sent again since it went stale, or sent long ago.
    abandoned = stale.filter(attempts__lt=settings.JOB_MAX_ATTEMPTS).filter(
        Q(enqueued_at__isnull=True)
        | Q(enqueued_at__lt=F("heartbeat_at"))
        | Q(enqueued_at__lt=requeue_before)
    )
    for job_id, task_name in abandoned.values_list("pk", "task_name"):
        if _send(job_id, task_name):
            sweep.resent += 1

    sweep.expired = _expire_queued(now)

    grace = now - timedelta(seconds=settings.JOB_ENQUEUE_GRACE_SECONDS)
    unsent = ProcessJob.objects.filter(status=JobStatus.QUEUED).filter(
        Q(enqueued_at__isnull=True, created_at__lt=grace) | Q(enqueued_at__lt=requeue_before)
    )
    for job_id, task_name in unsent.values_list("pk", "task_name"):
        if _send(job_id, task_name):
            sweep.resent += 1
    if sweep.resent or sweep.given_up or sweep.expired:
        logger.info("Job sweep: %s sent again, %s given up, %s expired",
                    sweep.resent, sweep.given_up, sweep.expired)
    return sweep


def _send(job_id: int, task_name: str) -> bool:
    if not task_name:
        logger.error("Job %s has no task to send it to", job_id)
        return False
    return job_enqueue(job_id, task_name)


def _expire_queued(now) -> int:
    """Queued jobs nobody could start in time end as failed (each notified once)."""
    limit = now - timedelta(hours=settings.JOB_QUEUED_EXPIRE_HOURS)
    expired = 0
    for job in ProcessJob.objects.filter(status=JobStatus.QUEUED, created_at__lt=limit).select_related(
        "project", "requested_by__user"
    ):
        message, translations = stored_message(job_message(
            gettext_lazy(
                "El proceso no pudo iniciarse en %(hours)s horas y se canceló. Vuelve a "
                "lanzarlo; si se repite, contacta a soporte indicando el proceso #%(id)s."
            ),
            hours=settings.JOB_QUEUED_EXPIRE_HOURS, id=str(job.pk),
        ))
        updated = ProcessJob.objects.filter(
            project_id=job.project_id, pk=job.pk, status=JobStatus.QUEUED
        ).update(
            status=JobStatus.FAILED, message=message, message_translations=translations,
            finished_at=now, files_expire_at=files_expiry_from(now),
        )
        if updated:
            job.status, job.message = JobStatus.FAILED, message
            job.message_translations = translations
            notify_requester(job)
            expired += 1
    return expired
