"""sweep_jobs: which recorded jobs are sent again, given up or expired."""

from datetime import timedelta

import pytest
from django.utils import timezone

from moonflow.jobs.models import JobStatus, Notification, ProcessJob
from moonflow.jobs.runner import stale_after
from moonflow.jobs.sweeper import sweep_jobs

from .brokers import PrivateBroker, SendingTo
from .helpers import make_job

pytestmark = pytest.mark.django_db(transaction=True)

TASK = "clients.tasks.export_clients"


@pytest.fixture
def broker(tmp_path):
    broker = PrivateBroker(tmp_path).start()
    with SendingTo(broker.url):
        yield broker
    broker.stop()


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def stale():
    return timezone.now() - stale_after() - timedelta(seconds=5)


def test_it_sends_a_queued_job_that_never_reached_the_broker(cast, broker, settings):
    job = make_job(cast.project, cast.admin, task_name=TASK, enqueued_at=None)
    ProcessJob.objects.filter(pk=job.pk).update(
        created_at=ago(seconds=settings.JOB_ENQUEUE_GRACE_SECONDS + 1)
    )

    assert sweep_jobs().resent == 1

    job.refresh_from_db()
    assert job.enqueued_at is not None
    assert broker.queued("exports") == 1
    assert sweep_jobs().resent == 0  # sent once, not every minute


def test_it_leaves_a_job_just_created_to_its_own_commit(cast, broker):
    make_job(cast.project, cast.admin, task_name=TASK, enqueued_at=None)

    assert sweep_jobs().resent == 0
    assert broker.queued("exports") == 0


def test_it_sends_again_a_queued_job_whose_message_was_lost_long_ago(cast, broker, settings):
    make_job(cast.project, cast.admin, task_name=TASK,
             enqueued_at=ago(seconds=settings.JOB_REQUEUE_AFTER_SECONDS + 1))
    make_job(cast.project, cast.admin, task_name=TASK, enqueued_at=ago(seconds=30))

    assert sweep_jobs().resent == 1
    assert broker.queued("exports") == 1


def test_it_sends_again_a_running_job_whose_worker_died(cast, broker):
    job = make_job(cast.project, cast.admin, task_name=TASK, status=JobStatus.RUNNING,
                   attempts=1, heartbeat_at=stale(), enqueued_at=ago(hours=1))

    assert sweep_jobs().resent == 1
    assert sweep_jobs().resent == 0  # waits for a worker to take it

    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.enqueued_at > job.heartbeat_at
    assert broker.queued("exports") == 1


def test_it_leaves_a_running_job_with_a_live_heartbeat(cast, broker):
    make_job(cast.project, cast.admin, task_name=TASK, status=JobStatus.RUNNING, attempts=1,
             heartbeat_at=timezone.now(), enqueued_at=ago(hours=1))

    assert sweep_jobs().resent == 0


def test_it_gives_up_on_a_job_that_died_on_every_attempt(cast, broker, settings):
    job = make_job(cast.project, cast.admin, task_name=TASK, status=JobStatus.RUNNING,
                   attempts=settings.JOB_MAX_ATTEMPTS, heartbeat_at=stale())

    sweep = sweep_jobs()

    assert (sweep.resent, sweep.given_up) == (0, 1)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert f"se interrumpió {settings.JOB_MAX_ATTEMPTS} veces sin terminar" in job.message
    assert Notification.objects.get(job=job).message == "Descarga de clientes: Fallido"
    assert broker.queued("exports") == 0
    assert sweep_jobs().given_up == 0


def test_it_cancels_a_job_nobody_could_start_in_a_day(cast, broker, settings):
    job = make_job(cast.project, cast.admin, task_name=TASK)
    ProcessJob.objects.filter(pk=job.pk).update(
        created_at=ago(hours=settings.JOB_QUEUED_EXPIRE_HOURS, minutes=1)
    )

    assert sweep_jobs().expired == 1

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("El proceso no pudo iniciarse en 24 horas y se canceló.")
    assert Notification.objects.filter(job=job).count() == 1
