"""Bulk loading: COPY generated rows straight into the tables.

Rows never go through the ORM. Client ids are reserved from the table's
identity sequence up front (so payment orders, interactions… can point at
them), a background thread draws the next chunk while this one streams to
PostgreSQL (the database works on the other core meanwhile), and the whole
project loads in one transaction: an interrupted seed leaves nothing behind.

Foreign keys are checked row by row by PostgreSQL's triggers, which is about
half of the load time. The rows only point at ids created in the same
transaction, so when the role may (superuser) the load skips those triggers
the way `pg_restore --disable-triggers` does (`session_replication_role =
replica`, for this transaction only), and then writes the clients' search
terms itself, which a trigger writes otherwise; `check_constraints=True`
keeps the triggers.

Maintaining two dozen secondary indexes row by row is the other half. When a
load at least doubles a large table (a fresh or benchmark database), its
secondary indexes are dropped and rebuilt once at the end, inside the same
transaction (a failed load rolls the DDL back too); indexes that back a
constraint (primary keys, unique external ids) always stay.
"""

import queue
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection
from psycopg import postgres, pq
from psycopg.adapt import Dumper

from moonflow.db.maintenance import ORIGIN_MODE, enter_replica_mode

from .generate import (
    ASSIGNMENT_COLUMNS,
    CLAIM_COLUMNS,
    CLIENT_COLUMNS,
    INTERACTION_COLUMNS,
    PAYMENT_ORDER_COLUMNS,
    BookGenerator,
    Plan,
)

CHUNK_SIZE = 10_000

# (attribute of Chunk, table, columns), in foreign-key order.
TABLES = (
    ("clients", "clients_client", CLIENT_COLUMNS),
    ("payment_orders", "clients_paymentorder", PAYMENT_ORDER_COLUMNS),
    ("interactions", "interactions_interaction", INTERACTION_COLUMNS),
    ("assignments", "clients_clientassignment", ASSIGNMENT_COLUMNS),
    ("claims", "clients_claim", CLAIM_COLUMNS),
)
LOADED_TABLES = tuple(table for _, table, _ in TABLES) + ("clients_claim_payment_orders",)
# Tables whose secondary indexes may be rebuilt after a large load.
REBUILT_TABLES = (
    "clients_client", "clients_paymentorder", "interactions_interaction",
    "clients_clientassignment",
)
# Loads of fewer clients than this keep their indexes (rebuilding costs more).
REBUILD_INDEXES_FROM = 100_000


@dataclass
class LoadStats:
    counts: dict = field(default_factory=lambda: {attr: 0 for attr, _, _ in TABLES})
    seconds: float = 0.0
    first_client_id: int | None = None
    last_client_id: int | None = None

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


class _SerializedJsonbDumper(Dumper):
    """Binary jsonb from a str that already holds JSON: a version byte, then the text.

    The generators write `Client.extra` as pre-escaped JSON text (much cheaper
    than `json.dumps` per row); psycopg's own jsonb dumper would serialise that
    str again, as a JSON string.
    """

    format = pq.Format.BINARY
    oid = postgres.types["jsonb"].oid

    def dump(self, obj):
        return b"\x01" + obj.encode()


def raw_cursor():
    """A psycopg 3 cursor on Django's connection (same transaction)."""
    connection.ensure_connection()
    return connection.connection.cursor()


def copy_cursor():
    """A raw cursor whose binary COPY takes pre-serialised JSON for jsonb columns."""
    cursor = raw_cursor()
    cursor.adapters.register_dumper(None, _SerializedJsonbDumper)
    return cursor


def reserve_client_ids(cursor, sequence: str, n: int) -> list[int]:
    # nextval never hands the same value out twice, even to concurrent sessions.
    cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", (sequence, n))
    return [row[0] for row in cursor.fetchall()]


def column_types(cursor, table: str, columns) -> list[str]:
    cursor.execute(
        """
        SELECT attname, format_type(atttypid, NULL) FROM pg_attribute
         WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped
        """,
        (table,),
    )
    types = dict(cursor.fetchall())
    return [types[column] for column in columns]


def copy_rows(cursor, table: str, columns, rows, types=None) -> None:
    """COPY rows into table; binary when the column types are given.

    Binary COPY spares PostgreSQL the parsing of every date, timestamp and
    number from text: about twice as fast on both sides of the socket.
    """
    if not rows:
        return
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    if types:
        sql += " (FORMAT BINARY)"
    with cursor.copy(sql) as copy:
        if types:
            copy.set_types(types)
        write = copy.write_row
        for row in rows:
            write(row)


def load_book(plan: Plan, *, total: int, first_index: int, seed: int, progress=None,
              note=None, check_constraints: bool = False,
              keep_indexes: bool = False) -> LoadStats:
    """Generate and COPY `total` clients (and what hangs from them) into plan's project.

    Must run inside a transaction. `progress(stats, done_clients)` is called after each
    chunk, `note(message)` for the steps in between.
    """
    stats = LoadStats()
    if total <= 0:
        return stats
    generator = BookGenerator(plan, seed=seed, first_index=first_index, total=total)
    started = time.monotonic()
    with copy_cursor() as cursor:
        skip_triggers = not check_constraints and _is_superuser(cursor)
        if skip_triggers:
            enter_replica_mode(cursor)
        else:
            # Check foreign keys at the end of each COPY rather than queueing
            # millions of deferred trigger events until commit.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SELECT pg_get_serial_sequence('clients_client', 'id')")
        sequence = cursor.fetchone()[0]
        pending = deque(
            (first_index + offset, min(CHUNK_SIZE, total - offset))
            for offset in range(0, total, CHUNK_SIZE)
        )
        rebuild = not keep_indexes and _worth_rebuilding(cursor, total)
        with _secondary_indexes_dropped(cursor, REBUILT_TABLES if rebuild else (), note):
            _stream(cursor, generator, sequence, pending, total, stats, started, progress)
        if skip_triggers:
            cursor.execute(ORIGIN_MODE)
            # The triggers that keep the search terms did not run either.
            _search_terms(cursor, plan.project_id, stats, note)
    stats.seconds = time.monotonic() - started
    return stats


def _stream(cursor, generator, sequence, pending, total, stats, started, progress) -> None:
    types = {table: column_types(cursor, table, columns) for _, table, columns in TABLES}
    requests, results = queue.Queue(), queue.Queue()
    worker = threading.Thread(
        target=_produce, args=(generator, requests, results), name="seed-demo", daemon=True
    )
    worker.start()

    def feed():
        start, size = pending.popleft()
        ids = reserve_client_ids(cursor, sequence, size)
        if stats.first_client_id is None:
            stats.first_client_id = ids[0]
        stats.last_client_id = ids[-1]
        requests.put((start, ids))

    try:
        for _ in range(min(2, len(pending))):
            feed()
        done = 0
        while done < total:
            chunk = results.get()
            if isinstance(chunk, BaseException):
                raise chunk
            if pending:
                feed()  # the worker draws the next chunk while this one is copied
            for attr, table, columns in TABLES:
                rows = getattr(chunk, attr)
                copy_rows(cursor, table, columns, rows, types[table])
                stats.counts[attr] += len(rows)
            done += len(chunk.clients)
            stats.seconds = time.monotonic() - started
            if progress:
                progress(stats, done)
    finally:
        requests.put(None)
        worker.join(timeout=30)


def _search_terms(cursor, project_id: int, stats: LoadStats, note=None) -> None:
    """The search terms of the loaded clients (clients/migrations/0010), in one statement,
    in key order so the index grows at its edge instead of page by random page."""
    started = time.monotonic()
    cursor.execute(
        """
        INSERT INTO clients_clientsearchterm (project_id, term, name, client_id)
        SELECT c.project_id, t.term, c.name, c.id
          FROM clients_client c,
               LATERAL client_search_terms(c.name, c.email, c.phone, c.document_number) t(term)
         WHERE c.project_id = %s AND c.id BETWEEN %s AND %s
         ORDER BY 1, 2, 3, 4
        """,
        (project_id, stats.first_client_id, stats.last_client_id),
    )
    if note:
        note(f"  search terms written in {time.monotonic() - started:,.1f} s.")


def _worth_rebuilding(cursor, total: int) -> bool:
    if total < REBUILD_INDEXES_FROM:
        return False
    cursor.execute("SELECT count(*) FROM clients_client")
    return total >= cursor.fetchone()[0]


@contextmanager
def _secondary_indexes_dropped(cursor, tables, note=None):
    """Drop the indexes of `tables` that back no constraint; recreate them on exit."""
    definitions = []
    for table in tables:
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
              FROM pg_index i
             WHERE i.indrelid = %s::regclass
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
             ORDER BY 1
            """,
            (table,),
        )
        definitions += cursor.fetchall()
    for name, _ in definitions:
        cursor.execute(f"DROP INDEX {name}")
    if definitions and note:
        note(f"  {len(definitions)} secondary indexes dropped for the load; rebuilt at the end.")
    yield
    if definitions:
        started = time.monotonic()
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for name, definition in definitions:
            cursor.execute(definition)
        if note:
            note(f"  indexes rebuilt in {time.monotonic() - started:,.1f} s.")


def _is_superuser(cursor) -> bool:
    cursor.execute("SELECT current_setting('is_superuser')")
    return cursor.fetchone()[0] == "on"


def _produce(generator: BookGenerator, requests: queue.Queue, results: queue.Queue) -> None:
    while True:
        item = requests.get()
        if item is None:
            return
        start, ids = item
        try:
            results.put(generator.chunk(start, ids))
        except BaseException as exc:  # handed to the loading thread, which raises it
            results.put(exc)
            return


def link_claims(*, project_id: int, first_client_id: int, last_client_id: int) -> int:
    """Link each new claim to its client's oldest pending order (else the latest one)."""
    with raw_cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO clients_claim_payment_orders (project_id, claim_id, paymentorder_id)
            SELECT DISTINCT ON (cl.id) cl.project_id, cl.id, po.id
              FROM clients_claim cl
              JOIN clients_paymentorder po
                ON po.project_id = cl.project_id AND po.client_id = cl.client_id
             WHERE cl.project_id = %(project)s
               AND cl.client_id BETWEEN %(first)s AND %(last)s
               AND NOT EXISTS (
                   SELECT 1 FROM clients_claim_payment_orders x
                    WHERE x.project_id = cl.project_id AND x.claim_id = cl.id
               )
             ORDER BY cl.id, (po.status = 'pending') DESC, (po.status = 'paid') DESC,
                      CASE WHEN po.status = 'pending' THEN po.due_date END ASC,
                      po.due_date DESC
            ON CONFLICT DO NOTHING
            """,
            {"project": project_id, "first": first_client_id, "last": last_client_id},
        )
        return cursor.rowcount


def analyze(tables=LOADED_TABLES) -> None:
    """Fresh statistics, so the first queries on the new rows get sensible plans."""
    with raw_cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {table}")
