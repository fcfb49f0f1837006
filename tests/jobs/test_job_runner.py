"""job_task / JobRun: how a job body reports, finishes, fails and stops."""

import time
from datetime import timedelta

import psycopg
import pytest
from django.utils import timezone

from advisers.tasks import export_members
from moonflow.jobs.models import JobKind, JobStatus, Notification, ProcessJob
from moonflow.jobs.runner import JobLost, JobRun, claim_job, stale_after

from tests.conftest import wait_for

from .helpers import connection_params, make_job

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
        heartbeat_at=timezone.now() - stale_after() - timedelta(seconds=1)
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


def test_it_leaves_a_job_running_elsewhere_alone(cast):
    # A second delivery while another run beats: nothing happens now; if that
    # run dies, the sweeper sends the job again once its heartbeat is stale.
    job = make_job(cast.project, cast.admin, kind=JobKind.MEMBER_EXPORT,
                   status=JobStatus.RUNNING, heartbeat_at=timezone.now(), attempts=1)

    export_members(job.pk)

    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.RUNNING, 1)
    assert not job.result_file


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_heartbeat_fresh_while_a_long_step_runs(cast, settings):
    # One long SQL statement reports no progress; the heartbeat must still beat,
    # or the job would look abandoned and be taken over.
    settings.JOB_HEARTBEAT_SECONDS = 0
    job = make_job(cast.project, cast.admin)
    claimed = claim_job(job.pk)
    run = JobRun(claimed)

    run.start_reporting()
    time.sleep(1.2)
    run.stop_reporting()

    job.refresh_from_db()
    assert job.heartbeat_at > claimed.heartbeat_at
    assert not run.lost


@pytest.mark.django_db(transaction=True)
def test_it_writes_progress_while_a_copy_streams_out(cast):
    # A download reports progress in the middle of its COPY … TO STDOUT: a write
    # on the COPY's own connection would block for good.
    from django.db import connection

    job = make_job(cast.project, cast.admin)
    run = JobRun(claim_job(job.pk))
    run.start_reporting()
    try:
        with connection.cursor() as cursor:
            with cursor.cursor.copy("COPY (SELECT generate_series(1, 100000)) TO STDOUT") as copy:
                rows = copy.rows()
                for _ in range(5000):
                    next(rows)
                run.progress(5000, force=True)
                seen = wait_for(lambda: _done_seen_elsewhere(job.pk) == 5000,
                                timeout=5, message="the progress to be written mid-COPY")
                assert seen
                assert sum(1 for _ in rows) == 95000
    finally:
        run.stop_reporting()


def _done_seen_elsewhere(job_id: int) -> int:
    params = connection_params()
    with psycopg.connect(**params) as conn:
        return conn.execute("SELECT done FROM jobs_processjob WHERE id = %s", [job_id]).fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_it_stops_the_body_at_its_next_report_once_taken_over(cast):
    job = make_job(cast.project, cast.admin)
    run = JobRun(claim_job(job.pk))
    run.start_reporting()
    ProcessJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - stale_after() - timedelta(seconds=1)
    )
    claim_job(job.pk)  # another worker takes it over

    run.progress(10, force=True)
    time.sleep(1.0)
    with pytest.raises(JobLost):
        run.progress(20)
    run.stop_reporting()
