"""transfers.services.transfer_clients: clients pass to another adviser with everything linked,
history stays attributed, the batch is audited once, and the cost does not grow with it."""

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.models import Client, ClientAssignment
from followups.choices import FollowUpKind, FollowUpStatus, NoteKind
from followups.models import ClientNote, FollowUp
from moonflow.audit.models import AuditEvent
from moonflow.tenancy.models import Role
from tests import factories
from tests.followups.helpers import make_followup
from transfers.services import TransferError, transfer_clients

from .helpers import counts, make_held_client, totals


@pytest.fixture
def people(cast):
    """Two advisers of the Equipo Norte (cast), and Carla of an Equipo Sur with its own
    supervisor."""
    south_boss = factories.make_member(cast.project, role=Role.SUPERVISOR, username="sonia")
    south = factories.make_team(cast.project, "Equipo Sur", supervisor=south_boss)
    carla = factories.make_member(cast.project, username="carla", team=south, code="C-30")
    return cast.adviser, cast.restricted, carla, south_boss


def test_it_moves_the_clients_and_their_open_gestiones_and_nothing_else_changes_hands(
        cast, people):
    ana, berta, carla, _boss = people
    moving = [make_held_client(cast.project, ana) for _ in range(3)]
    staying = make_held_client(cast.project, ana)
    theirs = make_held_client(cast.project, berta)
    before, rows_before = counts(cast.project), totals(cast.project)

    result = transfer_clients(project=cast.project, actor=cast.admin.user,
                              clients=[c.pk for c in moving], to_adviser=carla,
                              through="screen")

    after = counts(cast.project)
    assert (result.clients, result.unchanged) == (3, 0)
    assert result.routes == {(ana.pk, carla.pk): 3}
    assert result.followups == {"task": 3, "promise": 3, "contact": 3}
    # Nothing lost, nothing duplicated: the same rows per table, plus one history row each.
    assert totals(cast.project) == {**rows_before, "clients_clientassignment":
                                    rows_before["clients_clientassignment"] + 3}
    # Per adviser: the clients and their open gestiones moved from Ana to Carla ...
    assert after["clients"] == before["clients"] - Counter({ana.pk: 3}) + Counter({carla.pk: 3})
    assert after["open_followups"] == (before["open_followups"] - Counter({ana.pk: 9})
                                       + Counter({carla.pk: 9}))
    assert after["open_assignments"] == (before["open_assignments"] - Counter({ana.pk: 3})
                                         + Counter({carla.pk: 3}))
    # ... and the history did not: closed gestiones, who closed them, interactions, notes.
    for table in ("closed_followups", "closed_by", "interactions", "notes"):
        assert after[table] == before[table], table
    # Orders and claims hang from the client: they follow it without being rewritten.
    assert after["payment_orders"] == (before["payment_orders"] - Counter({ana.pk: 6})
                                       + Counter({carla.pk: 6}))
    assert after["claims"] == before["claims"] - Counter({ana.pk: 3}) + Counter({carla.pk: 3})
    # The clients that were not asked for keep everything.
    assert set(FollowUp.objects.filter(client__in=[staying, theirs], status="pending")
               .values_list("client_id", "adviser_id")) == {(staying.pk, ana.pk),
                                                           (theirs.pk, berta.pk)}


def test_it_closes_and_opens_the_assignment_history_with_who_when_and_through_what(
        cast, people):
    ana, _berta, carla, _boss = people
    client = make_held_client(cast.project, ana)
    transfer_clients(project=cast.project, actor=cast.supervisor.user, clients=[client.pk],
                     to_adviser=carla, through="screen")
    history = list(ClientAssignment.objects.filter(client=client).order_by("started_at"))
    assert [(h.adviser_id, h.source) for h in history] == [(ana.pk, "file"),
                                                           (carla.pk, "transfer")]
    assert history[0].ended_at == history[1].started_at
    assert history[1].ended_at is None
    assert history[1].changed_by == cast.supervisor.user


def test_a_file_names_its_channel_in_the_history(cast, people):
    ana, _berta, carla, _boss = people
    client = make_held_client(cast.project, ana)
    transfer_clients(project=cast.project, actor=None, clients=[client.pk], to_adviser=carla,
                     through="sftp")
    latest = ClientAssignment.objects.filter(client=client).order_by("-started_at").first()
    assert (latest.adviser_id, latest.source, latest.changed_by) == (carla.pk, "sftp", None)


def test_the_new_supervisor_is_the_new_advisers_team_supervisor(cast, people):
    ana, berta, carla, south_boss = people
    client = make_held_client(cast.project, ana, supervisor=cast.supervisor)
    transfer_clients(project=cast.project, actor=cast.admin.user, clients=[client.pk],
                     to_adviser=carla, through="screen")
    client.refresh_from_db()
    assert (client.adviser_id, client.supervisor_id) == (carla.pk, south_boss.pk)


def test_an_adviser_without_a_team_supervisor_keeps_the_clients_supervisor(cast):
    loner = factories.make_member(cast.project, username="lone")
    client = make_held_client(cast.project, cast.adviser, supervisor=cast.supervisor)
    transfer_clients(project=cast.project, actor=cast.admin.user, clients=[client.pk],
                     to_adviser=loner, through="screen")
    client.refresh_from_db()
    assert (client.adviser_id, client.supervisor_id) == (loner.pk, cast.supervisor.pk)


def test_the_hand_off_note_is_added_to_each_client(cast, people):
    ana, _berta, carla, _boss = people
    clients = [make_held_client(cast.project, ana) for _ in range(2)]
    result = transfer_clients(project=cast.project, actor=cast.admin.user,
                              clients=[c.pk for c in clients], to_adviser=carla,
                              through="bulk", note="  Renuncia de Ana: llamar esta semana. ")
    assert result.notes == 2
    notes = ClientNote.objects.filter(kind=NoteKind.HANDOFF).order_by("client_id")
    assert [(n.client_id, n.text, n.author, n.from_adviser_id, n.to_adviser_id)
            for n in notes] == [
        (c.pk, "Renuncia de Ana: llamar esta semana.", cast.admin.user, ana.pk, carla.pk)
        for c in clients]


def test_without_a_note_none_is_added(cast, people):
    ana, _berta, carla, _boss = people
    client = make_held_client(cast.project, ana)
    result = transfer_clients(project=cast.project, actor=cast.admin.user, clients=[client.pk],
                              to_adviser=carla, through="screen")
    assert result.notes == 0
    assert not ClientNote.objects.filter(kind=NoteKind.HANDOFF).exists()


def test_one_audit_event_records_the_batch_with_its_counts_and_from_whom_to_whom(cast, people):
    ana, berta, carla, _boss = people
    clients = ([make_held_client(cast.project, ana) for _ in range(2)]
               + [make_held_client(cast.project, berta)])
    transfer_clients(project=cast.project, actor=cast.admin.user,
                     clients=Client.objects.filter(pk__in=[c.pk for c in clients]),
                     to_adviser=carla, through="bulk", note="Reorganización")
    [event] = AuditEvent.objects.filter(resource_type="transfer")
    assert (event.event, event.resource_type, event.actor, event.source) == (
        "transferred", "transfer", cast.admin.user, "transfer")
    label = lambda m: f"{m.display_name} ({m.code})"  # noqa: E731
    assert event.resource_label == f"3 clientes a {label(carla)}"
    assert event.changes["adviser"] == [sorted([label(ana), label(berta)]), [label(carla)]]
    assert event.changes["clients"] == [None, 3]
    assert event.changes["routes"] == [None, [
        {"from": label(ana), "to": label(carla), "clients": 2},
        {"from": label(berta), "to": label(carla), "clients": 1}]]
    assert event.changes["followups"] == [None, {"task": 3, "promise": 3, "contact": 3}]
    assert event.changes["note"] == [None, "Reorganización"]


def test_a_single_client_transfer_is_audited_under_the_client(cast, people):
    ana, _berta, carla, _boss = people
    client = make_held_client(cast.project, ana, name="Ana Gómez")
    transfer_clients(project=cast.project, actor=cast.admin.user, clients=[client.pk],
                     to_adviser=carla, through="screen")
    [event] = AuditEvent.objects.filter(resource_type="transfer")
    assert (event.resource_id, event.resource_label) == (
        str(client.pk), f"Ana Gómez ({client.external_id})")


def test_transferring_again_to_the_same_adviser_changes_nothing(cast, people):
    ana, _berta, carla, _boss = people
    clients = [make_held_client(cast.project, ana) for _ in range(3)]
    ids = [c.pk for c in clients]
    transfer_clients(project=cast.project, actor=None, clients=ids, to_adviser=carla,
                     through="screen")
    before, audit = totals(cast.project), AuditEvent.objects.count()
    again = transfer_clients(project=cast.project, actor=None, clients=ids, to_adviser=carla,
                             through="screen")
    assert (again.clients, again.unchanged, again.notes) == (0, 3, 0)
    assert totals(cast.project) == before
    assert AuditEvent.objects.count() == audit


def test_gestiones_held_by_someone_else_pass_too_and_closed_ones_never(cast, people):
    ana, berta, carla, _boss = people
    client = factories.make_client(cast.project, adviser=ana)
    open_by_berta = make_followup(client, adviser=berta)
    broken = make_followup(client, kind=FollowUpKind.PROMISE, status=FollowUpStatus.BROKEN)
    cancelled = make_followup(client, status=FollowUpStatus.CANCELLED)
    transfer_clients(project=cast.project, actor=None, clients=[client.pk], to_adviser=carla,
                     through="screen")
    assert FollowUp.objects.get(pk=open_by_berta.pk).adviser_id == carla.pk
    assert FollowUp.objects.get(pk=broken.pk).adviser_id == ana.pk
    assert FollowUp.objects.get(pk=cancelled.pk).adviser_id == ana.pk


def test_another_projects_clients_are_not_touched(cast, people):
    ana, _berta, carla, _boss = people
    outsider_adviser = factories.make_member(cast.other_project, username="otra-asesora")
    foreign = make_held_client(cast.other_project, outsider_adviser)
    result = transfer_clients(project=cast.project, actor=None, clients=[foreign.pk],
                              to_adviser=carla, through="screen")
    assert (result.clients, result.unchanged) == (0, 0)
    foreign.refresh_from_db()
    assert foreign.adviser_id == outsider_adviser.pk


def test_an_adviser_of_another_project_or_inactive_is_refused_and_nothing_moves(cast, people):
    ana, _berta, carla, _boss = people
    client = make_held_client(cast.project, ana)
    foreigner = factories.make_member(cast.other_project, username="foraneo")
    with pytest.raises(TransferError, match="no existe en este proyecto"):
        transfer_clients(project=cast.project, actor=None, clients=[client.pk],
                         to_adviser=foreigner, through="screen")
    carla.is_active = False
    carla.save(update_fields=["is_active"])
    with pytest.raises(TransferError) as refusal:
        transfer_clients(project=cast.project, actor=None, clients=[client.pk],
                         to_adviser=carla, through="screen")
    assert str(refusal.value) == (f"{carla.display_name} ({carla.code}) está inactivo: elija "
                                  "un asesor activo para recibir los clientes.")
    client.refresh_from_db()
    assert client.adviser_id == ana.pk


def test_a_long_hand_off_note_is_refused_with_its_length(cast, people):
    ana, _berta, carla, _boss = people
    client = make_held_client(cast.project, ana)
    with pytest.raises(TransferError, match=r"máximo 2000 caracteres \(tiene 2001\)"):
        transfer_clients(project=cast.project, actor=None, clients=[client.pk],
                         to_adviser=carla, through="screen", note="x" * 2001)


@pytest.mark.parametrize("through", ["screen", "bulk", "file", "sftp", "api"])
def test_every_channel_is_accepted(cast, people, through):
    ana, _berta, carla, _boss = people
    client = make_held_client(cast.project, ana)
    assert transfer_clients(project=cast.project, actor=None, clients=[client.pk],
                            to_adviser=carla, through=through).clients == 1


def _statements(cast, ana, carla, n):
    clients = [make_held_client(cast.project, ana) for _ in range(n)]
    with CaptureQueriesContext(connection) as queries:
        result = transfer_clients(project=cast.project, actor=cast.admin.user,
                                  clients=Client.objects.filter(pk__in=[c.pk for c in clients]),
                                  to_adviser=carla, through="bulk", note="Traspaso")
    assert result.clients == n
    return len(queries)


def test_the_statements_of_a_transfer_do_not_grow_with_its_clients(cast, people):
    ana, _berta, carla, _boss = people
    few = _statements(cast, ana, carla, 10)
    many = _statements(cast, ana, carla, 200)
    assert few == many
    assert many <= 8
