"""bench-api: the REST API (docs/api.md) measured on the path a client system uses.

Bulk upserts. A client system posts `POST /api/v1/clients/bulk/` batches of BATCH clients,
one after another, to a real server (gunicorn on the bench settings, as bench/tray.py's
load part starts one) with an admin API key and an `Idempotency-Key` per request, while a
real `celery worker` subprocess (bench/download.py's `Worker`) serves the broker. The rows
are the import benchmark's (bench/imports.py's generator: row i is client CC 1000000000+i,
16 fields, 5 custom variables, 200 advisers), as a client system sends them in JSON: codes
for the choices, numbers as numbers, dates as ISO dates; two rows in every 2,000 carry one
invalid value, as in the file. Two passes into a fresh project (created and dropped
outside the timings): the first creates every client, the second sends every client with
other values (the import benchmark's "earlier values": Monto and Score always, the
adviser, phone or contactability for some), so every valid row is a real update. Each
answer is checked row by row: every valid row `created` (first pass) or `updated`
(second), with its client's id; every invalid one `failed`, naming the field at fault. A
request the worker took over (the job's claim went to the worker first) is answered 202
with the job: its job is then read from `/api/v1/jobs/{id}/` until it finished, that
wait timed as part of the request, and its counts are checked instead. Timed per request:
the POST sent → the answer read (the JSON is encoded before the clock starts); each
batch's import job alone (its started_at → finished_at) is shown beside it, and the
statements the server's PostgreSQL connections were seen running during a pass
(pg_stat_activity, sampled) say where the requests wait.

Compared in the same run, on the same rows: the file import of the same clients through
the import engine, on bench/imports.py's path (Django's test Client logged in as the
project's admin: upload → mapping page and its proposal → preview → confirm → the real
worker writes), a CSV written as Colombians write it (bench/imports.csv_cells) for each
pass, into another fresh project; timed like the import benchmark (upload request +
reading + analysis + writing, the user's time on the pages excluded).

List pages. `GET /api/v1/clients/?pageSize=100` on the 1M-client project of the
benchmark dataset, its cursor's next page (the first page's `next` link) and a filter
(Situación: Mora más de 90 días), for an admin key and a key acting as a restricted
adviser ("Asignación de asesor"), through Django's test Client in-process (server time:
the whole request, authentication, rate limit and rendering included), bench/tray.py's
WARMUP warm-ups then --runs timed requests; the rate limit is counted as usual, with a
limit the runs cannot reach (LIST_RATE_LIMIT). Compared with the usual DRF way (a plain
ModelViewSet with PageNumberPagination, its exact COUNT(*), over the same clients the key
sees, the same authentication; defined here, never routed) and with the page's raw SQL
(its keyset SELECT, and every read statement of the request, replayed with psycopg).

The keys are made with the API's own key format and hash (api.keys) but without the
screen's audit event: the two on the dataset's project are deleted when the list part ends;
the bulk projects (bench/imports.py's create_project / drop_projects) and their users are
dropped at the end, as the import benchmark drops its own.
"""

from __future__ import annotations

import http.client
import json
import platform
import re
import statistics
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qsl, urlsplit

from . import report
from .dataset import Dataset
from .report import ROOT, Timing, ms, num, ratio, say

SECTION = "api"
ROWS = 1_000_000
BATCH = 5_000  # clients per request (API_BULK_SYNC_MAX)
WARM_ROWS = 1_000  # the untimed warm-up batch and file, in a project of their own
FILE_VERSION = 1  # bump when the files' generator changes: the cached files are rewritten
WORK_DIR = ROOT / ".data" / "bench" / "api"
REQUEST_TIMEOUT = 900  # seconds: gunicorn's and the client's, for one batch
JOB_TIMEOUT = 3 * 3600
POLL_EVERY = 0.1

TARGET_SHARE = 0.50  # the API's rows/s ÷ the file import's
TARGET_LIST_MEDIAN = 0.040
LIST_PAGE_SIZE = 100
LIST_RATE_LIMIT = "1000000/min"  # counted as usual, never reached by the runs

PASSES = ("new", "changed")
PASS_LABELS = {"new": "new clients (every valid row created)",
               "changed": "the same clients with other values (every valid row updated)"}
PASS_RESULT = {"new": "created", "changed": "updated"}
# The field a row's invalid value is reported on (bench.imports.INVALID_KINDS).
INVALID_FIELDS = {"Correo": "email", "Asesor ID": "adviserUserProjectId",
                  "Monto": "customVariables.monto", "Vence": "customVariables.vence",
                  "Segmento": "segment"}
INVALID_JSON = {"Correo": "correo-invalido@", "Asesor ID": "A-999", "Monto": "12,34,5",
                "Vence": "2026-02-31", "Segmento": "Segmento inexistente"}


class BenchFailure(SystemExit):
    pass


# --- the rows ---------------------------------------------------------------------------------


def api_row(i: int, *, changed: bool) -> dict:
    """Row i of the import benchmark's file as a client system sends it in JSON."""
    from .imports import _json_number, client, invalid_kind, is_invalid

    c = client(i, old=changed)
    variables = {"producto": c.product, "monto": _json_number(c.amount),
                 "vence": c.due.isoformat(), "canal": c.channel, "score": c.score}
    row = {"documentType": "CC", "documentNumber": c.number, "name": c.name,
           "email": c.email, "phone": c.phone, "city": c.city, "segment": c.segment,
           "status": c.status, "portfolioType": c.portfolio, "adviserUserProjectId": c.adviser,
           "contactability": c.contactability, "customVariables": variables}
    if is_invalid(i):
        kind = invalid_kind(i)
        value = INVALID_JSON[kind]
        target = INVALID_FIELDS[kind]
        if target.startswith("customVariables."):
            variables[target.split(".", 1)[1]] = value
        else:
            row[target] = value
    return row


@dataclass(frozen=True)
class Expected:
    rows: int
    failed: int

    @property
    def valid(self) -> int:
        return self.rows - self.failed

    @classmethod
    def of(cls, start: int, stop: int) -> Expected:
        from .imports import is_invalid

        return cls(rows=stop - start, failed=sum(1 for i in range(start, stop) if is_invalid(i)))


def ensure_csv_files(rows: int) -> dict[str, object]:
    """The file import's CSV of each pass (written once into .data/bench/api/, reused)."""
    import csv

    from .imports import HEADERS, client, csv_cells

    folder = WORK_DIR / f"v{FILE_VERSION}-{rows}"
    paths = {name: folder / f"clientes-{name}-{rows}.csv" for name in PASSES}
    marker = folder / "complete.json"
    if marker.exists():
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    say(f"files: writing the {num(rows)}-row CSV of each pass into {folder.relative_to(ROOT)}")
    for name, path in paths.items():
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";", lineterminator="\n")
            writer.writerow(HEADERS)
            for i in range(rows):
                writer.writerow(csv_cells(i, client(i, old=name == "changed")))
    marker.write_text(json.dumps({"rows": rows, "version": FILE_VERSION}))
    return paths


# --- the server and the client system --------------------------------------------------------


def _server_class():
    from .tray import Server

    class BulkServer(Server):
        """bench/tray.py's gunicorn, with a timeout a batch of BATCH rows stays within."""

        @property
        def command(self) -> list[str]:
            command = super().command
            command[command.index("--timeout") + 1] = str(REQUEST_TIMEOUT)
            return command

        @property
        def shown_command(self) -> str:
            from .tray import REQUEST_TIMEOUT as TRAY_TIMEOUT

            return super().shown_command.replace(f"--timeout {TRAY_TIMEOUT}",
                                                 f"--timeout {REQUEST_TIMEOUT}")

    return BulkServer


def _call(port: int, method: str, path: str, key: str, body: bytes | None = None,
          headers: dict | None = None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        sent = {"Authorization": f"Bearer {key}", "Accept": "application/json",
                "Accept-Encoding": "identity", "Accept-Language": "es", **(headers or {})}
        if body is not None:
            sent["Content-Type"] = "application/json"
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        data = response.read()
    finally:
        conn.close()
    try:
        return response.status, json.loads(data) if data else {}
    except ValueError:
        return response.status, {"text": data[:2000].decode("utf-8", "replace")}


def make_key(member, scope: str) -> tuple[object, str]:
    """A key acting as `member` (the API's own key format and hash), without the screen's
    audit event: it is deleted when the run ends."""
    from api.keys import key_hash, new_key_text
    from api.models import ApiKey

    prefix, text = new_key_text(member.project_id)
    key = ApiKey.objects.create(project_id=member.project_id, name="bench-api", scope=scope,
                                member=member, prefix=prefix, key_hash=key_hash(text),
                                created_by=None)
    return key, text


def drop_keys(keys) -> None:
    from api.models import ApiKey, IdempotentRequest

    for key in keys:
        IdempotentRequest.objects.filter(project_id=key.project_id,
                                         api_key_prefix=key.prefix).delete()
        ApiKey.objects.filter(project_id=key.project_id, prefix=key.prefix).delete()


# --- the bulk passes --------------------------------------------------------------------------


CURSOR_NAME = re.compile(r'"_django_curs_\w+"')  # one name per server-side cursor


class StatementSampler:
    """What the server's PostgreSQL connections (bench/tray.py's Server names them) are
    running, looked at every SAMPLE_EVERY seconds: the statements a pass waits on."""

    SAMPLE_EVERY = 0.25
    SHOWN = 8

    def __init__(self):
        import threading
        from collections import Counter

        self.counts: Counter = Counter()
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-api-sql", daemon=True)

    def _run(self) -> None:
        from .dataset import raw_connect
        from .tray import APPLICATION_NAME

        with raw_connect(autocommit=True) as conn:
            while not self._stop.wait(self.SAMPLE_EVERY):
                rows = conn.execute(
                    "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 110) "
                    "FROM pg_stat_activity WHERE application_name = %s AND state = 'active'",
                    [APPLICATION_NAME]).fetchall()
                self.samples += 1
                for (text,) in rows:
                    self.counts[CURSOR_NAME.sub('"_django_curs_…"', text.strip())] += 1

    def __enter__(self) -> StatementSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def top(self) -> list[tuple[str, float]]:
        """(statement's start, seconds it was seen running) of the busiest statements."""
        return [(text, n * self.SAMPLE_EVERY) for text, n in self.counts.most_common(self.SHOWN)]


@dataclass
class Batch:
    start: int
    rows: int
    seconds: float  # POST sent → answer read (and, for a 202, → the job finished)
    status: int
    job_id: int
    counts: dict
    job_s: float | None = None  # the import job alone: its started_at → finished_at


@dataclass
class ApiPass:
    name: str
    batches: list[Batch] = field(default_factory=list)
    wall_s: float = 0.0  # first row built → last answer checked (the client's work included)
    statements: list[tuple[str, float]] = field(default_factory=list)  # StatementSampler.top

    @property
    def rows(self) -> int:
        return sum(b.rows for b in self.batches)

    @property
    def seconds(self) -> float:
        return sum(b.seconds for b in self.batches)

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds

    @property
    def as_jobs(self) -> int:
        return sum(1 for b in self.batches if b.status == 202)


def _wait_job(port: int, key: str, url: str) -> dict:
    deadline = time.monotonic() + JOB_TIMEOUT
    while True:
        status, job = _call(port, "GET", url, key)
        if status != 200:
            raise BenchFailure(f"GET {url} answered {status}: {job}")
        if job["status"] in ("succeeded", "partial", "failed", "cancelled"):
            return job
        if time.monotonic() > deadline:
            raise BenchFailure(f"{url}: the job did not finish in {JOB_TIMEOUT} s ({job})")
        time.sleep(POLL_EVERY)


def _check_results(results: list, start: int, rows: int, word: str) -> list[str]:
    from .imports import invalid_kind, is_invalid

    problems = []
    if len(results) != rows:
        return [f"{len(results)} results for {rows} rows"]
    for k, result in enumerate(results):
        i = start + k
        if result["index"] != k or result["documentNumber"] != str(1_000_000_000 + i):
            problems.append(f"result {k} is {result['index']} / {result['documentNumber']}")
        elif is_invalid(i):
            fields = [e.get("field") for e in result.get("errors") or []]
            want = INVALID_FIELDS[invalid_kind(i)]
            if result["result"] != "failed" or want not in fields:
                problems.append(f"row {i} ({invalid_kind(i)}): {result['result']}, errors on "
                                f"{fields}, failed on {want} expected")
        elif result["result"] != word or not result.get("clientId"):
            problems.append(f"row {i}: {result['result']} (client {result.get('clientId')}, "
                            f"errors {result.get('errors')}), {word} expected")
        if len(problems) >= 5:
            break
    return problems


def api_pass(server, key: str, name: str, rows: int) -> ApiPass:
    """Every row of the pass, BATCH per request, one request after another."""
    with StatementSampler() as sampler:
        done = _api_batches(server, key, name, rows)
    done.statements = sampler.top()
    _note_job_times(done)
    return done


def _api_batches(server, key: str, name: str, rows: int) -> ApiPass:
    word = PASS_RESULT[name]
    done = ApiPass(name)
    began = time.perf_counter()
    for start in range(0, rows, BATCH):
        stop = min(start + BATCH, rows)
        body = json.dumps({"mode": "update", "scope": None, "transferMode": "none",
                           "clients": [api_row(i, changed=name == "changed")
                                       for i in range(start, stop)]},
                          ensure_ascii=False).encode()
        headers = {"Idempotency-Key": f"bench-api-{name}-{start}-{uuid.uuid4().hex[:8]}"}
        sent = time.perf_counter()
        status, answer = _call(server.port, "POST", "/api/v1/clients/bulk/", key, body, headers)
        expected = Expected.of(start, stop)
        want = {"created": expected.valid if word == "created" else 0,
                "updated": expected.valid if word == "updated" else 0,
                "failed": expected.failed}
        if status == 202:  # the worker claimed the job first: read it until it ends
            job = _wait_job(server.port, key, answer["job"]["url"])
            seconds = time.perf_counter() - sent
            counts, job_id = job["counts"], job["id"]
        elif status == 200:
            seconds = time.perf_counter() - sent
            counts, job_id = answer["counts"], answer["job"]["id"]
            problems = _check_results(answer["results"], start, stop - start, word)
            if problems:
                raise BenchFailure(f"batch {start:,}–{stop - 1:,} (job #{job_id}): "
                                   + "; ".join(problems))
        else:
            raise BenchFailure(f"batch {start:,}–{stop - 1:,} answered {status}: "
                               f"{json.dumps(answer, ensure_ascii=False)[:2000]}\n"
                               f"{server.output()}")
        got = {name_: counts.get(name_) for name_ in want}
        if got != want or counts.get("unchanged"):
            raise BenchFailure(f"batch {start:,}–{stop - 1:,} (job #{job_id}, HTTP {status}): "
                               f"counts {counts}, {want} expected")
        done.batches.append(Batch(start, stop - start, seconds, status, job_id, counts))
        if len(done.batches) % 20 == 0 or stop == rows:
            say(f"    {num(stop)} rows, {len(done.batches)} requests: "
                f"{num(done.rows_per_s)} rows/s so far (load {report.load_average()})")
    done.wall_s = time.perf_counter() - began
    return done


def _note_job_times(done: ApiPass) -> None:
    """Each batch's import job alone (run by the request, or by the worker for a 202)."""
    from moonflow.jobs.models import ProcessJob

    spans = {pk: (ended - began).total_seconds() for pk, began, ended in
             ProcessJob.objects.filter(pk__in=[b.job_id for b in done.batches])
             .values_list("pk", "started_at", "finished_at") if began and ended}
    for batch in done.batches:
        batch.job_s = spans.get(batch.job_id)


# --- the file import (bench/imports.py's path) ------------------------------------------------


@dataclass
class FileRun:
    name: str
    rows: int
    job_id: int
    upload_s: float
    reading_s: float
    analysis_s: float
    write_s: float
    user_s: float
    counts: dict

    @property
    def total_s(self) -> float:
        return self.upload_s + self.reading_s + self.analysis_s + self.write_s

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.total_s


def file_import(project, path, name: str, rows: int, worker) -> FileRun:
    """The CSV through the screens and the worker (bench.imports.ours' steps), checked."""
    from django.urls import reverse

    from moonflow.jobs.models import FINISHED_STATUSES, JobStatus, ProcessJob

    from .imports import _browser, _proposal, _redirect_target, _text_of, _wait

    browser = _browser(project.admin)
    slug = project.slug
    started = time.perf_counter()
    with open(path, "rb") as handle:
        response = browser.post(reverse("integrations:upload", kwargs={"project": slug}), {
            "entity": "clients", "mode": "update", "scope": "", "file": handle})
    upload_s = time.perf_counter() - started
    uploaded_at = time.time()
    if response.status_code != 302:
        raise BenchFailure(f"upload answered {response.status_code}: {_text_of(response)}")
    job_id = _redirect_target(response, "integrations:mapping")
    job = _wait(job_id, lambda j: j.status == JobStatus.AWAITING
                and j.options.get("phase") == "mapping", worker, "the reading")
    read_at = job.heartbeat_at.timestamp() if job.heartbeat_at else uploaded_at
    reading_s = max(0.0, read_at - uploaded_at)
    mapping_url = reverse("integrations:mapping", kwargs={"project": slug, "pk": job_id})
    page = browser.get(mapping_url)
    if page.status_code != 200:
        raise BenchFailure(f"the mapping page answered {page.status_code}")
    data, unmapped = _proposal(job, project)
    if unmapped:
        raise BenchFailure(f"the mapping page proposes no field for {unmapped}")
    mapped_at = time.time()
    response = browser.post(mapping_url, data)
    if response.status_code != 302:
        raise BenchFailure(f"mapping answered {response.status_code}: {_text_of(response)}")
    job = _wait(job_id, lambda j: j.status == JobStatus.AWAITING
                and j.options.get("phase") == "preview", worker, "the analysis")
    analysed_at = job.heartbeat_at.timestamp()
    preview = browser.get(reverse("integrations:detail", kwargs={"project": slug, "pk": job_id}))
    if preview.status_code != 200:
        raise BenchFailure(f"the preview page answered {preview.status_code}")
    confirmed_at = time.time()
    response = browser.post(reverse("integrations:confirm", kwargs={"project": slug,
                                                                     "pk": job_id}))
    if response.status_code != 302:
        raise BenchFailure(f"confirm answered {response.status_code}: {_text_of(response)}")
    _redirect_target(response, "jobs:detail")
    job = _wait(job_id, lambda j: j.status in FINISHED_STATUSES, worker, "the writing")
    job = ProcessJob.objects.get(pk=job_id)
    counts = {n: getattr(job, n) for n in ("read", "created", "updated", "unchanged", "failed")}
    expected = Expected.of(0, rows)
    word = PASS_RESULT[name]
    want = {"read": rows, "created": expected.valid if word == "created" else 0,
            "updated": expected.valid if word == "updated" else 0, "unchanged": 0,
            "failed": expected.failed}
    if counts != want:
        raise BenchFailure(f"file import job #{job_id} ({name}): counts {counts}, {want} "
                           f"expected ({job.status}: {job.message})\n{worker.log_tail()}")
    return FileRun(name=name, rows=rows, job_id=job_id, upload_s=upload_s, reading_s=reading_s,
                   analysis_s=analysed_at - mapped_at,
                   write_s=job.finished_at.timestamp() - confirmed_at,
                   user_s=(mapped_at - read_at) + (confirmed_at - analysed_at), counts=counts)


def _check_book(project_id: int, expected: Expected, source: str) -> None:
    """The project holds every valid row, each with its open assignment from `source`."""
    from clients.models import Client, ClientAssignment

    held = Client.objects.filter(project_id=project_id, deleted_at__isnull=True).count()
    assigned = ClientAssignment.objects.filter(project_id=project_id, source=source,
                                               ended_at__isnull=True).count()
    if (held, assigned) != (expected.valid, expected.valid):
        raise BenchFailure(f"project {project_id}: {held:,} clients and {assigned:,} open "
                           f"assignments from «{source}», {expected.valid:,} of each expected")


def run_bulk(rows: int) -> dict:
    from .download import Worker
    from .imports import create_project, drop_leftovers, drop_projects, drop_users, ensure_users

    paths = ensure_csv_files(rows)
    warm_paths = ensure_csv_files(min(WARM_ROWS, rows))
    drop_leftovers()
    users = ensure_users()
    live: list[int] = []

    def fresh(label: str):
        project = create_project(users, None, 0, label)
        live.append(project.id)
        return project

    workdir = WORK_DIR / "run"
    workdir.mkdir(parents=True, exist_ok=True)
    from .download import WORKER_COMMAND

    say("starting a Celery worker: celery " + " ".join(WORKER_COMMAND))
    worker = Worker(workdir / "worker.log")
    api_runs: dict[str, ApiPass] = {}
    file_runs: dict[str, FileRun] = {}
    server_command = ""
    try:
        with _server_class()() as server:
            server_command = server.shown_command
            say(f"  worker pid {worker.pid}; gunicorn on port {server.port}")
            warm = fresh("api-warm")
            _warm_key, warm_text = make_key(warm.admin, "admin")
            warm_rows = min(WARM_ROWS, rows)
            say(f"warm-up: one untimed {num(warm_rows)}-row batch and file")
            api_pass(server, warm_text, "new", warm_rows)
            file_warm = fresh("api-file-warm")
            file_import(file_warm, warm_paths["new"], "new", warm_rows, worker)
            drop_projects([warm.id, file_warm.id])
            live[:] = [pid for pid in live if pid not in (warm.id, file_warm.id)]

            through_api = fresh("api")
            _key, key_text = make_key(through_api.admin, "admin")
            through_file = fresh("api-file")
            for name in PASSES:
                say(f"\npass «{name}»: {PASS_LABELS[name]} (load {report.load_average()})")
                say(f"  API: {num(rows)} rows, {BATCH:,} per request")
                api_runs[name] = api_pass(server, key_text, name, rows)
                say(f"  API: {num(api_runs[name].rows_per_s)} rows/s "
                    f"({api_runs[name].seconds:,.1f} s in requests, "
                    f"{api_runs[name].as_jobs} answered as jobs)")
                say("  file import of the same rows")
                file_runs[name] = file_import(through_file, paths[name], name, rows, worker)
                say(f"  file: {num(file_runs[name].rows_per_s)} rows/s "
                    f"(total {file_runs[name].total_s:,.1f} s, job #{file_runs[name].job_id})")
                if name == "new":
                    _check_book(through_api.id, Expected.of(0, rows), "api")
                    _check_book(through_file.id, Expected.of(0, rows), "file")
    finally:
        worker.stop()
        if live:
            say(f"dropping {len(live)} project(s) of this run")
            drop_projects(live)
        drop_users()
    return {"api": api_runs, "file": file_runs, "server": server_command,
            "worker": " ".join(WORKER_COMMAND)}


# --- the list pages ---------------------------------------------------------------------------


def _usual_view():
    """The usual DRF way: a plain ModelViewSet with PageNumberPagination (exact count)."""
    from rest_framework import pagination, serializers, viewsets

    from api.authentication import BearerKeyAuthentication
    from api.permissions import HasApiKey
    from clients.models import Client
    from clients.selectors import client_base_queryset

    class UsualClientSerializer(serializers.ModelSerializer):
        segment = serializers.CharField(source="segment.name", default=None)
        adviser = serializers.CharField(source="adviser.code", default=None)
        supervisor = serializers.CharField(source="supervisor.code", default=None)

        class Meta:
            model = Client
            fields = ["id", "document_type", "document_number", "name", "email", "phone",
                      "city", "segment", "status", "portfolio_type", "claim_category",
                      "contactability", "contact_alert", "adviser", "supervisor", "situation",
                      "balance", "extra", "deleted_at", "created_at", "updated_at"]

    class UsualPagination(pagination.PageNumberPagination):
        page_size = LIST_PAGE_SIZE

    class UsualClientViewSet(viewsets.ModelViewSet):
        authentication_classes = [BearerKeyAuthentication]
        permission_classes = [HasApiKey]
        serializer_class = UsualClientSerializer
        pagination_class = UsualPagination

        def get_queryset(self):
            queryset = (client_base_queryset(member=self.request.auth.member)
                        .select_related("segment", "adviser", "supervisor")
                        .order_by("name", "id"))
            situation = self.request.query_params.get("situacion")
            return queryset.filter(situation=situation) if situation else queryset

    return UsualClientViewSet.as_view({"get": "list"})


@dataclass
class ListCase:
    key: str  # "admin" / "restricted"
    page: str  # "first" / "next" / "filter"
    label: str
    params: dict
    usual_params: dict


@dataclass
class ListResult:
    case: ListCase
    timing: Timing
    queries: int
    total: dict
    raw_main: Timing | None
    raw_all: Timing
    usual: Timing
    usual_queries: int
    usual_count: int

    @property
    def ok(self) -> bool:
        return self.timing.median <= TARGET_LIST_MEDIAN


def _time_usual(view, text: str, params: dict, runs: int) -> tuple[Timing, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIRequestFactory

    from .tray import WARMUP

    factory = APIRequestFactory()

    def once():
        request = factory.get("/bench/usual-api-clients/", params,
                              HTTP_AUTHORIZATION=f"Bearer {text}")
        response = view(request)
        response.render()
        if response.status_code != 200:
            raise BenchFailure(f"the DRF way answered {response.status_code}: "
                               f"{response.content[:500]!r}")
        return response

    for _ in range(WARMUP):
        once()
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        once()
        samples.append(time.perf_counter() - began)
    with CaptureQueriesContext(connection) as captured:
        response = once()
    return Timing(samples), len(captured.captured_queries), response.data["count"]


def run_lists(data: Dataset, runs: int) -> tuple[list[ListResult], dict]:
    from django.test import Client as HttpClient
    from django.test.utils import override_settings

    from .tray import _capture, _is_main, _members, _time_get, _time_raw

    admin, restricted = _members(data.project_id)
    keys, texts = [], {}
    try:
        for name, member, scope in (("admin", admin, "admin"),
                                    ("restricted", restricted, "member")):
            key, text = make_key(member, scope)
            keys.append(key)
            texts[name] = text
        url = "/api/v1/clients/"
        first = {"pageSize": str(LIST_PAGE_SIZE)}
        view = _usual_view()
        results = []
        with override_settings(API_RATE_LIMIT=LIST_RATE_LIMIT):
            for name, member in (("admin", admin), ("restricted", restricted)):
                browser = HttpClient(headers={"Authorization": f"Bearer {texts[name]}"})
                opening = browser.get(url, first)
                if opening.status_code != 200 or not opening.json().get("next"):
                    raise BenchFailure(f"{name}: the first page answered "
                                       f"{opening.status_code} without a next link")
                following = dict(parse_qsl(urlsplit(opening.json()["next"]).query))
                who = (f"admin ({member})" if name == "admin"
                       else f"restricted adviser ({member}, «Asignación de asesor»)")
                cases = [
                    ListCase(name, "first", f"{who}: first page", first, {}),
                    ListCase(name, "next", f"{who}: next page (the first page's `next`)",
                             following, {"page": "2"}),
                    ListCase(name, "filter", f"{who}: Situación: Mora más de 90 días",
                             {**first, "situacion": "50"}, {"situacion": "50"}),
                ]
                for case in cases:
                    say(f"ours: {case.label} …")
                    timing, _size, _slow = _time_get(browser, url, case.params, runs)
                    statements = _capture(browser, url, case.params)
                    body = browser.get(url, case.params).json()
                    main = next((s for s in statements if _is_main(s)), "")
                    reads = [s for s in statements
                             if s.lstrip().upper().startswith(("SELECT", "WITH"))]
                    raw_main = _time_raw([main], runs) if main else None
                    raw_all = _time_raw(reads, runs)
                    usual, usual_queries, usual_count = _time_usual(view, texts[name],
                                                                    case.usual_params, runs)
                    result = ListResult(case, timing, len(statements), body.get("total") or {},
                                        raw_main, raw_all, usual, usual_queries, usual_count)
                    results.append(result)
                    say(f"  median {ms(timing.median)} ms, p95 {ms(timing.p95)} ms, "
                        f"{len(statements)} queries; raw page SQL "
                        f"{ms(raw_main.median) if raw_main else '—'} ms, every read "
                        f"{ms(raw_all.median)} ms; DRF way {ms(usual.median)} ms "
                        f"({usual_queries} queries, count {num(usual_count)})"
                        f"{'' if result.ok else '  ← TARGET MISSED'}")
    finally:
        drop_keys(keys)
    return results, {"admin": admin, "restricted": restricted}


# --- the run ----------------------------------------------------------------------------------


def run(data: Dataset, *, runs: int, rows: int = ROWS):
    from .download import _uncommitted_changes

    facts = {"Machine": f"{platform.node()} ({platform.system()} {platform.release()}, "
                        f"{platform.machine()})", **report.machine_facts()}
    if _uncommitted_changes():
        facts["Code"] += " with uncommitted changes in the working tree"
    started_at = datetime.now().astimezone()
    say(f"list pages on {data.project_slug} ({num(data.clients)} clients)")
    lists, members = run_lists(data, runs)
    say(f"\nbulk upserts: {num(rows)} rows, {BATCH:,} per request, two passes")
    bulk = run_bulk(rows)
    return _write(facts, started_at, data, runs, rows, lists, members, bulk)


def _check(label: str, ok: bool, value: str, target: str) -> list[str]:
    return [label, target, value, "PASS" if ok else "**MISS**"]


def _spread(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:,.2f}"
    return f"{statistics.median(values):,.2f} ({min(values):,.2f}–{max(values):,.2f})"


def _write(facts, started_at, data, runs, rows, lists, members, bulk) -> object:
    from .tray import WARMUP

    smoke = rows < ROWS or data.clients < 1_000_000
    where = " (smoke run: not the issue's 1M)" if smoke else ""
    checks = []
    bulk_rows = []
    for name in PASSES:
        api_run, file_run = bulk["api"][name], bulk["file"][name]
        share = api_run.rows_per_s / file_run.rows_per_s
        checks.append(_check(f"bulk upsert, {num(rows)} rows, pass «{name}»{where}: API rows/s "
                             "÷ file import rows/s", share >= TARGET_SHARE, f"{share:.2f}",
                             f"≥ {TARGET_SHARE:.2f}"))
        seconds = [b.seconds for b in api_run.batches]
        job_seconds = [b.job_s for b in api_run.batches if b.job_s is not None]
        bulk_rows.append([
            name, "API, `POST /api/v1/clients/bulk/`", num(api_run.rows),
            f"{len(api_run.batches)} requests: {_spread(seconds)} s each, p95 "
            f"{Timing(seconds).p95:,.2f} s; of which the import job alone "
            f"{_spread(job_seconds) if job_seconds else '—'} s; {api_run.as_jobs} answered "
            f"202 as a job; the pass's wall time, the client's JSON building included, "
            f"{api_run.wall_s:,.1f} s",
            f"{api_run.seconds:,.1f}", num(api_run.rows_per_s), "—",
        ])
        bulk_rows.append([
            name, "file import (CSV, upload → mapping → preview → confirm → worker)",
            num(file_run.rows),
            f"job #{file_run.job_id}: upload {file_run.upload_s:,.1f} s, reading "
            f"{file_run.reading_s:,.1f} s, analysis {file_run.analysis_s:,.1f} s, writing "
            f"{file_run.write_s:,.1f} s (the user's pages, {file_run.user_s:,.1f} s, excluded)",
            f"{file_run.total_s:,.1f}", num(file_run.rows_per_s), f"{share:.2f}",
        ])
    statement_rows = [[name, "`" + text.replace("|", "\\|") + "…`", f"{seconds:,.1f}",
                       f"{seconds / bulk['api'][name].seconds:.0%}"]
                      for name in PASSES for text, seconds in bulk["api"][name].statements]
    for r in lists:
        checks.append(_check(f"list page, {r.case.label}{where}: median server time",
                             r.ok, f"{ms(r.timing.median)} ms",
                             f"≤ {TARGET_LIST_MEDIAN * 1000:.0f} ms"))
    list_rows = [[
        r.case.label, f"`{_qs(r.case.params)}`", ms(r.timing.median), ms(r.timing.p95),
        "yes" if r.ok else "**NO**", r.queries,
        f"{num(r.total.get('value') or 0)} ({'exact' if r.total.get('exact') else 'estimate'})",
        ms(r.raw_main.median) if r.raw_main else "—", ms(r.raw_all.median),
        ratio(r.timing.median, r.raw_main.median) if r.raw_main else "—",
        f"{ms(r.usual.median)} / {ms(r.usual.p95)}", r.usual_queries,
        ratio(r.timing.median, r.usual.median),
    ] for r in lists]
    for label, _target, value, met in checks:
        say(f"  {label}: {value} {met}")
    expected = Expected.of(0, rows)
    body = [
        "## bench-api: the REST API on the path a client system uses",
        report.run_header(report.command_line(), facts)
        + f"\n- **Load average (1/5/15 min) when the run ended**: {report.load_average()}"
        + f"\n- **Run**: {started_at:%Y-%m-%d %H:%M %Z}; --runs {runs}, --rows {num(rows)}",
        "### Bulk upserts: the API against the file import, same rows, same run",
        f"{num(rows)} clients (bench/imports.py's rows: CC 1000000000+i, 16 fields, 5 custom "
        f"variables, 200 advisers; {num(expected.failed)} rows carry one invalid value), in "
        f"two passes into fresh projects: «new» creates them, «changed» sends them again with "
        "other values (Monto and Score always; adviser, phone or contactability for some), "
        "so every valid row is a real update. **API**: one request after another, "
        f"{BATCH:,} clients each, to `{bulk['server']}` with an admin key and an "
        "`Idempotency-Key` per request, JSON as a client system writes it (codes, numbers, "
        f"ISO dates); a real `celery {bulk['worker']}` subprocess serves the broker. A "
        "request counts only if its answer holds one result per row: every valid row "
        "`created` / `updated` with its client's id, every invalid one `failed` naming the "
        "field at fault (a batch the worker claimed first is answered 202 and read back from "
        "`/api/v1/jobs/{id}/` until it ends, counted by its job's counts, its wait timed). "
        "Seconds = the requests' time, POST sent → answer read (the client's JSON building "
        "aside); \"the import job alone\" is each batch's job from its `started_at` to its "
        "`finished_at`, the rest of a request being the body's parsing and checks, the job's "
        "recording, the idempotent answer and the JSON of the results. **File import**: the "
        "same rows as a CSV written as Colombians write it, through bench/imports.py's path "
        "(Django's test Client as the admin: upload, the mapping page's proposal, the "
        "preview, confirm; the same worker writes), into another fresh project; seconds = "
        "upload + reading + analysis + writing, the user's time on the pages excluded. After "
        "«new», both projects must hold every valid row with its open assignment (source API "
        "/ Archivo).",
        report.table(["pass", "how", "rows", "detail", "seconds", "rows/s",
                      "API ÷ file (rows/s)"], bulk_rows),
        "Where the API's requests wait: the statements the server's PostgreSQL connections "
        f"were seen running (pg_stat_activity, every {StatementSampler.SAMPLE_EVERY * 1000:.0f}"
        " ms during the pass; a batch the worker ran is not seen), the busiest first, with "
        "the seconds they were seen and their share of the pass's request time.",
        report.table(["pass", "statement (its start)", "seconds seen", "share"],
                     statement_rows) if statement_rows else "No statement was seen running.",
        "### List pages: `GET /api/v1/clients/` at the dataset's big project",
        f"Project `{data.project_slug}` ({num(data.clients)} clients). Keys made for the run "
        f"(an admin key, and a key acting as {members['restricted']}, restricted to their "
        "clients), deleted after it. Django's test Client in-process (server time: "
        "authentication, the rate limit's Redis count — with a limit these runs cannot "
        f"reach —, the page and the JSON), {WARMUP} warm-ups then "
        f"{runs} timed requests per case. The DRF way: a plain `ModelViewSet` with "
        f"`PageNumberPagination` (page size {LIST_PAGE_SIZE}, an exact `COUNT(*)`) and a "
        "`ModelSerializer` over `client_base_queryset` of the key's member, ordered by "
        "name, with the same authentication, called through APIRequestFactory (never "
        "routed); its next page is `?page=2`. Raw: the page's keyset SELECT, and every "
        "read statement of the request (the key lookup, the page, the total, the rows), "
        "captured and replayed with psycopg.",
        report.table(["case", "query", "median ms", "p95 ms",
                      f"≤ {TARGET_LIST_MEDIAN * 1000:.0f} ms", "queries", "total",
                      "raw page SQL ms", "raw, every read of the request ms",
                      "ours ÷ raw page SQL", "DRF way median / p95 ms", "DRF way queries",
                      "ours ÷ DRF way"], list_rows),
        "### Targets",
        report.table(["figure", "target", "measured", "result"], checks),
    ]
    return report.write_section(SECTION, "\n\n".join(body))


def _qs(params: dict) -> str:
    from urllib.parse import urlencode

    return "?" + urlencode(params)
