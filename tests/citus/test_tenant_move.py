"""A big project gets a shard of its own and moves to the other worker while its clients
tray keeps answering (docs/distribution.md, "Moving a big tenant"): the product's schema,
every co-located table moved with the clients (CASCADE), a reader on another connection
requesting the tray the whole time. Citus's split needs vendor/citus's patch for the
stored generated columns (clients_paymentorder.total): without it the split hashes the
wrong column and stops re-adding the foreign keys."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from tests import factories
from tests.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


class TrayReader(threading.Thread):
    """Requests the project's clients tray until stopped; keeps what each answer showed."""

    def __init__(self, member, url: str, name: str):
        super().__init__(daemon=True)
        self.member, self.url, self.name = member, url, name
        self.stop = threading.Event()
        self.answers: list[tuple[int, bool]] = []
        self.error: BaseException | None = None

    def run(self):
        try:
            browser = login(self.member)
            while not self.stop.is_set():
                page = browser.get(self.url)
                self.answers.append((page.status_code, self.name in page.content.decode()))
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.error = exc
        finally:
            connection.close()


def _placement(cursor, project_id: int) -> tuple[int, int]:
    """(shard id, worker port) of the project's clients."""
    cursor.execute("SELECT get_shard_id_for_distribution_column('clients_client', %s)",
                   [project_id])
    (shard,) = cursor.fetchone()
    cursor.execute("SELECT nodeport FROM pg_dist_shard_placement WHERE shardid = %s", [shard])
    (port,) = cursor.fetchone()
    return shard, port


def test_a_big_project_moves_to_its_own_shard_and_worker_while_its_tray_answers(
        cast, citus_cursor):
    for n in range(40):
        client = factories.make_client(cast.project, name=f"Cliente {n:02}",
                                       adviser=cast.adviser)
        factories.make_payment_order(client)
    neighbour = factories.make_client(cast.other_project, name="Vecino")
    url = reverse("clients:list", kwargs={"project": cast.project.slug})
    before_shard, _port = _placement(citus_cursor, cast.project.pk)

    reader = TrayReader(cast.admin, url, "Cliente 00")
    reader.start()
    try:
        citus_cursor.execute(
            "SELECT isolate_tenant_to_new_shard('clients_client', %s, 'CASCADE', "
            "shard_transfer_mode => 'block_writes')", [cast.project.pk])
        (own_shard,) = citus_cursor.fetchone()
        _shard, port = _placement(citus_cursor, cast.project.pk)
        citus_cursor.execute("SELECT nodeport FROM pg_dist_node WHERE groupid <> 0 AND "
                             "nodeport <> %s", [port])
        (other,) = citus_cursor.fetchone()
        citus_cursor.execute(
            "SELECT citus_move_shard_placement(%s, '127.0.0.1', %s, '127.0.0.1', %s, "
            "shard_transfer_mode => 'block_writes')", [own_shard, port, other])
        answered_while_moving = len(reader.answers)
    finally:
        reader.stop.set()
        reader.join(timeout=60)

    assert reader.error is None, reader.error
    assert answered_while_moving > 0
    assert reader.answers and all(answer == (200, True) for answer in reader.answers)
    assert own_shard != before_shard
    assert _placement(citus_cursor, cast.project.pk) == (own_shard, other)
    # The project alone in its shard; its neighbour stayed where it was.
    citus_cursor.execute("SELECT count(DISTINCT project_id) FROM clients_client "
                         "WHERE get_shard_id_for_distribution_column('clients_client', "
                         "project_id) = %s", [own_shard])
    assert citus_cursor.fetchone() == (1,)
    neighbours = reverse("clients:list", kwargs={"project": cast.other_project.slug})
    assert neighbour.name in login(cast.outsider).get(neighbours).content.decode()

    # Served from its new home: the tray, and a new client written and found.
    page = login(cast.admin).get(url, {"q": "Cliente 39"})
    assert page.status_code == 200 and "Cliente 39" in page.content.decode()
    factories.make_client(cast.project, name="Cliente Nuevo")
    assert "Cliente Nuevo" in login(cast.admin).get(url, {"q": "nuevo"}).content.decode()
