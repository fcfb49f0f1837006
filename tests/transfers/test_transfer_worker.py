"""Cambio de gestor end to end: requested and committed as a view does, run by a real Celery
worker, counted in the Log de procesos, with the requester notified."""

import pytest
from django.db import transaction

from clients.models import Client
from followups.models import FollowUp
from moonflow.jobs.models import JobStatus, Notification, ProcessJob
from tests import factories
from tests.conftest import wait_for
from transfers.jobs import transfer_request

from .helpers import make_held_client

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_a_worker_runs_the_transfer_and_the_log_shows_it(cast, celery_worker_process):
    carla = factories.make_member(cast.project, username="carla", code="C-30")
    clients = [make_held_client(cast.project, cast.adviser) for _ in range(5)]
    with transaction.atomic():
        job = transfer_request(member=cast.admin, params={"asesor": [str(cast.adviser.pk)]},
                               to_adviser=carla, note="Renuncia")
    job = wait_for(lambda: ProcessJob.objects.filter(
        pk=job.pk, status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED]).first(),
        message="the worker to finish the transfer")
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert (job.read, job.transferred, job.unchanged) == (5, 5, 0)
    assert set(Client.objects.filter(pk__in=[c.pk for c in clients])
               .values_list("adviser_id", flat=True)) == {carla.pk}
    assert FollowUp.objects.filter(status="pending", adviser=carla).count() == 15
    assert Notification.objects.filter(member=cast.admin, job=job).exists()
