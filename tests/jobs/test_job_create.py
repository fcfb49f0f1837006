"""job_create hands the job to the worker only once the transaction commits."""

import re
import time

import pytest
from django.db import transaction

from advisers.tasks import export_members
from moonflow.jobs.models import JobKind, JobStatus, ProcessJob
from moonflow.jobs.services import job_create
from tests.conftest import wait_for

from .helpers import align_media_with_worker, queued_messages, worker_log

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture(autouse=True)
def media(settings):
    align_media_with_worker(settings)


def create(member):
    return job_create(member=member, kind=JobKind.MEMBER_EXPORT, task=export_members)


def unclaimed(worker, job_id) -> bool:
    return re.search(rf"Job {job_id} not claimed\b", worker_log(worker)) is not None


def test_it_sends_nothing_when_the_transaction_rolls_back(cast, celery_worker_process):
    with pytest.raises(RuntimeError), transaction.atomic():
        rolled_back = create(cast.admin).pk
        raise RuntimeError("the request failed after creating the job")
    assert queued_messages("exports") == 0

    committed = create(cast.admin)
    wait_for(
        lambda: ProcessJob.objects.filter(pk=committed.pk, status=JobStatus.SUCCEEDED).exists(),
        message="the committed job to finish",
    )
    # A second delivery of a finished job is logged and dropped: the log speaks.
    export_members.delay(committed.pk)
    wait_for(lambda: unclaimed(celery_worker_process, committed.pk),
             message="the worker to drop the finished job")

    # Same queue, one worker, first in first out: a message for the rolled-back
    # job would have reached the worker before these two.
    assert not unclaimed(celery_worker_process, rolled_back)
    assert not ProcessJob.objects.filter(pk=rolled_back).exists()
    assert list(ProcessJob.objects.values_list("pk", flat=True)) == [committed.pk]


def test_it_sends_the_task_only_after_commit(cast, celery_worker_process):
    with transaction.atomic():
        job = create(cast.admin)
        # Sent now, the worker would look for a row it cannot see yet.
        time.sleep(1.5)
        assert queued_messages("exports") == 0
        assert not unclaimed(celery_worker_process, job.pk)

    finished = wait_for(
        lambda: ProcessJob.objects.filter(pk=job.pk, status=JobStatus.SUCCEEDED).first(),
        message="the job to finish after commit",
    )
    assert finished.read == 4  # the cast of project A
    assert not unclaimed(celery_worker_process, job.pk)
