"""bench-import: a client file end to end — upload, mapping, analysis, preview, confirmation,
writing, counts and error report — measured on the path a user triggers.

The file: N rows × 16 columns (Tipo de documento; Número de documento; Nombre; Correo;
Teléfono; Ciudad; Segmento; Estado; Tipo de cartera; Asesor ID; Contactabilidad; and the
custom variables Producto (text), Monto (number), Vence (date), Canal (text), Score
(number)) for a project of 200 advisers (Asesor ID A-000 … A-199) and 3 segments. Row i is
client CC 1000000000+i. The project already holds the even rows (half the file), each with
other values for Monto and Score (and, for some, another adviser, phone or
contactability), so every even row is a real update and every odd row a create. Two rows
in every 2,000 (0.1 %, one new and one existing) carry one invalid value (e-mail, unknown
adviser, garbled amount, impossible date, unknown segment, in turn): they must end in the
job's failed count and its error report. The CSV is written as Colombians write it (`;`,
UTF-8, amounts "1.234.567,89", dates dd/mm/aaaa); the XLSX holds the same rows (numbers and
dates as real cells), written by xlsxwriter in constant_memory mode. Both are written once
into .data/bench/imports/ and reused; the small size's files are the first rows of the big
one's. The pre-loaded state comes from the same generator (a file of the even rows' earlier
values, loaded by COPY into a staging table and one INSERT … SELECT, with their open
assignment-history rows), so the file and the book always agree on what changes.

"Ours" is the user's path, through Django's test `Client` logged in as the project's admin
and a real `celery worker -c 1` subprocess on the default, imports and exports queues:
POST integrations:upload (the file), wait for the mapping (an XLSX is converted and read
by the job first, phase "read"), GET the mapping page, POST integrations:mapping with the
page's proposal (the form's initial values: the auto-mapping), wait for the preview
(AWAITING, phase "preview"), GET the preview, POST integrations:confirm, wait for the job
to finish. Each run imports into a fresh project in the pre-loaded state (created and
dropped outside the timings), so every run does half updates and half creates. Timed:
the upload request, the reading (XLSX: the upload's answer → the job waiting with its
proposal; CSV: none), the analysis (mapping POST → the job waiting with its preview) and
the writing (confirm POST → the job's finished_at); the time the user spends on the
mapping and preview pages is excluded. The total is their sum; rows/s is the file's rows ÷
that total. A run counts only if the counts are exactly the file's (created, updated, failed,
nothing unchanged), the preview said so too, the error report holds every failed row,
and the project holds the pre-loaded clients plus the created ones; anything else stops
the benchmark.

Memory: psutil samples the worker's process tree every 0.1 s while a run goes on: the pool
process's peak (and its kernel high-water mark VmHWM, reset before each run), and the peak
of any other process of the tree (the XLSX converter, moonflow/imports/reading/convert.py).
The upload request runs in this process (the test Client): its own children, if any (a
converter started by the request), are sampled the same way.

Compared in the same run, each in a child process (`python -m bench.imports <mode> …`) that
times its own work after setting up, its peak RSS its own VmHWM:
- raw PostgreSQL (CSV): COPY of the same rows, already clean and typed, into a temporary
  staging table and one INSERT … ON CONFLICT (project_id, document_type, document_number)
  DO UPDATE into clients_client of a fresh project in the same pre-loaded state;
- django-import-export (CSV): a ModelResource for Client over the first 10,000 rows of the
  same CSV, the library's default import (import_data, dry_run=False), extrapolated;
- openpyxl read_only (XLSX): every row of the same XLSX, values only, nothing else.

Also: the clients tray's p95 while a big CSV import writes (an extra run, not counted in
the throughput figures) against its p95 idle measured just before; and the cost of each
index of clients_client on a raw INSERT of new rows (on a copy of the project's clients,
each measurement in a transaction that is rolled back).
"""

from __future__ import annotations

import csv
import functools
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from moonflow.db.maintenance import enter_replica_mode

from . import report
from .download import (
    FORMATS,
    POLL_EVERY,
    SAMPLE_EVERY,
    WORKER_COMMAND,
    TreeSampler,
    Worker,
    _cpu_seconds,
    _reset_peak,
    _vm_hwm_mb,
)
from .report import ROOT, Timing, num, ratio, say

SECTION = "import"
ROWS = 1_000_000  # the big file
SMALL_SHARE = 10  # the small file is ROWS // SMALL_SHARE rows (100k of 1M)
WARM_ROWS = 1_000  # the untimed warm-up import
BIG_FROM = 1_000_000  # sizes from here run at most MAX_RUNS_BIG times
MAX_RUNS_BIG = 2
MAX_RUNS = 5
IE_ROWS = 10_000  # django-import-export's rows
INDEX_ROWS = 100_000  # rows of the cost-per-index INSERT
TRAY_WARMUP = 3
TRAY_IDLE_REQUESTS = 40
PHASE_TIMEOUT = 3 * 3600  # seconds a phase may take before the benchmark gives up
FILE_VERSION = 1  # bump when the generator changes: the cached files are rewritten

TARGET_CSV_RAW_SHARE = 0.50
TARGET_CSV_IE_FACTOR = 100.0
TARGET_XLSX_OPENPYXL_FACTOR = 10.0
TARGET_WORKER_MB = 300
TARGET_CHILD_MB = 2048
TARGET_TRAY_FACTOR = 2.0

ADVISERS = 200
USER_PREFIX = "bench-import-"
SLUG_PREFIX = "bench-import-"
WORK_DIR = ROOT / ".data" / "bench" / "imports"

HEADERS = [
    "Tipo de documento", "Número de documento", "Nombre", "Correo", "Teléfono", "Ciudad",
    "Segmento", "Estado", "Tipo de cartera", "Asesor ID", "Contactabilidad",
    "Producto", "Monto", "Vence", "Canal", "Score",
]
# key, label, type (clients.choices.VariableType)
VARIABLES = (("producto", "Producto", "text"), ("monto", "Monto", "number"),
             ("vence", "Vence", "date"), ("canal", "Canal", "text"),
             ("score", "Score", "number"))
SEGMENTS = ("Consumo", "Pyme", "Hipotecario")
FIRST_NAMES = (
    "María", "José", "Luis", "Ana", "Juan", "Carlos", "Luz", "Jorge", "Sandra", "Andrés",
    "Diana", "Óscar", "Paola", "Julián", "Ángela", "Héctor", "Natalia", "Camilo", "Yeni",
    "Édgar", "Claudia", "Fabián", "Marcela", "Jhon", "Lorena", "Wilson", "Adriana", "Iván",
    "Gloria", "Sebastián", "Nubia", "Hernán",
)
LAST_NAMES = (
    "Gómez", "Rodríguez", "Martínez", "López", "García", "Pérez", "Muñoz", "Hernández",
    "Sánchez", "Ramírez", "Torres", "Díaz", "Castaño", "Vargas", "Moreno", "Jiménez", "Rojas",
    "Suárez", "Ospina", "Peña", "Cárdenas", "Zapata", "Quintero", "Betancur", "Arango",
    "Mejía", "Londoño", "Restrepo", "Cifuentes", "Ávila", "Salazar", "Montoya", "Ríos",
    "Naranjo", "Giraldo", "Uribe", "Ochoa",
)
CITIES = ("Bogotá", "Medellín", "Cali", "Barranquilla", "Cartagena", "Bucaramanga", "Pereira",
          "Cúcuta", "Ibagué", "Manizales", "Santa Marta", "Villavicencio", "Pasto", "Neiva")
PRODUCTS = ("Tarjeta de crédito", "Crédito de consumo", "Libranza", "Microcrédito")
CHANNELS = ("Digital", "Oficina", "Call center")
STATUSES = (("active", "Activo"), ("inactive", "Inactivo"))
PORTFOLIOS = (("current", "Vigente"), ("written_off", "Castigada"))
CONTACTABILITY = (("contactable", "Contactable"), ("contactable", "Contactable"),
                  ("not_contactable", "No contactable"),
                  ("problems", "Problemas de contactabilidad"))
DOCUMENT_BASE = 1_000_000_000
INVALID_EVERY = 2_000
INVALID_AT = (499, 1498)  # per 2,000 rows: one new (odd) and one existing (even) row
INVALID_KINDS = ("Correo", "Asesor ID", "Monto", "Vence", "Segmento")
VENCE_FROM = date(2025, 1, 1)

# Stored form of a client (the raw path's typed file, the pre-load file): the columns of
# their staging table, in order.
STAGE_COLUMNS = ("document_type", "document_number", "name", "email", "phone", "city",
                 "segment", "status", "portfolio_type", "adviser_code", "contactability",
                 "extra")
STAGE_TABLE_SQL = (
    "CREATE TEMP TABLE {name} (document_type text, document_number text, name text, "
    "email text, phone text, city text, segment text, status text, portfolio_type text, "
    "adviser_code text, contactability text, extra jsonb) ON COMMIT DROP"
)
SITUATION_FINISHED = 70  # clients.choices.Situation.FINISHED, what a new client gets


# --- the rows ---------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def is_invalid(i: int) -> bool:
    return i % INVALID_EVERY in INVALID_AT


def invalid_kind(i: int) -> str:
    return INVALID_KINDS[(i // INVALID_EVERY) % len(INVALID_KINDS)]


def _json_number(value: Decimal):
    """How a number custom variable is stored (clients.validation.rules.clean_custom_value)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _co_number(value: Decimal) -> str:
    """1234567.89 → "1.234.567,89", as the file's program shows it in Colombia."""
    return f"{value:,.2f}".translate(str.maketrans(",.", ".,"))


@dataclass(frozen=True)
class Client:
    """One client as stored (codes, compact phone, typed custom variables)."""

    number: str
    name: str
    email: str
    phone: str
    city: str
    segment: str
    status: str
    status_label: str
    portfolio: str
    portfolio_label: str
    adviser: str
    contactability: str
    contactability_label: str
    product: str
    amount: Decimal
    due: date
    channel: str
    score: int

    @property
    def extra(self) -> dict:
        return {"producto": self.product, "monto": _json_number(self.amount),
                "vence": self.due.isoformat(), "canal": self.channel, "score": self.score}

    def stored(self) -> list[str]:
        """The STAGE_COLUMNS row."""
        return ["CC", self.number, self.name, self.email, self.phone, self.city, self.segment,
                self.status, self.portfolio, self.adviser, self.contactability,
                json.dumps(self.extra, ensure_ascii=False)]


def client(i: int, *, old: bool = False) -> Client:
    """Row i of the file, or (old=True) the values the pre-loaded book holds for it."""
    nf, nl = len(FIRST_NAMES), len(LAST_NAMES)
    first, last, second = FIRST_NAMES[i % nf], LAST_NAMES[(i // nf) % nl], LAST_NAMES[(i // 7) % nl]
    email = "" if i % 9 == 4 else f"{_fold(first)}.{_fold(last)}{i}@correo.com.co"
    phone_seed = i * 7919 + (104_729 if old and i % 10 == 0 else 0)
    cents = (i * 7919 + 12_345) % 5_000_000_000 + (123_457 if old else 0)
    score = (i * 31 + 7) % 1000
    adviser = (i + 1) % ADVISERS if old and i % 8 == 0 else i % ADVISERS
    contact = CONTACTABILITY[((i + 2) if old and i % 6 == 0 else i) % len(CONTACTABILITY)]
    status = STATUSES[1 if i % 10 == 3 else 0]
    portfolio = PORTFOLIOS[1 if i % 6 == 5 else 0]
    return Client(
        number=str(DOCUMENT_BASE + i), name=f"{first} {last} {second}", email=email,
        phone=f"3{phone_seed % 10**9:09d}", city=CITIES[i % len(CITIES)],
        segment=SEGMENTS[i % len(SEGMENTS)], status=status[0], status_label=status[1],
        portfolio=portfolio[0], portfolio_label=portfolio[1], adviser=f"A-{adviser:03d}",
        contactability=contact[0], contactability_label=contact[1],
        product=PRODUCTS[i % len(PRODUCTS)], amount=Decimal(cents) / 100,
        due=VENCE_FROM + timedelta(days=(i * 13) % 1000), channel=CHANNELS[i % len(CHANNELS)],
        score=(score + 1) % 1000 if old else score,
    )


_INVALID_TEXT = {"Correo": "correo-invalido@", "Asesor ID": "A-999", "Monto": "12,34,5",
                 "Vence": "31/02/2026", "Segmento": "Segmento inexistente"}


def csv_cells(i: int, c: Client) -> list[str]:
    cells = ["CC", c.number, c.name, c.email, c.phone, c.city, c.segment, c.status_label,
             c.portfolio_label, c.adviser, c.contactability_label, c.product,
             _co_number(c.amount), c.due.strftime("%d/%m/%Y"), c.channel, str(c.score)]
    if is_invalid(i):
        kind = invalid_kind(i)
        cells[HEADERS.index(kind)] = _INVALID_TEXT[kind]
    return cells


@dataclass(frozen=True)
class Expected:
    """What an import of the first `rows` rows into the pre-loaded project must count."""

    rows: int
    preload: int  # even rows: in the book before the import
    created: int
    updated: int
    failed: int
    raw_rows: int  # rows of the raw path's typed file (the valid ones)

    @classmethod
    @functools.lru_cache(maxsize=16)
    def of(cls, rows: int) -> Expected:
        evens, odds = (rows + 1) // 2, rows // 2
        bad_even = sum(1 for i in range(rows) if is_invalid(i) and i % 2 == 0)
        bad_odd = sum(1 for i in range(rows) if is_invalid(i) and i % 2 == 1)
        return cls(rows=rows, preload=evens, created=odds - bad_odd, updated=evens - bad_even,
                   failed=bad_even + bad_odd, raw_rows=rows - bad_even - bad_odd)


# --- the files --------------------------------------------------------------------------------


@dataclass
class Files:
    folder: Path
    sizes: list[int]

    def csv(self, rows: int) -> Path:
        return self.folder / f"clientes-{rows}.csv"

    def xlsx(self, rows: int) -> Path:
        return self.folder / f"clientes-{rows}.xlsx"

    def raw(self, rows: int) -> Path:
        return self.folder / f"raw-typed-{rows}.csv"

    def path(self, fmt: str, rows: int) -> Path:
        return self.csv(rows) if fmt == "csv" else self.xlsx(rows)

    @property
    def preload(self) -> Path:
        return self.folder / "preload.csv"


def ensure_files(sizes: list[int]) -> Files:
    """Write the files once (every size's CSV, XLSX and typed CSV, and the pre-load file)."""
    sizes = sorted(set(sizes))
    top = sizes[-1]
    folder = WORK_DIR / f"v{FILE_VERSION}-{top}"
    files = Files(folder, sizes)
    marker = folder / "complete.json"
    if marker.exists() and json.loads(marker.read_text()).get("sizes") == sizes:
        say(f"files: reusing {folder.relative_to(ROOT)}")
        return files
    import xlsxwriter

    folder.mkdir(parents=True, exist_ok=True)
    marker.unlink(missing_ok=True)
    say(f"files: writing {', '.join(num(s) for s in sizes)}-row CSV and XLSX into "
        f"{folder.relative_to(ROOT)} (once)")
    started = time.perf_counter()
    handles, writers, books = [], {}, {}
    try:
        for size in sizes:
            for kind, path in (("csv", files.csv(size)), ("raw", files.raw(size))):
                handle = open(path, "w", encoding="utf-8", newline="")
                handles.append(handle)
                writer = csv.writer(handle, delimiter=";", lineterminator="\n")
                writer.writerow(HEADERS if kind == "csv" else STAGE_COLUMNS)
                writers[(kind, size)] = writer
            book = xlsxwriter.Workbook(str(files.xlsx(size)), {"constant_memory": True})
            sheet = book.add_worksheet("Clientes")
            date_format = book.add_format({"num_format": "dd/mm/yyyy"})
            sheet.write_row(0, 0, HEADERS)
            books[size] = (book, sheet, date_format)
        preload = open(files.preload, "w", encoding="utf-8", newline="")
        handles.append(preload)
        preload_writer = csv.writer(preload, delimiter=";", lineterminator="\n")
        preload_writer.writerow(STAGE_COLUMNS)
        for i in range(top):
            row = client(i)
            cells = csv_cells(i, row)
            stored = None if is_invalid(i) else row.stored()
            for size in sizes:
                if i >= size:
                    continue
                writers[("csv", size)].writerow(cells)
                if stored is not None:
                    writers[("raw", size)].writerow(stored)
                _xlsx_row(books[size], i + 1, i, row, cells)
            if i % 2 == 0:
                preload_writer.writerow(client(i, old=True).stored())
            if i and i % 200_000 == 0:
                say(f"  {num(i)} rows written ({time.perf_counter() - started:,.0f} s)")
    finally:
        for handle in handles:
            handle.close()
        for book, _sheet, _fmt in books.values():
            book.close()
    marker.write_text(json.dumps({"sizes": sizes, "version": FILE_VERSION}))
    for size in sizes:
        say(f"  {num(size)} rows: CSV {files.csv(size).stat().st_size / 2**20:,.0f} MiB, XLSX "
            f"{files.xlsx(size).stat().st_size / 2**20:,.0f} MiB")
    say(f"  written in {time.perf_counter() - started:,.0f} s")
    return files


def _xlsx_row(book, row_index: int, i: int, c: Client, cells: list[str]) -> None:
    _book, sheet, date_format = book
    bad = invalid_kind(i) if is_invalid(i) else None
    write_string, write_number = sheet.write_string, sheet.write_number
    for col, text in enumerate(cells[:12]):
        if col == 1:
            write_number(row_index, col, DOCUMENT_BASE + i)  # a number cell, as people have it
        else:
            write_string(row_index, col, text)
    if bad == "Monto":
        write_string(row_index, 12, cells[12])
    else:
        write_number(row_index, 12, float(c.amount))
    if bad == "Vence":
        write_string(row_index, 13, cells[13])
    else:
        sheet.write_datetime(row_index, 13, datetime.combine(c.due, datetime.min.time()),
                             date_format)
    write_string(row_index, 14, c.channel)
    write_number(row_index, 15, c.score)


# --- the database and the projects ------------------------------------------------------------


def ensure_database() -> None:
    """moonflow_bench exists and is migrated (no dataset build: this benchmark makes its own)."""
    from django.db import connection

    from .dataset import _create_database, _database_exists, _manage, database_name

    name = database_name()
    if not _database_exists(name):
        say(f"Creating the database {name}")
        connection.close()
        _create_database(name, drop=False)
    _manage("migrate", "--no-input", "-v", "0")


@dataclass
class Users:
    admin: object
    advisers: list


def ensure_users() -> Users:
    """The admin and the 200 advisers' users, shared by every project of this run (dropped at
    its end with `drop_users`)."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    names = [f"{USER_PREFIX}admin"] + [f"{USER_PREFIX}a{k:03d}" for k in range(ADVISERS)]
    existing = {u.username for u in User.objects.filter(username__in=names)}
    missing = []
    for name in names:
        if name in existing:
            continue
        k = name.rsplit("-", 1)[-1]
        missing.append(User(username=name, password="!",
                            first_name="Admin" if k == "admin" else "Asesor",
                            last_name="Importación" if k == "admin" else k.upper()))
    User.objects.bulk_create(missing)
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    return Users(admin=users[names[0]], advisers=[users[n] for n in names[1:]])


@dataclass
class Project:
    id: int
    slug: str
    admin: object  # tenancy Member
    preload: int
    setup_seconds: float


def create_project(users: Users, files: Files, preload: int, label: str) -> Project:
    """A fresh project: admin, 200 advisers, 3 segments, 5 custom variables, and the first
    `preload` even rows' earlier values as its book (with their open assignment rows)."""
    from django.db import connection, transaction

    from clients.models import CustomVariable, Segment
    from moonflow.tenancy.models import Member, Role
    from moonflow.tenancy.models import Project as ProjectModel

    started = time.perf_counter()
    slug = f"{SLUG_PREFIX}{label}-{uuid.uuid4().hex[:8]}"
    with transaction.atomic():
        project = ProjectModel.objects.create(name=f"Bench import {label}", slug=slug)
        admin = Member.objects.create(project=project, user=users.admin, role=Role.ADMIN,
                                      code="ADM-1")
        Member.objects.bulk_create([
            Member(project=project, user=user, role=Role.ADVISER, code=f"A-{k:03d}")
            for k, user in enumerate(users.advisers)])
        Segment.objects.bulk_create([Segment(project=project, name=n) for n in SEGMENTS])
        CustomVariable.objects.bulk_create([
            CustomVariable(project=project, key=key, label=label_, type=kind, position=k)
            for k, (key, label_, kind) in enumerate(VARIABLES)])
        if preload:
            with connection.cursor() as cursor:
                cursor.execute(STAGE_TABLE_SQL.format(name="bench_preload"))
                with open(files.preload, encoding="utf-8") as handle:
                    handle.readline()  # the header
                    with cursor.copy("COPY bench_preload FROM STDIN "
                                     "(FORMAT csv, DELIMITER ';', NULL '\\N')") as copy:
                        for n, line in enumerate(handle):
                            if n >= preload:
                                break
                            copy.write(line)
                cursor.execute(
                    f"""
                    INSERT INTO clients_client (project_id, document_type, document_number,
                        name, email, phone, city, segment_id, status, portfolio_type,
                        claim_category, contactability, contact_alert, adviser_id, supervisor_id,
                        extra, situation, balance, deletion_reason, created_at, updated_at)
                    SELECT %(project)s, s.document_type, s.document_number, s.name, s.email,
                           s.phone, s.city, g.id, s.status, s.portfolio_type, 'none',
                           s.contactability, 'none', m.id, NULL, s.extra, {SITUATION_FINISHED},
                           0, '', now() - interval '30 days', now() - interval '30 days'
                    FROM bench_preload s
                    LEFT JOIN clients_segment g ON g.project_id = %(project)s
                         AND g.name = s.segment
                    LEFT JOIN tenancy_member m ON m.project_id = %(project)s
                         AND upper(m.code) = upper(s.adviser_code)
                    """,
                    {"project": project.pk},
                )
                loaded = cursor.rowcount
                cursor.execute(
                    """
                    INSERT INTO clients_clientassignment (project_id, client_id, adviser_id,
                        started_at, source)
                    SELECT project_id, id, adviser_id, created_at, 'file'
                    FROM clients_client WHERE project_id = %s AND adviser_id IS NOT NULL
                    """,
                    [project.pk],
                )
            if loaded != preload:
                raise BenchFailure(f"pre-load wrote {loaded:,} clients, {preload:,} expected")
    if preload:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE clients_client")
            cursor.execute("ANALYZE clients_clientassignment")
            cursor.execute("ANALYZE clients_clientsearchterm")
    admin = Member.objects.select_related("user", "project").get(pk=admin.pk)
    return Project(project.pk, slug, admin, preload, time.perf_counter() - started)


def drop_projects(ids: list[int]) -> None:
    """Every row of these projects, their job files, then VACUUM what they touched.

    FK and user triggers are off for the deletes (session_replication_role = replica: a
    million rows go in seconds); the search terms, which a trigger would delete, carry
    project_id and go with the rest.
    """
    from django.db import connection, transaction

    from moonflow.jobs.models import ProcessJob

    if not ids:
        return
    for job in ProcessJob.objects.filter(project_id__in=ids):
        for file_field in (job.input_file, job.result_file, job.error_file):
            if file_field.name:
                file_field.storage.delete(file_field.name)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_name FROM information_schema.columns c
            JOIN information_schema.tables t
              ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = current_schema() AND c.column_name = 'project_id'
              AND t.table_type = 'BASE TABLE' AND c.table_name NOT LIKE 'bench\\_%%'
            """
        )
        tables = [name for (name,) in cursor.fetchall()]
    with transaction.atomic(), connection.cursor() as cursor:
        enter_replica_mode(cursor)  # on Citus the shards' triggers too
        for table in tables:
            cursor.execute(f'DELETE FROM "{table}" WHERE project_id = ANY(%s)', [ids])
        cursor.execute("DELETE FROM tenancy_project WHERE id = ANY(%s)", [ids])
    with connection.cursor() as cursor:
        for table in ("clients_client", "clients_clientsearchterm", "clients_clientassignment",
                      "imports_stagedrow", "imports_rowerror", "jobs_processjob"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def drop_users() -> None:
    """The benchmark's users (their projects are gone): the database is left as it was found."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    with transaction.atomic():
        # Citus allows the cascade's deletes on distributed tables and then auth_user (a
        # reference table) in one transaction only one shard at a time; a placeholder on
        # plain PostgreSQL.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL citus.multi_shard_modify_mode = 'sequential'")
        get_user_model().objects.filter(username__startswith=USER_PREFIX).delete()


def drop_leftovers() -> None:
    """Projects of an earlier run of this benchmark that did not end cleanly."""
    from moonflow.tenancy.models import Project as ProjectModel

    ids = list(ProjectModel.objects.filter(slug__startswith=SLUG_PREFIX).values_list("pk",
                                                                                      flat=True))
    if ids:
        say(f"dropping {len(ids)} project(s) left by an earlier run")
        drop_projects(ids)


# --- ours: the user's path --------------------------------------------------------------------


class BenchFailure(SystemExit):
    pass


@dataclass
class ImportRun:
    size: int
    fmt: str
    job_id: int
    rows: int
    upload_s: float  # the upload POST
    reading_s: float  # a spreadsheet: the job converts it and proposes a mapping (CSV: 0)
    analysis_s: float  # mapping POST → the job waits with its preview
    analysis_job_s: float | None  # the analysis run's own started_at → waiting
    user_s: float  # the user on the mapping and preview pages (excluded)
    write_s: float  # confirm POST → finished_at
    write_job_s: float  # the writing run's started_at → finished_at
    counts: dict
    pool_before_mb: float
    pool_peak_mb: float
    pool_hwm_mb: float | None
    child_peak_mb: float | None  # any other process of the worker's tree (the converter)
    web_child_peak_mb: float | None  # children of the upload request (this process)
    tree_peak_mb: float
    pool_cpu: float
    error_rows: int  # data rows of the error report
    preload: int
    wall_s: float = 0.0  # upload POST → finished_at, the user's pages included
    tray: list = field(default_factory=list)  # (start, end, seconds) during the writing
    write_started: float = 0.0
    finished: float = 0.0

    @property
    def total_s(self) -> float:
        return self.upload_s + self.reading_s + self.analysis_s + self.write_s

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.total_s

    @property
    def worker_mb(self) -> float:
        return max(self.pool_peak_mb, self.pool_hwm_mb or 0)


def _browser(member):
    from django.test import Client as HttpClient

    browser = HttpClient()
    browser.force_login(member.user, backend="django.contrib.auth.backends.ModelBackend")
    return browser


def _redirect_target(response, view_name: str) -> int:
    from django.urls import resolve

    url = response.headers.get("Location") or ""
    match = resolve(urlsplit(url).path) if url else None
    if match is None or match.view_name != view_name:
        raise BenchFailure(f"answered {response.status_code} towards {url!r}, not {view_name}:\n"
                           f"{_text_of(response)}")
    return int(match.kwargs["pk"])


def _text_of(response) -> str:
    text = response.content.decode("utf-8", "replace")
    errors = re.findall(
        r'class="[^"]*(?:invalid-feedback|alert-danger|errorlist)[^"]*"[^>]*>(.*?)<', text, re.S)
    return "; ".join(e.strip() for e in errors if e.strip())[:2000] or text[:1500]


def _proposal(job, project) -> tuple[dict, list[str]]:
    """The mapping page's form as it is shown (its initial values: the auto-mapping)."""
    from moonflow.imports.forms import MappingForm
    from moonflow.imports.registry import get_importer

    headers = job.options.get("headers") or []
    importer = get_importer(job.options["entity"])
    form = MappingForm(headers=headers, fields=importer.fields(job.project),
                       mapping=job.mapping, defaults=job.options.get("defaults"))
    data = {}
    for name, form_field in form.fields.items():
        initial = form.get_initial_for_field(form_field, name)
        data[name] = "" if initial is None else str(initial)
    unmapped = [h for k, h in enumerate(headers) if not data.get(f"col_{k}")]
    return data, unmapped


def _wait(job_id: int, ready, worker, what: str, seen=None):
    from moonflow.jobs.models import JobStatus, ProcessJob

    deadline = time.monotonic() + PHASE_TIMEOUT
    while True:
        job = ProcessJob.objects.select_related("project").get(pk=job_id)
        if seen is not None:
            seen(job)
        if ready(job):
            return job
        if job.status == JobStatus.FAILED:
            raise BenchFailure(f"job #{job_id} failed during {what}: {job.message}\n"
                               f"{worker.log_tail()}")
        if not worker.alive():
            raise BenchFailure(f"the Celery worker died during {what} of job #{job_id}:\n"
                               f"{worker.log_tail()}")
        if time.monotonic() > deadline:
            raise BenchFailure(f"job #{job_id}: {what} took more than {PHASE_TIMEOUT} s "
                               f"(status {job.status}, done {job.done:,} of {job.total})")
        time.sleep(POLL_EVERY)


class TrayLoad(threading.Thread):
    """The clients tray requested back to back (one user refreshing it) through its own
    test Client, until stopped."""

    def __init__(self, member, url: str):
        super().__init__(name="bench-tray-load", daemon=True)
        self.member, self.url = member, url
        self.stopped = threading.Event()
        self.samples: list[tuple[float, float, float]] = []
        self.error: str | None = None

    def run(self):
        from django.db import connection

        try:
            browser = _browser(self.member)
            while not self.stopped.is_set():
                wall, started = time.time(), time.perf_counter()
                response = browser.get(self.url)
                seconds = time.perf_counter() - started
                if response.status_code != 200:
                    self.error = f"the tray answered {response.status_code}"
                    return
                self.samples.append((wall, wall + seconds, seconds))
        except Exception as error:  # reported, then the benchmark stops
            self.error = repr(error)
        finally:
            connection.close()

    def stop(self):
        self.stopped.set()
        self.join(timeout=300)


def tray_idle(project: Project) -> list[float]:
    from django.urls import reverse

    browser = _browser(project.admin)
    url = reverse("clients:list", kwargs={"project": project.slug})
    samples = []
    for n in range(TRAY_WARMUP + TRAY_IDLE_REQUESTS):
        started = time.perf_counter()
        response = browser.get(url)
        seconds = time.perf_counter() - started
        if response.status_code != 200:
            raise BenchFailure(f"the clients tray answered {response.status_code}")
        if n >= TRAY_WARMUP:
            samples.append(seconds)
    return samples


def ours(project: Project, fmt: str, size: int, files: Files, worker, *,
         tray: bool = False) -> ImportRun:
    """One import through the views and the worker, checked and measured."""
    import psutil
    from django.urls import reverse

    from clients.models import Client as ClientModel
    from moonflow.imports.models import RowError, StagedRow
    from moonflow.jobs.models import FINISHED_STATUSES, JobStatus, ProcessJob

    expected = Expected.of(size)
    browser = _browser(project.admin)
    slug = project.slug
    root = psutil.Process(worker.pid)
    pool = root.children()
    pool_pids = {p.pid for p in pool}
    rss_before = {p.pid: p.memory_info().rss for p in pool}
    hwm_reset = {pid: _reset_peak(pid) for pid in pool_pids}
    cpu_before = _cpu_seconds(pool)
    received_before = worker.received()
    sampler = TreeSampler(worker.pid)
    web = TreeSampler(os.getpid())
    loader = None
    analysis_started = {}
    sampler.start()
    try:
        web.start()
        posted_at, started = time.time(), time.perf_counter()
        with open(files.path(fmt, size), "rb") as handle:
            response = browser.post(reverse("integrations:upload", kwargs={"project": slug}), {
                "entity": "clients", "mode": "update", "scope": "", "file": handle})
        upload_s = time.perf_counter() - started
        uploaded_at = time.time()
        web.stop()
        if response.status_code != 302:
            raise BenchFailure(f"upload ({fmt}, {size:,} rows) answered "
                               f"{response.status_code}: {_text_of(response)}")
        job_id = _redirect_target(response, "integrations:mapping")

        # A spreadsheet is read by the job first (phase "read"; the mapping page shows
        # "leyendo" meanwhile); a CSV's proposal was read by the upload request.
        job = _wait(job_id, lambda j: j.status == JobStatus.AWAITING
                    and j.options.get("phase") == "mapping", worker, "the reading")
        read_at = job.heartbeat_at.timestamp() if job.heartbeat_at else uploaded_at
        reading_s = max(0.0, read_at - uploaded_at)

        # The user reads the mapping page and keeps its proposal.
        mapping_url = reverse("integrations:mapping", kwargs={"project": slug, "pk": job_id})
        page = browser.get(mapping_url)
        if page.status_code != 200 or b'name="col_0"' not in page.content:
            raise BenchFailure(f"the mapping page answered {page.status_code} without the "
                               "mapping form")
        data, unmapped = _proposal(job, project)
        if unmapped:
            raise BenchFailure(f"the mapping page proposes no field for {unmapped}")
        mapped_at = time.time()
        response = browser.post(mapping_url, data)
        if response.status_code != 302:
            raise BenchFailure(f"mapping answered {response.status_code}: {_text_of(response)}")
        job = ProcessJob.objects.get(pk=job_id)
        if job.options.get("phase") != "analyze":
            raise BenchFailure(f"job #{job_id}: the mapping was refused (phase "
                               f"{job.options.get('phase')!r}, status {job.status})")

        def analysing(job):
            if job.status == JobStatus.RUNNING and job.started_at:
                analysis_started.setdefault("at", job.started_at.timestamp())

        job = _wait(job_id, lambda j: j.status == JobStatus.AWAITING
                    and j.options.get("phase") == "preview", worker, "the analysis",
                    seen=analysing)
        analysed_at = job.heartbeat_at.timestamp()
        plan = job.options.get("plan") or {}
        actions = {}
        for group in plan.get("actions", []):
            actions[group["action"]] = actions.get(group["action"], 0) + group["count"]
        planned = (plan.get("read"), actions.get("create", 0), actions.get("update", 0),
                   plan.get("failed"))
        if planned != (size, expected.created, expected.updated, expected.failed):
            raise BenchFailure(f"job #{job_id}: the preview says read/create/update/failed "
                               f"{planned}, the file "
                               f"{(size, expected.created, expected.updated, expected.failed)}"
                               f" (actions {actions})")
        preview = browser.get(reverse("integrations:detail", kwargs={"project": slug,
                                                                      "pk": job_id}))
        if preview.status_code != 200:
            raise BenchFailure(f"the preview page answered {preview.status_code}")

        if tray:
            loader = TrayLoad(project.admin, reverse("clients:list", kwargs={"project": slug}))
            loader.start()
        confirmed_at = time.time()
        response = browser.post(reverse("integrations:confirm", kwargs={"project": slug,
                                                                         "pk": job_id}))
        if response.status_code != 302:
            raise BenchFailure(f"confirm answered {response.status_code}: {_text_of(response)}")
        _redirect_target(response, "jobs:detail")  # a refusal goes back to the preview
        job = _wait(job_id, lambda j: j.status in FINISHED_STATUSES, worker, "the writing")
    finally:
        if loader is not None:
            loader.stop()
        sampler.stop()
        if web.is_alive():
            web.stop()
    if loader is not None and loader.error:
        raise BenchFailure(f"tray load: {loader.error}")

    counts = {n: getattr(job, n) for n in ("read", "created", "updated", "restored",
                                           "unchanged", "deleted", "failed")}
    want = {"read": size, "created": expected.created, "updated": expected.updated,
            "restored": 0, "unchanged": 0, "deleted": 0, "failed": expected.failed}
    problems = []
    if counts != want:
        problems.append(f"counts {counts}, the file {want}")
    status = JobStatus.PARTIAL if expected.failed else JobStatus.SUCCEEDED
    if job.status != status:
        problems.append(f"status {job.status} ({job.message!r}), {status} expected")
    in_book = ClientModel.objects.filter(project_id=project.id).count()
    if in_book != project.preload + expected.created:
        problems.append(f"the project holds {in_book:,} clients, "
                        f"{project.preload + expected.created:,} expected")
    # The job's errors live in its report once it ends: nothing staged may be left behind.
    leftovers = (RowError.objects.filter(project_id=project.id, job_id=job_id).count()
                 + StagedRow.objects.filter(project_id=project.id, job_id=job_id).count())
    if leftovers:
        problems.append(f"{leftovers} staged rows or row errors left behind")
    error_rows = _error_report_rows(job) if expected.failed else 0
    if error_rows != expected.failed:
        problems.append(f"the error report holds {error_rows} rows, {expected.failed} expected")
    if worker.received() <= received_before:
        problems.append("this benchmark's worker never received the tasks")
    if problems:
        raise BenchFailure(f"job #{job_id} ({fmt}, {size:,} rows): " + "; ".join(problems)
                           + f"\n{worker.log_tail()}")

    cpu_after = _cpu_seconds(sampler.processes())
    deltas = {pid: cpu_after.get(pid, 0.0) - cpu_before.get(pid, 0.0) for pid in pool_pids
              if pid in cpu_after}
    runner = max(deltas, key=deltas.get) if deltas else next(iter(pool_pids))
    others = [rss for pid, rss in sampler.peaks.items()
              if pid != worker.pid and pid not in pool_pids]
    worker_pids = set(sampler.peaks) | {worker.pid}
    web_children = [rss for pid, rss in web.peaks.items()
                    if pid != os.getpid() and pid not in worker_pids]
    hwm = _vm_hwm_mb(runner) if hwm_reset.get(runner) else None
    finished = job.finished_at.timestamp()
    tray_samples = []
    if loader is not None:
        start = job.started_at.timestamp()
        tray_samples = [s for s in loader.samples if s[0] >= start and s[1] <= finished]
    return ImportRun(
        size=size, fmt=fmt, job_id=job_id, rows=size, upload_s=upload_s, reading_s=reading_s,
        analysis_s=analysed_at - mapped_at,
        analysis_job_s=(analysed_at - analysis_started["at"]) if "at" in analysis_started
        else None,
        user_s=(mapped_at - read_at) + (confirmed_at - analysed_at),
        write_s=finished - confirmed_at,
        write_job_s=(job.finished_at - job.started_at).total_seconds(), counts=counts,
        pool_before_mb=rss_before.get(runner, 0) / 2**20,
        pool_peak_mb=max(sampler.peaks.get(runner, 0), rss_before.get(runner, 0)) / 2**20,
        pool_hwm_mb=hwm, child_peak_mb=max(others) / 2**20 if others else None,
        web_child_peak_mb=max(web_children) / 2**20 if web_children else None,
        tree_peak_mb=sampler.tree_peak / 2**20, pool_cpu=deltas.get(runner, 0.0),
        error_rows=error_rows, preload=project.preload, wall_s=finished - posted_at,
        tray=tray_samples,
        write_started=job.started_at.timestamp(), finished=finished,
    )


def _error_report_rows(job) -> int:
    """Data rows of the job's error report (an XLSX with one header row)."""
    import openpyxl

    if not job.error_file:
        return 0
    with job.error_file.storage.open(job.error_file.name, "rb") as handle:
        book = openpyxl.load_workbook(handle, read_only=True)
        try:
            rows = sum(1 for row in book.worksheets[0].iter_rows(values_only=True)
                       if any(cell not in (None, "") for cell in row))
        finally:
            book.close()
    return max(0, rows - 1)


# --- the comparisons, in child processes ------------------------------------------------------


def _peak_rss_mb() -> float:
    """This process's own peak (VmHWM): ru_maxrss would carry the parent's peak over exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child_raw(project_id: int, path: str) -> dict:
    """COPY the typed rows into a staging table, one INSERT … ON CONFLICT DO UPDATE."""
    from .dataset import raw_connect

    with raw_connect(autocommit=True) as conn:
        conn.execute("SELECT 1")
        started = time.perf_counter()
        with conn.transaction():
            conn.execute(STAGE_TABLE_SQL.format(name="bench_raw"))
            with conn.cursor().copy("COPY bench_raw FROM STDIN (FORMAT csv, DELIMITER ';', "
                                    "HEADER true, NULL '\\N')") as copy:
                with open(path, "rb") as handle:
                    while chunk := handle.read(1 << 20):
                        copy.write(chunk)
            inserted, updated = conn.execute(
                f"""
                WITH written AS (
                    INSERT INTO clients_client AS c (project_id, document_type, document_number,
                        name, email, phone, city, segment_id, status, portfolio_type,
                        claim_category, contactability, contact_alert, adviser_id, supervisor_id,
                        extra, situation, balance, deletion_reason, created_at, updated_at)
                    SELECT %(project)s, s.document_type, s.document_number, s.name, s.email,
                           s.phone, s.city, g.id, s.status, s.portfolio_type, 'none',
                           s.contactability, 'none', m.id, NULL, s.extra, {SITUATION_FINISHED},
                           0, '', now(), now()
                    FROM bench_raw s
                    LEFT JOIN clients_segment g ON g.project_id = %(project)s
                         AND g.name = s.segment
                    LEFT JOIN tenancy_member m ON m.project_id = %(project)s
                         AND upper(m.code) = upper(s.adviser_code)
                    ON CONFLICT (project_id, document_type, document_number) DO UPDATE SET
                        name = EXCLUDED.name, email = EXCLUDED.email, phone = EXCLUDED.phone,
                        city = EXCLUDED.city, segment_id = EXCLUDED.segment_id,
                        status = EXCLUDED.status, portfolio_type = EXCLUDED.portfolio_type,
                        contactability = EXCLUDED.contactability,
                        adviser_id = EXCLUDED.adviser_id, extra = c.extra || EXCLUDED.extra,
                        updated_at = EXCLUDED.updated_at
                    RETURNING (xmax = 0) AS inserted
                )
                SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)
                FROM written
                """,
                {"project": project_id},
            ).fetchone()
        seconds = time.perf_counter() - started
    return {"rows": inserted + updated, "inserted": inserted, "updated": updated,
            "seconds": seconds}


def _child_openpyxl(path: str) -> dict:
    import openpyxl

    started = time.perf_counter()
    book = openpyxl.load_workbook(path, read_only=True)
    rows = 0
    for _row in book.worksheets[0].iter_rows(values_only=True):
        rows += 1
    book.close()
    return {"rows": rows - 1, "seconds": time.perf_counter() - started}


def _ie_number(text):
    """A Colombian number ("1.234.567,89") as Python reads it; what a resource would add."""
    text = str(text or "").strip()
    if not text:
        return None
    return _json_number(Decimal(text.replace(".", "").replace(",", ".")))


def _ie_date(text):
    text = str(text or "").strip()
    if not text:
        return None
    return datetime.strptime(text, "%d/%m/%Y").date().isoformat()


def _child_import_export(project_id: int, path: str, rows: int) -> dict:
    """django-import-export's default import of the CSV's first `rows` rows."""
    import tablib
    from django.utils import translation
    from import_export import fields, resources, widgets

    from clients.choices import ClientStatus, Contactability, PortfolioType
    from clients.models import Client as ClientModel
    from clients.models import Segment
    from moonflow.tenancy.models import Member

    translation.activate("es")

    class InProject(widgets.ForeignKeyWidget):
        def get_queryset(self, value, row, *args, **kwargs):
            return self.model.objects.filter(project_id=project_id)

    class Choice(widgets.Widget):
        """A choice by its label (the file says "Activo"; the column keeps "active")."""

        def __init__(self, choices):
            super().__init__()
            self.codes = {str(label).casefold(): code for code, label in choices}
            self.codes.update({str(code).casefold(): code for code, _label in choices})

        def clean(self, value, row=None, **kwargs):
            text = str(value or "").strip()
            return self.codes.get(text.casefold(), text)

    class ClientResource(resources.ModelResource):
        document_type = fields.Field(attribute="document_type", column_name="Tipo de documento")
        document_number = fields.Field(attribute="document_number",
                                       column_name="Número de documento")
        name = fields.Field(attribute="name", column_name="Nombre")
        email = fields.Field(attribute="email", column_name="Correo")
        phone = fields.Field(attribute="phone", column_name="Teléfono")
        city = fields.Field(attribute="city", column_name="Ciudad")
        segment = fields.Field(attribute="segment", column_name="Segmento",
                               widget=InProject(Segment, "name"))
        status = fields.Field(attribute="status", column_name="Estado",
                              widget=Choice(ClientStatus.choices))
        portfolio_type = fields.Field(attribute="portfolio_type", column_name="Tipo de cartera",
                                      widget=Choice(PortfolioType.choices))
        adviser = fields.Field(attribute="adviser", column_name="Asesor ID",
                               widget=InProject(Member, "code"))
        contactability = fields.Field(attribute="contactability", column_name="Contactabilidad",
                                      widget=Choice(Contactability.choices))
        extra = fields.Field(attribute="extra", column_name="extra", widget=widgets.JSONWidget())

        class Meta:
            model = ClientModel
            fields = ("document_type", "document_number", "name", "email", "phone", "city",
                      "segment", "status", "portfolio_type", "adviser", "contactability",
                      "extra")
            import_id_fields = ("document_type", "document_number")

        def get_queryset(self):
            # The external ID is unique within a project: other projects hold the same ones.
            return ClientModel.objects.filter(project_id=project_id)

        def before_import_row(self, row, **kwargs):
            row["extra"] = json.dumps({
                "producto": row["Producto"], "monto": _ie_number(row["Monto"]),
                "vence": _ie_date(row["Vence"]), "canal": row["Canal"],
                "score": _ie_number(row["Score"])})

        def before_save_instance(self, instance, row, **kwargs):
            instance.project_id = project_id

    with open(path, encoding="utf-8", newline="") as handle:
        lines = [handle.readline() for _ in range(rows + 1)]
    started = time.perf_counter()
    dataset = tablib.Dataset().load("".join(lines), format="csv", delimiter=";")
    loaded = time.perf_counter()
    result = ClientResource().import_data(dataset, dry_run=False)
    ended = time.perf_counter()
    return {"rows": len(dataset), "seconds": ended - started, "load_seconds": loaded - started,
            "import_seconds": ended - loaded, "totals": dict(result.totals),
            "has_errors": result.has_errors(),
            "invalid": len(result.invalid_rows)}


def _child(argv: list[str]) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    mode = argv[0]
    if mode == "raw":
        result = _child_raw(int(argv[1]), argv[2])
    elif mode == "openpyxl":
        result = _child_openpyxl(argv[1])
    elif mode == "import_export":
        result = _child_import_export(int(argv[1]), argv[2], int(argv[3]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    result["peak_mb"] = _peak_rss_mb()
    return result


@dataclass
class ChildRun:
    mode: str
    size: int
    rows: int
    seconds: float
    peak_mb: float
    details: dict

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds


def run_child(mode: str, size: int, *args) -> ChildRun:
    proc = subprocess.Popen([sys.executable, "-m", "bench.imports", mode, *map(str, args)],
                            cwd=ROOT, env=dict(os.environ), stdout=subprocess.PIPE, text=True)
    output = proc.stdout.read()
    status = proc.wait()
    if status != 0:
        raise BenchFailure(f"bench.imports {mode} failed (exit {status}):\n{output[-2000:]}")
    result = json.loads(output.strip().splitlines()[-1])
    return ChildRun(mode, size, result["rows"], result["seconds"], result["peak_mb"], result)


# --- cost per index ---------------------------------------------------------------------------


@dataclass
class IndexCosts:
    rows: int
    base_rows: int
    pairs: list  # (label, size MiB or None, all indexes s, without s)
    baselines: list[float]
    update_pair: tuple[float, float] | None
    update_rows: int
    seconds: float


_INDEX_INSERT = f"""
INSERT INTO bench_idx_clients (project_id, document_type, document_number, name, email, phone,
    city, segment_id, status, portfolio_type, claim_category, contactability, contact_alert,
    adviser_id, supervisor_id, extra, situation, balance, deletion_reason, created_at,
    updated_at)
SELECT %(project)s, 'CC', (2000000000 + k)::text,
       (%(first)s::text[])[1 + mod(k, %(nf)s)] || ' ' || (%(last)s::text[])[1 + mod(k / %(nf)s,
       %(nl)s)] || ' ' || (%(last)s::text[])[1 + mod(k / 7, %(nl)s)],
       'cliente' || k || '@correo.com.co', '3' || lpad(mod(k * 7919, 1000000000)::text, 9, '0'),
       (%(cities)s::text[])[1 + mod(k, %(nc)s)], (%(segments)s::bigint[])[1 + mod(k, 3)],
       'active', 'current', 'none', 'contactable', 'none',
       (%(advisers)s::bigint[])[1 + mod(k, %(na)s)], NULL,
       jsonb_build_object('producto', 'Libranza', 'monto', k * 1.5, 'score', mod(k, 1000)),
       {SITUATION_FINISHED}, 0, '', now(), now()
FROM generate_series(0, %(rows)s - 1) AS k
"""


def index_costs(project: Project, rows: int) -> IndexCosts:
    """INSERT of `rows` new clients into a copy of the project's clients (same columns,
    indexes and search-term trigger), with every index and without each non-unique one;
    each measurement in a transaction that is rolled back, then VACUUM. Every "without"
    is paired with an "all indexes" measured just before it."""
    from clients.models import Segment
    from moonflow.tenancy.models import Member, Role

    from .dataset import raw_connect

    started = time.perf_counter()
    params = {
        "project": project.id, "rows": rows,
        "first": list(FIRST_NAMES), "nf": len(FIRST_NAMES),
        "last": list(LAST_NAMES), "nl": len(LAST_NAMES),
        "cities": list(CITIES), "nc": len(CITIES),
        "segments": list(Segment.objects.filter(project_id=project.id).order_by("id")
                         .values_list("id", flat=True)),
        "advisers": list(Member.objects.filter(project_id=project.id, role=Role.ADVISER)
                         .order_by("code").values_list("id", flat=True)),
    }
    params["na"] = len(params["advisers"])
    with raw_connect(autocommit=True) as conn:
        indexes = conn.execute(
            """
            SELECT c.relname, x.indisunique, pg_get_indexdef(x.indexrelid)
            FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
            WHERE x.indrelid = 'clients_client'::regclass ORDER BY c.relname
            """).fetchall()
        _drop_index_copies(conn)
        try:
            conn.execute("CREATE TABLE bench_idx_clients (LIKE clients_client INCLUDING DEFAULTS "
                         "INCLUDING IDENTITY INCLUDING GENERATED)")
            conn.execute("INSERT INTO bench_idx_clients SELECT * FROM clients_client "
                         "WHERE project_id = %s", [project.id])
            base_rows = conn.execute("SELECT count(*) FROM bench_idx_clients").fetchone()[0]
            conn.execute("SELECT setval(pg_get_serial_sequence('bench_idx_clients', 'id'), "
                         "(SELECT max(id) FROM clients_client))")
            copies = {}
            for n, (name, unique, definition) in enumerate(indexes):
                copy_name = f"bench_idx_{n}"
                copies[name] = copy_name
                conn.execute(re.sub(r"^CREATE (UNIQUE )?INDEX \S+ ON \S+ ",
                                    lambda m: f"CREATE {m[1] or ''}INDEX {copy_name} "
                                              "ON bench_idx_clients ", definition))
            conn.execute("CREATE TABLE bench_idx_terms (LIKE clients_clientsearchterm "
                         "INCLUDING DEFAULTS)")
            conn.execute("INSERT INTO bench_idx_terms SELECT * FROM clients_clientsearchterm "
                         "WHERE project_id = %s", [project.id])
            conn.execute("ALTER TABLE bench_idx_terms ADD PRIMARY KEY "
                         "(project_id, term, name, client_id)")
            source = conn.execute("SELECT pg_get_functiondef("
                                  "'clients_search_terms_insert'::regproc)").fetchone()[0]
            conn.execute(source.replace("clients_search_terms_insert", "bench_idx_terms_insert")
                         .replace("clients_clientsearchterm", "bench_idx_terms"))
            conn.execute("CREATE TRIGGER bench_idx_terms_insert AFTER INSERT ON bench_idx_clients "
                         "REFERENCING NEW TABLE AS inserted_clients FOR EACH STATEMENT "
                         "EXECUTE FUNCTION bench_idx_terms_insert()")
            conn.execute("VACUUM (ANALYZE) bench_idx_clients")
            conn.execute("VACUUM (ANALYZE) bench_idx_terms")
            sizes = {name: conn.execute("SELECT pg_relation_size(%s::regclass)",
                                        [copy]).fetchone()[0] / 2**20
                     for name, copy in copies.items()}

            def measure(setup: list[str], statement: str = _INDEX_INSERT, values=None) -> float:
                conn.execute("BEGIN")
                try:
                    for sql in setup:
                        conn.execute(sql)
                    began = time.perf_counter()
                    conn.execute(statement, params if values is None else values)
                    return time.perf_counter() - began
                finally:
                    conn.execute("ROLLBACK")
                    conn.execute("VACUUM bench_idx_clients")
                    conn.execute("VACUUM bench_idx_terms")

            non_unique = [name for name, unique, _d in indexes if not unique]
            drop_all = [f"DROP INDEX {copies[name]}" for name in non_unique]
            no_trigger = "ALTER TABLE bench_idx_clients DISABLE TRIGGER bench_idx_terms_insert"
            measure([])  # warm-up
            pairs, baselines = [], []

            def pair(label, size, setup):
                base = measure([])
                without = measure(setup)
                baselines.append(base)
                pairs.append((label, size, base, without))
                say(f"    {label}: all {base:,.2f} s, without {without:,.2f} s")

            for name in non_unique:
                pair(f"`{name}`", sizes[name], [f"DROP INDEX {copies[name]}"])
            pair(f"all {len(non_unique)} non-unique indexes", sum(sizes[n] for n in non_unique),
                 drop_all)
            pair("the search-terms trigger (clients_clientsearchterm)", None, [no_trigger])
            pair("every non-unique index and the trigger", None, [*drop_all, no_trigger])
            ids = [r[0] for r in conn.execute("SELECT id FROM bench_idx_clients ORDER BY id")]
            update_rows = min(rows, len(ids))
            update_pair = None
            if update_rows:
                update = ("UPDATE bench_idx_clients SET extra = extra || "
                          "jsonb_build_object('monto', id %% 1000), updated_at = now() "
                          "WHERE id BETWEEN %(lo)s AND %(hi)s")
                bounds = {"lo": ids[0], "hi": ids[update_rows - 1]}
                measure([], update, bounds)
                update_pair = (measure([], update, bounds), measure(drop_all, update, bounds))
                say(f"    UPDATE of {update_rows:,} rows: all {update_pair[0]:,.2f} s, without "
                    f"the non-unique indexes {update_pair[1]:,.2f} s")
        finally:
            _drop_index_copies(conn)
    return IndexCosts(rows, base_rows, pairs, baselines, update_pair, update_rows,
                      time.perf_counter() - started)


def _drop_index_copies(conn) -> None:
    conn.execute("DROP TABLE IF EXISTS bench_idx_clients")
    conn.execute("DROP TABLE IF EXISTS bench_idx_terms")
    conn.execute("DROP FUNCTION IF EXISTS bench_idx_terms_insert()")


# --- the run ----------------------------------------------------------------------------------


def sizes_for(rows: int) -> tuple[int, int, int]:
    """(warm-up, small, big)."""
    small = max(1, rows // SMALL_SHARE)
    return min(WARM_ROWS, small), small, rows


def runs_for(size: int, runs: int) -> int:
    return min(runs, MAX_RUNS_BIG if size >= BIG_FROM else MAX_RUNS)


def _median(values) -> float:
    return statistics.median(values)


def _spread(values, digits: int = 1) -> str:
    if len(values) == 1:
        return f"{values[0]:,.{digits}f}"
    return f"{_median(values):,.{digits}f} ({min(values):,.{digits}f}–{max(values):,.{digits}f})"


def _mb(value) -> str:
    return "—" if value is None else f"{value:,.0f}"


def run(*, runs: int, rows: int = ROWS):
    from .download import _uncommitted_changes

    ensure_database()
    warm, small, big = sizes_for(rows)
    facts = {
        "Machine": f"{platform.node()} ({platform.system()} {platform.release()}, "
                   f"{platform.machine()})",
        **report.machine_facts(),
    }
    if _uncommitted_changes():
        facts["Code"] += " with uncommitted changes in the working tree"
    started_at = datetime.now().astimezone()
    files = ensure_files([warm, small, big])
    drop_leftovers()
    users = ensure_users()
    sizes = [small, big] if small != big else [big]
    plan = {size: runs_for(size, runs) for size in sizes}
    say("timed runs: " + ", ".join(f"{num(s)} rows × {n}" for s, n in plan.items())
        + (f" (--runs {runs}; capped at {MAX_RUNS} below {num(BIG_FROM)} rows and "
           f"{MAX_RUNS_BIG} from there)" if any(n < runs for n in plan.values()) else ""))

    imports: list[ImportRun] = []
    children: list[ChildRun] = []
    notes: list[str] = []
    tray_run = None
    idle: list[float] = []
    costs = None
    workdir = WORK_DIR / "run"
    workdir.mkdir(parents=True, exist_ok=True)
    say("starting a Celery worker: celery " + " ".join(WORKER_COMMAND))
    worker = Worker(workdir / "worker.log")
    live: list[int] = []

    def fresh(size: int, label: str) -> Project:
        project = create_project(users, files, Expected.of(size).preload, label)
        live.append(project.id)
        return project

    def drop(project: Project) -> None:
        drop_projects([project.id])
        live.remove(project.id)

    try:
        say(f"  ready (pid {worker.pid}); warm-up: one untimed {num(warm)}-row import per format")
        for fmt in FORMATS:
            project = fresh(warm, "warm")
            ours(project, fmt, warm, files, worker)
            drop(project)
        for size in sizes:
            expected = Expected.of(size)
            say(f"\n{num(size)} rows: {num(expected.preload)} pre-loaded, expected "
                f"{num(expected.created)} created, {num(expected.updated)} updated, "
                f"{num(expected.failed)} failed")
            for round_no in range(1, plan[size] + 1):
                say(f"round {round_no}/{plan[size]} (load {report.load_average()})")
                for fmt in FORMATS:
                    project = fresh(size, f"{fmt}-{size}")
                    say(f"  project {project.slug}: set up in {project.setup_seconds:,.1f} s")
                    result = ours(project, fmt, size, files, worker)
                    imports.append(result)
                    _say_import(result)
                    drop(project)
                project = fresh(size, f"raw-{size}")
                child = run_child("raw", size, project.id, files.raw(size))
                if (child.details["inserted"], child.details["updated"]) != (
                        expected.created, expected.updated):
                    raise BenchFailure(f"raw path: {child.details}, expected "
                                       f"{expected.created} inserted, {expected.updated} updated")
                children.append(child)
                drop(project)
                say(f"  raw COPY + INSERT … ON CONFLICT: {num(child.rows)} rows in "
                    f"{child.seconds:,.1f} s ({num(child.rows_per_s)} rows/s), peak "
                    f"{child.peak_mb:,.0f} MB")
                child = run_child("openpyxl", size, files.xlsx(size))
                if child.rows != size:
                    raise BenchFailure(f"openpyxl read {child.rows} rows of {size}")
                children.append(child)
                say(f"  openpyxl read_only: {num(child.rows)} rows in {child.seconds:,.1f} s "
                    f"({num(child.rows_per_s)} rows/s), peak {child.peak_mb:,.0f} MB")
                if size == big:
                    ie_rows = min(IE_ROWS, size)
                    project = fresh(size, f"ie-{size}")
                    child = run_child("import_export", size, project.id, files.csv(size),
                                      ie_rows)
                    children.append(child)
                    drop(project)
                    say(f"  django-import-export: {num(child.rows)} rows in "
                        f"{child.seconds:,.1f} s ({num(child.rows_per_s)} rows/s), totals "
                        f"{child.details['totals']}, peak {child.peak_mb:,.0f} MB")

        say(f"\ntray during a {num(big)}-row CSV import (an extra run, not in the throughput "
            "figures)")
        project = fresh(big, f"tray-{big}")
        idle = tray_idle(project)
        say(f"  idle: p95 {Timing(idle).p95 * 1000:,.0f} ms over {len(idle)} requests")
        tray_run = ours(project, "csv", big, files, worker, tray=True)
        _say_import(tray_run)
        say(f"  during the writing: {len(tray_run.tray)} requests, p95 "
            f"{Timing([s[2] for s in tray_run.tray]).p95 * 1000:,.0f} ms"
            if tray_run.tray else "  during the writing: no request completed")
        index_rows = min(INDEX_ROWS, big)
        say(f"\ncost per index: INSERT of {num(index_rows)} new rows into a copy of the "
            f"project's {num(project.preload + Expected.of(big).created)} clients")
        costs = index_costs(project, index_rows)
        drop(project)
    finally:
        worker.stop()
        if live:
            say(f"dropping {len(live)} project(s) of this run")
            drop_projects(live)
        drop_users()
    return _write(facts, files, sizes, plan, imports, children, tray_run, idle, costs, notes,
                  started_at, runs, big)


def _say_import(r: ImportRun) -> None:
    say(f"  ours {r.fmt:<4} {num(r.size)} rows, job #{r.job_id}: upload {r.upload_s:,.1f} s, "
        f"reading {r.reading_s:,.1f} s, analysis {r.analysis_s:,.1f} s, writing "
        f"{r.write_s:,.1f} s → total {r.total_s:,.1f} s "
        f"({num(r.rows_per_s)} rows/s); counts {r.counts['created']:,} created, "
        f"{r.counts['updated']:,} updated, {r.counts['failed']:,} failed; pool RSS "
        f"{r.pool_before_mb:,.0f} → {r.pool_peak_mb:,.0f} MB (VmHWM {_mb(r.pool_hwm_mb)}), "
        f"worker child {_mb(r.child_peak_mb)} MB, upload request child "
        f"{_mb(r.web_child_peak_mb)} MB")


# --- the section ------------------------------------------------------------------------------


def _check(label: str, ok: bool, value: str, target: str) -> list[str]:
    return [label, target, value, "PASS" if ok else "**MISS**"]


def _write(facts, files, sizes, plan, imports, children, tray_run, idle, costs, notes,
           started_at, runs, big):
    def ours_of(size, fmt):
        return [r for r in imports if r.size == size and r.fmt == fmt]

    def theirs(size, mode):
        return [c for c in children if c.size == size and c.mode == mode]

    def ours_rate(size, fmt, attr="total_s"):
        runs_ = ours_of(size, fmt)
        return size / _median([getattr(r, attr) for r in runs_])

    def their_rate(size, mode):
        runs_ = theirs(size, mode)
        return runs_[0].rows / _median([c.seconds for c in runs_])

    ie = [c for c in children if c.mode == "import_export"]
    ie_rate = ie[0].rows / _median([c.seconds for c in ie]) if ie else None
    smoke = big < ROWS
    where = f"{num(big)} rows" + (" (smoke run: not the issue's 1M)" if smoke else "")

    checks = []
    csv_raw = ours_rate(big, "csv") / their_rate(big, "raw")
    checks.append(_check(f"CSV, {where}: ours ÷ raw COPY + INSERT … ON CONFLICT (rows/s)",
                         csv_raw >= TARGET_CSV_RAW_SHARE, f"{csv_raw:.2f}",
                         f"≥ {TARGET_CSV_RAW_SHARE:.2f}"))
    if ie_rate:
        csv_ie = ours_rate(big, "csv") / ie_rate
        checks.append(_check(f"CSV, {where}: ours ÷ django-import-export (its "
                             f"{num(ie[0].rows)} rows, extrapolated)",
                             csv_ie >= TARGET_CSV_IE_FACTOR, f"{csv_ie:,.1f}×",
                             f"≥ {TARGET_CSV_IE_FACTOR:.0f}×"))
    # The issue compares readers: ours reads a spreadsheet in the job's reading phase (one
    # conversion in a short-lived child, the rows counted, the mapping proposed), against
    # openpyxl read_only doing nothing but iterating the rows. The whole import is shown too.
    xlsx_read = ours_rate(big, "xlsx", "reading_s") / their_rate(big, "openpyxl")
    checks.append(_check(f"XLSX, {where}: our reading phase ÷ openpyxl read_only (rows/s)",
                         xlsx_read >= TARGET_XLSX_OPENPYXL_FACTOR, f"{xlsx_read:,.2f}×",
                         f"≥ {TARGET_XLSX_OPENPYXL_FACTOR:.0f}×"))
    xlsx_op = ours_rate(big, "xlsx") / their_rate(big, "openpyxl")
    checks.append(_check(f"XLSX, {where}: the whole import ÷ openpyxl read_only reading alone "
                         f"(rows/s)", xlsx_op >= TARGET_XLSX_OPENPYXL_FACTOR, f"{xlsx_op:,.2f}×",
                         f"≥ {TARGET_XLSX_OPENPYXL_FACTOR:.0f}×"))
    for size in sizes:
        for fmt in FORMATS:
            runs_ = ours_of(size, fmt)
            worker_mb = max(r.worker_mb for r in runs_)
            checks.append(_check(f"{fmt.upper()}, {num(size)} rows: worker's pool process peak "
                                 "RSS (max of psutil samples and VmHWM)",
                                 worker_mb <= TARGET_WORKER_MB, f"{worker_mb:,.0f} MB",
                                 f"≤ {TARGET_WORKER_MB} MB"))
        runs_ = ours_of(size, "xlsx")
        child_mb = max((r.child_peak_mb or 0) for r in runs_)
        web_mb = max((r.web_child_peak_mb or 0) for r in runs_)
        web = f"{web_mb:,.0f} MB" if web_mb else "none"
        checks.append(_check(f"XLSX, {num(size)} rows: peak RSS of any child process (the "
                             f"worker's converter {_mb(child_mb or None)} MB; the upload "
                             f"request's: {web})", max(child_mb, web_mb) <= TARGET_CHILD_MB,
                             f"{max(child_mb, web_mb):,.0f} MB", f"≤ {TARGET_CHILD_MB:,} MB"))
    tray_ratio = None
    if tray_run is not None and tray_run.tray and idle:
        idle_p95 = Timing(idle).p95
        busy_p95 = Timing([s[2] for s in tray_run.tray]).p95
        tray_ratio = busy_p95 / idle_p95
        checks.append(_check(f"clients tray p95 while the {num(big)}-row CSV import writes ÷ "
                             "idle p95", tray_ratio <= TARGET_TRAY_FACTOR,
                             f"{tray_ratio:.2f}× ({busy_p95 * 1000:,.0f} / "
                             f"{idle_p95 * 1000:,.0f} ms)", f"≤ {TARGET_TRAY_FACTOR:.0f}×"))
    else:
        notes.append("The tray during the import could not be compared: no request completed "
                     "inside the writing phase.")
    for label, target, value, met in checks:
        say(f"  {label}: {value} (target {target}) {met}")

    ours_headers = ["rows", "format", "runs", "upload request s", "reading s", "analysis s",
                    "analysis job s", "user's pages s (excluded)", "writing s", "writing job s",
                    "total s", "upload POST → finished_at s", "rows/s (total)",
                    "created / updated / failed"]
    ours_rows, memory_rows = [], []
    for size in sizes:
        for fmt in FORMATS:
            runs_ = ours_of(size, fmt)
            jobs = [r.analysis_job_s for r in runs_ if r.analysis_job_s is not None]
            c = runs_[0].counts
            ours_rows.append([
                num(size), fmt.upper(), len(runs_), _spread([r.upload_s for r in runs_]),
                _spread([r.reading_s for r in runs_]), _spread([r.analysis_s for r in runs_]),
                _spread(jobs) if jobs else "—",
                _spread([r.user_s for r in runs_]), _spread([r.write_s for r in runs_]),
                _spread([r.write_job_s for r in runs_]), _spread([r.total_s for r in runs_]),
                _spread([r.wall_s for r in runs_]), num(ours_rate(size, fmt)),
                f"{num(c['created'])} / {num(c['updated'])} / {num(c['failed'])}",
            ])
            memory_rows.append([
                num(size), fmt.upper(),
                f"{_median([r.pool_before_mb for r in runs_]):,.0f} → "
                f"{max(r.pool_peak_mb for r in runs_):,.0f} "
                f"({_mb(max((r.pool_hwm_mb or 0) for r in runs_) or None)})",
                _mb(max((r.child_peak_mb or 0) for r in runs_) or None),
                _mb(max((r.web_child_peak_mb or 0) for r in runs_) or None),
                f"{max(r.tree_peak_mb for r in runs_):,.0f}",
                _spread([r.pool_cpu for r in runs_]),
            ])
    memory_headers = ["rows", "format", "pool process RSS before → peak MB (VmHWM)",
                      "worker's child process peak MB (the converter)",
                      "upload request's child process peak MB (the converter)",
                      "worker tree peak MB (summed)", "pool CPU s"]

    cmp_headers = ["rows", "how", "runs", "rows handled", "seconds", "rows/s", "peak RSS MB",
                   "ours ÷ this (total)", "ours ÷ this (writing phase only)"]
    cmp_rows = []
    for size in sizes:
        for mode, fmt, label in (("raw", "csv", COMPARISONS["raw"]),
                                 ("openpyxl", "xlsx", COMPARISONS["openpyxl"])):
            runs_ = theirs(size, mode)
            rate = their_rate(size, mode)
            cmp_rows.append([num(size), label, len(runs_), num(runs_[0].rows),
                             _spread([c.seconds for c in runs_]), num(rate),
                             f"{max(c.peak_mb for c in runs_):,.0f}",
                             ratio(ours_rate(size, fmt), rate),
                             ratio(ours_rate(size, fmt, "write_s"), rate)
                             if mode == "raw" else "—"])
        if ie_rate:
            cmp_rows.append([num(size), COMPARISONS["import_export"], len(ie),
                             f"{num(ie[0].rows)} (extrapolated to {num(size)}: "
                             f"{size / ie_rate:,.0f} s)",
                             _spread([c.seconds for c in ie]), num(ie_rate),
                             f"{max(c.peak_mb for c in ie):,.0f}",
                             ratio(ours_rate(size, "csv"), ie_rate), "—"])

    body = [
        "## bench-import: a client file, upload → mapping → preview → confirm → counts and "
        "error report",
        report.run_header(report.command_line(), facts)
        + f"\n- **Load average (1/5/15 min) when the run ended**: {report.load_average()}"
        + f"\n- **Run**: {started_at:%Y-%m-%d %H:%M %Z}; timed runs "
        + ", ".join(f"{num(s)} rows × {n}" for s, n in plan.items())
        + f" (--runs {runs}, capped at {MAX_RUNS} below {num(BIG_FROM)} rows and "
          f"{MAX_RUNS_BIG} from {num(BIG_FROM)}: a 1M import takes minutes)",
        f"**The file**: {num(big)} rows × {len(HEADERS)} columns ({'; '.join(HEADERS)}), the "
        f"small size its first {num(sizes[0])} rows; CSV with `;`, UTF-8, amounts as "
        "\"1.234.567,89\" and dates dd/mm/aaaa; XLSX with the same rows (numbers and dates as "
        f"cells; xlsxwriter constant_memory). {ADVISERS} advisers (Asesor ID A-000…A-199), 3 "
        "segments, 5 custom variables. The project already holds the even rows (half the "
        "file) with other values (Monto and Score always; adviser, phone or contactability "
        "for some), so every even row is an update and every odd one a create. "
        f"{len(INVALID_AT)} rows in every {num(INVALID_EVERY)} carry an invalid value "
        f"({', '.join(INVALID_KINDS)} in turn): they must be the job's failed rows and the "
        "error report's. Every run imports into a fresh project in that state, created and "
        "dropped outside the timings.",
        "**Ours is the user's path**: Django's test `Client`, logged in as the project's "
        "admin, POSTs the file to integrations:upload, waits for the mapping (an XLSX is "
        "converted and read by the job first), GETs the mapping page and POSTs its proposal "
        "(the form's initial values, i.e. the auto-mapping: all 16 columns mapped), waits for "
        "the preview, GETs it, POSTs integrations:confirm and waits for the job to finish; a "
        f"real `celery {' '.join(WORKER_COMMAND)}` subprocess on this database and broker "
        "runs the reading, the analysis and the writing. Total = upload request + reading "
        "(XLSX: the upload's answer → the job waiting with its mapping proposal; a CSV's "
        "proposal is read by the upload request) + analysis (mapping POST → the job waits "
        "with its preview) + writing (confirm POST → the job's `finished_at`); the user's "
        "time on the mapping and preview pages is excluded (shown apart). \"job s\": the "
        "phase's job alone (its `started_at` → its end). rows/s = the file's "
        "rows ÷ the median total. A run counts only if created / updated / failed are "
        "exactly the file's (nothing unchanged), the preview said the same, the error report "
        "holds every failed row and the project holds pre-loaded + created clients. Memory: "
        f"psutil samples every {SAMPLE_EVERY * 1000:.0f} ms of the worker's tree (the pool "
        "process; its kernel VmHWM, reset before each run; any other process of the tree: "
        "the XLSX converter) and of this process's children during the upload request (the "
        "web process: any converter the request would start; none expected).",
        "### Ours",
        report.table(ours_headers, ours_rows),
        "Memory (maximum over the runs; \"—\": no sample caught such a process, e.g. a "
        f"converter that lived less than {SAMPLE_EVERY * 1000:.0f} ms):",
        report.table(memory_headers, memory_rows),
        "### The same rows, the other ways (one child process each)",
        report.table(cmp_headers, cmp_rows),
        "Raw limit: the same rows, already clean and typed (codes, compact phones, the custom "
        "variables as JSON; the invalid rows left out), `COPY` into a temporary staging table "
        "and one `INSERT … SELECT … ON CONFLICT (project_id, document_type, document_number) "
        "DO UPDATE` into `clients_client` (adviser by code and segment by name joined in "
        "SQL) of a fresh project in the same pre-loaded state, one transaction, the table's "
        "real indexes and triggers. It does not clean, validate, preview, write the "
        "assignment history or the error report, which ours does. django-import-export: a "
        "`ModelResource` for Client (the same columns; adviser and segment by "
        "`ForeignKeyWidget` limited to the project; choices by label; the custom variables "
        "into `extra` in `before_import_row`; `import_id_fields` document type + number, "
        "looked up within the project), `import_data(dataset, dry_run=False)` with the "
        "library's defaults (a savepoint and a diff per row; the whole import rolled back when "
        "a row errs), on a fresh project in the same state; its time includes reading the "
        "rows into a tablib Dataset. openpyxl: `load_workbook(read_only=True)` and every row "
        "with `values_only=True`, nothing else. A child's seconds are its own, after its "
        "setup; its peak RSS is its own VmHWM.",
    ]
    if ie:
        body.append(f"django-import-export's result: {ie[0].details['totals']} "
                    f"(errors: {ie[0].details['has_errors']}, invalid rows: "
                    f"{ie[0].details['invalid']}).")
    if tray_run is not None:
        busy = [s[2] for s in tray_run.tray]
        tray_headers = ["when", "requests", "median ms", "p95 ms", "max ms"]
        tray_rows = [["idle, just before the import", len(idle),
                      f"{_median(idle) * 1000:,.0f}", f"{Timing(idle).p95 * 1000:,.0f}",
                      f"{max(idle) * 1000:,.0f}"]]
        if busy:
            tray_rows.append([f"while the {num(big)}-row CSV import writes", len(busy),
                              f"{_median(busy) * 1000:,.0f}", f"{Timing(busy).p95 * 1000:,.0f}",
                              f"{max(busy) * 1000:,.0f}"])
        body += [
            "### The clients tray while a big import writes",
            f"An extra {num(big)}-row CSV import (job #{tray_run.job_id}, not in the figures "
            "above) into a fresh project in the same state. Just before it, the admin's "
            f"clients tray (GET clients:list, full page) {TRAY_IDLE_REQUESTS} times (after "
            f"{TRAY_WARMUP} warm-ups); while the job writes (its `started_at` → `finished_at`), "
            "the same page back to back from a thread with its own test Client (one user "
            "refreshing the tray): only requests that started and ended inside the writing "
            f"count. That import's writing took {tray_run.write_s:,.1f} s (total "
            f"{tray_run.total_s:,.1f} s).",
            report.table(tray_headers, tray_rows),
        ]
    if costs is not None:
        base = _median(costs.baselines)
        cost_rows = []
        for label, size, with_all, without in costs.pairs:
            cost = with_all - without
            cost_rows.append([label, "—" if size is None else f"{size:,.1f}",
                              f"{with_all:,.2f}", f"{without:,.2f}", f"{cost:+,.2f}",
                              f"{cost / with_all:+.0%}", f"{cost / costs.rows * 1e6:+,.1f}"])
        body += [
            "### Cost per index of clients_client",
            f"INSERT … SELECT of {num(costs.rows)} new clients (generate_series, every NOT "
            "NULL column, the search-terms trigger) into a copy of the project's "
            f"{num(costs.base_rows)} clients after the tray run (same columns, the same "
            "indexes created from `pg_get_indexdef`, the same search-terms trigger writing "
            "into a copy of its table; no foreign keys): each measurement inside a transaction "
            "that is rolled back, then VACUUM; each \"without\" paired with an \"all indexes\" "
            f"measured just before it. All indexes: median {base:,.2f} s "
            f"({min(costs.baselines):,.2f}–{max(costs.baselines):,.2f} over "
            f"{len(costs.baselines)}), {num(costs.rows / base)} rows/s. Cost = all − without "
            "(a cost within the spread of \"all\" is noise).",
            report.table(["without", "index MiB (copy)", "all s", "without s", "cost s",
                          "share of the INSERT", "µs per row"], cost_rows),
        ]
        if costs.update_pair:
            u_all, u_none = costs.update_pair
            body.append(
                f"UPDATE of {num(costs.update_rows)} existing clients of the copy (extra and "
                f"updated_at, no indexed column; the copy's pages are full, so no update is "
                f"HOT and every index takes a new entry): {u_all:,.2f} s with every index, "
                f"{u_none:,.2f} s without the non-unique ones ({(u_all - u_none) / u_all:.0%} "
                "of it is theirs).")
    body += [
        "### Targets",
        report.table(["figure", "target", "measured", "result"], checks),
        *notes,
    ]
    return report.write_section(SECTION, "\n\n".join(body))


COMPARISONS = {
    "raw": "raw PostgreSQL: COPY into a staging table + one INSERT … ON CONFLICT DO UPDATE",
    "openpyxl": "openpyxl `read_only=True`, every row `values_only`",
    "import_export": "django-import-export, default `import_data` (its 10,000 first rows)",
}

if __name__ == "__main__":
    # python -m bench.imports <mode> …: one comparison in its own process, JSON out.
    print(json.dumps(_child(sys.argv[1:])), flush=True)
