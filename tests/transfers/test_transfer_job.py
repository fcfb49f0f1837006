"""Cambio de gestor as a job: requested by a manager, run through the requester's visibility,
counted in the Log de procesos, and never applied twice."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from clients.models import Client, ClientAssignment
from moonflow.audit.models import AuditEvent
from moonflow.jobs.models import JobKind, JobStatus, ProcessJob
from tests import factories
from tests.conftest import login
from transfers.jobs import transfer_request, transfer_task
from transfers.plans import split_plan
from transfers.services import TransferError

from .helpers import make_held_client


@pytest.fixture
def carla(cast):
    return factories.make_member(cast.project, username="carla", code="C-30",
                                 team=cast.adviser.team)


def run(job) -> ProcessJob:
    transfer_task(job.pk)
    return ProcessJob.objects.get(pk=job.pk)


def test_a_selection_to_one_adviser_runs_in_the_log_de_procesos(cast, carla):
    clients = [make_held_client(cast.project, cast.adviser) for _ in range(3)]
    already = factories.make_client(cast.project, adviser=carla)
    job = transfer_request(member=cast.admin, client_ids=[c.pk for c in clients] + [already.pk],
                           to_adviser=carla, note="Vacaciones de Ana")
    assert (job.kind, job.status, job.title) == (
        JobKind.TRANSFER, JobStatus.QUEUED, f"Transferencia de clientes a Carla ({carla.code})")

    job = run(job)
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert (job.total, job.done, job.read, job.transferred, job.unchanged) == (4, 4, 4, 3, 1)
    assert job.message == ("Transferencia terminada: 3 clientes pasaron con 9 gestiones "
                           "abiertas; 1 ya eran del asesor.")
    assert set(Client.objects.filter(pk__in=[c.pk for c in clients])
               .values_list("adviser_id", flat=True)) == {carla.pk}
    assert set(ClientAssignment.objects.filter(adviser=carla, client__in=clients)
               .values_list("job_id", flat=True)) == {job.pk}
    event = AuditEvent.objects.get(resource_type="transfer")
    assert (event.resource_id, event.changes["job"]) == (str(job.pk), [None, job.pk])
    page = login(cast.admin).get(reverse("jobs:detail", kwargs={"project": cast.project.slug,
                                                                 "pk": job.pk}))
    assert "Transferidos" in page.content.decode()


def test_the_trays_filter_is_read_through_the_requesters_visibility(cast, carla):
    """A restricted supervisor asks for "every client of Ana": only what they see moves."""
    cast.supervisor.restricted_to_assigned = True
    cast.supervisor.save(update_fields=["restricted_to_assigned"])
    outside_team = factories.make_member(cast.project, username="lejana")
    seen = [make_held_client(cast.project, cast.adviser) for _ in range(2)]
    unseen = make_held_client(cast.project, outside_team)
    job = run(transfer_request(member=cast.supervisor, params={"asesor": [str(cast.adviser.pk)]},
                               to_adviser=carla))
    assert (job.status, job.transferred) == (JobStatus.SUCCEEDED, 2)
    assert set(Client.objects.filter(pk__in=[c.pk for c in seen])
               .values_list("adviser_id", flat=True)) == {carla.pk}
    unseen.refresh_from_db()
    assert unseen.adviser_id == outside_team.pk


def test_a_deactivated_advisers_book_is_handed_over_whole(cast, carla):
    """Ajustes → Usuarios: the book of an adviser being deactivated, even once inactive (the
    tray's filter only offers active advisers)."""
    leaving = factories.make_member(cast.project, username="sale", code="S-1")
    book = [make_held_client(cast.project, leaving) for _ in range(3)]
    other = factories.make_client(cast.project, adviser=cast.adviser)
    leaving.is_active = False
    leaving.save(update_fields=["is_active"])
    job = run(transfer_request(member=cast.admin, from_adviser=leaving, to_adviser=carla))
    assert (job.status, job.transferred, job.unchanged) == (JobStatus.SUCCEEDED, 3, 0)
    assert set(Client.objects.filter(pk__in=[c.pk for c in book])
               .values_list("adviser_id", flat=True)) == {carla.pk}
    other.refresh_from_db()
    assert other.adviser_id == cast.adviser.pk


def test_a_split_applies_the_preview_and_a_stale_one_fails_with_its_reason(cast, carla):
    dora = factories.make_member(cast.project, username="dora", team=cast.adviser.team)
    clients = [factories.make_client(cast.project, adviser=cast.adviser, balance=Decimal(b))
               for b in (500, 400, 300, 200)]
    ids = [c.pk for c in clients]
    preview = split_plan(project=cast.project, clients=ids, advisers=[carla, dora],
                         method="by_balance")
    job = transfer_request(member=cast.admin, client_ids=ids, advisers=[carla, dora],
                           method="by_balance", digest=preview.digest)
    assert job.title == ("Cambio de gestor: reparto entre 2 asesores (equilibrado por saldo "
                         "pendiente)")
    job = run(job)
    assert (job.status, job.transferred) == (JobStatus.SUCCEEDED, 4), job.message
    assert dict(Client.objects.filter(pk__in=ids).values_list("pk", "adviser_id")) == dict(
        preview.assignments)

    stale = transfer_request(member=cast.admin, client_ids=ids, advisers=[carla, dora],
                             method="by_count", digest="0" * 64)
    stale = run(stale)
    assert stale.status == JobStatus.FAILED
    assert stale.message == ("Los clientes o las carteras de los asesores cambiaron desde la "
                             "vista previa: revise el nuevo reparto y confirme otra vez.")


def test_a_run_taken_over_after_the_transfer_committed_moves_nothing_twice(cast, carla):
    clients = [make_held_client(cast.project, cast.adviser) for _ in range(3)]
    job = run(transfer_request(member=cast.admin, client_ids=[c.pk for c in clients],
                               to_adviser=carla))
    history = ClientAssignment.objects.count()
    # As if the worker died after the transfer committed, before the job's end was written.
    ProcessJob.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, finished_at=None,
                                                transferred=0, attempts=0)
    job = run(job)
    assert (job.status, job.transferred, job.unchanged) == (JobStatus.SUCCEEDED, 3, 0)
    assert ClientAssignment.objects.count() == history
    assert AuditEvent.objects.filter(resource_type="transfer").count() == 1


def test_advisers_may_not_hand_clients_out(cast, carla):
    client = factories.make_client(cast.project, adviser=cast.adviser)
    with pytest.raises(PermissionDenied):
        transfer_request(member=cast.adviser, client_ids=[client.pk], to_adviser=carla)


def test_a_restricted_supervisor_hands_clients_only_to_their_teams_advisers(cast):
    cast.supervisor.restricted_to_assigned = True
    cast.supervisor.save(update_fields=["restricted_to_assigned"])
    stranger = factories.make_member(cast.project, username="extrana", code="X-9")
    client = factories.make_client(cast.project, adviser=cast.adviser)
    with pytest.raises(TransferError) as refusal:
        transfer_request(member=cast.supervisor, client_ids=[client.pk], to_adviser=stranger)
    assert str(refusal.value) == (f"Extrana ({stranger.code}) no está entre los asesores a los "
                                  "que puede transferir clientes.")
    assert not ProcessJob.objects.exists()
