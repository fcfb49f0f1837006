"""The nightly recomputation of situations, run by a real worker."""

from datetime import timedelta

import pytest

from clients.choices import Situation
from clients.models import Client
from clients.situation import project_today
from clients.tasks import recompute_all_situations
from moonflow.jobs.models import JobKind, JobStatus, ProcessJob
from tests import factories
from tests.conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_recomputes_every_project_once_per_local_day(cast, celery_worker_process):
    today = project_today(cast.project)
    late = factories.make_client(cast.project)
    # Stored as "al día" although its order is 45 days overdue: dates moved.
    factories.make_payment_order(late, due_date=today - timedelta(days=45))
    Client.objects.filter(pk=late.pk).update(situation=Situation.UP_TO_DATE)
    finished = factories.make_client(cast.project)
    Client.objects.filter(pk=finished.pk).update(situation=Situation.UP_TO_DATE)

    assert recompute_all_situations() == 2  # project A and project B

    job = wait_for(
        lambda: ProcessJob.objects.filter(
            project=cast.project, kind=JobKind.SITUATION_RECOMPUTE, status=JobStatus.SUCCEEDED
        ).first(),
        message="the situation job to finish",
    )
    late.refresh_from_db()
    finished.refresh_from_db()
    assert late.situation == Situation.LATE_31_60
    assert late.oldest_overdue_on == today - timedelta(days=45)
    assert finished.situation == Situation.FINISHED
    assert job.updated == 2
    assert job.total == 2
    assert "2 clientes cambiaron" in job.message

    # Later the same day: nothing new is started.
    assert recompute_all_situations() == 0


def test_it_shows_the_nightly_job_in_the_process_log(cast, celery_worker_process, as_member):
    recompute_all_situations()
    wait_for(
        lambda: ProcessJob.objects.filter(project=cast.project, status=JobStatus.SUCCEEDED).exists(),
        message="the situation job to finish",
    )
    page = as_member(cast.admin).get(f"/p/{cast.project.slug}/procesos/").content.decode()
    assert "Recálculo nocturno de situaciones" in page
    assert "Finalizado" in page
