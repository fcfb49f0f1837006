"""bench-interactions-upload: Crear comunicaciones masivas (interactions/importing/, on the one
import engine moonflow/imports/) at 1,000,000 rows, measured on the path a user triggers,
against the raw PostgreSQL limit for the same rows into the same table, in the same run.

The file: N rows × 11 columns, the communications model report's (Tipo de documento; Número
de documento; Canal; Fecha de envío; Destinatarios; Estado) and optional ones (Plantilla;
Tipo de flujo; Flujo, evento o campaña; Asesor ID; Mensaje de error). Ten rows per client:
row i is client CC 1000000000 + (i mod N/10), so a client's records are spread over the file
as a provider's export is (by date). Channels WhatsApp / SMS / Email in turn, the recipient
the client's phone (+573…) or e-mail; five states; a template on three rows in four; a
campaign or a flow on two rows in three; an Asesor ID (another adviser than the client's) on
one row in four, the others take the client's; "Fecha de envío" dd/mm/aaaa hh:mm in the
project's timezone, one minute apart, so every row is its own record (no repeated natural
key). Every row is valid: the upload must register all of them. CSV with `;`, UTF-8,
written once into .data/bench/interactions_upload/ and reused.

The book: each measurement uploads into a fresh project of its own (never the big project
of the 1M-client dataset, which other benchmarks measure): its admin, 50 advisers (A-000 …
A-049) and N/10 clients made set-based in SQL (one INSERT … SELECT over generate_series,
through the table's search-terms trigger), client k with adviser A-(k mod 50). A project
is created before and dropped after each measurement, outside the timings, then
`VACUUM (ANALYZE) interactions_interaction`: ours and raw insert the same rows into the same
table in the same state.

"Ours" is the user's path, as bench/imports.py measures the clients' import: Django's test
`Client` logged in as the project's admin POSTs the file to integrations:upload with
"Comunicaciones masivas" chosen (mode actualizar, the whole project), waits for the mapping
(a CSV above 20 MB is read by the job, phase "read"; a smaller one by the upload request),
GETs the mapping page and POSTs its proposal (the form's initial values: the auto-mapping,
which must map every column to its field), waits for the preview, GETs it, POSTs
integrations:confirm and waits for the job to finish; a real `celery worker -c 1`
subprocess (bench.download.Worker) runs the reading, the analysis and the writing. Timed:
the upload request, the reading, the analysis (mapping POST → the job waits with its
preview) and the writing (confirm POST → the job's finished_at); the total is their sum
(the simulated user's time on the mapping and preview pages is excluded, shown apart, as
is upload POST → finished_at). A run counts only if the preview said N to register and none
failed, the job SUCCEEDED with read = created = N and nothing else counted, it has no
error report, nothing is left staged (imports_stagedrow, imports_rowerror) and the project
holds N interactions; anything else stops the benchmark. Memory: psutil samples of the
worker's tree every 0.1 s (the pool process's peak and its kernel VmHWM, reset before each
run; any other process of the tree).

"Raw" is the PostgreSQL limit for the same work, in a child process of its own
(`python -m bench.interactions_upload raw …`) timing its own work after connecting: in one
transaction, `COPY` of the same file (its header skipped) into a temporary staging table of
text columns, `ANALYZE` of it, and one `INSERT INTO interactions_interaction … SELECT … ON
CONFLICT (project_id, import_key) WHERE import_key <> '' DO NOTHING` (what each of the
product's chunks does) that: resolves the client by (project, document type, number) with a
JOIN on clients_client (clients in the bin left out), the adviser by Asesor ID with a LEFT
JOIN on tenancy_member (else the client's), the file's labels of channel, state and kind of
flow to their codes through the benchmark's own lists of those labels, reads the send date
with to_timestamp in the project's timezone, and computes the natural key in SQL exactly as
interactions.importing.natural_key does (sha256 of the same parts joined by U+001F). It
does not validate or normalise any value (the file's are already as the product stores
them: one recipient per row, compact phones, lower-case e-mails, single spaces), does not
find repeated records or report rows without a client (the JOIN drops them), and does no
preview, chunks, checkpoints, locks, error report, statistics, audit or notification, all
of which ours does. After each round the rows both wrote are compared, outside the timings:
the same count and the same fingerprint of every stored column (clients by document,
advisers by code, the import key included), or the benchmark stops.

Target (the issue): ours at ≥ 50 % of the raw path's rows/s, 1,000,000 rows, same run.

Sizes (bench/imports.py's sizes_for and runs_for): the big file (1,000,000 rows, about
104 MiB: read by the job) and a tenth of it (100,000 rows, about 10 MiB: read by the upload
request), at most 2 rounds at 1,000,000 rows and 5 below; each round measures ours, then
raw. An untimed 1,000-row upload warms the worker first.

Use: `run(runs=…, rows=…)` returns (the section's markdown body, the headline figures); the
caller writes the section. A smoke run on a small file, printing both and writing nothing
into docs/: `python -m bench.interactions_upload --rows 20000 --runs 1` (DJANGO_SETTINGS_MODULE
bench.settings by default; BENCH_DATABASE_NAME, DATABASE_URL and REDIS_URL as for any bench).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from . import report
from .download import (
    SAMPLE_EVERY,
    WORKER_COMMAND,
    TreeSampler,
    Worker,
    _cpu_seconds,
    _reset_peak,
    _vm_hwm_mb,
)
from .imports import (
    BIG_FROM,
    FIRST_NAMES,
    LAST_NAMES,
    MAX_RUNS,
    MAX_RUNS_BIG,
    SITUATION_FINISHED,
    BenchFailure,
    Users,
    _browser,
    _peak_rss_mb,
    _proposal,
    _redirect_target,
    _text_of,
    _wait,
    drop_projects,
    ensure_database,
    runs_for,
    sizes_for,
)
from .report import ROOT, num, say

SECTION = "interactions_upload"
ROWS = 1_000_000  # the big file
PER_CLIENT = 10  # rows of the file per client of the project
TARGET_RAW_SHARE = 0.50  # ours' rows/s ÷ the raw path's

ADVISERS = 50
USER_PREFIX = "bench-upload-"
SLUG_PREFIX = "bench-upload-"
WORK_DIR = ROOT / ".data" / "bench" / "interactions_upload"
FILE_VERSION = 1  # bump when the generator changes: the cached files are rewritten

TIMEZONE = "America/Bogota"  # the project's (the product's default)
DOCUMENT_BASE = 1_000_000_000
FIRST_SEND = datetime(2025, 1, 1, 7, 0)  # wall-clock time in TIMEZONE
SEND_STEP = timedelta(minutes=1)
DATE_FORMAT = "%d/%m/%Y %H:%M"  # how the file writes it; the raw path's to_timestamp reads
SQL_DATE_FORMAT = "DD/MM/YYYY HH24:MI"  # the same

# The file's columns: header → the field the mapping must propose, in the file's order (the
# raw path's staging table has these columns, named by the field, in this order).
COLUMNS = {
    "Tipo de documento": "document_type",
    "Número de documento": "document_number",
    "Canal": "channel",
    "Fecha de envío": "scheduled_at",
    "Destinatarios": "recipients",
    "Estado": "status",
    "Plantilla": "template",
    "Tipo de flujo": "campaign_kind",
    "Flujo, evento o campaña": "campaign",
    "Asesor ID": "adviser_code",
    "Mensaje de error": "error_message",
}
HEADERS = list(COLUMNS)

# (code, the label the file writes) of interactions.models' choices.
CHANNELS = (("whatsapp", "WhatsApp"), ("sms", "SMS"), ("email", "Email"))
STATUSES = (("delivered", "Entregada"), ("read", "Leída"), ("sent", "Enviada"),
            ("unread", "No leída"), ("failed", "Fallida"))
# (kind code, kind label, name): names in lower case but the first letter, so PostgreSQL's
# lower() and Python's casefold() agree on them whatever the database's locale.
CAMPAIGNS = (("campaign", "Campaña", "Cobranza preventiva"),
             ("flow", "Flujo", "Recordatorio de vencimiento"), ("", "", ""))
TEMPLATES = ("Recordatorio de pago", "Aviso de mora", "", "Confirmación de promesa")
ERROR_MESSAGE = "Destinatario no disponible"
# What the file leaves to the product's defaults.
DIRECTION = "outbound"
RECIPIENT_KIND = "client"
SOURCE = "uploaded"  # InteractionSource.UPLOADED


# --- the file ---------------------------------------------------------------------------------


def clients_for(rows: int) -> int:
    return max(1, rows // PER_CLIENT)


def client_phone(k: int) -> str:
    return f"3{(k * 7919) % 10**9:09d}"


def client_email(k: int) -> str:
    return f"cliente{k}@correo.com.co"


def row_cells(i: int, clients: int) -> list[str]:
    """Row i of a file for a project of `clients` clients, as HEADERS says."""
    k = i % clients
    channel_code, channel = CHANNELS[i % len(CHANNELS)]
    status_code, status = STATUSES[(i // len(CHANNELS)) % len(STATUSES)]
    _kind_code, kind, campaign = CAMPAIGNS[(i // 7) % len(CAMPAIGNS)]
    template = TEMPLATES[(i // 11) % len(TEMPLATES)]
    recipient = client_email(k) if channel_code == "email" else f"+57{client_phone(k)}"
    adviser = f"A-{(k + 1) % ADVISERS:03d}" if i % 4 == 1 else ""
    return ["CC", str(DOCUMENT_BASE + k), channel,
            (FIRST_SEND + i * SEND_STEP).strftime(DATE_FORMAT), recipient, status, template,
            kind, campaign, adviser, ERROR_MESSAGE if status_code == "failed" else ""]


def file_path(rows: int) -> Path:
    return WORK_DIR / f"v{FILE_VERSION}" / f"comunicaciones-{rows}.csv"


def ensure_file(rows: int) -> Path:
    """The `rows`-row file, written once (through a temporary name) and reused."""
    from django.conf import settings

    path = file_path(rows)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        partial = path.with_suffix(".part")
        clients = clients_for(rows)
        with open(partial, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";", lineterminator="\n")
            writer.writerow(HEADERS)
            for i in range(rows):
                writer.writerow(row_cells(i, clients))
        partial.replace(path)
        say(f"file: wrote {path.relative_to(ROOT)} ({num(rows)} rows, "
            f"{path.stat().st_size / 2**20:,.0f} MiB) in {time.perf_counter() - started:,.0f} s")
    if path.stat().st_size > settings.IMPORT_MAX_BYTES:
        raise BenchFailure(f"{path.name} weighs {path.stat().st_size:,} bytes, more than the "
                           f"upload's IMPORT_MAX_BYTES ({settings.IMPORT_MAX_BYTES:,})")
    return path


# --- the users and the projects ---------------------------------------------------------------


def ensure_users() -> Users:
    """The admin and the advisers' users, shared by every project of this run (dropped at its
    end with `drop_users`)."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    names = [f"{USER_PREFIX}admin"] + [f"{USER_PREFIX}a{k:03d}" for k in range(ADVISERS)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    User.objects.bulk_create([
        User(username=name, password="!", first_name="Admin" if name == names[0] else "Asesor",
             last_name=name.removeprefix(USER_PREFIX).upper())
        for name in names if name not in existing])
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    return Users(admin=users[names[0]], advisers=[users[n] for n in names[1:]])


def drop_users() -> None:
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username__startswith=USER_PREFIX).delete()


@dataclass
class Project:
    id: int
    slug: str
    admin: object  # tenancy Member
    clients: int
    setup_seconds: float


_CLIENTS_SQL = f"""
INSERT INTO clients_client (project_id, document_type, document_number, name, email, phone,
    city, segment_id, status, portfolio_type, claim_category, contactability, contact_alert,
    adviser_id, supervisor_id, extra, situation, balance, deletion_reason, created_at,
    updated_at)
SELECT %(project)s, 'CC', (%(base)s::bigint + k)::text,
       (%(first)s::text[])[1 + mod(k, %(nf)s)] || ' '
           || (%(last)s::text[])[1 + mod(k / %(nf)s, %(nl)s)],
       'cliente' || k || '@correo.com.co', '3' || lpad(mod(k * 7919, 1000000000)::text, 9, '0'),
       'Bogotá', NULL, 'active', 'current', 'none', 'contactable', 'none',
       (%(advisers)s::bigint[])[1 + mod(k, %(na)s)], NULL, '{{}}'::jsonb, {SITUATION_FINISHED},
       0, '', now() - interval '30 days', now() - interval '30 days'
FROM generate_series(0, %(clients)s - 1) AS k
"""


def create_project(users: Users, clients: int, label: str) -> Project:
    """A fresh project: its admin, the advisers A-000…, and `clients` clients (client k:
    CC DOCUMENT_BASE + k, adviser A-(k mod ADVISERS), phone and e-mail as the file has them)."""
    from django.db import connection, transaction

    from moonflow.tenancy.models import Member, Project as ProjectModel, Role

    started = time.perf_counter()
    slug = f"{SLUG_PREFIX}{label}-{uuid.uuid4().hex[:8]}"
    with transaction.atomic():
        project = ProjectModel.objects.create(name=f"Bench comunicaciones {label}", slug=slug,
                                              timezone=TIMEZONE)
        admin = Member.objects.create(project=project, user=users.admin, role=Role.ADMIN,
                                      code="ADM-1")
        advisers = Member.objects.bulk_create([
            Member(project=project, user=user, role=Role.ADVISER, code=f"A-{k:03d}")
            for k, user in enumerate(users.advisers)])
        with connection.cursor() as cursor:
            cursor.execute(_CLIENTS_SQL, {
                "project": project.pk, "base": DOCUMENT_BASE, "clients": clients,
                "first": list(FIRST_NAMES), "nf": len(FIRST_NAMES),
                "last": list(LAST_NAMES), "nl": len(LAST_NAMES),
                "advisers": [m.pk for m in advisers], "na": len(advisers)})
            made = cursor.rowcount
    if made != clients:
        raise BenchFailure(f"project {slug}: {made:,} clients made, {clients:,} asked for")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE clients_client")
        cursor.execute("ANALYZE clients_clientsearchterm")
    admin = Member.objects.select_related("user", "project").get(pk=admin.pk)
    return Project(project.pk, slug, admin, clients, time.perf_counter() - started)


def drop_project(project_id: int) -> None:
    """Every row of the project (bench/imports.py's drop_projects), then the interactions'
    table vacuumed, so the next measurement inserts into the table in the same state."""
    from django.db import connection

    drop_projects([project_id])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) interactions_interaction")


def drop_leftovers() -> None:
    """Projects of an earlier run of this benchmark that did not end cleanly."""
    from moonflow.tenancy.models import Project as ProjectModel

    ids = list(ProjectModel.objects.filter(slug__startswith=SLUG_PREFIX)
               .values_list("pk", flat=True))
    if ids:
        say(f"dropping {len(ids)} project(s) left by an earlier run")
        for project_id in ids:
            drop_project(project_id)


_FINGERPRINT_SQL = """
SELECT count(*), coalesce(sum(hashtextextended(concat_ws('|',
           i.import_key, c.document_type, c.document_number, coalesce(m.code, '-'),
           i.source, i.direction, i.channel, i.status, i.campaign_kind, i.campaign, i.template,
           i.recipient_kind, i.recipients, i.error_message, i.outcome,
           coalesce(to_char(i.scheduled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), '-'),
           coalesce(to_char(i.sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), '-'),
           coalesce(i.promise_amount::text, '-'), coalesce(i.promise_date::text, '-')),
       0)::numeric), 0)::text
FROM interactions_interaction i
JOIN clients_client c ON c.id = i.client_id
LEFT JOIN tenancy_member m ON m.id = i.adviser_id
WHERE i.project_id = %s
"""


def fingerprint(project_id: int) -> tuple[int, str]:
    """(rows, a sum of hashes of every stored column) of the project's interactions: equal for
    two projects that hold the same records (ids and created_at left out)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_FINGERPRINT_SQL, [project_id])
        rows, digest = cursor.fetchone()
    return rows, digest


# --- ours: the user's path --------------------------------------------------------------------


@dataclass
class Memory:
    pool_before_mb: float
    pool_peak_mb: float  # psutil samples of the pool process that ran the job
    pool_hwm_mb: float | None  # its kernel VmHWM
    child_peak_mb: float | None  # any other process of the worker's tree
    tree_peak_mb: float
    pool_cpu: float

    @property
    def worker_mb(self) -> float:
        return max(self.pool_peak_mb, self.pool_hwm_mb or 0)


class PoolWatch:
    """The worker's process tree sampled while one upload goes on."""

    def __init__(self, worker: Worker):
        import psutil

        self.worker = worker
        pool = psutil.Process(worker.pid).children()
        self.pool_pids = {p.pid for p in pool}
        self.rss_before = {p.pid: p.memory_info().rss for p in pool}
        self.hwm_reset = {pid: _reset_peak(pid) for pid in self.pool_pids}
        self.cpu_before = _cpu_seconds(pool)
        self.sampler = TreeSampler(worker.pid)

    def start(self) -> None:
        self.sampler.start()

    def stop(self) -> None:
        if self.sampler.is_alive():
            self.sampler.stop()

    def memory(self) -> Memory:
        cpu_after = _cpu_seconds(self.sampler.processes())
        deltas = {pid: cpu_after[pid] - self.cpu_before.get(pid, 0.0)
                  for pid in self.pool_pids if pid in cpu_after}
        runner = max(deltas, key=deltas.get) if deltas else next(iter(self.pool_pids))
        others = [rss for pid, rss in self.sampler.peaks.items()
                  if pid != self.worker.pid and pid not in self.pool_pids]
        before = self.rss_before.get(runner, 0)
        return Memory(
            pool_before_mb=before / 2**20,
            pool_peak_mb=max(self.sampler.peaks.get(runner, 0), before) / 2**20,
            pool_hwm_mb=_vm_hwm_mb(runner) if self.hwm_reset.get(runner) else None,
            child_peak_mb=max(others) / 2**20 if others else None,
            tree_peak_mb=self.sampler.tree_peak / 2**20,
            pool_cpu=deltas.get(runner, 0.0),
        )


@dataclass
class UploadRun:
    size: int
    job_id: int
    upload_s: float  # the upload POST
    reading_s: float  # a CSV above 20 MB: the job reads it and proposes a mapping (else 0)
    analysis_s: float  # mapping POST → the job waits with its preview
    analysis_job_s: float | None  # the analysis run's own started_at → waiting
    user_s: float  # the simulated user on the mapping and preview pages (excluded)
    write_s: float  # confirm POST → finished_at
    write_job_s: float  # the writing run's started_at → finished_at
    wall_s: float  # upload POST → finished_at, the user's pages included
    memory: Memory
    fingerprint: tuple[int, str]

    @property
    def total_s(self) -> float:
        return self.upload_s + self.reading_s + self.analysis_s + self.write_s

    @property
    def rows_per_s(self) -> float:
        return self.size / self.total_s


def _url(name: str, project: Project, **kwargs) -> str:
    from django.urls import reverse

    return reverse(name, kwargs={"project": project.slug, **kwargs})


def _waiting_in(phase: str):
    from moonflow.jobs.models import JobStatus

    return lambda job: job.status == JobStatus.AWAITING and job.options.get("phase") == phase


def post_upload(browser, project: Project, path: Path) -> int:
    """Crear comunicaciones masivas: the file, mode actualizar, the whole project."""
    with open(path, "rb") as handle:
        response = browser.post(_url("integrations:upload", project), {
            "entity": "interactions", "mode": "update", "scope": "", "file": handle})
    if response.status_code != 302:
        raise BenchFailure(f"the upload of {path.name} answered {response.status_code}: "
                           f"{_text_of(response)}")
    return _redirect_target(response, "integrations:mapping")


def post_mapping(browser, project: Project, job) -> None:
    """The user opens the mapping page and keeps its proposal, which must be the file's."""
    from moonflow.jobs.models import ProcessJob

    url = _url("integrations:mapping", project, pk=job.pk)
    page = browser.get(url)
    if page.status_code != 200 or b'name="col_0"' not in page.content:
        raise BenchFailure(f"the mapping page answered {page.status_code} without its form")
    data, unmapped = _proposal(job, project)
    proposed = {header: data.get(f"col_{k}", "") for k, header in enumerate(HEADERS)}
    if unmapped or proposed != COLUMNS:
        raise BenchFailure(f"the mapping page proposes {proposed}, the file's columns are "
                           f"{COLUMNS}")
    response = browser.post(url, data)
    if response.status_code != 302:
        raise BenchFailure(f"mapping answered {response.status_code}: {_text_of(response)}")
    phase = ProcessJob.objects.get(pk=job.pk).options.get("phase")
    if phase != "analyze":
        raise BenchFailure(f"job #{job.pk}: the mapping was refused (phase {phase!r})")


def check_preview(job, size: int) -> None:
    plan = job.options.get("plan") or {}
    actions = {}
    for group in plan.get("actions", []):
        actions[group["action"]] = actions.get(group["action"], 0) + group["count"]
    said = (plan.get("read"), actions, plan.get("failed"))
    if said != (size, {"create": size}, 0):
        raise BenchFailure(f"job #{job.pk}: the preview says read {said[0]}, actions {said[1]}, "
                           f"failed {said[2]}; the file: {size} rows to register, none failing "
                           f"(first errors: {plan.get('errors', [])[:3]})")


def get_preview(browser, project: Project, job_id: int) -> None:
    page = browser.get(_url("integrations:detail", project, pk=job_id))
    if page.status_code != 200:
        raise BenchFailure(f"the preview page answered {page.status_code}")


def post_confirm(browser, project: Project, job_id: int) -> None:
    response = browser.post(_url("integrations:confirm", project, pk=job_id))
    if response.status_code != 302:
        raise BenchFailure(f"confirm answered {response.status_code}: {_text_of(response)}")
    _redirect_target(response, "jobs:detail")  # a refusal goes back to the preview


def check_written(job, project: Project, size: int, worker: Worker, received_before: int):
    """The job registered every row and left nothing behind."""
    from interactions.models import Interaction
    from moonflow.imports.models import RowError, StagedRow
    from moonflow.jobs.models import JobStatus

    counts = {n: getattr(job, n) for n in ("read", "created", "updated", "restored",
                                           "transferred", "unchanged", "deleted", "failed")}
    want = {**{n: 0 for n in counts}, "read": size, "created": size}
    problems = []
    if counts != want:
        problems.append(f"counts {counts}, the file {want}")
    if job.status != JobStatus.SUCCEEDED:
        problems.append(f"status {job.status} ({job.message!r})")
    if job.error_file:
        problems.append(f"an error report ({job.error_file.name})")
    staged = (StagedRow.objects.filter(project_id=project.id, job_id=job.pk).count()
              + RowError.objects.filter(project_id=project.id, job_id=job.pk).count())
    if staged:
        problems.append(f"{staged} staged rows or row errors left behind")
    held = Interaction.objects.filter(project_id=project.id).count()
    if held != size:
        problems.append(f"the project holds {held:,} interactions, {size:,} expected")
    if worker.received() <= received_before:
        problems.append("this benchmark's worker never received the tasks")
    if problems:
        raise BenchFailure(f"job #{job.pk} ({size:,} rows): " + "; ".join(problems)
                           + f"\n{worker.log_tail()}")


def ours(project: Project, size: int, path: Path, worker: Worker) -> UploadRun:
    """One upload through the views and the worker, checked and measured."""
    from moonflow.jobs.models import FINISHED_STATUSES, JobStatus

    browser = _browser(project.admin)
    received_before = worker.received()
    watch = PoolWatch(worker)
    started_at = {}

    def note_start(phase):
        def seen(job):
            if job.status == JobStatus.RUNNING and job.started_at:
                started_at.setdefault(phase, job.started_at.timestamp())
        return seen

    watch.start()
    try:
        posted_at, began = time.time(), time.perf_counter()
        job_id = post_upload(browser, project, path)
        upload_s = time.perf_counter() - began
        uploaded_at = time.time()
        # A large CSV is read by the job (phase "read"); a small one was read by the request.
        job = _wait(job_id, _waiting_in("mapping"), worker, "the reading")
        read_at = max(uploaded_at, job.heartbeat_at.timestamp() if job.heartbeat_at
                      else uploaded_at)
        post_mapping(browser, project, job)
        mapped_at = time.time()
        job = _wait(job_id, _waiting_in("preview"), worker, "the analysis",
                    seen=note_start("analysis"))
        analysed_at = job.heartbeat_at.timestamp()
        check_preview(job, size)
        get_preview(browser, project, job_id)
        confirmed_at = time.time()
        post_confirm(browser, project, job_id)
        job = _wait(job_id, lambda j: j.status in FINISHED_STATUSES, worker, "the writing")
    finally:
        watch.stop()
    check_written(job, project, size, worker, received_before)
    finished_at = job.finished_at.timestamp()
    return UploadRun(
        size=size, job_id=job_id, upload_s=upload_s, reading_s=read_at - uploaded_at,
        analysis_s=analysed_at - mapped_at,
        analysis_job_s=analysed_at - started_at["analysis"] if "analysis" in started_at
        else None,
        user_s=(mapped_at - read_at) + (confirmed_at - analysed_at),
        write_s=finished_at - confirmed_at,
        write_job_s=(job.finished_at - job.started_at).total_seconds(),
        wall_s=finished_at - posted_at, memory=watch.memory(),
        fingerprint=fingerprint(project.id),
    )


# --- raw: the PostgreSQL limit, in a child process --------------------------------------------

_STAGE_SQL = ("CREATE TEMP TABLE bench_raw_interactions ("
              + ", ".join(f"{name} text" for name in COLUMNS.values()) + ") ON COMMIT DROP")

_RAW_INSERT = f"""
INSERT INTO interactions_interaction (project_id, client_id, adviser_id, import_key, source,
    created_at, direction, channel, campaign_kind, campaign, template, recipient_kind,
    recipients, status, scheduled_at, sent_at, error_message, outcome, promise_amount,
    promise_date)
SELECT %(project)s, c.id, coalesce(m.id, c.adviser_id),
       encode(sha256(convert_to(concat_ws(chr(31), %(key_version)s::text, s.document_type,
           s.document_number, ch.code,
           to_char(s.sent AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           lower(s.recipients), lower(s.template), lower(s.campaign), %(direction)s::text),
           'UTF8')), 'hex'),
       %(source)s::text, now(), %(direction)s::text, ch.code, coalesce(fk.code, ''),
       s.campaign, s.template, %(recipient_kind)s::text, s.recipients, st.code, s.sent, NULL,
       s.error_message, '', NULL, NULL
FROM (SELECT b.document_type, b.document_number, b.channel, b.status, b.recipients,
             b.campaign_kind, b.adviser_code, coalesce(b.template, '') AS template,
             coalesce(b.campaign, '') AS campaign,
             coalesce(b.error_message, '') AS error_message,
             to_timestamp(b.scheduled_at, '{SQL_DATE_FORMAT}') AS sent
      FROM bench_raw_interactions b) AS s
JOIN clients_client c ON c.project_id = %(project)s AND c.document_type = s.document_type
     AND c.document_number = s.document_number AND c.deleted_at IS NULL
JOIN unnest(%(channel_labels)s::text[], %(channel_codes)s::text[]) AS ch(label, code)
     ON ch.label = s.channel
JOIN unnest(%(status_labels)s::text[], %(status_codes)s::text[]) AS st(label, code)
     ON st.label = s.status
LEFT JOIN unnest(%(kind_labels)s::text[], %(kind_codes)s::text[]) AS fk(label, code)
     ON fk.label = s.campaign_kind
LEFT JOIN tenancy_member m ON m.project_id = %(project)s
     AND upper(m.code) = upper(s.adviser_code)
ON CONFLICT (project_id, import_key) WHERE import_key <> '' DO NOTHING
"""


def _raw_parameters(project_id: int) -> dict:
    from interactions.importing.cleaning import KEY_VERSION

    kinds = [(code, label) for code, label, _name in CAMPAIGNS if code]
    return {
        "project": project_id, "key_version": KEY_VERSION, "direction": DIRECTION,
        "source": SOURCE, "recipient_kind": RECIPIENT_KIND,
        "channel_labels": [label for _c, label in CHANNELS],
        "channel_codes": [code for code, _l in CHANNELS],
        "status_labels": [label for _c, label in STATUSES],
        "status_codes": [code for code, _l in STATUSES],
        "kind_labels": [label for _c, label in kinds],
        "kind_codes": [code for code, _l in kinds],
    }


def _child_raw(project_id: int, path: str) -> dict:
    """COPY the file into a staging table, ANALYZE it, one INSERT … SELECT … ON CONFLICT DO
    NOTHING into interactions_interaction: one transaction, timed after connecting."""
    from .dataset import raw_connect

    parameters = _raw_parameters(project_id)
    with raw_connect(autocommit=True) as conn:
        conn.execute("SELECT 1")
        started = time.perf_counter()
        with conn.transaction():
            conn.execute("SELECT set_config('TimeZone', %s, true)", [TIMEZONE])
            conn.execute(_STAGE_SQL)
            with conn.cursor().copy("COPY bench_raw_interactions FROM STDIN (FORMAT csv, "
                                    "DELIMITER ';', HEADER true)") as copy:
                with open(path, "rb") as handle:
                    while chunk := handle.read(1 << 20):
                        copy.write(chunk)
            copied = time.perf_counter()
            conn.execute("ANALYZE bench_raw_interactions")
            inserted = conn.execute(_RAW_INSERT, parameters).rowcount
        seconds = time.perf_counter() - started
    return {"rows": inserted, "seconds": seconds, "copy_seconds": copied - started,
            "insert_seconds": seconds - (copied - started)}


def _child(argv: list[str]) -> dict:
    _setup_django()
    if argv[0] != "raw":
        raise SystemExit(f"unknown mode {argv[0]}")
    result = _child_raw(int(argv[1]), argv[2])
    result["peak_mb"] = _peak_rss_mb()
    return result


@dataclass
class RawRun:
    size: int
    rows: int
    seconds: float
    copy_seconds: float
    insert_seconds: float
    peak_mb: float
    fingerprint: tuple[int, str]

    @property
    def rows_per_s(self) -> float:
        return self.size / self.seconds


def raw(project: Project, size: int, path: Path) -> RawRun:
    """The raw path in its own process, on a fresh project; every row must be inserted."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.interactions_upload", "raw", str(project.id), str(path)],
        cwd=ROOT, env=dict(os.environ), stdout=subprocess.PIPE, text=True)
    output = proc.stdout.read()
    if proc.wait() != 0:
        raise BenchFailure(f"the raw path failed (exit {proc.returncode}):\n{output[-2000:]}")
    result = json.loads(output.strip().splitlines()[-1])
    if result["rows"] != size:
        raise BenchFailure(f"the raw path inserted {result['rows']:,} rows of {size:,}")
    return RawRun(size, result["rows"], result["seconds"], result["copy_seconds"],
                  result["insert_seconds"], result["peak_mb"], fingerprint(project.id))


# --- the run ----------------------------------------------------------------------------------


@dataclass
class Round:
    size: int
    number: int
    ours: UploadRun
    raw: RawRun

    @property
    def ratio(self) -> float:
        return self.ours.rows_per_s / self.raw.rows_per_s


class Projects:
    """The projects this run made, each dropped after its measurement (or at the end)."""

    def __init__(self, users: Users):
        self.users = users
        self.live: list[int] = []

    def fresh(self, size: int, label: str) -> Project:
        project = create_project(self.users, clients_for(size), label)
        self.live.append(project.id)
        return project

    def drop(self, project: Project) -> None:
        drop_project(project.id)
        self.live.remove(project.id)

    def drop_all(self) -> None:
        if self.live:
            say(f"dropping {len(self.live)} project(s) of this run")
        for project_id in list(self.live):
            drop_project(project_id)
            self.live.remove(project_id)


def measure_round(projects: Projects, size: int, number: int, path: Path,
                  worker: Worker) -> Round:
    project = projects.fresh(size, f"ours-{size}")
    say(f"  ours: project {project.slug} ({num(project.clients)} clients) set up in "
        f"{project.setup_seconds:,.1f} s")
    upload = ours(project, size, path, worker)
    projects.drop(project)
    _say_ours(upload)
    project = projects.fresh(size, f"raw-{size}")
    limit = raw(project, size, path)
    projects.drop(project)
    say(f"  raw: {num(limit.rows)} rows in {limit.seconds:,.1f} s (COPY "
        f"{limit.copy_seconds:,.1f} s, INSERT {limit.insert_seconds:,.1f} s; "
        f"{num(limit.rows_per_s)} rows/s), peak {limit.peak_mb:,.0f} MB")
    if limit.fingerprint != upload.fingerprint:
        raise BenchFailure(f"{size:,} rows: the raw path wrote {limit.fingerprint}, ours "
                           f"{upload.fingerprint} (rows, fingerprint): not the same records")
    result = Round(size, number, upload, limit)
    say(f"  ours ÷ raw: {result.ratio:.2f}")
    return result


def _say_ours(r: UploadRun) -> None:
    m = r.memory
    say(f"  ours: job #{r.job_id}: upload {r.upload_s:,.1f} s, reading {r.reading_s:,.1f} s, "
        f"analysis {r.analysis_s:,.1f} s, writing {r.write_s:,.1f} s → total "
        f"{r.total_s:,.1f} s ({num(r.rows_per_s)} rows/s); pool RSS {m.pool_before_mb:,.0f} → "
        f"{m.pool_peak_mb:,.0f} MB (VmHWM {_mb(m.pool_hwm_mb)})")


def run(*, runs: int, rows: int = ROWS) -> tuple[str, dict]:
    """Measure; returns (the section's markdown body, the headline figures)."""
    ensure_database()
    warm, small, big = sizes_for(rows)
    sizes = [small, big] if small != big else [big]
    plan = {size: runs_for(size, runs) for size in sizes}
    header = report.run_header(report.command_line(), report.machine_facts())
    paths = {size: ensure_file(size) for size in {warm, *sizes}}
    drop_leftovers()
    projects = Projects(ensure_users())
    workdir = WORK_DIR / "run"
    workdir.mkdir(parents=True, exist_ok=True)
    say("starting a Celery worker: celery " + " ".join(WORKER_COMMAND))
    worker = Worker(workdir / "worker.log")
    rounds: list[Round] = []
    try:
        say(f"  ready (pid {worker.pid}); warm-up: one untimed {num(warm)}-row upload")
        project = projects.fresh(warm, "warm")
        ours(project, warm, paths[warm], worker)
        projects.drop(project)
        for size in sizes:
            say(f"\n{num(size)} rows, {num(clients_for(size))} clients")
            for number in range(1, plan[size] + 1):
                say(f"round {number}/{plan[size]} (load {report.load_average()})")
                rounds.append(measure_round(projects, size, number, paths[size], worker))
    finally:
        worker.stop()
        projects.drop_all()
        drop_users()
    return section(header, rounds, sizes, plan, runs, big), headline(rounds, big)


def smoke(rows: int = 20_000, runs: int = 1) -> tuple[str, dict]:
    """A small run for a check (Django set up with bench.settings)."""
    return run(runs=runs, rows=rows)


# --- the section ------------------------------------------------------------------------------


def _median(values) -> float:
    return statistics.median(values)


def _spread(values, digits: int = 1) -> str:
    if len(values) == 1:
        return f"{values[0]:,.{digits}f}"
    return f"{_median(values):,.{digits}f} ({min(values):,.{digits}f}–{max(values):,.{digits}f})"


def _mb(value) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _of(rounds: list[Round], size: int) -> list[Round]:
    return [r for r in rounds if r.size == size]


def summary(rounds: list[Round], size: int) -> dict:
    """Median figures of one size's rounds."""
    these = _of(rounds, size)
    ours_s = _median([r.ours.total_s for r in these])
    raw_s = _median([r.raw.seconds for r in these])
    ratio = (size / ours_s) / (size / raw_s)
    return {
        "rows": size, "runs": len(these), "ours_seconds": ours_s, "raw_seconds": raw_s,
        "ours_rows_per_s": size / ours_s, "raw_rows_per_s": size / raw_s, "ratio": ratio,
        "target": TARGET_RAW_SHARE, "met": ratio >= TARGET_RAW_SHARE,
        "worker_pool_peak_mb": max(r.ours.memory.worker_mb for r in these),
    }


def headline(rounds: list[Round], big: int) -> dict:
    sizes = sorted({r.size for r in rounds})
    return {**summary(rounds, big), "smoke": big < ROWS,
            "sizes": {size: summary(rounds, size) for size in sizes}}


def _rounds_table(rounds: list[Round]) -> str:
    headers = ["rows", "round", "ours s (total)", "ours rows/s", "raw s", "raw rows/s",
               "ours ÷ raw", "worker pool RSS peak MB (VmHWM)"]
    rows = [[num(r.size), r.number, f"{r.ours.total_s:,.1f}", num(r.ours.rows_per_s),
             f"{r.raw.seconds:,.1f}", num(r.raw.rows_per_s), f"{r.ratio:.2f}",
             f"{r.ours.memory.pool_peak_mb:,.0f} ({_mb(r.ours.memory.pool_hwm_mb)})"]
            for r in rounds]
    return report.table(headers, rows)


def _phases_table(rounds: list[Round], sizes: list[int]) -> str:
    headers = ["rows", "runs", "upload request s", "reading s", "analysis s",
               "analysis job s", "writing s", "writing job s", "total s",
               "user's pages s (excluded)", "upload POST → finished_at s",
               "pool RSS before → peak MB", "other worker process peak MB", "pool CPU s"]
    rows = []
    for size in sizes:
        ours_ = [r.ours for r in _of(rounds, size)]
        jobs = [u.analysis_job_s for u in ours_ if u.analysis_job_s is not None]
        rows.append([
            num(size), len(ours_), _spread([u.upload_s for u in ours_]),
            _spread([u.reading_s for u in ours_]), _spread([u.analysis_s for u in ours_]),
            _spread(jobs) if jobs else "—", _spread([u.write_s for u in ours_]),
            _spread([u.write_job_s for u in ours_]), _spread([u.total_s for u in ours_]),
            _spread([u.user_s for u in ours_]), _spread([u.wall_s for u in ours_]),
            f"{_median([u.memory.pool_before_mb for u in ours_]):,.0f} → "
            f"{max(u.memory.pool_peak_mb for u in ours_):,.0f}",
            _mb(max((u.memory.child_peak_mb or 0) for u in ours_) or None),
            _spread([u.memory.pool_cpu for u in ours_]),
        ])
    return report.table(headers, rows)


def _raw_table(rounds: list[Round], sizes: list[int]) -> str:
    headers = ["rows", "runs", "COPY s", "ANALYZE + INSERT s", "total s", "rows/s",
               "peak RSS MB"]
    rows = []
    for size in sizes:
        raws = [r.raw for r in _of(rounds, size)]
        seconds = _median([r.seconds for r in raws])
        rows.append([num(size), len(raws), _spread([r.copy_seconds for r in raws]),
                     _spread([r.insert_seconds for r in raws]),
                     _spread([r.seconds for r in raws]), num(size / seconds),
                     f"{max(r.peak_mb for r in raws):,.0f}"])
    return report.table(headers, rows)


def _targets_table(rounds: list[Round], sizes: list[int], big: int) -> str:
    rows = []
    for size in sizes:
        s = summary(rounds, size)
        where = f"{num(size)} rows" + (" (smoke run: not the issue's 1M)"
                                       if size == big and big < ROWS else "")
        verdict = ("PASS" if s["met"] else "**MISS**") if size == big else "(shown)"
        rows.append([f"{where}: ours ÷ raw COPY + INSERT … ON CONFLICT DO NOTHING (rows/s, "
                     "medians)", f"≥ {TARGET_RAW_SHARE:.2f}",
                     f"{s['ratio']:.2f} ({num(s['ours_rows_per_s'])} / "
                     f"{num(s['raw_rows_per_s'])})", verdict])
    return report.table(["figure", "target", "measured", "result"], rows)


def section(header: str, rounds: list[Round], sizes: list[int], plan: dict, runs: int,
            big: int) -> str:
    from django.conf import settings

    from moonflow.imports.services import READ_IN_REQUEST_MAX_BYTES

    labels = "; ".join(HEADERS)
    in_request_mb = READ_IN_REQUEST_MAX_BYTES // 2**20
    big_mb = file_path(big).stat().st_size / 2**20
    body = [
        "## bench-interactions-upload: Crear comunicaciones masivas, upload → mapping → "
        "preview → confirm, against the raw PostgreSQL limit",
        header + f"\n- **Load average (1/5/15 min) when the run ended**: "
        f"{report.load_average()}\n- **Timed rounds**: "
        + ", ".join(f"{num(s)} rows × {n}" for s, n in plan.items())
        + f" (--runs {runs}, capped at {MAX_RUNS} below {num(BIG_FROM)} rows and "
          f"{MAX_RUNS_BIG} from there)",
        f"**The file**: {num(big)} rows × {len(HEADERS)} columns ({labels}), "
        f"{big_mb:,.0f} MiB of CSV with `;`, UTF-8, dates dd/mm/aaaa hh:mm in the "
        f"project's timezone ({TIMEZONE}); "
        f"{PER_CLIENT} rows per client of the project ({num(clients_for(big))} clients, "
        f"{ADVISERS} advisers), every row valid and its own record; the small size is its "
        "own file of the same shape. **The book**: each measurement (ours or raw, every "
        "round) runs on a fresh project holding the clients the file names (one INSERT … "
        "SELECT, outside the timings), dropped afterwards with a VACUUM (ANALYZE) of "
        "interactions_interaction, so both insert the same rows into the same table in the "
        "same state.",
        "**Ours is the user's path**: Django's test `Client`, logged in as the project's "
        "admin, POSTs the file to integrations:upload as «Comunicaciones masivas», waits "
        f"for the mapping (a CSV above {in_request_mb} MB is read by the job first, phase "
        "\"read\"; a smaller one by the upload request), POSTs the mapping "
        "page's proposal (every column mapped by name), waits for the preview, GETs it, "
        "POSTs integrations:confirm and waits for the job to finish; a real "
        f"`celery {' '.join(WORKER_COMMAND)}` subprocess runs the reading, the analysis "
        "(read, clean every row, stage, repeated records, clients, preview) and the writing "
        f"(chunks of {num(settings.IMPORT_CHUNK_ROWS)}, each one transaction with the "
        "project's lock, its clients share-locked and one INSERT … ON CONFLICT DO NOTHING, "
        "its checkpoint; then "
        "statistics, audit, notification). Total = upload request + reading + analysis + "
        "writing (to the job's `finished_at`); the simulated user's time on the pages is "
        "excluded (shown apart). A round counts only if the preview and the job say every "
        "row registered and none failed, there is no error report, nothing is left staged "
        f"and the project holds the file's rows. Memory: psutil every "
        f"{SAMPLE_EVERY * 1000:.0f} ms over the worker's tree, and the pool process's "
        "kernel VmHWM (reset before each run).",
        "**Raw is the PostgreSQL limit** for the same rows, in its own process, one "
        "transaction: `COPY` of the same file into a temporary staging table, `ANALYZE` of "
        "it, one `INSERT INTO interactions_interaction … SELECT … ON CONFLICT (project_id, "
        "import_key) WHERE import_key <> '' DO NOTHING` joining clients_client by (project, "
        "document type, number), the adviser by Asesor ID (else the client's), the labels to "
        "codes, the send date by to_timestamp in the project's timezone, and the natural key "
        "computed in SQL as the product computes it. It does not validate or normalise "
        "values (the file's are already as stored), find repeated records, report rows "
        "without a client, preview, chunk, lock, checkpoint, write an error report, refresh "
        "statistics or audit. Each round, ours' and raw's rows are checked equal (count and "
        "a fingerprint of every stored column, the import key included).",
        "### Each round",
        _rounds_table(rounds),
        "### Ours, per phase (median, min–max)",
        _phases_table(rounds, sizes),
        "### Raw",
        _raw_table(rounds, sizes),
        "### Target",
        _targets_table(rounds, sizes, big),
    ]
    return "\n\n".join(body)


# --- command line -----------------------------------------------------------------------------


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import warnings

    # WhiteNoise warns that collectstatic never ran; pages are measured without static files.
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()


def _smoke_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.interactions_upload",
        description="A smoke run of the communications upload benchmark (prints the section "
                    "and the headline figures; writes nothing into docs/).")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args(argv)
    _setup_django()
    body, figures = smoke(rows=args.rows, runs=args.runs)
    say("\n" + body)
    say(json.dumps(figures, indent=2, default=str))
    return 0


if __name__ == "__main__":
    # python -m bench.interactions_upload raw <project id> <file>: the raw path, JSON out;
    # python -m bench.interactions_upload [--rows N] [--runs N]: a smoke run.
    if sys.argv[1:2] == ["raw"]:
        print(json.dumps(_child(sys.argv[1:])), flush=True)
    else:
        sys.exit(_smoke_main(sys.argv[1:]))
