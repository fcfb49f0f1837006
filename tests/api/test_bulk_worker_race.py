"""A small batch's job is queued to the workers on commit and run by the request: when a
worker takes it first, the request waits for that worker to end it and still answers row by
row (bench-api saw one batch in four answered 202 before)."""

import pytest

from api import bulk
from moonflow.jobs.models import JobStatus, ProcessJob

from .test_bulk_upsert import results, row, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_takes_it_first(monkeypatch):
    """The request finds the job claimed elsewhere; the "worker" ends it while the request
    waits (the real task, run at the request's first pause)."""
    real_task = bulk.bulk_upsert_task
    pauses = []

    def claimed_elsewhere(job_id):
        ProcessJob.objects.filter(pk=job_id).update(status=JobStatus.RUNNING)
        claimed_elsewhere.job_id = job_id

    def pause(seconds):
        pauses.append(seconds)
        if len(pauses) == 2:  # the worker ends the job while the request waits
            ProcessJob.objects.filter(pk=claimed_elsewhere.job_id).update(
                status=JobStatus.QUEUED)
            real_task(claimed_elsewhere.job_id)

    monkeypatch.setattr(bulk, "bulk_upsert_task", claimed_elsewhere)
    monkeypatch.setattr(bulk.time, "sleep", pause)
    return pauses


def test_the_request_waits_for_the_worker_and_answers_row_by_row(cast, worker_takes_it_first):
    response = send(cast, [row("111111", name="Ana Ríos")])
    assert response.status_code == 200
    assert results(response) == [("111111", "created")]
    assert len(worker_takes_it_first) >= 2


def test_without_time_to_wait_the_batch_is_answered_as_a_job(cast, worker_takes_it_first,
                                                              settings):
    settings.API_BULK_WAIT_SECONDS = 0
    response = send(cast, [row("111111", name="Ana Ríos")])
    assert response.status_code == 202
    assert worker_takes_it_first == []
