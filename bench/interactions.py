"""bench-interactions: Cuentas por cobrar → Interacciones on a project of 20 M interactions.

The big project of the benchmark dataset (1 M clients) is grown to 20 M
interactions over 18 months (bench/interactions_dataset.py). Then, in one run:

1. **The tray**, as HTML: `GET /p/<project>/interacciones/?…` through Django's
   test Client in-process (every middleware, session, the full page), timed
   around the request; warm-up runs, then `--runs` timed runs; median and p95.
   Each case with the default range (the last 7 days) and with a 45-day range:
   no filter, each filter alone, a three-filter combination, client searches
   (a common surname, a document number, a name that finds nothing, a typo),
   a deep page (a cursor 50,000 rows in) and the last page, and a restricted
   adviser (visibility through their clients). Compared in the same run with
   the usual Django way (a `ListView` with `paginate_by = 25` over the same
   visible queryset: OFFSET pages and an exact COUNT) and with the raw
   PostgreSQL limit (the page's main SQL and all its SQL replayed over psycopg).
2. **The 45-day download**, on the path a user triggers: the Descargar dialog
   POSTed as the browser sends it, the request made due (the clock moved to
   the night: its due time and the project's window set to now), the beat's
   task sent to a real `celery worker` that claims it and runs the export job,
   the file in the Log de procesos; the job's run time and the worker's pool
   RSS. Compared, in the same run, with a raw `COPY (SELECT …) TO STDOUT` of
   the same rows and with xlsxwriter's `constant_memory` mode fed by a
   server-side cursor (bench/download.py's children, on the same SELECT).
3. **The 1 M-row communications upload** against raw COPY + INSERT
   (bench/interactions_upload.py).
4. **Partitioning**: the same interactions copied once into a table
   partitioned by month of `scheduled_at` (same indexes), and the tray's main
   statements and the download's COPY replayed against both; the plans of the
   heap's cases written out.
"""

import platform
import re
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.db import connection
from psycopg import sql
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.views.generic import ListView

from . import report
from .dataset import Dataset, raw_connect
from .report import Timing, ms, num, ratio, say
from .tray import WARMUP, _browser, _capture, _explain, _time_get, _time_raw

TARGET_MEDIAN = 0.050
TARGET_P95 = 0.150
TARGET_CSV_SHARE = 0.50
TARGET_XLSX_FACTOR = 2.0
TARGET_RSS_MB = 300
DEEP_ROWS = 50_000  # the deep page: a cursor this many rows into the 45-day range
MONTHLY = "bench_interactions_monthly"
TABLE = "interactions_interaction"


# --- the tray's cases -------------------------------------------------------------------------


@dataclass
class Case:
    key: str
    label: str
    params: dict
    restricted: bool = False


@dataclass
class Result:
    case: Case
    range_label: str
    timing: Timing
    queries: int
    html_kb: float
    main_sql: str
    all_sql: list[str]
    raw_main: Timing | None = None
    raw_all: Timing | None = None
    rows: int | None = None  # matching interactions (exact, outside the timings)

    @property
    def ok(self) -> bool:
        return self.timing.median <= TARGET_MEDIAN and self.timing.p95 <= TARGET_P95


def _one(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _members(project_id: int):
    from moonflow.tenancy.models import Member, Role

    members = Member.objects.select_related("user", "project").filter(
        project_id=project_id, is_active=True)
    admin = members.filter(role=Role.ADMIN).order_by("id").first()
    restricted = (members.filter(user__username="asesor2", restricted_to_assigned=True).first()
                  or members.filter(role=Role.ADVISER, restricted_to_assigned=True)
                  .order_by("id").first())
    return admin, restricted


def _ranges(project) -> dict[str, dict]:
    from clients.situation import project_today

    today = project_today(project)
    first = today - timedelta(days=44)
    return {
        "7 days (default)": {},
        "45 days": {"envio_desde": first.strftime("%d/%m/%Y"),
                    "envio_hasta": today.strftime("%d/%m/%Y")},
    }


def build_cases(project_id: int, restricted) -> list[Case]:
    """Values a collections team picks, read from the data: the commonest channel, a rare
    state, the busiest adviser, a campaign, a rare template, a common surname…"""
    channel = _one(f"SELECT channel FROM {TABLE} WHERE project_id = %s GROUP BY 1 "
                   "ORDER BY count(*) DESC LIMIT 1", [project_id])[0]
    # Scheduled ones lie in the next days, past any range the tray shows by default.
    rare_status = _one(f"SELECT status FROM {TABLE} WHERE project_id = %s "
                       "AND status <> 'scheduled' GROUP BY 1 ORDER BY count(*) LIMIT 1",
                       [project_id])[0]
    adviser = _one(f"SELECT adviser_id FROM {TABLE} WHERE project_id = %s "
                   "AND adviser_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
                   [project_id])[0]
    campaign = _one(f"SELECT campaign FROM {TABLE} WHERE project_id = %s AND campaign <> '' "
                    "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1", [project_id])[0]
    template = _one(f"SELECT template FROM {TABLE} WHERE project_id = %s AND template <> '' "
                    "GROUP BY 1 ORDER BY count(*) LIMIT 1", [project_id])[0]
    document = _one("SELECT c.document_number FROM clients_client c WHERE c.project_id = %s "
                    "AND c.deleted_at IS NULL AND EXISTS (SELECT 1 FROM interactions_interaction "
                    "i WHERE i.project_id = c.project_id AND i.client_id = c.id) "
                    "ORDER BY c.id OFFSET 5000 LIMIT 1", [project_id])[0]
    surname = _one("SELECT split_part(name, ' ', 2) FROM clients_client WHERE project_id = %s "
                   "AND deleted_at IS NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
                   [project_id])[0]
    typo = surname[:-2] + surname[-1] + surname[-2] if len(surname) > 3 else surname + "x"
    return [
        Case("none", "No filter", {}),
        Case("channel", f"Canal: {channel} (the commonest)", {"canal": channel}),
        Case("status", f"Estado: {rare_status} (the rarest)", {"estado": rare_status}),
        Case("direction", "Tipo: entrante", {"tipo": "inbound"}),
        Case("adviser", "Asesor: the busiest adviser", {"asesor": str(adviser)}),
        Case("campaign", f"Flujo, evento o campaña: {campaign}", {"campana": campaign}),
        Case("template", f"Plantilla: {template} (the rarest)", {"plantilla": template}),
        Case("combo", f"Canal {channel} + Estado read + Tipo saliente",
             {"canal": channel, "estado": "read", "tipo": "outbound"}),
        Case("search_name", f"Client search: «{surname}» (the commonest surname)",
             {"q": surname}),
        Case("search_document", "Client search: a document number", {"q": document}),
        Case("search_nothing", "Client search: a name that finds nothing",
             {"q": "Xiomerlandia Qwertz"}),
        Case("search_typo", f"Client search: «{typo}» (a typo)", {"q": typo}),
        Case("deep", f"A page {num(DEEP_ROWS)} rows in (a cursor)", {"pagina": "deep"}),
        Case("last", "The last page", {"pagina": "ultima"}),
        Case("restricted", f"Restricted adviser ({restricted.user.username}), no filter", {},
             restricted=True),
        Case("restricted_channel", f"Restricted adviser, Canal: {channel}",
             {"canal": channel}, restricted=True),
    ]


def _deep_cursor(member, params) -> str:
    """The tray's own cursor for the row DEEP_ROWS in, in its order (newest first)."""
    from django.http import QueryDict

    from interactions.lists import INTERACTIONS
    from moonflow.lists.keyset import NEXT_PREFIX, encode_cursor
    from moonflow.lists.listing import list_query

    query = QueryDict(mutable=True)
    for key, value in params.items():
        query[key] = value
    row = (list_query(INTERACTIONS, member=member, params=query).queryset
           .order_by("-scheduled_at", "-id").values_list("scheduled_at", "id")[DEEP_ROWS])
    return NEXT_PREFIX + encode_cursor(list(row))


def _is_main(sql: str) -> bool:
    head = sql.lstrip()[:7].upper()
    return (head == "SELECT " and f'FROM "{TABLE}"' in sql and " LIMIT " in sql
            and "ORDER BY" in sql and "COUNT(" not in sql.upper()[:200])


def _matching(member, params) -> int:
    from django.http import QueryDict

    from interactions.lists import INTERACTIONS
    from moonflow.lists.listing import list_query

    query = QueryDict(mutable=True)
    for key, value in params.items():
        if key != "pagina":
            query[key] = value
    return list_query(INTERACTIONS, member=member, params=query).queryset.count()


def measure(case: Case, range_label: str, params: dict, *, url, browser, member,
            runs: int) -> Result:
    timing, size, _slow = _time_get(browser, url, params, runs)
    statements = _capture(browser, url, params)
    main = next((s for s in statements if _is_main(s)), "")
    result = Result(case, range_label, timing, len(statements), size / 1024, main, statements)
    if main:
        result.raw_main = _time_raw([main], runs)
    result.raw_all = _time_raw([s for s in statements if s.lstrip().upper().startswith(
        ("SELECT", "WITH"))], runs)
    result.rows = _matching(member, params)
    return result


# --- the usual Django way ---------------------------------------------------------------------

USUAL_TEMPLATE = """{% extends "base.html" %}
{% block title %}Interacciones{% endblock %}
{% block content %}
<h1 class="h4">Interacciones</h1>
<p>{{ paginator.count }} interacciones</p>
<table class="table table-sm">
<thead><tr><th>Cliente</th><th>Documento</th><th>Fecha de envío</th><th>Tipo</th><th>Canal</th>
<th>Flujo, evento o campaña</th><th>Plantilla</th><th>Destinatarios</th><th>Estado</th>
<th>Asesor</th></tr></thead>
<tbody>{% for i in object_list %}<tr><td>{{ i.client.name }}</td>
<td>{{ i.client.document_type }} {{ i.client.document_number }}</td>
<td>{{ i.scheduled_at }}</td><td>{{ i.get_direction_display }}</td>
<td>{{ i.get_channel_display }}</td><td>{{ i.campaign }}</td><td>{{ i.template }}</td>
<td>{{ i.recipients }}</td><td>{{ i.get_status_display }}</td>
<td>{{ i.adviser|default:"—" }}</td></tr>{% endfor %}</tbody>
</table>
<nav>{% if page_obj.has_previous %}<a href="?page={{ page_obj.previous_page_number }}">Anterior</a>{% endif %}
Página {{ page_obj.number }} de {{ paginator.num_pages }}
{% if page_obj.has_next %}<a href="?page={{ page_obj.next_page_number }}">Siguiente</a>{% endif %}</nav>
{% endblock %}"""


class UsualInteractionListView(ListView):
    """`ListView` + `paginate_by` over the member's visible interactions of the range."""

    paginate_by = 25
    first_day = None
    last_day = None
    _template = None

    def get_queryset(self):
        from datetime import datetime, time as day_time
        from zoneinfo import ZoneInfo

        from interactions.selectors import interaction_base_queryset

        zone = ZoneInfo(self.request.project.timezone or "UTC")
        start = datetime.combine(self.first_day, day_time.min, zone)
        end = datetime.combine(self.last_day + timedelta(days=1), day_time.min, zone)
        return (interaction_base_queryset(member=self.request.member)
                .filter(scheduled_at__gte=start, scheduled_at__lt=end)
                .select_related("client", "adviser__user")
                .order_by("-scheduled_at", "-id"))

    def get_template_names(self):
        from django.template import engines

        if UsualInteractionListView._template is None:
            UsualInteractionListView._template = engines["django"].from_string(USUAL_TEMPLATE)
        return UsualInteractionListView._template

    def get_context_data(self, **kwargs):
        return super().get_context_data(section="interactions", **kwargs)


def measure_usual(member, days: int, page: int, runs: int) -> tuple[Timing, int]:
    from django.test import RequestFactory

    from clients.situation import project_today

    last = project_today(member.project)
    view = UsualInteractionListView.as_view(first_day=last - timedelta(days=days - 1),
                                            last_day=last)

    def once():
        request = RequestFactory().get("/bench/usual-interactions/", {"page": page})
        request.user, request.member, request.project = member.user, member, member.project
        request.session = {}
        response = view(request)
        response.render()
        assert response.status_code == 200
    for _ in range(WARMUP):
        once()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        once()
        samples.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as captured:
        once()
    return Timing(samples), len(captured.captured_queries)


# --- the download -------------------------------------------------------------------------------


@dataclass
class Night:
    key: str
    title: str
    member: object
    params: dict  # the request's list parameters (the job's options)
    expected: int
    runs: list = field(default_factory=list)  # JobRun-like dicts per format


def _plain_select(member, params: dict, columns: list[str]) -> tuple[str, list[str]]:
    """The night job's rows and columns as one unformatted SELECT, parameters inlined."""
    from interactions.lists import INTERACTIONS
    from moonflow.lists.downloads import resolve_export_columns
    from moonflow.lists.exports import _inline, options_to_params
    from moonflow.lists.listing import list_query

    query = list_query(INTERACTIONS, member=member, params=options_to_params(params))
    fields = INTERACTIONS.export_fields(
        member, resolve_export_columns(INTERACTIONS, member, columns))
    aliases = {f"c{i}": f.expression for i, f in enumerate(fields)}
    sql, sql_params = query.ordered.prefetch_related(None).values(**aliases).query \
        .sql_with_params()
    return _inline(sql, sql_params), [str(f.label) for f in fields]


def _make_due(project) -> None:
    """Move the clock to the night: the pending requests due now, the window open now."""
    from django.utils import timezone

    from interactions.download_models import NightDownload, NightDownloadStatus
    from interactions.night_downloads import project_local_now
    from moonflow.tenancy.models import Project

    local = project_local_now(project)
    start = (local - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (local + timedelta(hours=2)).time().replace(second=0, microsecond=0)
    Project.objects.filter(pk=project.pk).update(night_window_start=start, night_window_end=end)
    NightDownload.objects.filter(project_id=project.pk, status=NightDownloadStatus.PENDING) \
        .update(due_at=timezone.now() - timedelta(seconds=1))


def _clear_requests(project) -> None:
    from interactions.download_models import NightDownload

    NightDownload.objects.filter(project_id=project.pk).delete()


def night_download(night: Night, fmt: str, worker, browser) -> dict:
    """Dialog POST → due → beat task on the worker → claim → export job → file."""
    import psutil

    from interactions.download_models import NightDownload
    from interactions.night_downloads import run_night_downloads
    from moonflow.jobs.models import FINISHED_STATUSES, JobStatus, ProcessJob

    from .download import (
        BenchFailure,
        TreeSampler,
        _cpu_seconds,
        _reset_peak,
        _vm_hwm_mb,
    )

    project = night.member.project
    _clear_requests(project)
    url = reverse("interactions:night_download", kwargs={"project": project.slug})
    form = {"desde": night.params["envio_desde"], "hasta": night.params["envio_hasta"],
            "formato": fmt, "query": night.params.get("query", ""), "vista": ""}
    started = time.perf_counter()
    response = browser.post(url, form, headers={"HX-Request": "true"})
    post_seconds = time.perf_counter() - started
    request = NightDownload.objects.filter(project_id=project.pk,
                                           member=night.member).first()
    if request is None:
        raise BenchFailure(f"Descargar answered {response.status_code} and scheduled nothing:"
                           f"\n{response.content[:2000]!r}")
    _make_due(project)

    root = psutil.Process(worker.pid)
    pool = root.children(recursive=True)
    cpu_before = _cpu_seconds(pool)
    rss_before = {p.pid: p.memory_info().rss for p in pool}
    hwm_reset = {p.pid: _reset_peak(p.pid) for p in pool}
    sampler = TreeSampler(worker.pid)
    sampler.start()
    sent = time.perf_counter()
    try:
        run_night_downloads.delay()
        deadline = sent + 1800
        job = None
        while True:
            request.refresh_from_db()
            if request.job_id:
                job = ProcessJob.objects.get(pk=request.job_id)
                if job.status in FINISHED_STATUSES:
                    break
            if not worker.alive():
                raise BenchFailure(f"The worker died:\n{worker.log_tail()}")
            if time.perf_counter() > deadline:
                raise BenchFailure(f"The night download did not finish:\n{worker.log_tail()}")
            time.sleep(0.1)
    finally:
        sampler.stop()
    wall = time.perf_counter() - sent
    cpu_after = _cpu_seconds(sampler.processes())
    deltas = {pid: cpu_after.get(pid, 0.0) - cpu_before.get(pid, 0.0) for pid in cpu_after
              if pid != worker.pid}
    runner = max(deltas, key=deltas.get)
    if job.status != JobStatus.SUCCEEDED or job.done != night.expected or not job.result_file:
        raise BenchFailure(f"Job #{job.pk}: {job.status} {job.message!r}, done {job.done}, "
                           f"expected {night.expected}\n{worker.log_tail()}")
    storage, name = job.result_file.storage, job.result_file.name
    size = storage.size(name)
    storage.delete(name)
    ProcessJob.objects.filter(pk=job.pk).update(files_purged=True)
    _clear_requests(project)
    hwm = _vm_hwm_mb(runner) if hwm_reset.get(runner) else None
    return {
        "fmt": fmt, "job": job.pk, "rows": job.done, "bytes": size, "post": post_seconds,
        "job_seconds": (job.finished_at - job.started_at).total_seconds(), "wall": wall,
        "pool_before": rss_before.get(runner, 0) / 2**20,
        "pool_peak": max(sampler.peaks.get(runner, 0), rss_before.get(runner, 0)) / 2**20,
        "hwm": hwm, "columns": job.options.get("columns"), "params": job.options.get("params"),
    }


def _child_raw_copy(select: str, labels: list[str], out: str) -> int:
    from .download import _apply_export_settings

    rows = 0
    with open(out, "wb", buffering=1 << 20) as handle:
        handle.write((";".join(labels) + "\n").encode())
        with connection.cursor() as cursor:
            _apply_export_settings(cursor)
            with cursor.cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT csv, DELIMITER ';')") \
                    as copy:
                for chunk in copy:
                    handle.write(chunk)
                    rows += 1
    return rows


def _child_xlsxwriter(select: str, labels: list[str], out: str) -> int:
    import psycopg
    import xlsxwriter

    from .dataset import conninfo
    from .download import _apply_export_settings

    # Excel has no time zones: the library writes the UTC wall time it is given.
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "remove_timezone": True})
    sheet = workbook.add_worksheet("Interacciones")
    sheet.write_row(0, 0, labels)
    rows = 0
    with psycopg.connect(conninfo()) as conn:
        _apply_export_settings(conn)
        conn.execute("SELECT set_config('cursor_tuple_fraction', '1', false)")
        with conn.cursor(name="bench_xlsx") as cursor:
            cursor.itersize = 2000
            cursor.execute(select.replace("%", "%%"))
            for rows, row in enumerate(cursor, start=1):
                sheet.write_row(rows, 0, row)
    workbook.close()
    return rows


CHILDREN = {"raw_copy_csv": _child_raw_copy, "xlsxwriter": _child_xlsxwriter}


def _child_main(argv: list[str]) -> None:
    """python -m bench.interactions <mode> <member id> <params json> <columns json> <out>"""
    import json
    import os

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from moonflow.tenancy.models import Member

    mode, member_id, params, columns, out = argv
    member = Member.objects.select_related("project", "user").get(pk=int(member_id))
    select, labels = _plain_select(member, json.loads(params), json.loads(columns))
    connection.ensure_connection()
    started = time.perf_counter()
    rows = CHILDREN[mode](select, labels, out)
    seconds = time.perf_counter() - started
    print(json.dumps({"rows": rows, "seconds": seconds,
                      "bytes": os.path.getsize(out) if os.path.exists(out) else 0}))


def run_child(mode: str, night: Night, columns: list[str], params: dict, workdir: Path) -> dict:
    import json
    import os
    import subprocess
    import sys

    out = workdir / f"{mode}-{night.key}.{'xlsx' if mode == 'xlsxwriter' else 'csv'}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.interactions", mode, str(night.member.pk),
         json.dumps(params), json.dumps(columns), str(out)],
        cwd=report.ROOT, env=dict(os.environ), stdout=subprocess.PIPE, text=True)
    output = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"bench.interactions {mode} failed")
    result = json.loads(output.strip().splitlines()[-1])
    if out.exists():
        out.unlink()
    if result["rows"] != night.expected:
        raise SystemExit(f"{mode} wrote {result['rows']:,} rows, the job {night.expected:,}")
    result["max_rss"] = usage.ru_maxrss / 1024
    return result


# --- partitioning -------------------------------------------------------------------------------


def ensure_monthly(project_id: int) -> float | None:
    """The big project's interactions copied into a table partitioned by month (built once)."""
    with raw_connect(autocommit=True) as conn:
        if conn.execute("SELECT to_regclass(%s)", [MONTHLY]).fetchone()[0] is not None:
            return None
    started = time.perf_counter()
    with raw_connect() as conn:
        conn.execute("SET LOCAL maintenance_work_mem = '1GB'")
        first, last = conn.execute(
            f"SELECT date_trunc('month', min(scheduled_at)), max(scheduled_at) FROM {TABLE} "
            "WHERE project_id = %s", [project_id]).fetchone()
        conn.execute(f"CREATE TABLE {MONTHLY} (LIKE {TABLE} INCLUDING DEFAULTS) "
                     "PARTITION BY RANGE (scheduled_at)")
        month = first
        while month <= last:
            following = (month + timedelta(days=32)).replace(day=1)
            conn.execute(sql.SQL("CREATE TABLE {} PARTITION OF {} FOR VALUES FROM ({}) TO ({})")
                         .format(sql.Identifier(f"{MONTHLY}_{month:%Y%m}"),
                                 sql.Identifier(MONTHLY), sql.Literal(month),
                                 sql.Literal(following)))
            month = following
        conn.execute(f"CREATE TABLE {MONTHLY}_undated PARTITION OF {MONTHLY} DEFAULT")
        conn.execute(f"INSERT INTO {MONTHLY} SELECT * FROM {TABLE} WHERE project_id = %s",
                     [project_id])
        for name, definition in conn.execute(
                "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary", [TABLE]).fetchall():
            if " UNIQUE " in definition:
                # A unique index of a partitioned table must hold the partition key: the
                # upload's (project, import_key) cannot be one as it stands.
                continue
            conn.execute(re.sub(r" ON (ONLY )?public\.\w+ ",
                                f" ON {MONTHLY} ", definition.replace(name, f"m_{name}")))
        conn.execute(f"CREATE INDEX ON {MONTHLY} (id)")
        conn.commit()
    with raw_connect(autocommit=True) as conn:
        conn.execute(f"VACUUM ANALYZE {MONTHLY}")
    return time.perf_counter() - started


def _on_monthly(sql: str) -> str:
    return sql.replace(f'"{TABLE}"', MONTHLY)


@dataclass
class PartitionCase:
    label: str
    heap: Timing
    monthly: Timing
    heap_plan: str
    monthly_plan: str


def compare_partitions(results: list[Result], copy_sql: str, runs: int) -> list[PartitionCase]:
    cases = []
    for r in results:
        if not r.main_sql:
            continue
        heap = _time_raw([r.main_sql], runs)
        monthly = _time_raw([_on_monthly(r.main_sql)], runs)
        cases.append(PartitionCase(f"{r.case.label}, {r.range_label}", heap, monthly,
                                   _explain(r.main_sql), _explain(_on_monthly(r.main_sql))))
    if copy_sql:
        heap = _time_copy(copy_sql, max(2, runs // 10))
        monthly = _time_copy(_on_monthly(copy_sql), max(2, runs // 10))
        cases.append(PartitionCase("The 45-day download's rows (COPY … TO STDOUT)", heap,
                                   monthly, _explain(copy_sql), _explain(_on_monthly(copy_sql))))
    return cases


def _time_copy(select: str, runs: int) -> Timing:
    samples = []
    with raw_connect(autocommit=True) as conn:
        for _ in range(runs + 1):
            started = time.perf_counter()
            with conn.cursor().copy(f"COPY ({select.replace('%', '%%')}) TO STDOUT") as copy:
                for _chunk in copy:
                    pass
            samples.append(time.perf_counter() - started)
    return Timing(samples[1:])


# --- the run --------------------------------------------------------------------------------------


def run(data: Dataset, *, runs: int, rows: int = 1_000_000, parts=("tray", "download",
                                                                   "upload", "partitions")):
    from . import interactions_dataset

    facts = {"Machine": f"{platform.node()} ({platform.system()} {platform.release()})",
             **report.machine_facts()}
    found = interactions_dataset.ensure(data)
    admin, restricted = _members(data.project_id)
    url = reverse("interactions:list", kwargs={"project": data.project_slug})
    browsers = {False: _browser(admin), True: _browser(restricted)}
    members = {False: admin, True: restricted}
    ranges = _ranges(admin.project)
    sections = [_dataset_text(found, data, facts)]

    results: list[Result] = []
    usual = {}
    if "tray" in parts:
        for case in build_cases(data.project_id, restricted):
            for range_label, range_params in ranges.items():
                params = {**range_params, **case.params}
                member = members[case.restricted]
                if params.get("pagina") == "deep":
                    params["pagina"] = _deep_cursor(member, params)
                say(f"ours: {case.label}, {range_label} …")
                r = measure(case, range_label, params, url=url, browser=browsers[case.restricted],
                            member=member, runs=runs)
                results.append(r)
                say(f"  median {ms(r.timing.median)} ms, p95 {ms(r.timing.p95)} ms, "
                    f"{r.queries} queries, {num(r.rows)} matching; raw main "
                    f"{ms(r.raw_main.median) if r.raw_main else '—'} ms, all SQL "
                    f"{ms(r.raw_all.median)} ms{'' if r.ok else '  ← TARGET MISSED'}")
        for days in (7, 45):
            total = next(r.rows for r in results if r.case.key == "none"
                         and r.range_label.startswith(str(days)))
            for page in (1, min(2000, max(1, -(-total // 25)))):
                say(f"Django way: ListView, {days} days, page {num(page)} …")
                usual[(days, page)] = measure_usual(admin, days, page, runs)
                say(f"  median {ms(usual[(days, page)][0].median)} ms")
        sections.append(_tray_text(results, usual, runs))

    copy_sql = ""
    if "download" in parts:
        text, copy_sql = _download(data, admin, restricted, ranges["45 days"], runs)
        sections.append(text)

    if "upload" in parts:
        from . import interactions_upload

        say("\n--- the communications upload ---")
        upload_text, _figures = interactions_upload.run(runs=runs, rows=rows)
        # Its own section: a run of the other parts leaves it as it was, and back.
        path = report.write_section("interactions-upload", upload_text)
        if parts == ("upload",):
            return path

    if "partitions" in parts and results:
        say("\n--- partitioning: a monthly-partitioned copy of the big project ---")
        built = ensure_monthly(data.project_id)
        if built:
            say(f"  built in {built:,.0f} s")
        if not copy_sql:
            from interactions.lists import INTERACTIONS
            from moonflow.lists.downloads import resolve_export_columns

            columns = [c.key for c in resolve_export_columns(INTERACTIONS, admin, None)]
            copy_sql, _labels = _plain_select(admin, {
                key: [value] for key, value in ranges["45 days"].items()}, columns)
        picked = [r for r in results if r.case.key in ("none", "channel", "status", "combo",
                                                       "search_name", "deep", "restricted")]
        cases = compare_partitions(picked, copy_sql, min(runs, 15))
        sections.append(_partition_text(cases, built))
    return report.write_section("interactions", "\n\n".join(sections))


def _download(data, admin, restricted, range_params, runs) -> tuple[str, str]:
    from .download import Worker

    params = {"envio_desde": range_params["envio_desde"],
              "envio_hasta": range_params["envio_hasta"]}
    nights = [Night("admin", "Admin, 45 days, every interaction", admin, params, 0),
              Night("restricted", f"Restricted adviser ({restricted.user.username}), 45 days",
                    restricted, params, 0)]
    for night in nights:
        night.expected = _matching(night.member, params)
        say(f"download «{night.title}»: {num(night.expected)} rows")
    results = []
    copy_sql = ""
    with tempfile.TemporaryDirectory(prefix="moonflow-bench-") as tmp:
        workdir = Path(tmp)
        say("starting a Celery worker")
        worker = Worker(workdir / "worker.log")
        try:
            browser_for = {n.key: _browser(n.member) for n in nights}
            rounds = max(1, min(3, runs // 10))
            for round_no in range(1, rounds + 1):
                for night in nights:
                    for fmt in ("csv", "xlsx"):
                        job = night_download(night, fmt, worker, browser_for[night.key])
                        job_params = job["params"]
                        columns = job["columns"]
                        say(f"  ours {night.key} {fmt}: job #{job['job']} {num(job['rows'])} rows "
                            f"in {job['job_seconds']:,.1f} s ({num(job['rows'] / job['job_seconds'])}"
                            f" rows/s), pool RSS {job['pool_before']:,.0f} → "
                            f"{job['pool_peak']:,.0f} MB")
                        results.append(("ours", night.key, fmt, job))
                    for mode in ("raw_copy_csv", "xlsxwriter"):
                        child = run_child(mode, night, columns, job_params, workdir)
                        say(f"  {mode} {night.key}: {num(child['rows'])} rows in "
                            f"{child['seconds']:,.1f} s, peak RSS {child['max_rss']:,.0f} MB")
                        results.append((mode, night.key, None, child))
                    if night.key == "admin" and not copy_sql:
                        copy_sql, _labels = _plain_select(night.member, job_params, columns)
        finally:
            worker.stop()
    return _download_text(nights, results), copy_sql


# --- the section ----------------------------------------------------------------------------------


def _dataset_text(found, data: Dataset, facts) -> str:
    return "\n\n".join([
        "## bench-interactions: Cuentas por cobrar → Interacciones on 20 M interactions",
        report.run_header(report.command_line(), facts),
        report.table(["what", "figure"], [
            ["interactions of the big project", num(found.interactions)],
            ["their send dates", f"{found.first_day} → {found.last_day} "
                                 f"({num(found.per_day)} a day on average)"],
            ["clients of the big project", num(data.clients)],
            ["interactions, all projects", num(found.all_projects)],
            ["grown in", f"{found.build_seconds:,.0f} s" if found.build_seconds else "—"],
        ]),
        "The dataset's big project (seed_demo, about 3 interactions a client over 90 days) "
        "grown by copying its sent interactions back in time (bench/interactions_dataset.py).",
    ])


def _tray_text(results: list[Result], usual, runs: int) -> str:
    rows = []
    for r in results:
        rows.append([
            r.case.label, r.range_label, num(r.rows), ms(r.timing.median), ms(r.timing.p95),
            ms(r.raw_main.median) if r.raw_main else "—", ms(r.raw_all.median), r.queries,
            "PASS" if r.ok else "MISS",
        ])
    misses = [r for r in results if not r.ok]
    usual_rows = [[f"{days} days, page {num(page)}", ms(t.median), ms(t.p95), q]
                  for (days, page), (t, q) in usual.items()]
    ours_first = {r.range_label[:2].strip(): r for r in results if r.case.key == "none"}
    ours_deep = {r.range_label[:2].strip(): r for r in results if r.case.key == "deep"}
    lines = []
    for days in (7, 45):
        pages = [p for (d, p) in usual if d == days]
        first = usual.get((days, 1))
        deep = usual.get((days, max(pages))) if pages else None
        mine = ours_first.get(str(days))
        if first and mine:
            lines.append(f"- {days} days, first page: ours {ms(mine.timing.median)} ms vs "
                         f"ListView {ms(first[0].median)} ms ({ratio(first[0].median, mine.timing.median)} faster)")
        mine_deep = ours_deep.get(str(days))
        if deep and mine_deep and max(pages) > 1:
            lines.append(f"- {days} days, deep page: ours (cursor {num(DEEP_ROWS)} rows in) "
                         f"{ms(mine_deep.timing.median)} ms vs ListView page {num(max(pages))} "
                         f"(OFFSET) {ms(deep[0].median)} ms")
    return "\n\n".join([
        "### The tray's first page (full HTML, server time)",
        f"Targets: median ≤ {ms(TARGET_MEDIAN)} ms, p95 ≤ {ms(TARGET_P95)} ms per case. "
        f"{runs} timed runs after {WARMUP} warm-ups; the raw columns replay the page's main "
        "SQL (its rows) and every SQL statement of the page over psycopg, back to back. "
        f"**{len(results) - len(misses)} of {len(results)} cases pass.**",
        report.table(["case", "range", "matching", "median ms", "p95 ms", "raw main ms",
                      "raw all SQL ms", "queries", "target"], rows),
        "### The usual Django way",
        "`ListView` with `paginate_by = 25` over the same visible interactions of the range "
        "(`interaction_base_queryset`, `select_related` of client and adviser), OFFSET pages "
        "and an exact COUNT, rendering a plain table in base.html; never routed in the product.",
        report.table(["ListView", "median ms", "p95 ms", "queries"], usual_rows),
        "\n".join(lines),
    ])


def _download_text(nights, results) -> str:
    def med(kind, key, fmt=None, field="seconds"):
        values = [r[field] for k, n, f, r in results if k == kind and n == key
                  and (fmt is None or f == fmt)]
        return statistics.median(values) if values else None

    rows = []
    checks = []
    for night in nights:
        csv_job = med("ours", night.key, "csv", "job_seconds")
        xlsx_job = med("ours", night.key, "xlsx", "job_seconds")
        raw = med("raw_copy_csv", night.key)
        xw = med("xlsxwriter", night.key)
        peak = max(r["pool_peak"] for k, n, f, r in results if k == "ours" and n == night.key)
        n = night.expected
        rows.append([night.title, num(n), f"{csv_job:,.1f}", f"{raw:,.1f}",
                     f"{raw / csv_job:.2f}", f"{xlsx_job:,.1f}", f"{xw:,.1f}",
                     f"{xw / xlsx_job:.2f}", f"{peak:,.0f}"])
        checks.append(f"- {night.title}: CSV {raw / csv_job:.0%} of the raw COPY "
                      f"({'PASS' if raw / csv_job >= TARGET_CSV_SHARE else 'MISS'}, target "
                      f"≥ {TARGET_CSV_SHARE:.0%}); XLSX {xw / xlsx_job:.2f}× xlsxwriter "
                      f"({'PASS' if xw / xlsx_job >= TARGET_XLSX_FACTOR else 'MISS'}, target "
                      f"≥ {TARGET_XLSX_FACTOR:.0f}×); worker pool peak {peak:,.0f} MB "
                      f"({'PASS' if peak <= TARGET_RSS_MB else 'MISS'}, target ≤ "
                      f"{TARGET_RSS_MB} MB)")
    return "\n\n".join([
        "### The 45-day download (Descargar, run at night by a real worker)",
        "Ours: the dialog POSTed, the request made due, the beat's task sent to a real "
        "`celery worker` that claims it and runs the export job (its `started_at` → "
        "`finished_at`; a night job writes at once and records its total at the end). Raw: `COPY (SELECT …) TO "
        "STDOUT` of the same SELECT into a file; xlsxwriter `constant_memory` fed by a "
        "server-side cursor over it; each in its own process, same run. Medians.",
        report.table(["download", "rows", "ours CSV s", "raw COPY s", "CSV share of raw",
                      "ours XLSX s", "xlsxwriter s", "XLSX × xlsxwriter",
                      "pool peak MB"], rows),
        "\n".join(checks),
    ])


def _partition_text(cases: list[PartitionCase], built) -> str:
    rows = [[c.label, ms(c.heap.median), ms(c.monthly.median),
             ratio(c.monthly.median, c.heap.median)] for c in cases]
    plans = []
    for c in cases:
        plans.append(f"**{c.label}**, one heap:\n\n```\n{c.heap_plan}\n```\n\n"
                     f"monthly partitions:\n\n```\n{c.monthly_plan}\n```")
    return "\n\n".join([
        "### Partitioning by month: the same statements on both layouts",
        "The big project's interactions copied into a table partitioned by month of "
        f"`scheduled_at` with the same indexes (`{MONTHLY}`"
        + (f", built in {built:,.0f} s" if built else "") + "); the tray's main SQL of each "
        "case and the download's SELECT replayed on the heap and on the partitions, raw "
        "over psycopg, same run. Medians.",
        report.table(["statement", "one heap ms", "monthly partitions ms",
                      "partitions / heap"], rows),
        "<details><summary>Plans (EXPLAIN ANALYZE, BUFFERS)</summary>\n\n"
        + "\n\n".join(plans) + "\n\n</details>",
    ])


if __name__ == "__main__":
    import sys

    _child_main(sys.argv[1:])
