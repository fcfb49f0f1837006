"""bench-download: the clients tray's Descargar, measured on the path a user triggers.

"Ours" is the click, end to end: the tray's Descargar form is POSTed to
`clients:download` exactly as the browser sends it (Django's test `Client`,
logged in as the member), the view queues the CLIENT_EXPORT job, a real
`celery worker` subprocess (its own process group, on this database and this
broker) runs it, and the file lands in the Log de procesos. Each run is timed
from the POST to the job's `finished_at`; the poller's own wall time (until it
saw the job finished) and the job's `started_at` → `finished_at` are reported
too. A run only counts when the job SUCCEEDED with `done == total ==` the rows
the member's tray holds, and a result file; anything else stops the benchmark.

The worker's memory is sampled with psutil every SAMPLE_EVERY seconds over its
whole process tree while a job runs: the peak of the pool process that ran the
job (the one whose CPU time grew) and the peak of the tree's summed RSS. The
kernel's own high-water mark of that pool process (`VmHWM`, reset through
`/proc/<pid>/clear_refs` before each job) is reported beside the samples.

Measured for three trays of the big project: the admin's whole book, a
restricted adviser's book ("Asignación de asesor") and the admin's tray
filtered to one segment.

Compared in the same run, over the same rows (the same SELECT: visibility,
filters, columns and order by name), each in its own child process
(`python -m bench.download <mode> <member id> <query> <out>`) that times its
own work after Django is set up, its peak RSS read from the kernel when the
parent reaps it (`os.wait4`):
- the raw limit for CSV: `COPY (SELECT <the same columns, unformatted>) TO
  STDOUT` into a file, with the session settings ours gives its statement
  (`moonflow.lists.exports.EXPORT_SETTINGS`);
- the raw limit for XLSX: xlsxwriter in `constant_memory` mode fed by a
  server-side cursor over that SELECT (the usual fastest library way), with
  the same settings and the cursor planned for all its rows;
- the usual Django way (whole book only): `.values_list(…).iterator()` +
  `csv.writer`.
"""

import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from . import report
from .dataset import Dataset
from .report import ROOT, num, ratio, say

TARGET_CSV_SHARE = 0.50  # of the raw COPY's rows/s
TARGET_XLSX_FACTOR = 2.0  # × xlsxwriter constant_memory's rows/s
TARGET_RSS_MB = 300

MAX_RUNS = 10  # a whole-book run takes seconds to a minute: --runs is capped here
JOB_TIMEOUT_SECONDS = 600
WORKER_READY_SECONDS = 90
SAMPLE_EVERY = 0.1  # seconds between RSS samples of the worker's tree
POLL_EVERY = 0.1  # seconds between looks at the job

WORKER_COMMAND = [
    "-A", "moonflow", "worker", "-Q", "default,imports,exports", "-c", "1", "-l", "info",
    "--without-heartbeat", "--without-mingle", "--without-gossip",
]

FORMATS = ("csv", "xlsx")

COMPARISONS = {
    "idle": "a child that set Django up and imported the export, writing nothing",
    "raw_copy_csv": "raw limit: `COPY (SELECT …) TO STDOUT (FORMAT csv)` into a file",
    "xlsxwriter": "xlsxwriter `constant_memory=True` fed by a server-side cursor",
    "django_csv": "Django way: `.values_list(…).iterator(chunk_size=2000)` + `csv.writer`",
}


# --- in the comparison child process ---------------------------------------------------------------


def _export_columns(member):
    """The columns the Descargar form sends for a tray without a saved view (the member's)."""
    from django.http import QueryDict

    from clients.columns import columns_for_params
    from clients.lists import CLIENTS
    from moonflow.lists.downloads import resolve_export_columns

    keys = [c.key for c in columns_for_params(member, QueryDict(mutable=True))]
    return resolve_export_columns(CLIENTS, member, keys)


def _export_labels(member) -> list[str]:
    from clients.lists import CLIENTS

    return [str(f.label) for f in CLIENTS.export_fields(member, _export_columns(member))]


def _plain_select(member, query: str) -> tuple[str, list[str]]:
    """The export's rows and columns as one unformatted SELECT, parameters inlined."""
    from django.http import QueryDict

    from clients.lists import CLIENTS, client_tray_query
    from moonflow.lists.exports import _inline

    tray = client_tray_query(member=member, params=QueryDict(query))
    fields = CLIENTS.export_fields(member, _export_columns(member))
    aliases = {f"c{i}": f.expression for i, f in enumerate(fields)}
    sql, params = tray.ordered.prefetch_related(None).values(**aliases).query.sql_with_params()
    return _inline(sql, params), [str(f.label) for f in fields]


def _child(mode: str, member_id: int, query: str, out: str) -> dict:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.db import connection

    import clients.lists  # noqa: F401  (the worker has it imported already)
    from moonflow.tenancy.models import Member

    member = Member.objects.select_related("project", "user").get(pk=member_id)
    connection.ensure_connection()
    started = time.perf_counter()
    rows = _WRITERS[mode](member, query, out)
    seconds = time.perf_counter() - started
    size = os.path.getsize(out) if os.path.exists(out) else 0
    return {"rows": rows, "seconds": seconds, "bytes": size}


def _apply_export_settings(cursor) -> None:
    """The session settings ours runs its statement with (lists' EXPORT_SETTINGS)."""
    from moonflow.lists.exports import EXPORT_SETTINGS

    for name, value in EXPORT_SETTINGS.items():
        cursor.execute("SELECT set_config(%s, %s, false)", [name, value])


def _write_idle(member, query, out) -> int:
    return 0


def _write_raw_copy(member, query, out) -> int:
    from django.db import connection

    select, labels = _plain_select(member, query)
    rows = 0
    with open(out, "wb", buffering=1 << 20) as handle:
        handle.write((";".join(labels) + "\n").encode())
        with connection.cursor() as cursor:
            _apply_export_settings(cursor)
            with cursor.cursor.copy(
                f"COPY ({select}) TO STDOUT (FORMAT csv, DELIMITER ';')"
            ) as copy:
                for chunk in copy:
                    handle.write(chunk)
                    rows += 1
    return rows


def _write_django_csv(member, query, out) -> int:
    import csv

    from django.http import QueryDict

    from clients.lists import client_list

    paths = ["name", "document_type", "document_number", "email", "phone", "segment__name",
             "status", "situation", "adviser__user__first_name", "adviser__user__last_name",
             "adviser__code", "balance"]
    rows = 0
    with open(out, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(paths)
        for row in client_list(member=member, params=QueryDict(query)).values_list(
            *paths
        ).iterator(chunk_size=2000):
            writer.writerow(row)
            rows += 1
    return rows


def _write_xlsxwriter(member, query, out) -> int:
    import psycopg
    import xlsxwriter

    from .dataset import conninfo

    select, labels = _plain_select(member, query)
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True})
    sheet = workbook.add_worksheet("Clientes")
    sheet.write_row(0, 0, labels)
    rows = 0
    with psycopg.connect(conninfo()) as conn:
        _apply_export_settings(conn)
        # A server-side cursor is planned for its first rows (cursor_tuple_fraction);
        # the whole result is read here, as COPY reads it.
        conn.execute("SELECT set_config('cursor_tuple_fraction', '1', false)")
        with conn.cursor(name="bench_xlsx") as cursor:  # a server-side cursor
            cursor.itersize = 2000
            cursor.execute(select.replace("%", "%%"))
            for rows, row in enumerate(cursor, start=1):
                sheet.write_row(rows, 0, row)
    workbook.close()
    return rows


_WRITERS = {
    "idle": _write_idle,
    "raw_copy_csv": _write_raw_copy,
    "django_csv": _write_django_csv,
    "xlsxwriter": _write_xlsxwriter,
}


# --- in the parent: the trays measured -------------------------------------------------------------


@dataclass
class Tray:
    key: str
    title: str
    member: object  # moonflow.tenancy.models.Member
    query: str  # the tray's state, as the form's hidden `query` carries it
    expected: int  # rows the member's tray holds for that query
    comparisons: tuple[str, ...]
    labels: list[str] = field(default_factory=list)
    column_keys: list[str] = field(default_factory=list)


def _trays(data: Dataset) -> tuple[list[Tray], list[str]]:
    from django.http import QueryDict

    from clients.lists import client_list
    from clients.models import Segment
    from moonflow.tenancy.models import Member, Role

    members = Member.objects.select_related("user", "project").filter(
        project_id=data.project_id, is_active=True
    )
    admin = members.filter(role=Role.ADMIN).order_by("id").first()
    if admin is None:
        raise SystemExit(f"bench-download: project {data.project_slug} has no active admin")
    restricted = (
        members.filter(user__username="asesor2", restricted_to_assigned=True).first()
        or members.filter(role=Role.ADVISER, restricted_to_assigned=True).order_by("id").first()
    )
    segment = Segment.objects.filter(project_id=data.project_id).order_by("name", "id").first()

    def tray(key, title, member, query, comparisons):
        expected = client_list(member=member, params=QueryDict(query)).count()
        columns = _export_columns(member)
        return Tray(key, title, member, query, expected, comparisons,
                    labels=_export_labels(member),
                    column_keys=[c.key for c in columns])

    notes = []
    trays = [tray("book", f"admin `{admin.user.username}`, whole book", admin, "",
                  ("raw_copy_csv", "xlsxwriter", "django_csv"))]
    if trays[0].expected != data.clients:
        raise SystemExit(
            f"bench-download: the admin's tray holds {trays[0].expected:,} clients, the dataset "
            f"{data.clients:,} live clients"
        )
    if restricted is not None:
        trays.append(tray("restricted",
                          f"restricted adviser `{restricted.user.username}` "
                          "(Asignación de asesor), whole book",
                          restricted, "", ("raw_copy_csv", "xlsxwriter")))
    else:
        notes.append("The big project has no restricted adviser: that tray was not measured.")
    if segment is not None:
        trays.append(tray("segment", f"admin, filtered to segment «{segment.name}»", admin,
                          f"segmento={segment.pk}", ("raw_copy_csv", "xlsxwriter")))
    else:
        notes.append("The big project has no segment: the filtered tray was not measured.")
    return trays, notes


# --- in the parent: the worker ---------------------------------------------------------------------


class Worker:
    """A real `celery worker` (its own process group) on the benchmark database and broker."""

    def __init__(self, log_path: Path):
        from .dataset import database_name

        env = dict(os.environ)
        env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
        env["BENCH_DATABASE_NAME"] = database_name()
        self.log_path = log_path
        self.log = open(log_path, "w+")
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "celery"), *WORKER_COMMAND],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + WORKER_READY_SECONDS
        while time.monotonic() < deadline:
            if "ready." in self.log_text():
                return
            if self.proc.poll() is not None:
                raise SystemExit(f"The Celery worker exited at start:\n{self.log_text()}")
            time.sleep(0.2)
        self.stop()
        raise SystemExit(f"The Celery worker was not ready within {WORKER_READY_SECONDS} s:\n"
                         f"{self.log_text()}")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log_text(self) -> str:
        self.log.flush()
        return Path(self.log_path).read_text(errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def received(self) -> int:
        """Tasks the worker has logged as received so far."""
        return sum(1 for line in self.log_text().splitlines()
                   if line.startswith("[") and "] received" in line)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 30) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.log.close()


class TreeSampler(threading.Thread):
    """RSS of every process of the worker's tree, every SAMPLE_EVERY seconds."""

    def __init__(self, root_pid: int):
        super().__init__(name="bench-rss-sampler", daemon=True)
        import psutil

        self.psutil = psutil
        self.root = psutil.Process(root_pid)
        self.stopped = threading.Event()
        self.peaks: dict[int, int] = {}  # pid → max RSS (bytes)
        self.tree_peak = 0
        self.samples = 0

    def processes(self):
        try:
            return [self.root, *self.root.children(recursive=True)]
        except self.psutil.NoSuchProcess:
            return []

    def sample(self) -> None:
        total = 0
        for proc in self.processes():
            try:
                rss = proc.memory_info().rss
            except self.psutil.NoSuchProcess:
                continue
            total += rss
            if rss > self.peaks.get(proc.pid, 0):
                self.peaks[proc.pid] = rss
        self.tree_peak = max(self.tree_peak, total)
        self.samples += 1

    def run(self):
        while not self.stopped.is_set():
            self.sample()
            self.stopped.wait(SAMPLE_EVERY)

    def stop(self):
        self.stopped.set()
        self.join(timeout=5)
        self.sample()


def _cpu_seconds(procs) -> dict[int, float]:
    import psutil

    seconds = {}
    for proc in procs:
        try:
            times = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        seconds[proc.pid] = times.user + times.system
    return seconds


def _reset_peak(pid: int) -> bool:
    """Reset the kernel's peak RSS (VmHWM) of a process to its current RSS."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _vm_hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


# --- in the parent: one click ----------------------------------------------------------------------


@dataclass
class JobRun:
    tray: str
    fmt: str
    job_id: int
    rows: int
    bytes: int
    post_seconds: float  # the POST's own response time
    to_finished: float  # POST → the job's finished_at
    poller_wall: float  # POST → the poller saw the job finished
    queued: float  # POST → the job's started_at
    job_seconds: float  # started_at → finished_at
    pool_before_mb: float
    pool_peak_mb: float  # psutil samples, the pool process that ran the job
    pool_hwm_mb: float | None  # the kernel's VmHWM of that process
    tree_peak_mb: float  # psutil samples, summed RSS of the worker's tree
    pool_cpu: float  # CPU seconds of that pool process during the run
    samples: int
    progress_seen: int  # distinct `done` values the poller read while the job ran

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.to_finished if self.to_finished else 0.0


class BenchFailure(SystemExit):
    pass


def _browser(member):
    from django.test import Client as HttpClient

    browser = HttpClient()
    browser.force_login(member.user, backend="django.contrib.auth.backends.ModelBackend")
    return browser


def _job_from_response(response) -> int:
    from django.urls import resolve

    url = response.headers.get("HX-Redirect") or response.headers.get("Location") or ""
    match = resolve(urlsplit(url).path)
    if match.view_name != "jobs:detail":
        raise BenchFailure(f"Descargar answered {response.status_code} towards {url!r}, "
                           "not a job of the Log de procesos")
    return int(match.kwargs["pk"])


def click_download(tray: Tray, fmt: str, worker: Worker, browser) -> JobRun:
    """POST the Descargar form, wait for the job, check it, measure it, drop its file."""
    import psutil
    from django.urls import reverse

    from moonflow.jobs.models import FINISHED_STATUSES, JobStatus, ProcessJob

    root = psutil.Process(worker.pid)
    pool = root.children(recursive=True)
    cpu_before = _cpu_seconds(pool)
    rss_before = {p.pid: p.memory_info().rss for p in pool}
    hwm_reset = {p.pid: _reset_peak(p.pid) for p in pool}
    sampler = TreeSampler(worker.pid)
    sampler.start()

    url = reverse("clients:download", kwargs={"project": tray.member.project.slug})
    form = {"formato": fmt, "query": tray.query, "vista": ""}
    received_before = worker.received()
    posted_at = time.time()
    started = time.perf_counter()
    try:
        response = browser.post(url, form, headers={"HX-Request": "true"})
        post_seconds = time.perf_counter() - started
        if response.status_code not in (204, 302):
            raise BenchFailure(f"Descargar ({tray.key}, {fmt}) answered "
                               f"{response.status_code}:\n{response.content[:2000]!r}")
        job_id = _job_from_response(response)
        deadline = started + JOB_TIMEOUT_SECONDS
        progress = set()
        while True:
            job = ProcessJob.objects.get(pk=job_id)
            if job.status == JobStatus.RUNNING and job.done:
                progress.add(job.done)
            if job.status in FINISHED_STATUSES:
                poller_wall = time.perf_counter() - started
                break
            if not worker.alive():
                raise BenchFailure(f"The Celery worker died while job #{job_id} was "
                                   f"{job.status}:\n{worker.log_tail()}")
            if time.perf_counter() > deadline:
                raise BenchFailure(
                    f"Job #{job_id} ({tray.key}, {fmt}) did not finish within "
                    f"{JOB_TIMEOUT_SECONDS} s: status {job.status}, done {job.done:,} of "
                    f"{job.total}, started {job.started_at}, heartbeat {job.heartbeat_at}\n"
                    f"{worker.log_tail()}"
                )
            time.sleep(POLL_EVERY)
    finally:
        sampler.stop()

    cpu_after = _cpu_seconds(sampler.processes())
    deltas = {pid: cpu_after.get(pid, 0.0) - cpu_before.get(pid, 0.0) for pid in cpu_after
              if pid != worker.pid}
    if not deltas:
        raise BenchFailure(f"The Celery worker has no pool process:\n{worker.log_tail()}")
    runner = max(deltas, key=deltas.get)

    problems = []
    if job.status != JobStatus.SUCCEEDED:
        problems.append(f"status {job.status} ({job.message!r})")
    if not (job.done == job.total == tray.expected):
        problems.append(f"done {job.done:,}, total {job.total}, the tray holds "
                        f"{tray.expected:,}")
    if not job.result_file:
        problems.append("no result file")
    if worker.received() <= received_before:
        problems.append("this benchmark's worker never received its task (another worker on "
                        "the same broker took it?)")
    if job.options.get("columns") != tray.column_keys:
        problems.append(f"columns {job.options.get('columns')} instead of {tray.column_keys}")
    if problems:
        raise BenchFailure(f"Job #{job_id} ({tray.key}, {fmt}): " + "; ".join(problems)
                           + f"\n{worker.log_tail()}")
    storage = job.result_file.storage
    name = job.result_file.name
    size = storage.size(name)
    with storage.open(name, "rb") as handle:
        head = handle.read(4)
    if (fmt == "xlsx" and head[:2] != b"PK") or (fmt == "csv" and not head.startswith(
            "\ufeff".encode())):
        raise BenchFailure(f"Job #{job_id}: the {fmt} file starts with {head!r}")
    storage.delete(name)
    ProcessJob.objects.filter(pk=job_id).update(files_purged=True)

    hwm = _vm_hwm_mb(runner) if hwm_reset.get(runner) else None
    return JobRun(
        tray=tray.key, fmt=fmt, job_id=job_id, rows=job.done, bytes=size,
        post_seconds=post_seconds,
        to_finished=job.finished_at.timestamp() - posted_at,
        poller_wall=poller_wall,
        queued=job.started_at.timestamp() - posted_at,
        job_seconds=(job.finished_at - job.started_at).total_seconds(),
        pool_before_mb=rss_before.get(runner, 0) / 2**20,
        pool_peak_mb=max(sampler.peaks.get(runner, 0), rss_before.get(runner, 0)) / 2**20,
        pool_hwm_mb=hwm,
        tree_peak_mb=sampler.tree_peak / 2**20,
        pool_cpu=deltas[runner],
        samples=sampler.samples,
        progress_seen=len(progress),
    )


# --- in the parent: the comparisons ----------------------------------------------------------------


@dataclass
class ChildRun:
    mode: str
    tray: str
    rows: int
    seconds: float
    bytes: int
    max_rss_mb: float
    wall_seconds: float

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def run_child(mode: str, tray: Tray, workdir: Path) -> ChildRun:
    out = workdir / f"{mode}-{tray.key}.{'xlsx' if mode == 'xlsxwriter' else 'csv'}"
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.download", mode, str(tray.member.pk), tray.query, str(out)],
        cwd=ROOT, env=dict(os.environ), stdout=subprocess.PIPE, text=True,
    )
    output = proc.stdout.read()
    # wait4 reaps this child and returns its own resource usage (ru_maxrss in KiB on Linux).
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise BenchFailure(f"bench.download {mode} ({tray.key}) failed (exit {proc.returncode})")
    result = json.loads(output.strip().splitlines()[-1])
    if out.exists():
        out.unlink()
    if mode != "idle" and result["rows"] != tray.expected:
        raise BenchFailure(f"{mode} ({tray.key}) wrote {result['rows']:,} rows, the tray holds "
                           f"{tray.expected:,}")
    return ChildRun(mode, tray.key, result["rows"], result["seconds"], result["bytes"],
                    usage.ru_maxrss / 1024, wall)


# --- statistics and the section ----------------------------------------------------------------------


def _uncommitted_changes() -> bool:
    try:
        out = subprocess.run(
            ["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT, capture_output=True, text=True,
        ).stdout
    except OSError:
        return False
    return bool(out.strip())


def _median(values) -> float:
    return statistics.median(values)


def _spread(values, digits: int = 1) -> str:
    """median (min–max) of a list of seconds."""
    if len(values) == 1:
        return f"{values[0]:,.{digits}f}"
    return f"{_median(values):,.{digits}f} ({min(values):,.{digits}f}–{max(values):,.{digits}f})"


def _mb(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def run(data: Dataset, *, runs: int):
    from moonflow.jobs.models import ProcessJob

    if runs > MAX_RUNS:
        say(f"--runs {runs}: the download runs {MAX_RUNS} rounds (each a whole-book job)")
        runs = MAX_RUNS
    facts = {
        "Machine": f"{platform.node()} ({platform.system()} {platform.release()}, "
                   f"{platform.machine()})",
        **report.machine_facts(),
    }
    if _uncommitted_changes():
        facts["Code"] += " with uncommitted changes in the working tree"
    trays, notes = _trays(data)
    for tray in trays:
        say(f"tray «{tray.title}»: {num(tray.expected)} clients"
            + (f", query `{tray.query}`" if tray.query else ""))

    jobs: list[JobRun] = []
    children: list[ChildRun] = []
    started_at = datetime.now().astimezone()
    with tempfile.TemporaryDirectory(prefix="moonflow-bench-") as tmp:
        workdir = Path(tmp)
        say("starting a Celery worker: celery " + " ".join(WORKER_COMMAND))
        worker = Worker(workdir / "worker.log")
        try:
            say(f"  ready (pid {worker.pid}); warm-up: one untimed raw COPY of the whole book and "
                "one untimed click per format on the smallest tray")
            run_child("raw_copy_csv", trays[0], workdir)
            smallest = min(trays, key=lambda t: t.expected)
            for fmt in FORMATS:
                click_download(smallest, fmt, worker, _browser(smallest.member))
            idle = run_child("idle", trays[0], workdir)
            for round_no in range(1, runs + 1):
                say(f"round {round_no}/{runs} (load {report.load_average()})")
                for tray in trays:
                    browser = _browser(tray.member)
                    for fmt in FORMATS:
                        job = click_download(tray, fmt, worker, browser)
                        jobs.append(job)
                        say(f"  ours {tray.key:<10} {fmt:<4} job #{job.job_id}: "
                            f"{num(job.rows)} rows, POST answered in "
                            f"{job.post_seconds * 1000:,.0f} ms, POST → finished "
                            f"{job.to_finished:,.1f} s (poller {job.poller_wall:,.1f} s, queued {job.queued:,.2f} s, "
                            f"job {job.job_seconds:,.1f} s), {num(job.rows_per_s)} rows/s, "
                            f"{job.bytes / 2**20:,.0f} MiB, pool RSS {job.pool_before_mb:,.0f} → "
                            f"peak {job.pool_peak_mb:,.0f} MB (VmHWM {_mb(job.pool_hwm_mb)}), "
                            f"tree {job.tree_peak_mb:,.0f} MB, pool CPU {job.pool_cpu:,.1f} s, "
                            f"progress seen {job.progress_seen}×")
                    for mode in tray.comparisons:
                        child = run_child(mode, tray, workdir)
                        children.append(child)
                        say(f"  {mode:<16} {tray.key:<10} {num(child.rows)} rows in "
                            f"{child.seconds:,.1f} s ({num(child.rows_per_s)} rows/s), "
                            f"{child.bytes / 2**20:,.0f} MiB, peak RSS {child.max_rss_mb:,.0f} MB")
        finally:
            worker.stop()
    ended_load = report.load_average()
    say(f"jobs measured: #{min(j.job_id for j in jobs)}–#{max(j.job_id for j in jobs)} "
        f"({ProcessJob.objects.filter(pk__in=[j.job_id for j in jobs]).count()} in the Log)")
    return _write(data, facts, trays, notes, jobs, children, idle, runs, started_at, ended_load)


def _write(data, facts, trays, notes, jobs, children, idle, runs, started_at, ended_load):
    from moonflow.lists.exports import EXPORT_SETTINGS

    def ours(tray_key, fmt):
        return [j for j in jobs if j.tray == tray_key and j.fmt == fmt]

    def theirs(tray_key, mode):
        return [c for c in children if c.tray == tray_key and c.mode == mode]

    def ours_rate(tray_key, fmt, attr="to_finished"):
        runs_ = ours(tray_key, fmt)
        return runs_[0].rows / _median([getattr(j, attr) for j in runs_])

    def their_rate(tray_key, mode):
        runs_ = theirs(tray_key, mode)
        return runs_[0].rows / _median([c.seconds for c in runs_])

    csv_share = ours_rate("book", "csv") / their_rate("book", "raw_copy_csv")
    csv_share_job = ours_rate("book", "csv", "job_seconds") / their_rate("book", "raw_copy_csv")
    xlsx_factor = ours_rate("book", "xlsx") / their_rate("book", "xlsxwriter")
    xlsx_factor_job = ours_rate("book", "xlsx", "job_seconds") / their_rate("book", "xlsxwriter")
    django_factor = ours_rate("book", "csv") / their_rate("book", "django_csv")
    pool_peak = max(j.pool_peak_mb for j in jobs)
    hwms = [j.pool_hwm_mb for j in jobs if j.pool_hwm_mb is not None]
    pool_hwm = max(hwms) if hwms else None
    tree_peak = max(j.tree_peak_mb for j in jobs)
    rss_measured = max(pool_peak, pool_hwm or 0)
    checks = [
        (f"CSV ≥ {TARGET_CSV_SHARE:.0%} of the raw COPY's rows/s (ours: POST → finished_at)",
         csv_share >= TARGET_CSV_SHARE, f"{csv_share:.0%}",
         f"short by {(TARGET_CSV_SHARE - csv_share) * 100:.0f} points"),
        (f"XLSX ≥ {TARGET_XLSX_FACTOR:.0f}× xlsxwriter constant_memory's rows/s "
         "(ours: POST → finished_at)", xlsx_factor >= TARGET_XLSX_FACTOR, f"{xlsx_factor:.2f}×",
         f"short by {TARGET_XLSX_FACTOR - xlsx_factor:.2f}×"),
        (f"peak RSS of the worker's pool process ≤ {TARGET_RSS_MB} MB",
         rss_measured <= TARGET_RSS_MB, f"{rss_measured:,.0f} MB",
         f"over by {rss_measured - TARGET_RSS_MB:,.0f} MB"),
    ]
    say(f"ratios (whole book, medians): CSV ours/raw COPY {csv_share:.2f} "
        f"(job only {csv_share_job:.2f}), CSV ours/Django {django_factor:.2f}×, "
        f"XLSX ours/xlsxwriter {xlsx_factor:.2f}× (job only {xlsx_factor_job:.2f}×)")
    say(f"peak RSS: pool process {pool_peak:,.0f} MB sampled, {_mb(pool_hwm)} MB VmHWM; "
        f"worker tree {tree_peak:,.0f} MB")
    for label, ok, value, miss in checks:
        say(f"  {label}: {value} — {'met' if ok else 'MISSED, ' + miss}")

    ours_headers = ["tray", "format", "rows", "POST → finished_at s", "poller wall s",
                    "POST → started_at s", "job started → finished s", "rows/s (POST → finished)",
                    "file MiB", "pool RSS before → peak MB (VmHWM)", "tree peak MB",
                    "pool CPU s", "progress values seen"]
    ours_rows = []
    for tray in trays:
        for fmt in FORMATS:
            runs_ = ours(tray.key, fmt)
            ours_rows.append([
                tray.title, fmt.upper(), num(runs_[0].rows),
                _spread([j.to_finished for j in runs_]),
                _spread([j.poller_wall for j in runs_]),
                _spread([j.queued for j in runs_], 2),
                _spread([j.job_seconds for j in runs_]),
                num(ours_rate(tray.key, fmt)),
                f"{_median([j.bytes for j in runs_]) / 2**20:,.1f}",
                f"{_median([j.pool_before_mb for j in runs_]):,.0f} → "
                f"{max(j.pool_peak_mb for j in runs_):,.0f} "
                f"({_mb(max((j.pool_hwm_mb or 0) for j in runs_) or None)})",
                f"{max(j.tree_peak_mb for j in runs_):,.0f}",
                _spread([j.pool_cpu for j in runs_]),
                f"{_median([j.progress_seen for j in runs_]):,.0f}",
            ])

    cmp_headers = ["tray", "how", "rows", "seconds", "rows/s", "file MiB", "peak RSS MB",
                   "ours rows/s ÷ this (POST → finished)", "ours ÷ this (job only)"]
    cmp_rows = []
    for tray in trays:
        for mode in tray.comparisons:
            runs_ = theirs(tray.key, mode)
            fmt = "xlsx" if mode == "xlsxwriter" else "csv"
            rate = their_rate(tray.key, mode)
            cmp_rows.append([
                tray.key, COMPARISONS[mode], num(runs_[0].rows),
                _spread([c.seconds for c in runs_]), num(rate),
                f"{_median([c.bytes for c in runs_]) / 2**20:,.1f}",
                f"{max(c.max_rss_mb for c in runs_):,.0f}",
                ratio(ours_rate(tray.key, fmt), rate),
                ratio(ours_rate(tray.key, fmt, "job_seconds"), rate),
            ])

    book = trays[0]
    body = [
        "## bench-download: the clients download (Descargar), click → job → worker → file",
        report.run_header(report.command_line(), facts)
        + f"\n- **Load average (1/5/15 min) when the run ended**: {ended_load}"
        + f"\n- **Run**: {started_at:%Y-%m-%d %H:%M %Z}, {runs} rounds; in each round every "
        "tray's CSV and XLSX click, then its comparisons",
        "**The \"ours\" figures are the user's path, end to end: the click → the job → the "
        "worker → the file.** The tray's Descargar form is POSTed to `clients:download` exactly "
        "as the browser sends it (`formato`, `query`, `vista`; Django's test `Client`, logged in "
        "as the member, with `HX-Request`); the view queues the CLIENT_EXPORT job; a real "
        f"`celery {' '.join(WORKER_COMMAND)}` subprocess on this database and broker runs it; "
        "the poller reads the job every "
        f"{POLL_EVERY * 1000:.0f} ms until it is finished. A run counts only if the job "
        "SUCCEEDED with done = total = the rows of the member's tray and a result file (then "
        "deleted); anything else stops the benchmark. Times are medians (min–max) over the "
        "rounds; rows/s is rows ÷ the median POST → `finished_at`. RSS is sampled with psutil "
        f"every {SAMPLE_EVERY * 1000:.0f} ms over the worker's process tree: the pool process "
        "that ran the job (its RSS before the click → its peak, and the kernel's `VmHWM` for "
        "the job, reset before each click) and the summed RSS of the whole tree (main process "
        "and pool process; shared pages counted in each). One untimed click per format on the "
        "smallest tray and one untimed raw COPY warm the worker and the cache first.",
        f"Project `{data.project_slug}`; file columns (the members' tray columns, no saved "
        f"view, {len(book.labels)}): {', '.join(book.labels)}; ordered by name.",
        "### Ours: click → job → worker → file",
        report.table(ours_headers, ours_rows),
        "### The same rows, written the other ways (one child process each)",
        report.table(cmp_headers, cmp_rows),
        f"Baseline: {COMPARISONS['idle']}: peak RSS {idle.max_rss_mb:,.0f} MB. A child's "
        "seconds are its own, after Django is set up; its peak RSS is `ru_maxrss`, read when the "
        "parent reaps it.",
        "### Targets (whole book)",
        report.table(["target", "measured", "met"],
                     [[label, value, "yes" if ok else f"**NO** ({miss})"]
                      for label, ok, value, miss in checks]),
        f"Job only (the job's own started_at → finished_at instead of the POST): CSV "
        f"{csv_share_job:.0%} of the raw COPY, XLSX {xlsx_factor_job:.2f}× xlsxwriter. CSV "
        f"ours ÷ the Django way: {django_factor:.2f}×. Peak RSS of the worker's whole tree: "
        f"{tree_peak:,.0f} MB.",
        "The raw COPY and xlsxwriter read the same SELECT as ours (same visibility, filters, "
        "joins, order and rows) without formatting (labels of choices, dates as dd/mm/aaaa, "
        "decimal commas, formula-injection guard), with the session settings ours gives its "
        f"statement ({', '.join(f'{k}={v}' for k, v in EXPORT_SETTINGS.items())}; xlsxwriter's "
        "server-side cursor also with cursor_tuple_fraction=1, so it is planned for all its rows "
        "as COPY is), so they are the floor for moving those rows; they do not pay for the "
        "click, the queue, the job's count and bookkeeping, or moving the file into the job's "
        "storage, which ours does. The Django way runs with the server's defaults and writes the "
        "raw values (codes instead of labels, the adviser's first and last names apart), so it "
        "does less than ours. \"Progress values seen\" is how many different row counts the "
        "poller read in the Log de procesos while the job ran.",
        *notes,
    ]
    return report.write_section("download", "\n\n".join(body))


if __name__ == "__main__":
    # python -m bench.download <mode> <member id> <query> <output path>: one child run, JSON out.
    print(json.dumps(_child(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4])), flush=True)
