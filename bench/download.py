"""bench-download: the 1M-client download (Descargar) as CSV and XLSX.

Every way of writing the file runs in its own child process
(`python -m bench.download <mode> …`), as the export job runs in a Celery
worker: the child times its own work (after Django is set up) and the parent
reads the child's peak RSS from the kernel when it reaps it (`os.wait4`, the
per-child form of `getrusage(RUSAGE_CHILDREN).ru_maxrss`).

Compared in one run, over the same rows (the admin's whole book, the tray's
default columns, in the tray's order by name):
- ours: `clients.exports.export_clients(member=…, params=…, columns=…, fmt=…, out=…)`;
- the raw limit for CSV: `COPY (SELECT <the same columns, unformatted>) TO STDOUT`
  into a file;
- the raw limit for XLSX: xlsxwriter in `constant_memory` mode fed by a
  server-side cursor over that SELECT (the usual fastest library way);
- the usual Django way: the ORM's `.values_list(…).iterator()` + `csv.writer`.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import report
from .dataset import Dataset
from .report import ROOT, num, ratio, say

TARGET_CSV_SHARE = 0.50  # of the raw COPY's rows/s
TARGET_XLSX_FACTOR = 2.0  # × xlsxwriter constant_memory's rows/s
TARGET_RSS_MB = 300

MODES = {
    "idle": "a worker that set Django up and imported the export, writing nothing",
    "ours_csv": "**ours**: `export_clients(fmt='csv')`",
    "raw_copy_csv": "raw limit: `COPY (SELECT …) TO STDOUT (FORMAT csv)` into a file",
    "django_csv": "Django way: `.values_list(…).iterator(chunk_size=2000)` + `csv.writer`",
    "ours_xlsx": "**ours**: `export_clients(fmt='xlsx')`",
    "xlsxwriter": "xlsxwriter `constant_memory=True` fed by a server-side cursor",
}


@dataclass
class Outcome:
    mode: str
    rows: int
    seconds: float
    bytes: int
    max_rss_mb: float
    wall_seconds: float

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


# --- in the child process -----------------------------------------------------------------------


def _default_columns(member):
    from clients.columns import columns_for_project, default_column_keys, resolve_columns

    columns = columns_for_project(member.project)
    return resolve_columns(default_column_keys(columns), columns)


def _plain_select(member) -> tuple[str, list[str]]:
    """The export's rows and columns as one unformatted SELECT, parameters inlined."""
    from clients.exports import _inline, export_fields
    from clients.selectors import client_tray_query

    tray = client_tray_query(member=member, params={})
    fields = export_fields(_default_columns(member),
                           readable_adviser_ids=tray.filterset.readable_adviser_ids)
    aliases = {f"c{i}": f.expression for i, f in enumerate(fields)}
    sql, params = tray.ordered.values(**aliases).query.sql_with_params()
    return _inline(sql, params), [str(f.label) for f in fields]


def _child(mode: str, member_id: int, out: str) -> dict:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.db import connection

    import clients.exports  # noqa: F401  (the worker has it imported already)
    from moonflow.tenancy.models import Member

    member = Member.objects.select_related("project", "user").get(pk=member_id)
    columns = _default_columns(member)
    connection.ensure_connection()
    started = time.perf_counter()
    rows = _WRITERS[mode](member, columns, out)
    seconds = time.perf_counter() - started
    size = os.path.getsize(out) if os.path.exists(out) else 0
    return {"rows": rows, "seconds": seconds, "bytes": size}


def _write_idle(member, columns, out) -> int:
    return 0


def _write_ours(fmt):
    def write(member, columns, out) -> int:
        from clients.exports import export_clients

        return export_clients(member=member, params={}, columns=columns, fmt=fmt, out=out)

    return write


def _write_raw_copy(member, columns, out) -> int:
    from django.db import connection

    select, labels = _plain_select(member)
    rows = 0
    with open(out, "wb", buffering=1 << 20) as handle:
        handle.write((";".join(labels) + "\n").encode())
        with connection.cursor() as cursor:
            with cursor.cursor.copy(
                f"COPY ({select}) TO STDOUT (FORMAT csv, DELIMITER ';')"
            ) as copy:
                for chunk in copy:
                    handle.write(chunk)
                    rows += 1
    return rows


def _write_django_csv(member, columns, out) -> int:
    import csv

    from clients.selectors import client_list

    paths = ["name", "document_type", "document_number", "email", "phone", "segment__name",
             "status", "situation", "adviser__user__first_name", "adviser__user__last_name",
             "adviser__code", "balance"]
    rows = 0
    with open(out, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(paths)
        for row in client_list(member=member, params={}).values_list(*paths).iterator(
            chunk_size=2000
        ):
            writer.writerow(row)
            rows += 1
    return rows


def _write_xlsxwriter(member, columns, out) -> int:
    import psycopg
    import xlsxwriter

    from .dataset import conninfo

    select, labels = _plain_select(member)
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True})
    sheet = workbook.add_worksheet("Clientes")
    sheet.write_row(0, 0, labels)
    rows = 0
    with psycopg.connect(conninfo()) as conn:
        with conn.cursor(name="bench_xlsx") as cursor:  # a server-side cursor
            cursor.itersize = 2000
            cursor.execute(select.replace("%", "%%"))
            for rows, row in enumerate(cursor, start=1):
                sheet.write_row(rows, 0, row)
    workbook.close()
    return rows


_WRITERS = {
    "idle": _write_idle,
    "ours_csv": _write_ours("csv"),
    "ours_xlsx": _write_ours("xlsx"),
    "raw_copy_csv": _write_raw_copy,
    "django_csv": _write_django_csv,
    "xlsxwriter": _write_xlsxwriter,
}


# --- in the parent --------------------------------------------------------------------------------


def _run_child(mode: str, member_id: int, workdir: Path) -> Outcome:
    out = workdir / f"{mode}.{'xlsx' if 'xlsx' in mode else 'csv'}"
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.download", mode, str(member_id), str(out)],
        cwd=ROOT, env=dict(os.environ), stdout=subprocess.PIPE, text=True,
    )
    output = proc.stdout.read()
    # wait4 reaps this child and returns its own resource usage (ru_maxrss in KiB on Linux).
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"bench.download {mode} failed (exit {proc.returncode})")
    result = json.loads(output.strip().splitlines()[-1])
    if out.exists():
        out.unlink()
    return Outcome(mode, result["rows"], result["seconds"], result["bytes"],
                   usage.ru_maxrss / 1024, wall)


def run(data: Dataset, *, runs: int):
    from moonflow.tenancy.models import Member, Role

    facts = report.machine_facts()
    admin = (
        Member.objects.filter(project_id=data.project_id, role=Role.ADMIN, is_active=True)
        .order_by("id")
        .first()
    )
    outcomes: dict[str, Outcome] = {}
    with tempfile.TemporaryDirectory(prefix="moonflow-bench-") as tmp:
        say("warm-up: one untimed raw COPY, so the first measured way does not pay for a cold cache")
        _run_child("raw_copy_csv", admin.pk, Path(tmp))
        for mode in MODES:
            say(f"{mode}: {MODES[mode]} …")
            outcome = _run_child(mode, admin.pk, Path(tmp))
            outcomes[mode] = outcome
            say(f"  {num(outcome.rows)} rows in {outcome.seconds:,.1f} s "
                f"({num(outcome.rows_per_s)} rows/s), {outcome.bytes / 2**20:,.0f} MiB, "
                f"peak RSS {outcome.max_rss_mb:,.0f} MB")

    ours_csv, raw_csv = outcomes["ours_csv"], outcomes["raw_copy_csv"]
    ours_xlsx, xw = outcomes["ours_xlsx"], outcomes["xlsxwriter"]
    csv_share = ours_csv.rows_per_s / raw_csv.rows_per_s
    xlsx_factor = ours_xlsx.rows_per_s / xw.rows_per_s
    peak = max(ours_csv.max_rss_mb, ours_xlsx.max_rss_mb)
    checks = [
        (f"CSV ≥ {TARGET_CSV_SHARE:.0%} of the raw COPY's throughput", csv_share >= TARGET_CSV_SHARE,
         f"{csv_share:.0%}", f"short by {TARGET_CSV_SHARE - csv_share:.0%} points"),
        (f"XLSX ≥ {TARGET_XLSX_FACTOR:.0f}× xlsxwriter constant_memory",
         xlsx_factor >= TARGET_XLSX_FACTOR, f"{xlsx_factor:.2f}×",
         f"short by {TARGET_XLSX_FACTOR - xlsx_factor:.2f}×"),
        (f"worker peak RSS ≤ {TARGET_RSS_MB} MB", peak <= TARGET_RSS_MB, f"{peak:,.0f} MB",
         f"over by {peak - TARGET_RSS_MB:,.0f} MB"),
    ]
    say(f"ratios: CSV ours/raw COPY {csv_share:.2f}, CSV ours/Django "
        f"{ours_csv.rows_per_s / outcomes['django_csv'].rows_per_s:.2f}×, XLSX ours/xlsxwriter "
        f"{xlsx_factor:.2f}×")
    for label, ok, value, miss in checks:
        say(f"  {label}: {value} — {'met' if ok else 'MISSED, ' + miss}")

    def line(mode, against):
        o = outcomes[mode]
        return [MODES[mode], num(o.rows), f"{o.seconds:,.1f}", num(o.rows_per_s),
                f"{o.bytes / 2**20:,.0f}", f"{o.max_rss_mb:,.0f}",
                ratio(o.rows_per_s, outcomes[against].rows_per_s) if against else "—"]

    headers = ["how", "rows", "seconds", "rows/s", "file MiB", "peak RSS MB",
               "throughput vs ours"]
    body = [
        "## bench-download: the 1M-client download (Descargar)",
        report.run_header(report.command_line(), facts),
        f"Project `{data.project_slug}`: the admin's whole book ({num(ours_csv.rows)} clients), "
        f"the tray's default columns ({len(_default_labels(admin))} file columns: "
        f"{', '.join(_default_labels(admin))}), ordered by name. Each way runs once in its own "
        "child process; seconds are the child's own, after Django is set up; peak RSS is the "
        "child's maximum resident set (`ru_maxrss`, read when the parent reaps it).",
        "### CSV",
        report.table(headers, [line("ours_csv", None), line("raw_copy_csv", "ours_csv"),
                               line("django_csv", "ours_csv")]),
        "### XLSX",
        report.table(headers, [line("ours_xlsx", None), line("xlsxwriter", "ours_xlsx")]),
        "### Targets",
        report.table(["target", "measured", "met"],
                     [[label, value, "yes" if ok else f"**NO** ({miss})"]
                      for label, ok, value, miss in checks]),
        f"Baseline: {MODES['idle']}: peak RSS {outcomes['idle'].max_rss_mb:,.0f} MB.",
        "The raw COPY and xlsxwriter read the same SELECT as ours (same joins, order and rows) "
        "without formatting (labels of choices, dates as dd/mm/aaaa, decimal commas, "
        "formula-injection guard), so they are the floor for moving those rows. The Django way "
        "writes the raw values (codes instead of labels, the adviser's first and last names "
        "apart), so it does less than ours.",
    ]
    return report.write_section("download", "\n\n".join(body))


def _default_labels(member) -> list[str]:
    from clients.exports import export_fields

    return [str(f.label) for f in export_fields(_default_columns(member))]


if __name__ == "__main__":
    # python -m bench.download <mode> <member id> <output path>: one child run, JSON on stdout.
    print(json.dumps(_child(sys.argv[1], int(sys.argv[2]), sys.argv[3])), flush=True)
