"""A job recorded in the database always runs, once: broker down, frozen or restarted, worker killed.

These tests hand jobs to a Redis of their own (tests/jobs/brokers.py) and, where
a worker must die, to a worker of their own, so the session's worker and its
broker are never disturbed.
"""

import signal
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from moonflow.audit.models import AuditEvent
from moonflow.jobs.models import JobStatus, Notification, ProcessJob
from moonflow.jobs.sweeper import sweep_jobs
from tests import factories
from tests.conftest import start_worker, stop_worker, wait_for

from .brokers import PrivateBroker, SendingTo, dead_broker_url
from .helpers import TableWriteLock, align_media_with_worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

NOT_QUEUED = "el procesador de tareas no responde en este momento"
SCHEDULED = "Descarga programada."


@pytest.fixture(autouse=True)
def media(settings):
    align_media_with_worker(settings)


@pytest.fixture
def book(cast):
    for n in range(3):
        factories.make_client(cast.project, name=f"Cliente {n}", adviser=cast.adviser)


@pytest.fixture
def broker(tmp_path):
    broker = PrivateBroker(tmp_path).start()
    yield broker
    broker.stop()


def click_download(browser):
    url = reverse("clients:download", kwargs={"project": "demo"})
    started = time.monotonic()
    response = browser.post(url, {"formato": "csv", "query": ""}, follow=True)
    return response.content.decode(), time.monotonic() - started


def finished(job_id):
    return ProcessJob.objects.filter(
        pk=job_id, status__in=[JobStatus.SUCCEEDED, JobStatus.PARTIAL, JobStatus.FAILED]
    ).first()


def ran_once(job) -> None:
    """Finished, notified once, audited once."""
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert Notification.objects.filter(job=job).count() == 1
    assert AuditEvent.objects.filter(resource_type="client_export",
                                     resource_id=str(job.pk)).count() == 1


def later(settings, seconds: float = 1):
    return timezone.now() + timedelta(seconds=settings.JOB_ENQUEUE_GRACE_SECONDS + seconds)


def test_it_keeps_a_job_asked_while_the_broker_is_down_and_runs_it_once(
    cast, as_member, book, settings, celery_worker_process
):
    with SendingTo(dead_broker_url()):
        page, seconds = click_download(as_member(cast.admin))

    assert seconds < 5
    assert NOT_QUEUED in page and SCHEDULED not in page
    job = ProcessJob.objects.get()
    assert (job.status, job.enqueued_at) == (JobStatus.QUEUED, None)
    assert "Se enviará automáticamente en cuanto responda" in page

    # The broker answers again: the sweeper sends the job; the worker runs it.
    assert sweep_jobs(now=later(settings)).resent == 1
    job = wait_for(lambda: finished(job.pk), message="the job sent by the sweeper to finish")
    ran_once(job)
    assert job.attempts == 1
    assert sweep_jobs(now=later(settings)).resent == 0


def test_it_answers_in_seconds_when_the_broker_is_frozen(cast, as_member, book, broker):
    broker.freeze()
    try:
        with SendingTo(broker.url):
            page, seconds = click_download(as_member(cast.admin))
    finally:
        broker.thaw()

    assert seconds < 6
    assert NOT_QUEUED in page
    assert ProcessJob.objects.get().enqueued_at is None


def test_it_tells_the_user_when_the_broker_took_the_job(cast, as_member, book, broker):
    with SendingTo(broker.url):
        page, _ = click_download(as_member(cast.admin))

    assert SCHEDULED in page and NOT_QUEUED not in page
    assert ProcessJob.objects.get().enqueued_at is not None
    assert broker.queued("exports") == 1


def test_it_finishes_once_a_job_whose_worker_and_broker_restarted(
    cast, as_member, book, broker, settings, tmp_path
):
    timings = {"JOB_HEARTBEAT_SECONDS": "1", "JOB_STALE_AFTER_SECONDS": "3"}
    settings.JOB_STALE_AFTER_SECONDS = 3
    worker = start_worker(tmp_path / "first.log", REDIS_URL=broker.redis_url, **timings)
    try:
        with SendingTo(broker.url), TableWriteLock("audit_auditevent") as lock:
            click_download(as_member(cast.admin))
            job = ProcessJob.objects.get()
            # The worker wrote the file and waits to audit it: mid-job.
            wait_for(lambda: ProcessJob.objects.filter(pk=job.pk).exclude(result_file="").exists(),
                     message="the first run to write its file")
            stop_worker(worker, sig=signal.SIGKILL)
            broker.stop()  # the message goes with it
            broker.start()
            lock.release()

        job.refresh_from_db()
        assert (job.status, job.attempts) == (JobStatus.RUNNING, 1)
        worker = start_worker(tmp_path / "second.log", REDIS_URL=broker.redis_url, **timings)
        with SendingTo(broker.url):
            wait_for(lambda: sweep_jobs().resent, timeout=20,
                     message="the sweeper to send the abandoned job again")
        job = wait_for(lambda: finished(job.pk), timeout=60, message="the second run to finish")
    finally:
        stop_worker(worker)

    ran_once(job)
    assert job.attempts == 2
