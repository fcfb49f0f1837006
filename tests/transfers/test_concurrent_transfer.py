"""A transfer and another write on the same client at the same time, on two connections: neither
is lost, whichever takes the client's row first (the other waits for it)."""

import threading
import time
from datetime import date, timedelta

import pytest
from django.db import connection, connections, transaction

from clients import services
from clients.models import Client
from followups.models import FollowUp
from followups.services import followup_create
from tests import factories
from transfers.services import transfer_clients

pytestmark = pytest.mark.django_db(transaction=True)


class Holder(threading.Thread):
    """Runs `write` in a transaction on its own connection and keeps it open until released."""

    def __init__(self, write):
        super().__init__(daemon=True)
        self.write = write
        self.inside = threading.Event()
        self.release = threading.Event()
        self.error = None

    def run(self):
        try:
            with transaction.atomic():
                self.write()
                self.inside.set()
                assert self.release.wait(20)
        except Exception as error:  # reported by the test
            self.error = error
            self.inside.set()
        finally:
            connections.close_all()


class Waiter(threading.Thread):
    """Runs `write` on its own connection; records when it finished."""

    def __init__(self, write):
        super().__init__(daemon=True)
        self.write = write
        self.done = threading.Event()
        self.error = None

    def run(self):
        try:
            self.write()
        except Exception as error:
            self.error = error
        finally:
            self.done.set()
            connections.close_all()


def _race(first, second):
    """`first` takes the row and holds its transaction; `second` must wait for it."""
    holder = Holder(first)
    holder.start()
    assert holder.inside.wait(20)
    assert holder.error is None, holder.error
    waiter = Waiter(second)
    waiter.start()
    time.sleep(0.5)
    assert not waiter.done.is_set(), "the second write did not wait for the first"
    holder.release.set()
    holder.join(20)
    assert waiter.done.wait(20)
    assert waiter.error is None, waiter.error


@pytest.fixture
def scene(cast):
    carla = factories.make_member(cast.project, username="carla", code="C-30")
    client = factories.make_client(cast.project, name="Antes", phone="3001234567",
                                   adviser=cast.adviser)
    return cast, carla, client


def _transfer(cast, client, to):
    return lambda: transfer_clients(project=cast.project, actor=cast.admin.user,
                                    clients=[client.pk], to_adviser=to, through="screen")


def _edit(cast, client):
    def write():
        fresh = Client.objects.get(pk=client.pk)
        services.client_update(client=fresh, actor=cast.supervisor.user, name="Editado",
                               phone="3109876543")
    return write


@pytest.mark.parametrize("order", ["edit_first", "transfer_first"])
def test_a_transfer_and_an_edit_of_the_same_client_both_stay(scene, order):
    cast, carla, client = scene
    edit, transfer = _edit(cast, client), _transfer(cast, client, carla)
    _race(*((edit, transfer) if order == "edit_first" else (transfer, edit)))
    client.refresh_from_db()
    assert (client.name, client.phone, client.adviser_id) == ("Editado", "3109876543", carla.pk)
    assert client.assignments.filter(ended_at__isnull=True).get().adviser_id == carla.pk


@pytest.mark.parametrize("order", ["gestion_first", "transfer_first"])
def test_a_gestion_created_while_its_client_is_transferred_goes_to_the_new_adviser(
        scene, order):
    cast, carla, client = scene

    def create():
        fresh = Client.objects.select_related("project").get(pk=client.pk)
        followup_create(client=fresh, actor=cast.adviser.user, kind="task",
                        title="Llamar el lunes", due_on=date.today() + timedelta(days=2))

    transfer = _transfer(cast, client, carla)
    _race(*((create, transfer) if order == "gestion_first" else (transfer, create)))
    assert list(FollowUp.objects.filter(client=client).values_list("adviser_id", flat=True)) == [
        carla.pk]


def test_two_transfers_of_overlapping_books_in_opposite_orders_do_not_deadlock(cast):
    """Each locks its clients in id order, so two batches sharing clients queue, never cross."""
    ana, carla = cast.adviser, factories.make_member(cast.project, username="carla")
    dora = factories.make_member(cast.project, username="dora")
    clients = [factories.make_client(cast.project, adviser=ana) for _ in range(40)]
    ids = [c.pk for c in clients]
    errors = []

    def run(target, order):
        try:
            for _ in range(5):
                transfer_clients(project=cast.project, actor=None, clients=order,
                                 to_adviser=target, through="bulk")
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(carla, ids)),
               threading.Thread(target=run, args=(dora, list(reversed(ids))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM clients_clientassignment WHERE client_id = ANY(%s) "
                       "AND ended_at IS NULL", [ids])
        assert cursor.fetchone()[0] == 40  # one open history row per client, whoever won
