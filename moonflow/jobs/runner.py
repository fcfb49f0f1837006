"""Running a ProcessJob inside a Celery task.

A job is claimed with a conditional UPDATE, so two deliveries of the same task
(a retry, a redelivery after a worker died) never run it side by side, and a
finished job is never run again. The claim stamps `started_at`, which then
works as the run's lease: every later write of the run is conditional on it,
so a run whose job was taken over by another worker stops at its next write
instead of overwriting the newer run.

While the body runs, a background thread refreshes `heartbeat_at`, so a job
whose heartbeat is stale belongs to a worker that died: it can be claimed
again, and the job body (set-based upserts keyed on external ids) runs again
from the start without duplicating anything.
"""

import functools
import logging
import threading
import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import COUNT_FIELDS, JobStatus, Notification, ProcessJob
from .services import files_expiry_from

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=3)
HEARTBEAT_EVERY_SECONDS = 30
PROGRESS_EVERY_SECONDS = 0.5


class JobFailed(Exception):
    """Raised by a job body to fail with a message meant for the user."""


class JobLost(Exception):
    """The job was claimed by another run (this one was presumed dead): stop quietly."""


def claim_job(job_id: int) -> ProcessJob | None:
    """Take a queued job, or a running one whose worker stopped beating; None otherwise.

    Counts restart from zero: a re-claimed job runs its body again from the start.
    """
    now = timezone.now()
    claimable = Q(status=JobStatus.QUEUED) | Q(
        status=JobStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER
    )
    claimed = ProcessJob.objects.filter(claimable, pk=job_id).update(
        status=JobStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        done=0,
        message="",
        **{name: 0 for name in COUNT_FIELDS},
    )
    if claimed != 1:
        return None
    return ProcessJob.objects.select_related("project", "requested_by__user").get(pk=job_id)


class _Heartbeat(threading.Thread):
    """Refreshes heartbeat_at while a long step (one big SQL statement) runs."""

    def __init__(self, job_id: int, lease):
        super().__init__(name=f"job-{job_id}-heartbeat", daemon=True)
        self.job_id = job_id
        self.lease = lease
        self.stopped = threading.Event()

    def run(self):
        try:
            while not self.stopped.wait(HEARTBEAT_EVERY_SECONDS):
                ProcessJob.objects.filter(
                    pk=self.job_id, status=JobStatus.RUNNING, started_at=self.lease
                ).update(heartbeat_at=timezone.now())
        except Exception:  # a missed beat only makes the job look stale sooner
            logger.exception("Heartbeat of job %s failed", self.job_id)
        finally:
            connection.close()  # this thread's own connection

    def stop(self):
        self.stopped.set()
        self.join(timeout=5)


class JobRun:
    """What a job body uses to report progress, counts and files."""

    def __init__(self, job: ProcessJob):
        self.job = job
        self.lease = job.started_at
        self._last_write = 0.0

    @property
    def project(self):
        return self.job.project

    @property
    def member(self):
        return self.job.requested_by

    def _update(self, **fields) -> None:
        """Write fields on this run's job, or stop if another run took it over."""
        updated = ProcessJob.objects.filter(
            pk=self.job.pk, status=JobStatus.RUNNING, started_at=self.lease
        ).update(**fields)
        if updated != 1:
            raise JobLost(f"Job {self.job.pk} is no longer held by this run")

    def set_total(self, total: int) -> None:
        self.job.total = total
        self._update(total=total, heartbeat_at=timezone.now())

    def progress(self, done: int, *, force: bool = False, **counts: int) -> None:
        """Record rows done and absolute counts; written at most twice a second."""
        unknown = set(counts) - set(COUNT_FIELDS)
        if unknown:
            raise TypeError(f"progress() got unknown counts: {sorted(unknown)}")
        self.job.done = done
        for name, value in counts.items():
            setattr(self.job, name, value)
        now = time.monotonic()
        if not force and now - self._last_write < PROGRESS_EVERY_SECONDS:
            return
        self._last_write = now
        self._update(
            done=done,
            heartbeat_at=timezone.now(),
            **{name: getattr(self.job, name) for name in COUNT_FIELDS},
        )

    def add_counts(self, **counts: int) -> None:
        for name, value in counts.items():
            setattr(self.job, name, getattr(self.job, name) + value)
        self._update(**{name: F(name) + value for name, value in counts.items()})

    def save_result(self, name: str, content: File | bytes) -> None:
        self._save_file("result_file", name, content)

    def save_errors(self, name: str, content: File | bytes) -> None:
        self._save_file("error_file", name, content)

    def _save_file(self, field: str, name: str, content) -> None:
        if isinstance(content, bytes):
            content = ContentFile(content)
        file_field = getattr(self.job, field)
        previous = file_field.name
        file_field.save(name, content, save=False)
        self._update(**{field: file_field.name})
        if previous and previous != file_field.name:
            # A re-run replaces the file of the run it took over.
            file_field.storage.delete(previous)

    def _finish(self, status: str, message: str) -> None:
        """Status, counts and the requester's notification commit together."""
        now = timezone.now()
        fields = {
            "status": status,
            "message": message,
            "finished_at": now,
            "heartbeat_at": now,
            "done": self.job.done,
            "files_expire_at": files_expiry_from(now),
            **{name: getattr(self.job, name) for name in COUNT_FIELDS},
        }
        with transaction.atomic():
            self._update(**fields)
            for name, value in fields.items():
                setattr(self.job, name, value)
            _notify(self.job)

    def succeed(self, message: str = "") -> None:
        status = JobStatus.PARTIAL if self.job.failed else JobStatus.SUCCEEDED
        self._finish(status, message)

    def fail(self, message: str) -> None:
        self._finish(JobStatus.FAILED, message)


def _notify(job: ProcessJob) -> None:
    """An in-app notification now, and an email once the finish commits."""
    member = job.requested_by
    if member is None:
        return
    text = _("%(job)s: %(status)s") % {
        "job": job.title or job.get_kind_display(),
        "status": job.get_status_display(),
    }
    Notification.objects.create(project=job.project, member=member, job=job, message=text)
    if not member.user.email:
        return
    url = settings.SITE_URL.rstrip("/") + reverse(
        "jobs:detail", kwargs={"project": job.project.slug, "pk": job.pk}
    )
    lines = [text, ""]
    if job.total is not None:
        lines.append(
            _("Filas procesadas: %(done)s de %(total)s") % {"done": job.done, "total": job.total}
        )
    else:
        lines.append(_("Filas procesadas: %(done)s") % {"done": job.done})
    lines += [
        f"{job._meta.get_field(name).verbose_name}: {getattr(job, name)}"
        for name in COUNT_FIELDS
        if getattr(job, name)
    ]
    if job.message:
        lines += ["", job.message]
    if job.result_file or job.error_file:
        lines += [
            "",
            _("Los archivos se pueden descargar durante %(days)s días.")
            % {"days": settings.JOB_FILE_RETENTION_DAYS},
        ]
    lines += ["", _("Ver en el Log de procesos: %(url)s") % {"url": url}]
    subject = f"Moonflow · {job.project.name} · {text}"
    body = "\n".join(lines)
    recipient = member.user.email

    def send():
        try:
            send_mail(subject, body, None, [recipient])
        except Exception:  # the job is done; a mail server outage must not undo it
            logger.exception("Could not send the notification email for job %s", job.pk)

    transaction.on_commit(send)


def _retry_delay(job_id: int) -> int | None:
    """Seconds until a job held by another run may be claimed; None if never.

    A redelivered message (its worker died, acks_late) finds the job running
    with a recent heartbeat: it must come back once that heartbeat is stale,
    or the job would stay "En proceso" forever.
    """
    job = ProcessJob.objects.filter(pk=job_id).only("status", "heartbeat_at").first()
    if job is None or job.status != JobStatus.RUNNING:
        return None
    beat = job.heartbeat_at or timezone.now()
    left = (beat + STALE_AFTER - timezone.now()).total_seconds()
    return max(5, int(left) + 5)


def job_task(name: str, **celery_options):
    """Turn `body(run: JobRun)` into an idempotent Celery task taking a job id.

    The body returns an optional message for the user; raising JobFailed ends
    the job as failed with that message.
    """

    def decorator(body):
        @shared_task(
            name=name,
            bind=True,
            acks_late=True,
            reject_on_worker_lost=True,
            max_retries=None,
            **celery_options,
        )
        @functools.wraps(body)
        def task(self, job_id: int):
            job = claim_job(job_id)
            if job is None:
                delay = _retry_delay(job_id)
                if delay is None:
                    logger.info("Job %s not claimed: it is finished or does not exist", job_id)
                    return
                logger.info("Job %s is running elsewhere; checking again in %s s", job_id, delay)
                raise self.retry(countdown=delay)
            run = JobRun(job)
            heartbeat = _Heartbeat(job.pk, run.lease)
            heartbeat.start()
            try:
                with translation.override(job.project.language or settings.LANGUAGE_CODE):
                    _run_body(body, run)
            except JobLost:
                logger.warning("Job %s was taken over by another run; this one stops", job_id)
            finally:
                heartbeat.stop()

        return task

    return decorator


def _run_body(body, run: JobRun) -> None:
    try:
        message = body(run) or ""
    except JobLost:
        raise
    except JobFailed as exc:
        run.fail(str(exc))
        return
    except Exception:
        logger.exception("Job %s failed", run.job.pk)
        run.fail(
            _("Error inesperado en el proceso #%(id)s. Vuelve a intentarlo; si se repite, "
              "contacta a soporte indicando este número.") % {"id": run.job.pk}
        )
        return
    run.succeed(message)
