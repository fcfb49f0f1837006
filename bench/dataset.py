"""The benchmark dataset: built once in `moonflow_bench`, reused by every run.

`seed_demo --clients 1000000 --projects 20` fills one project of a million
clients (about five payment orders each) beside 19 smaller projects. A row in
`bench_dataset` (a table of this module, not a Django model) records a
finished build, so later runs skip it; `--rebuild` drops the database and
builds it again. A build interrupted half-way leaves no row, so the next run
rebuilds.
"""

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass

import psycopg
from psycopg import sql

from . import report
from .report import ROOT, num, say

CLIENTS = 1_000_000
PROJECTS = 20
ORDERS_PER_CLIENT = 5

META_TABLE = "bench_dataset"
SEED_PGOPTIONS = "-c enable_nestloop=off"


@dataclass
class Dataset:
    project_id: int
    project_slug: str
    clients: int  # of the big project, not deleted
    payment_orders: int  # of the big project
    total_clients: int
    total_orders: int
    projects: int
    build_seconds: float | None
    built_at: str


def database_name() -> str:
    from django.conf import settings

    return settings.DATABASES["default"]["NAME"]


def conninfo(dbname: str | None = None) -> str:
    """A libpq connection string for the benchmark database (or another on the same server)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    parts = {
        "dbname": dbname or db["NAME"],
        "user": db.get("USER") or "",
        "password": db.get("PASSWORD") or "",
        "host": db.get("HOST") or "",
        "port": str(db.get("PORT") or ""),
        # The product's own session settings (moonflow.settings.base): a raw replay runs
        # with what the page runs with.
        "options": (db.get("OPTIONS") or {}).get("options", ""),
    }
    return " ".join(f"{k}='{v}'" for k, v in parts.items() if v)


def raw_connect(**kwargs) -> psycopg.Connection:
    return psycopg.connect(conninfo(), **kwargs)


def _server_connect() -> psycopg.Connection:
    return psycopg.connect(conninfo("postgres"), autocommit=True)


def _database_exists(name: str) -> bool:
    with _server_connect() as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def _create_database(name: str, *, drop: bool) -> None:
    with _server_connect() as conn:
        if drop:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    env["BENCH_DATABASE_NAME"] = database_name()
    return env


def _manage(*args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=_child_env(), check=True
    )


def _seed(command: list[str]) -> int | None:
    """Run seed_demo, echoing its progress; returns the rows it says it wrote (all tables)."""
    env = _child_env()
    # seed_demo recomputes each new project's situations inside the transaction that
    # loaded it, before any ANALYZE has seen its rows: the planner expects one client
    # and picks nested loops that rescan the project's orders once per client (a
    # 20,000-client project ran for more than five minutes without finishing). Hash
    # joins are right at every size here, so the seed's connections go without nested loops.
    env["PGOPTIONS"] = (env.get("PGOPTIONS", "") + " " + SEED_PGOPTIONS).strip()
    proc = subprocess.Popen(
        [sys.executable, "manage.py", *command], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, text=True,
    )
    rows = None
    for line in proc.stdout:
        print("  | " + line.rstrip(), flush=True)
        match = re.match(r"Done: ([\d,]+) rows", line.strip())
        if match:
            rows = int(match.group(1).replace(",", ""))
    if proc.wait() != 0:
        raise SystemExit(f"seed_demo failed with exit code {proc.returncode}")
    return rows


def _recorded() -> tuple | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [META_TABLE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(
            f"SELECT seconds, built_at, command, clients FROM {META_TABLE} "
            "ORDER BY built_at DESC LIMIT 1"
        )
        return cursor.fetchone()


def _seed_command(clients: int) -> list[str]:
    return [
        "seed_demo",
        "--clients", str(clients),
        "--projects", str(PROJECTS),
        "--orders-per-client", str(ORDERS_PER_CLIENT),
    ]


def _big_project() -> tuple[int, str]:
    from django.db import connection

    # Grouped by project_id, not a count per project joined to tenancy_project: Citus
    # pushes this one down to the shards (bench/citus.py), and cannot push the join down.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT project_id FROM clients_client GROUP BY project_id "
            "ORDER BY count(*) DESC, project_id LIMIT 1"
        )
        (project_id,) = cursor.fetchone()
        cursor.execute("SELECT slug FROM tenancy_project WHERE id = %s", [project_id])
        return project_id, cursor.fetchone()[0]


def describe() -> Dataset:
    from django.db import connection

    recorded = _recorded()
    project_id, slug = _big_project()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM clients_client WHERE project_id = %s AND deleted_at IS NULL",
            [project_id],
        )
        clients = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM clients_paymentorder WHERE project_id = %s", [project_id])
        orders = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM clients_client")
        total_clients = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM clients_paymentorder")
        total_orders = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM tenancy_project")
        projects = cursor.fetchone()[0]
    return Dataset(
        project_id=project_id,
        project_slug=slug,
        clients=clients,
        payment_orders=orders,
        total_clients=total_clients,
        total_orders=total_orders,
        projects=projects,
        build_seconds=recorded[0] if recorded else None,
        built_at=recorded[1].strftime("%Y-%m-%d %H:%M") if recorded else "—",
    )


def ensure(*, rebuild: bool = False, clients: int = CLIENTS) -> Dataset:
    """Create, migrate and fill `moonflow_bench` unless a finished build is recorded."""
    from django.db import connection

    name = database_name()
    if rebuild or not _database_exists(name):
        say(f"Creating the database {name}")
        connection.close()
        _create_database(name, drop=rebuild)
    # Always migrate: a new index in the product must be measured too.
    _manage("migrate", "--no-input", "-v", "0")
    recorded = None if rebuild else _recorded()
    if recorded is not None and recorded[3] != clients:
        say(f"{name} holds a {recorded[3]:,}-client build, {clients:,} asked for: rebuilding")
        rebuild = True
        connection.close()
        _create_database(name, drop=True)
        _manage("migrate", "--no-input", "-v", "0")
    elif recorded is not None:
        dataset = describe()
        say(
            f"Dataset present in {name} (built {dataset.built_at}): "
            f"{num(dataset.clients)} clients and {num(dataset.payment_orders)} payment orders "
            f"in the big project, {dataset.projects} projects"
        )
        return dataset
    if not rebuild and _has_rows():
        # Half-built (interrupted) or seeded by hand: start from an empty database.
        say(f"{name} has rows but no finished build recorded: rebuilding it")
        connection.close()
        _create_database(name, drop=True)
        _manage("migrate", "--no-input", "-v", "0")
    return _build(clients)


# Clients with rare first names, added once to the big project: the seed's vocabulary has
# about 250 words, the rarest in 0.5 % of the book, and real books have long tails, so
# without these the benchmark would have no "rare word" search. Each copies an existing
# client (in id order, from FIXTURE_FROM) with another first name and a document number of
# the reserved range below; the insert goes through the table's triggers like any import.
RARE_FIRST_NAMES = (
    ("Yeferson", 12), ("Brayan", 25), ("Nayeli", 3), ("Dayana", 40), ("Yurany", 8),
    ("Deiby", 2), ("Ferney", 15), ("Yorladys", 1), ("Arbey", 6), ("Edilma", 30),
    ("Norbey", 9), ("Yamile", 20), ("Heiner", 4), ("Luz Dary", 18), ("Wilfer", 5),
    ("Leidys", 11), ("Jhoan", 35), ("Anyelo", 7), ("Eider", 14), ("Yésica", 22),
    ("Maryory", 10), ("Duván", 16), ("Yeimy", 28), ("Nelcy", 1),
)
FIXTURE_DOCUMENTS_FROM = 5_000_000_001
FIXTURE_FROM = 1000


def ensure_search_fixtures(project_id: int) -> int:
    """Add the rare-first-name clients to the big project unless present; returns how many
    were added (0 when already there)."""
    from django.db import connection, transaction

    first = str(FIXTURE_DOCUMENTS_FROM)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM clients_client WHERE project_id = %s AND document_type = 'CC' "
            "AND document_number = %s",
            [project_id, first],
        )
        if cursor.fetchone():
            return 0
    picks = [name for name, n in RARE_FIRST_NAMES for _ in range(n)]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            WITH picks AS (
                SELECT p.first, p.k FROM unnest(%(names)s::text[]) WITH ORDINALITY p(first, k)
            ), src AS (
                SELECT c.*, row_number() OVER (ORDER BY c.id) AS k
                  FROM (SELECT * FROM clients_client
                         WHERE project_id = %(project)s AND deleted_at IS NULL
                           AND document_type = 'CC'
                         ORDER BY id OFFSET %(offset)s LIMIT %(n)s) c
            )
            INSERT INTO clients_client (
                document_type, document_number, name, email, phone, city, status,
                portfolio_type, claim_category, contactability, contact_alert, extra, situation,
                balance, oldest_overdue_on, deleted_at, deletion_reason, created_at, updated_at,
                adviser_id, deleted_by_id, project_id, supervisor_id, segment_id)
            SELECT 'CC', (%(first)s::bigint + p.k - 1)::text,
                   p.first || ' ' || substring(s.name from position(' ' in s.name) + 1),
                   s.email, s.phone, s.city, s.status, s.portfolio_type, s.claim_category,
                   s.contactability, s.contact_alert, s.extra, s.situation, s.balance,
                   s.oldest_overdue_on, NULL, '', s.created_at, s.updated_at, s.adviser_id,
                   NULL, s.project_id, s.supervisor_id, s.segment_id
              FROM picks p JOIN src s ON s.k = p.k
            """,
            {"names": picks, "project": project_id, "offset": FIXTURE_FROM, "n": len(picks),
             "first": FIXTURE_DOCUMENTS_FROM},
        )
        return cursor.rowcount


def _has_rows() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM tenancy_project)")
        return cursor.fetchone()[0]


def _build(clients: int, *, section: bool = True) -> Dataset:
    """Seed, VACUUM ANALYZE and record the build; `section=False` leaves the dataset section
    of docs/benchmarks.md alone (a build on another server than DATABASE_URL's)."""
    from django.db import connection

    command = _seed_command(clients)
    say(f"Building the dataset: manage.py {' '.join(command)} (this takes several minutes)")
    started = time.perf_counter()
    seed_rows = _seed(command)
    seed_seconds = time.perf_counter() - started
    say(f"  seed_demo took {seed_seconds:,.0f} s; VACUUM ANALYZE")
    vacuum_started = time.perf_counter()
    connection.close()
    with raw_connect(autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    vacuum_seconds = time.perf_counter() - vacuum_started
    with connection.cursor() as cursor:
        cursor.execute(
            f"""CREATE TABLE IF NOT EXISTS {META_TABLE} (
                   built_at timestamptz NOT NULL DEFAULT now(),
                   seconds double precision NOT NULL,
                   vacuum_seconds double precision NOT NULL,
                   clients integer NOT NULL,
                   seed_rows bigint,
                   command text NOT NULL)"""
        )
        cursor.execute(
            f"INSERT INTO {META_TABLE} (seconds, vacuum_seconds, clients, seed_rows, command) "
            "VALUES (%s, %s, %s, %s, %s)",
            [seed_seconds, vacuum_seconds, clients, seed_rows, "manage.py " + " ".join(command)],
        )
    dataset = describe()
    if section:
        _write_section(dataset, seed_seconds, vacuum_seconds, command, seed_rows)
    return dataset


def _write_section(dataset: Dataset, seconds: float, vacuum_seconds: float, command,
                   seed_rows: int | None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    rows = dataset.total_clients + dataset.total_orders
    body = "\n\n".join(
        [
            "## Dataset",
            report.run_header(
                f"{report.command_line()} → manage.py {' '.join(command)}", report.machine_facts()
            ),
            report.table(
                ["what", "figure"],
                [
                    ["projects", num(dataset.projects)],
                    ["clients in the big project", num(dataset.clients)],
                    ["payment orders in the big project", num(dataset.payment_orders)],
                    ["clients / payment orders, all projects",
                     f"{num(dataset.total_clients)} / {num(dataset.total_orders)}"],
                    ["seed_demo wall time", f"{seconds:,.0f} s"],
                    ["build throughput, clients + payment orders", f"{num(rows / seconds)} rows/s"],
                    ["build throughput, every row seed_demo wrote (interactions, assignments, "
                     "claims, portfolio members too)",
                     f"{num(seed_rows)} rows, {num(seed_rows / seconds)} rows/s"
                     if seed_rows else "—"],
                    ["VACUUM ANALYZE afterwards", f"{vacuum_seconds:,.0f} s"],
                    ["database size", size],
                ],
            ),
            "Built once into the database `moonflow_bench` on the DATABASE_URL server and "
            "reused; `python -m bench <name> --rebuild` builds it again. seed_demo runs with "
            f"`PGOPTIONS='{SEED_PGOPTIONS}'`: its per-project situation recompute runs before "
            "the new project's rows have statistics, and the nested-loop plan PostgreSQL then "
            "picks rescans the project's orders once per client (see the situation section).",
        ]
    )
    report.write_section("dataset", body)
