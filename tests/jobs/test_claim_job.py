"""claim_job: one run at a time, never twice, and a dead worker's job can be taken over."""

from datetime import timedelta

import pytest
from django.utils import timezone

from moonflow.jobs.models import JobStatus, ProcessJob
from moonflow.jobs.runner import claim_job, stale_after

from .helpers import make_job

pytestmark = pytest.mark.django_db


def test_it_claims_a_queued_job(cast):
    job = make_job(cast.project, cast.admin)

    claimed = claim_job(job.pk)

    assert claimed is not None
    assert claimed.status == JobStatus.RUNNING
    assert claimed.started_at is not None
    assert claimed.heartbeat_at is not None


def test_it_does_not_claim_a_running_job_twice(cast):
    job = make_job(cast.project, cast.admin)

    assert claim_job(job.pk) is not None
    assert claim_job(job.pk) is None
    assert ProcessJob.objects.get(pk=job.pk).status == JobStatus.RUNNING


@pytest.mark.parametrize("status", [JobStatus.SUCCEEDED, JobStatus.PARTIAL, JobStatus.FAILED])
def test_it_never_reruns_a_finished_job(cast, status):
    job = make_job(cast.project, cast.admin, status=status, read=10, done=10,
                   heartbeat_at=timezone.now() - timedelta(days=1))

    assert claim_job(job.pk) is None
    job.refresh_from_db()
    assert job.status == status
    assert job.read == 10


def test_it_reclaims_a_running_job_whose_heartbeat_is_stale(cast):
    stale = timezone.now() - stale_after() - timedelta(seconds=1)
    job = make_job(cast.project, cast.admin, status=JobStatus.RUNNING, heartbeat_at=stale,
                   started_at=stale, total=100, done=40, read=40, created=40)

    claimed = claim_job(job.pk)

    assert claimed is not None
    assert claimed.started_at > stale
    # The body runs again from the start: counts restart instead of doubling.
    assert (claimed.done, claimed.read, claimed.created) == (0, 0, 0)


def test_it_leaves_a_running_job_with_a_recent_heartbeat_alone(cast):
    recent = timezone.now() - stale_after() + timedelta(seconds=30)
    job = make_job(cast.project, cast.admin, status=JobStatus.RUNNING, heartbeat_at=recent,
                   done=40)

    assert claim_job(job.pk) is None
    assert ProcessJob.objects.get(pk=job.pk).done == 40


def test_it_returns_none_for_a_job_that_does_not_exist(cast):
    assert claim_job(987654321) is None


def test_it_counts_each_claim(cast):
    job = make_job(cast.project, cast.admin)
    claim_job(job.pk)
    ProcessJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - stale_after() - timedelta(seconds=1)
    )

    claim_job(job.pk)

    job.refresh_from_db()
    assert job.attempts == 2


def test_it_gives_up_on_a_job_claimed_too_many_times(cast, settings, mailoutbox,
                                                     django_capture_on_commit_callbacks):
    settings.JOB_MAX_ATTEMPTS = 3
    job = make_job(cast.project, cast.admin, status=JobStatus.RUNNING, attempts=3,
                   heartbeat_at=timezone.now() - stale_after() - timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert claim_job(job.pk) is None

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message.startswith(
        "El proceso se interrumpió 3 veces sin terminar (el servidor que lo ejecutaba se detuvo) "
        "y no se volverá a intentar."
    )
    assert f"#{job.pk}" in job.message
    assert job.finished_at is not None
    assert "Descarga de clientes: Fallido" in mailoutbox[0].subject
    # A later delivery finds it finished and changes nothing.
    assert claim_job(job.pk) is None
    assert len(mailoutbox) == 1
