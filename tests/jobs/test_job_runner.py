"""job_task / JobRun: how a job body reports, finishes, fails and stops."""

import time
from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from advisers.tasks import export_members
from moonflow.jobs.models import JobKind, JobStatus, Notification, ProcessJob
from moonflow.jobs import runner
from moonflow.jobs.runner import STALE_AFTER, JobLost, JobRun, _retry_delay, claim_job

from .helpers import make_job

pytestmark = pytest.mark.django_db


def test_it_writes_progress_and_counts(cast):
    job = make_job(cast.project, cast.admin)
    run = JobRun(claim_job(job.pk))

    run.set_total(10)
    run.progress(4, read=4, created=3, failed=1)

    job.refresh_from_db()
    assert (job.total, job.done, job.read, job.created, job.failed) == (10, 4, 4, 3, 1)


def test_it_finishes_with_errors_when_rows_failed(cast):
    job = make_job(cast.project, cast.admin)
    run = JobRun(claim_job(job.pk))
    run.progress(2, read=2, failed=1, force=True)

    run.succeed("1 fila con errores.")

    job.refresh_from_db()
    assert job.status == JobStatus.PARTIAL
    assert job.get_status_display() == "Finalizado con errores"
    assert job.files_expire_at > timezone.now() + timedelta(days=6)
    note = Notification.objects.get(member=cast.admin, job=job)
    assert note.message == "Descarga de clientes: Finalizado con errores"


def test_it_stops_a_run_whose_job_was_taken_over(cast):
    job = make_job(cast.project, cast.admin)
    first = JobRun(claim_job(job.pk))
    # The first worker looks dead: its heartbeat went stale and another run took the job.
    ProcessJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - STALE_AFTER - timedelta(seconds=1)
    )
    second = JobRun(claim_job(job.pk))

    with pytest.raises(JobLost):
        first.progress(5, read=5, force=True)
    with pytest.raises(JobLost):
        first.succeed()
    second.progress(3, read=3, force=True)

    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    assert job.read == 3
    assert not Notification.objects.filter(job=job).exists()


def test_it_fails_with_the_message_of_job_failed(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    # The member export refuses a requester who is no longer an admin.
    job = make_job(cast.project, cast.adviser, kind=JobKind.MEMBER_EXPORT)

    with django_capture_on_commit_callbacks(execute=True):
        export_members(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "Solo un administrador del proyecto puede descargar los usuarios."
    assert [m.to for m in mailoutbox] == [[cast.adviser.user.email]]
    assert "Descarga de usuarios: Fallido" in mailoutbox[0].subject


def test_it_does_not_run_a_finished_job_again(cast):
    job = make_job(cast.project, cast.admin, status=JobStatus.SUCCEEDED, read=7, done=7)

    export_members(job.pk)

    job.refresh_from_db()
    assert job.read == 7
    assert not job.result_file
    assert not Notification.objects.exists()


def test_it_comes_back_later_for_a_job_running_elsewhere(cast):
    # A redelivered message (its worker died) must not drop the job: it retries
    # once the heartbeat can have gone stale.
    job = make_job(cast.project, cast.admin, status=JobStatus.RUNNING,
                   heartbeat_at=timezone.now())

    assert STALE_AFTER.total_seconds() <= _retry_delay(job.pk) <= STALE_AFTER.total_seconds() + 10
    with pytest.raises(Retry):
        export_members(job.pk)
    assert _retry_delay(987654321) is None


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_heartbeat_fresh_while_a_long_step_runs(cast, monkeypatch):
    # One long SQL statement reports no progress; the heartbeat must still beat,
    # or the job would look abandoned and be taken over.
    monkeypatch.setattr(runner, "HEARTBEAT_EVERY_SECONDS", 0.1)
    job = make_job(cast.project, cast.admin)
    claimed = claim_job(job.pk)

    beat = runner._Heartbeat(job.pk, claimed.started_at)
    beat.start()
    time.sleep(0.5)
    beat.stop()

    job.refresh_from_db()
    assert job.heartbeat_at > claimed.heartbeat_at
    assert not beat.is_alive()
