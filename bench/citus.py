"""bench-citus: the clients tray and the CSV import on a Citus cluster against plain PostgreSQL,
in one run on one machine.

    make bench-citus                      # 1M clients, a 1M-row CSV, 30 tray runs per case
    python -m bench citus --clients 20000 --rows 20000 --runs 5   # a smoke run (under
                                          # moonflow.localstack exec, as make does)

Plain PostgreSQL is the DATABASE_URL server (the embedded one `moonflow.localstack`
starts when no URL is set), measured in this process on `moonflow_bench` (bench/dataset.py).
Citus is a coordinator and two workers started here by `moonflow.citusstack` (`CITUS_PORT`
moves their ports, 9700–9702 by default): `moonflow_bench` is created with the extension
on every node, migrated, distributed by project (`manage.py distribute_tables`) before
seed_demo fills it with the same dataset, and kept between runs like the plain one. The
cluster's half runs in a child process (`python -m bench.citus`: Django reads its settings
once per process) with DATABASE_URL at the coordinator, MOONFLOW_CITUS=1 and a Redis of its
own; it hands its figures back as JSON. The cluster is stopped at the end.

Measured on each side, the same way:
- the clients tray (bench/tray.py's `measure_case`: Django's test Client in-process, the
  whole page, warm-up requests then `--runs` timed ones) for a handful of cases: the
  admin's first page in the default order, a name search that matches, a search that finds
  nothing, a typo, a restricted adviser's first page, a filtered page. On the cluster every
  read statement of each page is planned again with EXPLAIN on the coordinator: the main
  query (the page's rows) must be one task (`Task Count: 1`).
- the CSV import of `--rows` rows through the user's path and a real Celery worker
  (bench/imports.py's `ours`: upload, mapping, analysis, confirmation, writing into a fresh
  pre-loaded project, half updates, half creates, every count checked), after one untimed
  warm-up import; rows/s is the file's rows over upload + analysis + writing.

Targets: the tray's median on Citus within 2 × plain PostgreSQL's (one extra network hop),
the import's throughput on Citus at least 50 % of plain PostgreSQL's.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from . import report
from .report import ROOT, Timing, ms, num, say

SECTION = "citus"
TARGET_TRAY_FACTOR = 2.0
TARGET_IMPORT_SHARE = 0.50
WORK_DIR = ROOT / ".data" / "bench" / "citus"
RESULT_FILE = WORK_DIR / "cluster.json"
REDIS_PROFILE = "bench-citus"  # .data/bench-citus/: the cluster side's own Redis
TASK_COUNT = re.compile(r"Task Count: (\d+)")


# --- the measurements, on whichever server this process's Django is on ------------------------


def tray_cases(name: str) -> list:
    """The handful of representative tray pages (bench/tray.py's Case); `name` is searched."""
    from .tray import Case

    return [
        Case("first", "Admin, first page, default order", {}),
        Case("search_name", f"Search, a name that matches «{name}»", {"q": name}),
        Case("search_none", "Search that finds nothing «xilofono»", {"q": "xilofono"}),
        Case("search_typo", "Search with a typo «Rodrigez»", {"q": "Rodrigez"}),
        Case("restricted", "Restricted adviser (asesor2), first page", {}, as_restricted=True),
        Case("filtered", "Filtered: Situación Mora más de 90 días", {"situacion": 50}),
    ]


def measure_tray(project_id: int, project_slug: str, runs: int, name: str) -> list[dict]:
    from django.urls import reverse

    from .dataset import ensure_search_fixtures
    from .tray import _browser, _members, measure_case

    # The same book on both sides: bench-tray adds these to the plain dataset too.
    ensure_search_fixtures(project_id)
    admin, restricted = _members(project_id)
    members = {"admin": admin, "restricted": restricted}
    browsers = {"admin": _browser(admin), "restricted": _browser(restricted)}
    urls = {"clients": reverse("clients:list", kwargs={"project": project_slug})}
    results = []
    for case in tray_cases(name):
        say(f"tray: {case.label} …")
        result = measure_case(case, urls=urls, browsers=browsers, members=members, runs=runs)
        say(f"  median {ms(result.timing.median)} ms, p95 {ms(result.timing.p95)} ms, "
            f"{result.queries} queries, {num(result.rows)} matching rows")
        results.append({
            "key": case.key, "label": case.label, "samples": result.timing.samples,
            "queries": result.queries, "rows": result.rows,
            "raw_main": result.raw_main.samples if result.raw_main else None,
            "main_sql": result.main_sql, "statements": result.all_sql,
        })
    return results


def measure_import(rows: int, runs: int) -> list[dict]:
    """One untimed warm-up import, then the timed `--rows` imports (bench/imports.py's cap)."""
    from . import imports
    from .download import WORKER_COMMAND, Worker

    warm, small, big = imports.sizes_for(rows)
    files = imports.ensure_files([warm, small, big])  # the files bench-import writes and reuses
    imports.drop_leftovers()
    users = imports.ensure_users()
    timed = imports.runs_for(big, runs)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    say("starting a Celery worker: celery " + " ".join(WORKER_COMMAND))
    worker = Worker(WORK_DIR / "worker.log")
    live: list[int] = []
    measured = []
    try:
        for size, label, count in ((warm, "warm", 1), (big, "citus", timed)):
            for n in range(count):
                project = imports.create_project(users, files, imports.Expected.of(size).preload,
                                                 label)
                live.append(project.id)
                result = imports.ours(project, "csv", size, files, worker)
                imports.drop_projects([project.id])
                live.remove(project.id)
                if label == "warm":
                    say(f"import: warm-up, {num(size)} rows (untimed)")
                    continue
                say(f"import {n + 1}/{count}: {num(size)} rows in {result.total_s:,.1f} s "
                    f"({num(result.rows_per_s)} rows/s; upload {result.upload_s:,.1f} s, "
                    f"analysis {result.analysis_s:,.1f} s, writing {result.write_s:,.1f} s)")
                measured.append({
                    "rows": result.rows, "total_s": result.total_s,
                    "upload_s": result.upload_s, "reading_s": result.reading_s,
                    "analysis_s": result.analysis_s, "write_s": result.write_s,
                    "rows_per_s": result.rows_per_s, "counts": result.counts,
                })
    finally:
        worker.stop()
        if live:
            imports.drop_projects(live)
        imports.drop_users()
    return measured


def server_facts(project_id: int) -> dict:
    """The server's version and settings; on Citus also its workers, the shards of
    clients_client and the worker holding the big project."""
    from django.db import connection

    facts = {"postgresql": report.machine_facts()["PostgreSQL"], "citus": None}
    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'citus'")
        citus = cursor.fetchone()
        if citus is None:
            return facts
        cursor.execute("SELECT count(*) FROM pg_dist_node WHERE groupid <> 0 AND isactive")
        workers = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM pg_dist_shard "
                       "WHERE logicalrelid = 'clients_client'::regclass")
        shards = cursor.fetchone()[0]
        cursor.execute(
            "SELECT n.nodename || ':' || n.nodeport FROM pg_dist_placement p "
            "JOIN pg_dist_node n USING (groupid) "
            "WHERE p.shardid = get_shard_id_for_distribution_column('clients_client', %s)",
            [project_id])
        home = cursor.fetchone()[0]
    return {**facts, "citus": citus[0], "workers": workers, "shards": shards, "home": home}


def dataset_facts(data) -> dict:
    return {"clients": data.clients, "payment_orders": data.payment_orders,
            "projects": data.projects, "project_slug": data.project_slug,
            "build_seconds": data.build_seconds}


def measure(data, *, runs: int, rows: int, name: str | None = None) -> dict:
    """Tray and import on this process's server; `name` (the search that matches) is taken
    from the book when not given, and handed to the cluster's half so both search the same."""
    from .tray import _name_query

    name = name or _name_query(data.project_id, 0.2)
    return {"server": server_facts(data.project_id), "dataset": dataset_facts(data),
            "search_name": name,
            "tray": measure_tray(data.project_id, data.project_slug, runs, name),
            "import": measure_import(rows, runs)}


# --- on the cluster (the child process) -------------------------------------------------------


def cluster_nodes() -> tuple[Path, int, list[int]]:
    from moonflow import citusstack

    coordinator, *workers = citusstack._ports()
    return citusstack.bin_dir(), coordinator, workers


def create_on_every_node(name: str, *, drop: bool) -> None:
    """The database with Citus on every node, the workers registered (citusstack._prepare)."""
    from moonflow import citusstack

    bindir, coordinator, workers = cluster_nodes()
    if drop:
        for port in (coordinator, *workers):
            citusstack._psql(bindir, port, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    citusstack._prepare(bindir, name, coordinator, workers)


def ensure_distributed_dataset(clients: int, rebuild: bool):
    """migrate → distribute_tables → seed_demo on the cluster, unless a finished build of
    `clients` clients is recorded there (then migrate and distribute, both no-ops)."""
    from django.db import connection

    from . import dataset

    name = dataset.database_name()
    create_on_every_node(name, drop=False)
    recorded = None if rebuild else dataset._recorded()
    fresh = recorded is None or recorded[3] != clients
    if fresh:
        say(f"cluster: creating {name} anew on every node")
        connection.close()
        create_on_every_node(name, drop=True)
    dataset._manage("migrate", "--no-input", "-v", "0")
    say("cluster: manage.py distribute_tables")
    dataset._manage("distribute_tables", "-v", "0")
    if not fresh:
        data = dataset.describe()
        say(f"cluster: dataset present (built {data.built_at}): {num(data.clients)} clients")
        return data
    # seed_demo's triggers-off load reaches the shards (moonflow.db.maintenance).
    return dataset._build(clients, section=False)


def task_counts(statements: list[str]) -> list[int | None]:
    """Citus's Task Count of each statement's plan (None: planned by the coordinator alone)."""
    from .dataset import raw_connect

    counts = []
    with raw_connect(autocommit=True) as conn:
        for sql in statements:
            plan = "\n".join(row[0] for row in conn.execute(
                "EXPLAIN " + sql.replace("%", "%%")).fetchall())
            found = TASK_COUNT.findall(plan)
            counts.append(max(map(int, found)) if found else None)
    return counts


def _reads(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]


def route_tray(results: list[dict]) -> None:
    """Add each case's main query's Task Count and the page's statements on several shards."""
    for result in results:
        reads = _reads(result.pop("statements"))
        counts = task_counts(reads)
        main = result["main_sql"]
        result["main_tasks"] = counts[reads.index(main)] if main in reads else None
        result["multi_shard"] = [[sql[:160], n] for sql, n in zip(reads, counts) if n and n > 1]
        say(f"  {result['key']}: main query Task Count {result['main_tasks']}, "
            f"{len(result['multi_shard'])} of {len(reads)} read statements on several shards")


def cluster_main(argv: list[str]) -> int:
    """The child: the dataset and the measurements on the cluster, JSON into RESULT_FILE."""
    parser = argparse.ArgumentParser(prog="python -m bench.citus")
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--search-name", required=True, help="the name search of the tray")
    args = parser.parse_args(argv)

    def _terminate(signum, frame):
        raise SystemExit(1)  # the finally blocks stop the Celery worker and drop the projects

    signal.signal(signal.SIGTERM, _terminate)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    data = ensure_distributed_dataset(args.clients, args.rebuild)
    results = measure(data, runs=args.runs, rows=args.rows, name=args.search_name)
    say("cluster: EXPLAIN of every read statement of each tray page")
    route_tray(results["tray"])
    RESULT_FILE.write_text(json.dumps(results))
    return 0


# --- the run (plain PostgreSQL here, the cluster in a child) ----------------------------------


def measure_on_cluster(*, clients: int, rows: int, runs: int, rebuild: bool,
                       search_name: str) -> dict:
    from moonflow import citusstack
    from moonflow.localstack import Services

    WORK_DIR.mkdir(parents=True, exist_ok=True)
    RESULT_FILE.unlink(missing_ok=True)
    redis = Services(REDIS_PROFILE)
    child = None
    try:
        url = citusstack.start(durable=True)
        env = dict(os.environ, DATABASE_URL=url, MOONFLOW_CITUS="1",
                   REDIS_URL=redis._start_redis())
        command = [sys.executable, "-m", "bench.citus", "--clients", str(clients),
                   "--rows", str(rows), "--runs", str(runs), "--search-name", search_name,
                   *(["--rebuild"] if rebuild else [])]
        child = subprocess.Popen(command, cwd=ROOT, env=env)
        if child.wait() != 0:
            raise SystemExit(f"the cluster's half failed (exit {child.returncode}); "
                             "its output is above")
    finally:
        if child is not None and child.poll() is None:
            child.terminate()
            child.wait(timeout=120)
        redis.stop()
        citusstack.stop()
        say("cluster stopped")
    return json.loads(RESULT_FILE.read_text())


def run(data, *, runs: int, rows: int, clients: int, rebuild: bool = False) -> Path:
    facts = report.machine_facts()
    say(f"plain PostgreSQL (the DATABASE_URL server), from {time.strftime('%H:%M %Z')}")
    plain = measure(data, runs=runs, rows=rows)
    say(f"\nCitus (a coordinator and two workers on this machine), from "
        f"{time.strftime('%H:%M %Z')}")
    cluster = measure_on_cluster(clients=clients, rows=rows, runs=runs, rebuild=rebuild,
                                 search_name=plain["search_name"])
    say(summary(plain, cluster))
    return report.write_section(SECTION, section(facts, plain, cluster, runs, rows))


# --- the section ------------------------------------------------------------------------------


def _median(values) -> float:
    return statistics.median(values)


def import_rate(runs: list[dict]) -> float:
    return _median([r["rows_per_s"] for r in runs])


def summary(plain: dict, cluster: dict) -> str:
    lines = []
    for p, c in zip(plain["tray"], cluster["tray"]):
        factor = _median(c["samples"]) / _median(p["samples"])
        lines.append(f"tray {p['key']}: plain {ms(_median(p['samples']))} ms, Citus "
                     f"{ms(_median(c['samples']))} ms → {factor:.2f}× (target ≤ "
                     f"{TARGET_TRAY_FACTOR:.0f}×), main query Task Count {c['main_tasks']}")
    share = import_rate(cluster["import"]) / import_rate(plain["import"])
    lines.append(f"import: plain {num(import_rate(plain['import']))} rows/s, Citus "
                 f"{num(import_rate(cluster['import']))} rows/s → {share:.2f} (target ≥ "
                 f"{TARGET_IMPORT_SHARE:.2f})")
    return "\n".join(lines)


def _timing_cell(samples: list[float]) -> str:
    timing = Timing(samples)
    return f"{ms(timing.median)} / {ms(timing.p95)} / {ms(max(samples))}"


def _verdict(ok: bool) -> str:
    return "yes" if ok else "**NO**"


def tray_table(plain: dict, cluster: dict) -> str:
    rows = []
    for p, c in zip(plain["tray"], cluster["tray"]):
        factor = _median(c["samples"]) / _median(p["samples"])
        rows.append([
            p["label"], f"{num(p['rows'])} / {num(c['rows'])}",
            f"{p['queries']} / {c['queries']}", _timing_cell(p["samples"]),
            _timing_cell(c["samples"]), f"{factor:.2f}×", _verdict(factor <= TARGET_TRAY_FACTOR),
            ms(_median(p["raw_main"])) if p["raw_main"] else "—",
            ms(_median(c["raw_main"])) if c["raw_main"] else "—",
            c["main_tasks"] if c["main_tasks"] is not None else "— (no Citus plan)",
            len(c["multi_shard"]),
        ])
    return report.table(
        ["case", "matching rows, plain / Citus", "queries, plain / Citus",
         "plain median / p95 / max ms",
         "Citus median / p95 / max ms", "Citus / plain (median)",
         f"≤ {TARGET_TRAY_FACTOR:.0f}×", "raw main SQL plain ms", "raw main SQL Citus ms",
         "main query Task Count", "statements on several shards"],
        rows,
    )


def _import_row(name: str, runs: list[dict]) -> list:
    def spread(key, digits=1):
        values = [r[key] for r in runs]
        text = f"{_median(values):,.{digits}f}"
        return text if len(values) == 1 else f"{text} ({min(values):,.{digits}f}–" \
                                              f"{max(values):,.{digits}f})"

    return [name, len(runs), spread("rows_per_s", 0), spread("upload_s"),
            spread("analysis_s"), spread("write_s"), spread("total_s")]


def import_table(plain: dict, cluster: dict) -> str:
    return report.table(
        ["server", "runs", "rows/s, median (min–max)", "upload s", "analysis s", "writing s",
         "total s"],
        [_import_row("plain PostgreSQL", plain["import"]),
         _import_row("Citus", cluster["import"])],
    )


def multi_shard_lines(cluster: dict) -> list[str]:
    lines = []
    for c in cluster["tray"]:
        for sql, tasks in c["multi_shard"]:
            lines.append(f"- {c['label']}: {tasks} tasks — `{sql} …`")
    return lines


def second_machine(cluster: dict) -> str:
    queries = sorted({c["queries"] for c in cluster["tray"]})
    server = cluster["server"]
    return (
        "### What a second machine would change\n\n"
        "Here the coordinator, both workers, plain PostgreSQL, the Django process, the Celery "
        "worker and other work share 2 cores, one memory and one disk; the coordinator reaches "
        "its workers over loopback. On separate machines:\n\n"
        "- **Latency per statement.** A statement the coordinator sends to a worker adds one "
        "coordinator → worker round trip; a tray page here runs "
        f"{queries[0] if len(queries) == 1 else f'{queries[0]}–{queries[-1]}'} statements. "
        "Over loopback a round trip costs tens of microseconds, across a LAN typically "
        "0.1–0.5 ms (typical figures, not measured here): a page would wait up to that many "
        "such round trips longer.\n"
        "- **CPU.** On this machine the coordinator's planning and routing take CPU from the "
        "same cores the worker's executor needs; apart, they run side by side.\n"
        "- **One project does not spread.** Every tenant table is distributed by project_id "
        "and co-located, so one project's rows (and one import's writes) live on one worker: "
        "a second worker machine does not make one project's import or tray faster. What runs "
        "in parallel is different projects' work on different workers "
        f"({server['shards']} shards of clients_client over {server['workers']} workers "
        "here), and memory: each worker caches only its own projects' rows.\n"
        "- **Measured here, not there.** The figures above come from this one machine; a "
        "second one was not measured."
    )


def section(facts: dict, plain: dict, cluster: dict, runs: int, rows: int) -> str:
    pd, cd = plain["dataset"], cluster["dataset"]
    share = import_rate(cluster["import"]) / import_rate(plain["import"])
    tray_ok = all(_median(c["samples"]) <= TARGET_TRAY_FACTOR * _median(p["samples"])
                  for p, c in zip(plain["tray"], cluster["tray"]))
    routed = all(c["main_tasks"] == 1 for c in cluster["tray"])
    server = cluster["server"]
    facts = {**facts, "Citus": (
        f"{server['citus']}, a coordinator and {server['workers']} workers on this machine "
        f"({server['shards']} shards per table; the big project's on {server['home']}); "
        f"PostgreSQL {server['postgresql']}")}
    facts["PostgreSQL"] = f"(plain) {facts['PostgreSQL']}"
    multi = multi_shard_lines(cluster)
    parts = [
        "## bench-citus: the clients tray and the CSV import on Citus against plain PostgreSQL",
        report.run_header(report.command_line(), facts),
        "Both measured in this run, plain PostgreSQL first, then the cluster (started by "
        "`moonflow.citusstack`, stopped at the end); the two servers' versions and settings "
        "are listed above and differ. On each side the database `moonflow_bench` holds a "
        "seed_demo dataset of the same command: "
        f"{num(pd['clients'])} clients and {num(pd['payment_orders'])} payment orders in the "
        f"big project, {pd['projects']} projects (cluster: {num(cd['clients'])} clients, "
        f"{num(cd['payment_orders'])} payment orders, {cd['projects']} projects; on the "
        "cluster the tables were distributed by `manage.py distribute_tables` before the "
        "seed, whose triggers-off load reaches the shards, moonflow.db.maintenance); seed_demo "
        + (f"took {cd['build_seconds']:,.0f} s there" if cd["build_seconds"] else "ran earlier")
        + (f" and {pd['build_seconds']:,.0f} s on plain PostgreSQL)." if pd["build_seconds"]
           else ")."),
        "### The clients tray",
        f"Django's test Client in-process, the whole page, 3 warm-up requests then {runs} "
        "timed ones per case (bench/tray.py's `measure_case`); raw main SQL is the page's "
        "rows query replayed with psycopg. Task Count is from EXPLAIN on the coordinator of "
        "the main query captured from the page; the last column counts the page's read "
        f"statements planned as more than one task. Target: Citus's median ≤ "
        f"{TARGET_TRAY_FACTOR:.0f} × plain PostgreSQL's in every case.",
        tray_table(plain, cluster),
        f"**Tray target {'met' if tray_ok else 'MISSED'}**; the main query is "
        + ("one task in every case." if routed else "**not one task in every case**."),
        *(["Statements planned on several shards:\n\n" + "\n".join(multi)] if multi else []),
        "### The CSV import",
        f"A {num(rows)}-row CSV through the user's path (bench/imports.py's `ours`: upload, "
        "mapping, analysis, confirmation, writing by a real `celery worker -c 1`) into a "
        "fresh project pre-loaded with the even rows (half updates, half creates, every count "
        "checked), after one untimed warm-up import; rows/s is the rows over upload + "
        f"analysis + writing. Target: Citus ≥ {TARGET_IMPORT_SHARE:.0%} of plain "
        "PostgreSQL's rows/s.",
        import_table(plain, cluster),
        f"**Citus / plain PostgreSQL: {share:.2f}** (target ≥ {TARGET_IMPORT_SHARE:.2f}: "
        f"{'met' if share >= TARGET_IMPORT_SHARE else 'MISSED'}).",
        second_machine(cluster),
    ]
    return "\n\n".join(parts)


if __name__ == "__main__":
    sys.exit(cluster_main(sys.argv[1:]))
