"""Cambio de gestor to "Un solo asesor": the job compares the book with the preview the user
confirmed, as a split does; a book that changed in between is not transferred."""

import pytest
from django.http import QueryDict

from clients.models import Client
from moonflow.jobs.models import JobStatus, ProcessJob
from tests import factories
from transfers.jobs import SINGLE_METHOD, transfer_request, transfer_task
from transfers.plans import split_plan

from .helpers import make_held_client


@pytest.fixture
def carla(cast):
    return factories.make_member(cast.project, username="carla", code="C-30",
                                 team=cast.adviser.team)


def run(job) -> ProcessJob:
    transfer_task(job.pk)
    return ProcessJob.objects.get(pk=job.pk)


def filter_of(adviser) -> QueryDict:
    return QueryDict(f"asesor={adviser.pk}")


def previewed(cast, carla):
    """The digest Confirmar carries: the plan of the tray's filter to one adviser."""
    clients = Client.objects.filter(project=cast.project, adviser=cast.adviser)
    return split_plan(project=cast.project, clients=clients, advisers=[carla],
                      method=SINGLE_METHOD).digest


def test_the_book_of_the_preview_is_transferred(cast, carla):
    book = [make_held_client(cast.project, cast.adviser) for _ in range(2)]
    kept = factories.make_client(cast.project, adviser=cast.restricted)
    job = transfer_request(member=cast.admin, params=filter_of(cast.adviser), to_adviser=carla,
                           digest=previewed(cast, carla))

    job = run(job)

    assert (job.status, job.transferred) == (JobStatus.SUCCEEDED, 2), job.message
    assert job.message == ("Transferencia terminada: 2 clientes pasaron con 6 gestiones "
                           "abiertas; 0 ya eran del asesor.")
    assert set(Client.objects.filter(pk__in=[c.pk for c in book])
               .values_list("adviser_id", flat=True)) == {carla.pk}
    assert Client.objects.get(pk=kept.pk).adviser_id == cast.restricted.pk


def test_a_book_that_changed_after_confirmar_is_not_transferred(cast, carla):
    book = [make_held_client(cast.project, cast.adviser) for _ in range(2)]
    digest = previewed(cast, carla)
    job = transfer_request(member=cast.admin, params=filter_of(cast.adviser), to_adviser=carla,
                           digest=digest)
    # Before the worker takes the job, the adviser receives one more client.
    late = factories.make_client(cast.project, adviser=cast.adviser, name="Llegó después")

    job = run(job)

    assert job.status == JobStatus.FAILED
    assert job.message == ("Los clientes o las carteras de los asesores cambiaron desde la "
                           "vista previa: revise el nuevo reparto y confirme otra vez.")
    assert job.transferred == 0
    assert set(Client.objects.filter(pk__in=[c.pk for c in [*book, late]])
               .values_list("adviser_id", flat=True)) == {cast.adviser.pk}
