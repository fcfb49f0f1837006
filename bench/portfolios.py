"""bench-portfolios: Carteras on the 1M-client project, measured on the paths a user triggers.

1. **Busque y seleccione para agregar**, one keystroke: `GET /p/<project>/carteras/<pk>/
   contactos/buscar/?q=…` through Django's test Client in-process (every middleware,
   session, the portfolio's lookup, the search, the rendered results), timed around the
   request: the server's time for a keystroke. Cases: a surname typed letter by letter
   ("g" … "garcía"), two words, a document number's beginning and the whole number, a
   phone's last digits, an e-mail's mailbox and the whole address, a rare name, a typo and
   nothing found. Compared in the same run with:
   - the usual Django way: `icontains` over name, document number, phone and e-mail of the
     project's clients, ordered by name, the first 11 (what a search box usually is);
   - raw PostgreSQL: the statements the request sent, captured once and replayed back to
     back over one psycopg connection (the database's share of the keystroke), and the
     search's own statements alone (its floor).
2. **Agregar desde la bandeja de clientes**, ~100,000 clients: the clients tray's filter
   "Asesor asignado" of the adviser whose book is closest to 100,000 clients, POSTed to
   `portfolios:add_from_tray` as the dialog sends it; the view queues the job; a real
   `celery worker` subprocess runs it. Timed from the POST to the job's `finished_at`
   (and the job's own started → finished). Compared with the raw `INSERT … SELECT … ON
   CONFLICT DO NOTHING` of the same clients over psycopg, and the usual Django way (the
   ids read with `values_list`, then `bulk_create(…, ignore_conflicts=True)` in batches
   of 5,000). The portfolio is emptied before every run, so each adds every client.
3. **The clients tray's first page** (`GET /p/<project>/clientes/`), its portfolio icons
   present on every row (a portfolio holding the first 10,000 clients by name) and absent
   (the same portfolio emptied); as the admin and as the restricted adviser whose team
   owns that portfolio (their visibility then goes through it).

Everything the benchmark adds to the big project (its portfolios, their contacts, the
jobs and their audit events) is removed at the end; audit events are append-only, so they
are removed the one documented maintenance way (`session_replication_role = replica`,
docs/audit.md), only those of the benchmark's own portfolios.
"""

from __future__ import annotations

import platform
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext

from . import report
from .dataset import Dataset, raw_connect
from .report import Timing, ms, num, ratio, say

TARGET_SEARCH_MEDIAN = 0.030
TARGET_SEARCH_P95 = 0.080
TARGET_BULK_SECONDS = 10.0
BULK_CLIENTS = 100_000
BULK_RUNS_MAX = 5
DJANGO_BULK_RUNS = 2
ICON_CLIENTS = 10_000
WARMUP = 3
SLOW_SECONDS = 1.0
SLOW_RUNS = 3
JOB_TIMEOUT_SECONDS = 600
POLL_EVERY = 0.05
BENCH_PREFIX = "Bench · "


@dataclass
class SearchCase:
    label: str
    typed: str


@dataclass
class SearchResult:
    case: SearchCase
    ours: Timing
    queries: int
    shown: int
    more: bool
    strategy: str
    db_share: Timing
    raw_search: Timing
    django: Timing
    django_rows: int
    slow_django: bool = False

    @property
    def ok(self) -> bool:
        return (self.ours.median <= TARGET_SEARCH_MEDIAN
                and self.ours.p95 <= TARGET_SEARCH_P95)


@dataclass
class BulkRun:
    job_id: int
    rows: int
    post_seconds: float
    to_finished: float
    job_seconds: float


@dataclass
class Setup:
    project_id: int
    slug: str
    admin: object
    restricted: object
    started: object = None  # when the run began: the audit events it may remove are newer
    portfolios: list = field(default_factory=list)
    jobs: list = field(default_factory=list)


# --- the people and the portfolios ------------------------------------------------------------


def _members(project_id: int):
    from moonflow.tenancy.models import Member, Role

    members = Member.objects.select_related("user", "project", "team").filter(
        project_id=project_id, is_active=True)
    admin = members.filter(role=Role.ADMIN).order_by("id").first()
    restricted = (members.filter(user__username="asesor2", restricted_to_assigned=True).first()
                  or members.filter(role=Role.ADVISER, restricted_to_assigned=True,
                                    team__isnull=False).order_by("id").first())
    if admin is None:
        raise SystemExit("bench-portfolios: the big project has no active admin")
    return admin, restricted


def _portfolio(setup: Setup, name: str, **owners):
    from portfolios.models import Portfolio

    portfolio = Portfolio.objects.create(project_id=setup.project_id, name=BENCH_PREFIX + name,
                                         **owners)
    setup.portfolios.append(portfolio.pk)
    return portfolio


def _empty(portfolio) -> None:
    """The portfolio without contacts, the table vacuumed: every run starts alike."""
    from portfolios.models import PortfolioClient

    PortfolioClient.objects.filter(project_id=portfolio.project_id, portfolio=portfolio).delete()
    with raw_connect(autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) portfolios_portfolioclient")


def _cleanup(setup: Setup) -> None:
    """Remove what the benchmark added: its portfolios, their contacts, jobs and events."""
    from moonflow.jobs.models import Notification, ProcessJob
    from portfolios.models import Portfolio, PortfolioClient

    ids = setup.portfolios
    PortfolioClient.objects.filter(project_id=setup.project_id, portfolio_id__in=ids).delete()
    Notification.objects.filter(job_id__in=setup.jobs).delete()
    ProcessJob.objects.filter(pk__in=setup.jobs).delete()
    Portfolio.objects.filter(project_id=setup.project_id, pk__in=ids).delete()
    with raw_connect() as conn:
        with conn.transaction():
            # The audit log refuses deletes; replica mode is its one maintenance path. Only
            # this run's events of its own portfolios (other benchmarks' events may carry the
            # same resource ids).
            conn.execute("SET LOCAL session_replication_role = replica")
            deleted = conn.execute(
                "DELETE FROM audit_auditevent WHERE project_id = %s AND resource_type = "
                "'portfolio' AND resource_id = ANY(%s) AND created_at >= %s "
                "AND resource_label LIKE %s",
                [setup.project_id, [str(pk) for pk in ids], setup.started,
                 BENCH_PREFIX + "%"]).rowcount
    with raw_connect(autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) portfolios_portfolioclient")
    say(f"cleaned up: {len(ids)} portfolios, {len(setup.jobs)} jobs, {deleted} audit events")


def _browser(member):
    from django.test import Client as HttpClient

    browser = HttpClient()
    browser.force_login(member.user, backend="django.contrib.auth.backends.ModelBackend")
    return browser


# --- 1. the keystroke -------------------------------------------------------------------------


def search_cases(project_id: int) -> list[SearchCase]:
    """What people type, from the big project's own clients."""
    from clients.models import Client

    clients = Client.objects.filter(project_id=project_id, deleted_at__isnull=True)

    def pick(qs, offset=1000):
        return qs.order_by("id")[offset:offset + 1].get()

    someone = pick(clients.filter(document_type="CC", phone__startswith="+57",
                                  email__contains="."))
    local = someone.email.split("@")[0]
    rare, rare_clients = _rarest_word(project_id)
    cases = [SearchCase(f"typing «garcía»: «{typed}»", typed)
             for typed in ("g", "ga", "gar", "garc", "garci", "garcía")]
    cases += [
        SearchCase("two words «maría garc»", "maría garc"),
        SearchCase("document number, beginning", someone.document_number[:6]),
        SearchCase("document number, whole", someone.document_number),
        SearchCase("phone ending (4 digits)", re.sub(r"\D", "", someone.phone)[-4:]),
        SearchCase("e-mail mailbox", f"{local}@"),
        SearchCase("e-mail, whole", someone.email),
        SearchCase(f"the rarest name word ({num(rare_clients)} clients)", rare.capitalize()),
        SearchCase("typo «Garcai»", "Garcai"),
        SearchCase("nothing found «xilofono»", "xilofono"),
    ]
    return cases


def _rarest_word(project_id: int) -> tuple[str, int]:
    """The name word fewest clients of the project have (the search terms' own count)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT term, count(*) FROM clients_clientsearchterm WHERE project_id = %s "
            "AND term ~ '^[a-z]{4,}$' GROUP BY term ORDER BY count(*), term LIMIT 1",
            [project_id])
        return cursor.fetchone()


def _time_get(browser, url, params, runs, headers) -> tuple[Timing, bytes]:
    for _ in range(WARMUP):
        response = browser.get(url, params, headers=headers)
        assert response.status_code == 200, (url, params, response.status_code)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = browser.get(url, params, headers=headers)
        samples.append(time.perf_counter() - started)
    return Timing(samples), response.content


def _replay(conn, statements: list[str]) -> None:
    for sql in statements:
        cursor = conn.execute(sql.replace("%", "%%"))
        if cursor.description is not None:
            cursor.fetchall()


def _time_raw(statements: list[str], runs: int) -> Timing:
    with raw_connect(autocommit=True) as conn:
        for _ in range(WARMUP):
            _replay(conn, statements)
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            _replay(conn, statements)
            samples.append(time.perf_counter() - started)
    return Timing(samples)


def _is_search(sql: str) -> bool:
    return "clients_clientsearchterm" in sql or 'FROM "clients_client"' in sql


def _django_way(project_id: int, typed: str) -> list:
    from django.db.models import Q

    from clients.models import Client

    return list(
        Client.objects.filter(project_id=project_id, deleted_at__isnull=True)
        .filter(Q(name__icontains=typed) | Q(document_number__icontains=typed)
                | Q(phone__icontains=typed) | Q(email__icontains=typed))
        .order_by("name", "id")
        .values("id", "name", "document_type", "document_number", "email", "phone")[:11]
    )


def _time_django(project_id: int, typed: str, runs: int) -> tuple[Timing, int, bool]:
    started = time.perf_counter()
    rows = _django_way(project_id, typed)
    slow = time.perf_counter() - started > SLOW_SECONDS
    if slow:
        runs = min(runs, SLOW_RUNS)
    else:
        for _ in range(WARMUP - 1):
            _django_way(project_id, typed)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = _django_way(project_id, typed)
        samples.append(time.perf_counter() - started)
    return Timing(samples), len(rows), slow


def _strategy(member, portfolio, typed: str) -> str:
    """How the search read the page (clients.search.ClientSearch.strategy), read again."""
    from django.db.models import F

    from clients.search import client_search
    from moonflow.lists.keyset import SortKey, paginate
    from portfolios.selectors import CANDIDATES, pickable_clients

    search = client_search(member.project_id, typed)
    if search is None:
        return "—"
    paginate(pickable_clients(member=member), sort_keys=[SortKey(F("name"))], descending=False,
             page="", size=CANDIDATES, fields=["name"], plan=search)
    return search.strategy or "—"


def bench_search(setup: Setup, runs: int) -> list[SearchResult]:
    from django.urls import reverse

    portfolio = _portfolio(setup, "Búsqueda", agent=setup.admin)
    url = reverse("portfolios:candidates", kwargs={"project": setup.slug, "pk": portfolio.pk})
    browser = _browser(setup.admin)
    headers = {"HX-Request": "true"}
    results = []
    for case in search_cases(setup.project_id):
        params = {"q": case.typed}
        ours, body = _time_get(browser, url, params, runs, headers)
        with CaptureQueriesContext(connection) as captured:
            browser.get(url, params, headers=headers)
        statements = [q["sql"] for q in captured.captured_queries]
        html = body.decode()
        shown = html.count('name="clientes"')
        more = "Hay más clientes que coinciden" in html
        db_share = _time_raw(statements, runs)
        raw_search = _time_raw([s for s in statements if _is_search(s)] or ["SELECT 1"], runs)
        django, django_rows, slow = _time_django(setup.project_id, case.typed, runs)
        result = SearchResult(case, ours, len(statements), shown, more,
                              _strategy(setup.admin, portfolio, case.typed), db_share,
                              raw_search, django, django_rows, slow)
        results.append(result)
        say(f"  {case.label:<36} «{case.typed}»: ours {ms(ours.median)} / {ms(ours.p95)} ms "
            f"({len(statements)} queries, {shown} shown{', more' if more else ''}, "
            f"{result.strategy}); DB share {ms(db_share.median)}, raw search "
            f"{ms(raw_search.median)}; Django {ms(django.median)} / {ms(django.p95)} ms "
            f"({django_rows} rows) — {'met' if result.ok else 'MISSED'}")
    return results


# --- 2. the bulk addition ---------------------------------------------------------------------


def _bulk_filter(project_id: int) -> tuple[int, int]:
    """(adviser id, clients) of the adviser whose live book is closest to BULK_CLIENTS."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT adviser_id, count(*) FROM clients_client WHERE project_id = %s "
            "AND deleted_at IS NULL AND adviser_id IS NOT NULL GROUP BY adviser_id "
            "ORDER BY abs(count(*) - %s) LIMIT 1", [project_id, BULK_CLIENTS])
        return cursor.fetchone()


def _click_add(setup: Setup, browser, portfolio, query: str, expected: int, worker) -> BulkRun:
    from django.urls import resolve, reverse

    from moonflow.jobs.models import FINISHED_STATUSES, JobStatus, ProcessJob

    url = reverse("portfolios:add_from_tray", kwargs={"project": setup.slug})
    posted_at = time.time()
    started = time.perf_counter()
    response = browser.post(url, {"cartera": portfolio.pk, "clientes": "actual", "query": query},
                            headers={"HX-Request": "true"})
    post_seconds = time.perf_counter() - started
    target = response.headers.get("HX-Redirect", "")
    match = resolve(target) if target else None
    if match is None or match.view_name != "jobs:detail":
        raise SystemExit(f"bench-portfolios: the dialog answered {response.status_code}: "
                         f"{response.content[:1000]!r}")
    job_id = int(match.kwargs["pk"])
    setup.jobs.append(job_id)
    deadline = started + JOB_TIMEOUT_SECONDS
    while True:
        job = ProcessJob.objects.get(pk=job_id)
        if job.status in FINISHED_STATUSES:
            break
        if not worker.alive():
            raise SystemExit(f"The Celery worker died during job #{job_id}:\n{worker.log_tail()}")
        if time.perf_counter() > deadline:
            raise SystemExit(f"Job #{job_id} did not finish within {JOB_TIMEOUT_SECONDS} s")
        time.sleep(POLL_EVERY)
    if job.status != JobStatus.SUCCEEDED or job.created != expected:
        raise SystemExit(f"bench-portfolios: job #{job_id} ended {job.status} with "
                         f"{job.created:,} added, {expected:,} expected: {job.message}")
    return BulkRun(job_id, job.created, post_seconds, job.finished_at.timestamp() - posted_at,
                   (job.finished_at - job.started_at).total_seconds())


def _raw_insert(project_id: int, portfolio_id: int, adviser_id: int, user_id: int) -> float:
    with raw_connect() as conn:
        started = time.perf_counter()
        with conn.transaction():
            added = conn.execute(
                "INSERT INTO portfolios_portfolioclient (project_id, portfolio_id, client_id, "
                "added_at, added_by_id) SELECT %s, %s, id, now(), %s FROM clients_client "
                "WHERE project_id = %s AND deleted_at IS NULL AND adviser_id = %s "
                "ON CONFLICT (project_id, portfolio_id, client_id) DO NOTHING",
                [project_id, portfolio_id, user_id, project_id, adviser_id]).rowcount
        seconds = time.perf_counter() - started
    assert added > 0
    return seconds


def _django_bulk(project_id: int, portfolio, adviser_id: int, user) -> float:
    from django.db import transaction

    from clients.models import Client
    from portfolios.models import PortfolioClient

    started = time.perf_counter()
    with transaction.atomic():
        ids = Client.objects.filter(project_id=project_id, deleted_at__isnull=True,
                                    adviser_id=adviser_id).values_list("id", flat=True)
        PortfolioClient.objects.bulk_create(
            (PortfolioClient(project_id=project_id, portfolio=portfolio, client_id=pk,
                             added_by=user) for pk in ids.iterator(chunk_size=5000)),
            batch_size=5000, ignore_conflicts=True)
    return time.perf_counter() - started


def bench_bulk(setup: Setup, runs: int, workdir: Path) -> dict:
    from .download import WORKER_COMMAND, Worker

    adviser_id, expected = _bulk_filter(setup.project_id)
    portfolio = _portfolio(setup, "Carga masiva", agent_id=adviser_id)
    query = f"asesor={adviser_id}"
    runs = min(runs, BULK_RUNS_MAX)
    say(f"  filter `{query}`: {num(expected)} clients; {runs} rounds")
    say("  starting a Celery worker: celery " + " ".join(WORKER_COMMAND))
    worker = Worker(workdir / "worker.log")
    ours, raw, django = [], [], []
    try:
        browser = _browser(setup.admin)
        _empty(portfolio)
        _click_add(setup, browser, portfolio, query, expected, worker)  # warm-up
        for round_no in range(1, runs + 1):
            _empty(portfolio)
            run = _click_add(setup, browser, portfolio, query, expected, worker)
            ours.append(run)
            _empty(portfolio)
            raw.append(_raw_insert(setup.project_id, portfolio.pk, adviser_id,
                                   setup.admin.user_id))
            say(f"  round {round_no}/{runs}: ours POST → finished {run.to_finished:,.2f} s "
                f"(job {run.job_seconds:,.2f} s, POST answered in {run.post_seconds * 1000:,.0f} "
                f"ms), raw INSERT … SELECT {raw[-1]:,.2f} s")
        for _ in range(DJANGO_BULK_RUNS):
            _empty(portfolio)
            django.append(_django_bulk(setup.project_id, portfolio, adviser_id,
                                       setup.admin.user))
            say(f"  Django values_list + bulk_create: {django[-1]:,.2f} s")
    finally:
        worker.stop()
        _empty(portfolio)
    return {"query": query, "expected": expected, "ours": ours, "raw": Timing(raw),
            "django": Timing(django), "runs": runs}


# --- 3. the clients tray with and without icons -----------------------------------------------


def bench_icons(setup: Setup, runs: int) -> list[tuple[str, Timing, Timing, int, int]]:
    from django.urls import reverse

    team = setup.restricted.team if setup.restricted and setup.restricted.team_id else None
    portfolio = _portfolio(setup, "Íconos", team=team, agent=None if team else setup.admin)
    url = reverse("clients:list", kwargs={"project": setup.slug})

    def fill():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO portfolios_portfolioclient (project_id, portfolio_id, client_id, "
                "added_at, added_by_id) SELECT %s, %s, id, now(), %s FROM ("
                " SELECT id FROM clients_client WHERE project_id = %s AND deleted_at IS NULL"
                " ORDER BY name, id LIMIT %s) c", [setup.project_id, portfolio.pk,
                                                   setup.admin.user_id, setup.project_id,
                                                   ICON_CLIENTS])
        with raw_connect(autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE) portfolios_portfolioclient")

    results = []
    people = [("admin", setup.admin)]
    if team is not None:
        people.append((f"restricted adviser `{setup.restricted.user.username}` (their team "
                       "owns the portfolio)", setup.restricted))
    for who, member in people:
        browser = _browser(member)
        fill()
        with_icons, body = _time_get(browser, url, {}, runs, {})
        icons = body.decode().count('aria-label="Cartera: ' + BENCH_PREFIX)
        with CaptureQueriesContext(connection) as captured:
            browser.get(url)
        queries = len(captured.captured_queries)
        _empty(portfolio)
        without, body = _time_get(browser, url, {}, runs, {})
        say(f"  {who}: with icons ({icons} on the page) {ms(with_icons.median)} / "
            f"{ms(with_icons.p95)} ms, without {ms(without.median)} / {ms(without.p95)} ms "
            f"({queries} queries)")
        results.append((who, with_icons, without, icons, queries))
    return results


# --- the run and the section ------------------------------------------------------------------


def run(data: Dataset, *, runs: int) -> Path:
    from django.utils import timezone

    from portfolios.models import Portfolio

    admin, restricted = _members(data.project_id)
    setup = Setup(data.project_id, data.project_slug, admin, restricted,
                  started=timezone.now())
    Portfolio.objects.filter(project_id=data.project_id, name__startswith=BENCH_PREFIX).delete()
    facts = {
        "Machine": f"{platform.node()} ({platform.system()} {platform.release()}, "
                   f"{platform.machine()})",
        **report.machine_facts(),
    }
    from .download import _uncommitted_changes

    if _uncommitted_changes():
        facts["Code"] += " with uncommitted changes in the working tree"
    try:
        say("1. Busque y seleccione para agregar: one keystroke through the view")
        search = bench_search(setup, runs)
        say("2. Agregar desde la bandeja de clientes: ~100,000 clients, request → job → worker")
        with tempfile.TemporaryDirectory(prefix="moonflow-bench-") as tmp:
            bulk = bench_bulk(setup, runs, Path(tmp))
        say("3. The clients tray's first page with and without portfolio icons")
        icons = bench_icons(setup, runs)
    finally:
        _cleanup(setup)
    ended = report.load_average()
    return _write(data, facts, search, bulk, icons, runs, ended)


def _write(data, facts, search, bulk, icons, runs, ended_load) -> Path:
    from portfolios.selectors import CANDIDATES

    met = sum(r.ok for r in search)
    search_rows = [[
        r.case.label, f"`{r.case.typed}`", ms(r.ours.median), ms(r.ours.p95),
        "yes" if r.ok else "**NO**", r.queries, f"{r.shown}{'+' if r.more else ''}",
        r.strategy, ms(r.db_share.median), ms(r.raw_search.median),
        ms(r.django.median) + (" (n=3)" if r.slow_django else ""), ms(r.django.p95),
        ratio(r.ours.median, r.django.median),
    ] for r in search]
    ours_finished = Timing([r.to_finished for r in bulk["ours"]])
    ours_job = Timing([r.job_seconds for r in bulk["ours"]])
    ours_post = Timing([r.post_seconds for r in bulk["ours"]])
    bulk_ok = ours_finished.median <= TARGET_BULK_SECONDS
    bulk_rows = [
        ["ours: POST → job `finished_at` (the dialog, the queue, a real worker)",
         f"{ours_finished.median:,.2f}", f"{ours_finished.p95:,.2f}",
         ratio(ours_finished.median, bulk["raw"].median)],
        ["ours: the job alone (`started_at` → `finished_at`)", f"{ours_job.median:,.2f}",
         f"{ours_job.p95:,.2f}", ratio(ours_job.median, bulk["raw"].median)],
        ["ours: the POST's own answer", f"{ours_post.median:,.3f}", f"{ours_post.p95:,.3f}",
         "—"],
        ["raw: one `INSERT … SELECT … ON CONFLICT DO NOTHING` (psycopg)",
         f"{bulk['raw'].median:,.2f}", f"{bulk['raw'].p95:,.2f}", "1.00×"],
        [f"Django way: `values_list` + `bulk_create(batch_size=5000, ignore_conflicts=True)` "
         f"({DJANGO_BULK_RUNS} runs)", f"{bulk['django'].median:,.2f}",
         f"{bulk['django'].p95:,.2f}", ratio(bulk["django"].median, bulk["raw"].median)],
    ]
    icon_rows = [[who, icons_n, ms(with_icons.median), ms(with_icons.p95), ms(without.median),
                  ms(without.p95), ratio(with_icons.median, without.median), queries]
                 for who, with_icons, without, icons_n, queries in icons]
    body = [
        "## bench-portfolios: Carteras — the contact search, the bulk addition, the tray's icons",
        report.run_header(report.command_line(), facts)
        + f"\n- **Load average (1/5/15 min) when the run ended**: {ended_load}"
        + f"\n- **Runs**: {runs} timed per measurement after {WARMUP} warm-ups (the bulk "
          f"addition: {bulk['runs']} rounds after one warm-up)",
        f"Project `{data.project_slug}`: {num(data.clients)} live clients.",
        "### 1. Busque y seleccione para agregar: one keystroke",
        f"`GET …/carteras/<pk>/contactos/buscar/?q=…` as the admin (whole book), through the "
        "whole Django stack in-process, timed around the request: the server's time for one "
        f"keystroke (the first {CANDIDATES} matches by name, rendered). Target: median ≤ "
        f"{TARGET_SEARCH_MEDIAN * 1000:.0f} ms, p95 ≤ {TARGET_SEARCH_P95 * 1000:.0f} ms: "
        f"**{met} of {len(search)} cases met**. *DB share*: every statement of the request "
        "replayed back to back over psycopg; *raw search*: the search's statements alone. "
        "*Django*: `icontains` over name, document number, phone and e-mail, by name, first "
        "11 rows, the query alone (no request, no rendering: compare it with the DB share; "
        "no accent folding either, so it finds less): with a short, common beginning its "
        "walk of the name index stops after a few rows, with anything rarer it reads the "
        "whole book. *Shown*: results on screen (+: the "
        "page says there are more). *How*: the search's plan (clients/search.py).",
        report.table(["case", "typed", "ours median ms", "ours p95 ms", "target met",
                      "queries", "shown", "how", "DB share median ms", "raw search median ms",
                      "Django median ms", "Django p95 ms", "ours / Django"], search_rows),
        "### 2. Agregar desde la bandeja de clientes: the clients of a filter into a portfolio",
        f"The clients tray's filter `{bulk['query']}` ({num(bulk['expected'])} clients), POSTed "
        "to `portfolios:add_from_tray` as the dialog sends it; a real Celery worker runs the "
        "job: one `INSERT … SELECT … ON CONFLICT DO NOTHING` over the filter's own query "
        "(visibility, filters) with the counts in the same statement, the counts kept in the "
        "job's options in the same transaction. The portfolio is emptied before each run. "
        f"Target: ≤ {TARGET_BULK_SECONDS:.0f} s (POST → finished): "
        f"**{'met' if bulk_ok else 'MISSED'}** ({ours_finished.median:,.2f} s).",
        report.table(["how", "median s", "p95 s", "÷ raw"], bulk_rows),
        "### 3. The clients tray's first page, with and without portfolio icons",
        f"`GET /p/{data.project_slug}/clientes/` (default columns, 25 rows by name). *With*: a "
        f"portfolio holds the first {num(ICON_CLIENTS)} clients by name, so every row of the "
        "page carries its icon (one query for the page's icons, `clients.tray`); *without*: "
        "the same portfolio emptied (the dataset's own portfolios stay). For the restricted "
        "adviser the portfolio is their team's, so their visibility goes through it.",
        report.table(["who", "icons on the page", "with: median ms", "with: p95 ms",
                      "without: median ms", "without: p95 ms", "with ÷ without",
                      "queries (with)"], icon_rows),
    ]
    return report.write_section("portfolios", "\n\n".join(body))
