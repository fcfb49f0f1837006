"""Running a ProcessJob inside a Celery task.

A job is claimed with a conditional UPDATE, so two deliveries of the same task
(a retry, a redelivery after a worker died, a copy sent again by the sweeper)
never run it side by side, and a finished job is never run again. The claim
stamps `started_at`, which then works as the run's lease: every later write of
the run is conditional on it, so a run whose job was taken over by another
worker stops at its next write instead of overwriting the newer run.

Progress and the heartbeat are written by a reporter thread on a database
connection of its own. The job body's connection is often busy for minutes (a
`COPY … TO STDOUT` streaming a million rows, one big UPDATE): a write sent on
it would wait behind that statement, and in the middle of a COPY it blocks for
good. The body only records its progress in memory; the reporter writes it at
most every PROGRESS_EVERY_SECONDS and beats at least every heartbeat period,
so a job whose heartbeat is stale belongs to a worker that died.

The database is the truth about a job, not the broker: `moonflow.jobs.sweeper`
sends again the jobs whose message was lost (never sent, Redis restarted, a
worker killed) and gives up, as "Fallido" with a message, on a job that was
claimed JOB_MAX_ATTEMPTS times without finishing.
"""

import functools
import logging
import threading
import time
from datetime import timedelta
from decimal import Decimal

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import COUNT_FIELDS, JobKind, JobStatus, Notification, ProcessJob
from .services import files_expiry_from

logger = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 0.5


def stale_after() -> timedelta:
    """A running job whose heartbeat is older than this lost its worker."""
    return timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS)


def heartbeat_every() -> float:
    return float(settings.JOB_HEARTBEAT_SECONDS)


class AwaitUser:
    """Returned by a job body that stops for the user (an import's mapping or preview):
    the job waits as AWAITING, not finished, until a view queues it again."""


AWAIT_USER = AwaitUser()


class JobFailed(Exception):
    """Raised by a job body to fail with a message meant for the user."""


class JobLost(Exception):
    """The job was claimed by another run (this one was presumed dead): stop quietly."""


def job_message(template, **params) -> Promise:
    """A message for the user that is stored in every language of the site.

    `template` comes from gettext_lazy / ngettext_lazy (with its count); the
    params are filled in each language: numbers as that language writes them
    (es 1.234, en 1,234), lazy texts translated, anything else as given (pass
    an id as text: ids are never grouped). A body returns it, or raises
    JobFailed with it; the Log de procesos then shows each reader their own
    language (ProcessJob.shown_message).
    """

    def render() -> str:
        values = {name: _in_active_language(value) for name, value in params.items()}
        return str(template) % values if values else str(template)

    return lazy(render, str)()


def _in_active_language(value) -> str:
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return str(value)


def stored_message(message) -> tuple[str, dict[str, str]]:
    """(the message in the active language, the same in every language when it is lazy)."""
    if not isinstance(message, Promise):
        return str(message or ""), {}
    translations = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translations[code] = str(message)
    return str(message), translations


def _claimable(now) -> Q:
    return Q(status=JobStatus.QUEUED) | Q(
        status=JobStatus.RUNNING, heartbeat_at__lt=now - stale_after()
    )


def claim_job(job_id: int) -> ProcessJob | None:
    """Take a queued job, or a running one whose worker stopped beating; None otherwise.

    Counts restart from zero: a re-claimed job runs its body again from the
    start (or from its own checkpoint). A job already claimed
    JOB_MAX_ATTEMPTS times is not run again: it ends as failed.
    """
    now = timezone.now()
    project_id = project_of(job_id)
    if project_id is None:  # no such job (deleted with its project, or never there)
        return None
    claimed = ProcessJob.objects.filter(
        _claimable(now), project_id=project_id, pk=job_id, attempts__lt=settings.JOB_MAX_ATTEMPTS
    ).update(
        status=JobStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
        done=0,
        message="",
        message_translations={},
        **{name: 0 for name in COUNT_FIELDS},
    )
    if claimed != 1:
        give_up_if_exhausted(job_id)
        return None
    return ProcessJob.objects.select_related("project", "requested_by__user").get(
        project_id=project_id, pk=job_id)


def project_of(job_id: int) -> int | None:
    """The project of a job known by its id alone (what a task carries), read once so
    that every later statement on the job names its project: on Citus they go to the
    project's shard alone (docs/distribution.md)."""
    return (ProcessJob.objects.filter(pk=job_id).order_by()
            .values_list("project_id", flat=True).first())


def give_up_if_exhausted(job_id: int) -> bool:
    """End a claimable job that used up its attempts as failed, once; True if it did."""
    now = timezone.now()
    with transaction.atomic():
        job = (
            ProcessJob.objects.select_for_update(of=("self",))
            .filter(_claimable(now), project_id=project_of(job_id), pk=job_id,
                    attempts__gte=settings.JOB_MAX_ATTEMPTS)
            .select_related("project", "requested_by__user")
            .first()
        )
        if job is None:
            return False
        job.status = JobStatus.FAILED
        job.message, job.message_translations = stored_message(job_message(
            gettext_lazy(
                "El proceso se interrumpió %(attempts)s veces sin terminar (el servidor que lo "
                "ejecutaba se detuvo) y no se volverá a intentar. Vuelve a lanzarlo; si se "
                "repite, contacta a soporte indicando el proceso #%(id)s."
            ),
            attempts=job.attempts,
            id=str(job.pk),
        ))
        job.finished_at = now
        job.files_expire_at = files_expiry_from(now)
        job.save(update_fields=[
            "status", "message", "message_translations", "finished_at", "files_expire_at",
        ])
        notify_requester(job)
    logger.warning("Job %s gave up after %s attempts", job_id, job.attempts)
    return True


class _Reporter(threading.Thread):
    """Writes a run's progress and heartbeat on a connection of its own.

    Django gives each thread its own connection, so these writes never wait
    behind the job body's statement. A write that finds the job no longer held
    by this run marks the run lost; the body stops at its next report.
    """

    def __init__(self, run: "JobRun"):
        super().__init__(name=f"job-{run.job.pk}-reporter", daemon=True)
        self.run_ = run
        self.stopped = threading.Event()
        self.wake = threading.Event()

    def run(self):
        last_write = time.monotonic()
        try:
            while not self.stopped.is_set():
                self.wake.wait(PROGRESS_EVERY_SECONDS)
                self.wake.clear()
                if self.stopped.is_set():
                    break
                beat_due = time.monotonic() - last_write >= heartbeat_every()
                if self.run_.pending() or beat_due:
                    if not self.run_.write_progress():
                        break
                    last_write = time.monotonic()
        except Exception:  # a missed beat only makes the job look stale sooner
            logger.exception("Reporter of job %s failed", self.run_.job.pk)
        finally:
            connection.close()  # this thread's own connection

    def stop(self):
        self.stopped.set()
        self.wake.set()
        self.join(timeout=10)


class JobRun:
    """What a job body uses to report progress, counts and files.

    `progress()` and `add_counts()` only record in memory (and raise JobLost
    once the reporter found the job taken over); the reporter thread writes
    them. `set_total()`, files and the end are written at once, on the body's
    connection, between statements.
    """

    def __init__(self, job: ProcessJob):
        self.job = job
        self.lease = job.started_at
        self.lost = False
        self._lock = threading.Lock()
        self._dirty = False
        self._reporter: _Reporter | None = None
        self._on_success = []

    @property
    def project(self):
        return self.job.project

    @property
    def member(self):
        return self.job.requested_by

    # --- the reporter -------------------------------------------------------------------------

    def start_reporting(self) -> None:
        self._reporter = _Reporter(self)
        self._reporter.start()

    def stop_reporting(self) -> None:
        if self._reporter is not None:
            self._reporter.stop()
            self._reporter = None

    def pending(self) -> bool:
        return self._dirty

    def write_progress(self) -> bool:
        """Write the recorded progress and a heartbeat; False once the job is no longer ours."""
        with self._lock:
            fields = {"done": self.job.done, **{n: getattr(self.job, n) for n in COUNT_FIELDS}}
            self._dirty = False
        updated = self._held().update(heartbeat_at=timezone.now(), **fields)
        if updated != 1:
            self.lost = True
        return not self.lost

    def _held(self):
        return ProcessJob.objects.filter(
            project_id=self.job.project_id, pk=self.job.pk, status=JobStatus.RUNNING,
            started_at=self.lease
        )

    def _check_held(self) -> None:
        if self.lost:
            raise JobLost(f"Job {self.job.pk} is no longer held by this run")

    def _update(self, **fields) -> None:
        """Write fields on this run's job now, or stop if another run took it over."""
        self._check_held()
        if self._held().update(**fields) != 1:
            self.lost = True
            self._check_held()

    # --- what a body calls ------------------------------------------------------------------

    def set_total(self, total: int) -> None:
        self.job.total = total
        self._update(total=total, heartbeat_at=timezone.now())

    def progress(self, done: int, *, force: bool = False, **counts: int) -> None:
        """Record rows done and absolute counts; the reporter writes them (twice a second)."""
        unknown = set(counts) - set(COUNT_FIELDS)
        if unknown:
            raise TypeError(f"progress() got unknown counts: {sorted(unknown)}")
        self._check_held()
        with self._lock:
            self.job.done = done
            for name, value in counts.items():
                setattr(self.job, name, value)
            self._dirty = True
        if self._reporter is None:
            # Outside a task (a test, a shell): write at once.
            self.write_progress()
            self._check_held()
        elif force:
            self._reporter.wake.set()

    def add_counts(self, **counts: int) -> None:
        unknown = set(counts) - set(COUNT_FIELDS)
        if unknown:
            raise TypeError(f"add_counts() got unknown counts: {sorted(unknown)}")
        self.progress(
            self.job.done, **{n: getattr(self.job, n) + v for n, v in counts.items()}
        )

    def save_options(self) -> None:
        """Write the job's options (an import's phase and plan) now."""
        self._update(options=self.job.options)

    def on_success(self, write) -> None:
        """Run `write()` in the transaction that marks the job finished.

        For what must happen exactly once per job (its audit event): a run
        killed before the end leaves nothing behind for the next run to repeat.
        """
        self._on_success.append(write)

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

    def _finish(self, status: str, message) -> None:
        """Status, counts and the requester's notification commit together.

        `message` is text, or a lazy message (job_message, gettext_lazy…)
        stored in every language of the site as well.
        """
        self.stop_reporting()
        now = timezone.now()
        text, translations = stored_message(message)
        fields = {
            "status": status,
            "message": text,
            "message_translations": translations,
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
            if status != JobStatus.FAILED:
                for write in self._on_success:
                    write()
            notify_requester(self.job)

    def succeed(self, message="") -> None:
        status = JobStatus.PARTIAL if self.job.failed else JobStatus.SUCCEEDED
        self._finish(status, message)

    def fail(self, message) -> None:
        self._finish(JobStatus.FAILED, message)

    def await_user(self) -> None:
        """Stop here, unfinished: the job waits for the user and is queued again by a view."""
        self.stop_reporting()
        fields = {"status": JobStatus.AWAITING, "heartbeat_at": timezone.now(),
                  "done": self.job.done,
                  **{name: getattr(self.job, name) for name in COUNT_FIELDS}}
        self._update(**fields)
        for name, value in fields.items():
            setattr(self.job, name, value)


def notify_requester(job: ProcessJob) -> None:
    """An in-app notification now, and an email once the finish commits.

    Written in the project's language, the one its people read unless they
    chose another in the header (the notifications page renders each reader's).
    """
    member = job.requested_by
    if member is None:
        return
    with translation.override(job.project.language or settings.LANGUAGE_CODE):
        _notify(job, member)


def _notify(job: ProcessJob, member) -> None:
    text, translations = stored_message(job_message(
        gettext_lazy("%(job)s: %(status)s"),
        job=job.title or dict(JobKind.choices).get(job.kind, job.kind),
        status=dict(JobStatus.choices).get(job.status, job.status),
    ))
    Notification.objects.create(
        project=job.project, member=member, job=job, message=text,
        message_translations=translations,
    )
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
    if job.shown_message:
        lines += ["", job.shown_message]
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
            **celery_options,
        )
        @functools.wraps(body)
        def task(self, job_id: int):
            job = claim_job(job_id)
            if job is None:
                # Finished, running elsewhere with a live heartbeat, given up or
                # unknown: nothing to do. A run that dies later is sent again by
                # the sweeper once its heartbeat is stale.
                logger.info("Job %s not claimed: it is finished, running elsewhere or unknown",
                            job_id)
                return
            run = JobRun(job)
            if not connection.in_atomic_block:
                # Called inside a transaction (a test, a shell), another
                # connection could not see the job: report on this one.
                run.start_reporting()
            try:
                with translation.override(job.project.language or settings.LANGUAGE_CODE):
                    _run_body(body, run)
            except JobLost:
                logger.warning("Job %s was taken over by another run; this one stops", job_id)
            finally:
                run.stop_reporting()

        return task

    return decorator


def _run_body(body, run: JobRun) -> None:
    try:
        message = body(run) or ""
        if message is AWAIT_USER:
            run.await_user()
            return
    except JobLost:
        raise
    except JobFailed as exc:
        # The exception's own argument: a lazy message stays lazy.
        run.fail(exc.args[0] if exc.args else "")
        return
    except Exception:
        logger.exception("Job %s failed", run.job.pk)
        run.fail(job_message(
            gettext_lazy("Error inesperado en el proceso #%(id)s. Vuelve a intentarlo; si se "
                         "repite, contacta a soporte indicando este número."),
            id=str(run.job.pk),
        ))
        return
    run.succeed(message)
