"""bench-tray: the clients tray's pages on the 1M-client project, as HTML.

Ours: `GET /p/<project>/clientes/?…` through Django's test Client in-process
(every middleware, session, the full page), timed around the request. For
each case: warm-up runs, then `--runs` timed runs; median and p95.

Compared in the same run:
- the usual Django way: a default `ListView` with `paginate_by = 25`
  (OFFSET pagination and an exact `COUNT(*)` through Django's Paginator) over
  the same clients (`client_base_queryset`, `select_related` for the shown
  relations), rendering a plain table in base.html; defined here, called
  through RequestFactory, never routed in the product;
- the raw PostgreSQL limit: the tray's own main SQL (the page's rows),
  captured from a rendering and executed directly with psycopg; and every SQL
  statement of the page run back to back the same way (the database's share
  of the page).

Three grids measure the first page of every kind of search, of every single
filter and of the filter combinations a coordinator uses most, each under
every sortable column (and the default sort reversed): the rule is that no
search scans the book and no filter with a sort waits on a sort of the book.
A grid case is timed like the others; its SQL is replayed (the database's
share) only when it misses the targets. A page slower than SLOW_SECONDS is
measured SLOW_RUNS times only, so a slow grid still ends (it says so).
"""

import html
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Self

import psycopg
from django.db import connection
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.views.generic import ListView

from . import report
from .dataset import Dataset, raw_connect
from .report import Timing, ms, num, ratio, say

TARGET_MEDIAN = 0.040
TARGET_P95 = 0.100
NO_PAGE_ABOVE = 0.300  # the bound for a filter with a sort that cannot meet the targets
WARMUP = 3
SLOW_SECONDS = 1.0
SLOW_RUNS = 3
EXPLAINED_MISSES = 6  # plans written out for the worst grid misses


@dataclass
class Case:
    key: str
    label: str
    params: dict
    as_restricted: bool = False
    compare_with: str | None = None  # the Django-way measurement this case lines up with
    page: str = "clients"  # "clients" (Clientes) or "orders" (Órdenes de pago)
    grid: str = ""  # "search", "filter" or "combo": a cell of a grid (row × sort)
    row: str = ""  # the grid's row label (the search or the filters)
    sort: str = ""  # the grid's column (the `orden` parameter)

    @property
    def detail(self) -> bool:
        """Grid cases replay their SQL only when they miss the targets."""
        return not self.grid


@dataclass
class Result:
    case: Case
    timing: Timing
    queries: int
    rows: int  # matching clients (exact count, measured outside the timings)
    html_kb: float
    main_sql: str
    all_sql: list[str]
    raw_main: Timing | None = None
    raw_all: Timing | None = None
    explain: list[str] = field(default_factory=list)
    slow: bool = False  # measured SLOW_RUNS times only

    @property
    def db_bound(self) -> bool:
        """The database's share (every SQL of the page, replayed) is a quarter or more."""
        return self.raw_all is not None and self.raw_all.median >= 0.25 * self.timing.median

    @property
    def ok(self) -> bool:
        return self.timing.median <= TARGET_MEDIAN and self.timing.p95 <= TARGET_P95


# --- the cases --------------------------------------------------------------------------------


def _one(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def build_cases(project_id: int) -> list[Case]:
    """One case per filter, on values a collections team actually picks; then the grids."""
    from clients.models import Client, CustomVariable, Segment
    from moonflow.tenancy.models import Member, Role

    advisers = Member.objects.filter(project_id=project_id, role=Role.ADVISER, is_active=True)
    adviser = advisers.filter(user__username="asesor1").first() or advisers.order_by("id").first()
    supervisors = Member.objects.filter(project_id=project_id, role=Role.SUPERVISOR)
    supervisor = supervisors.order_by("id").first()
    segment = Segment.objects.filter(project_id=project_id).order_by("name", "id").first()
    choice_var = (
        CustomVariable.objects.filter(project_id=project_id, type="choice").order_by("position").first()
    )
    number_var = (
        CustomVariable.objects.filter(project_id=project_id, type="number").order_by("position").first()
    )
    # A client from the middle of the book gives a real document to search for.
    middle = (
        Client.objects.filter(project_id=project_id, deleted_at__isnull=True, document_type="CC")
        .order_by("id")
        .values("name", "document_number")[300_000 if _count(project_id) > 600_000 else 100:][:1]
    )
    sample = middle[0]
    # Names to search for, typed as people do (a first name and the start of a surname),
    # taken early and late in the tray's name order: a search's cost may depend on where
    # its matches sit in that order.
    early, late = _name_query(project_id, 0.2), _name_query(project_id, 0.8)

    filters = [
        ("estado", "Estado: Inactivo", {"estado": "inactivo"}),
        ("tipo_cartera", "Tipo de cartera: Castigada", {"tipo_cartera": "castigada"}),
        ("supervisor", f"Supervisor: {supervisor}", {"supervisor": supervisor.pk}),
        ("asesor", f"Asesor: {adviser}", {"asesor": adviser.pk}),
        ("situacion", "Situación: Mora más de 90 días", {"situacion": 50}),
        ("alerta", "Alertas de contacto: No contactar", {"alerta": "do_not_contact"}),
        ("contactabilidad", "Contactabilidad: No contactable",
         {"contactabilidad": "not_contactable"}),
        ("segmento", f"Segmento: {segment}", {"segmento": segment.pk}),
        ("reclamo", "Reclamos: Errores de facturación", {"reclamo": "billing"}),
    ]
    if choice_var is not None and choice_var.choices:
        value = str(choice_var.choices[0])
        filters.append(("var_choice", f"{choice_var.label} (variable): {value}",
                        {f"var_{choice_var.key}": value}))
    if number_var is not None:
        filters.append(("var_number", f"{number_var.label} (variable) ≥ 700",
                        {f"var_{number_var.key}_min": "700"}))
    cases = [Case("none", "No filter", {}, compare_with="first")]
    cases += [Case(key, label, params) for key, label, params in filters]
    cases += [
        Case("combo", "Asesor + Situación: Mora 1-30 días + Contactabilidad: Contactable",
             {"asesor": adviser.pk, "situacion": 20, "contactabilidad": "contactable"}),
        Case("search_name", f"Search, name early in the alphabet: «{early}»", {"q": early}),
        Case("search_name_late", f"Search, name late in the alphabet: «{late}»", {"q": late}),
        Case("search_document", f"Search, document number: «{sample['document_number']}»",
             {"q": sample["document_number"]}),
        Case("search_restricted", "Restricted adviser (asesor2), search «juan»", {"q": "juan"},
             as_restricted=True),
        Case("last_filtered", "Last page, Situación: Mora más de 90 días",
             {"situacion": 50, "pagina": "ultima"}),
        Case("last", "Last page, no filter", {"pagina": "ultima"}, compare_with="last"),
        Case("restricted", "Restricted adviser (asesor2, «Asignación de asesor»), no filter",
             {}, as_restricted=True),
        # Cuentas por cobrar → Órdenes de pago: the project's 5M payment orders.
        Case("orders", "Órdenes de pago: no filter", {}, page="orders"),
        # `estado` on the list kernel, `status` before it.
        Case("orders_overdue", "Órdenes de pago: Estado vencida",
             {"estado": "vencida", "status": "vencida"}, page="orders"),
        Case("orders_restricted", "Órdenes de pago: restricted adviser (asesor2)", {},
             as_restricted=True, page="orders"),
    ]
    sorts = grid_sorts(project_id)
    searches = search_cases(project_id)
    combos = [
        ("Situación: Mora más de 90 días + Segmento", {"situacion": 50, "segmento": segment.pk}),
        ("Asesor + Situación: Mora 1-30 días + Contactabilidad: Contactable",
         {"asesor": adviser.pk, "situacion": 20, "contactabilidad": "contactable"}),
        ("Tipo de cartera: Castigada + Situación: Mora más de 90 días",
         {"tipo_cartera": "castigada", "situacion": 50}),
        ("Estado: Activo + Situación: Mora 31-60 días + Contactabilidad: Contactable",
         {"estado": "activo", "situacion": 30, "contactabilidad": "contactable"}),
        ("Supervisor + Situación: Mora 61-90 días", {"supervisor": supervisor.pk, "situacion": 40}),
    ]
    grid_rows = [("search", label, params) for label, params in searches]
    grid_rows += [("filter", "No filter", {})]
    grid_rows += [("filter", label, params) for _key, label, params in filters]
    grid_rows += [("combo", label, params) for label, params in combos]
    for grid, label, params in grid_rows:
        for sort in sorts:
            cases.append(Case(f"{grid}:{label}:{sort}", f"{label}, sorted by {sort}",
                              {**params, "orden": sort}, grid=grid, row=label, sort=sort))
    return cases


def grid_sorts(project_id: int) -> list[str]:
    """Every sortable column of the project's tray, ascending; the default and the balance
    reversed as well."""
    from clients.columns import columns_for_project
    from moonflow.tenancy.models import Project

    columns = columns_for_project(Project.objects.get(pk=project_id))
    keys = [c.key for c in columns if c.sortable]
    return [keys[0], "-" + keys[0], *keys[1:], "-balance"]


def search_cases(project_id: int) -> list[tuple[str, dict]]:
    """(label, params) of every kind of search people type, with values from the book."""
    from clients.display import external_id_display
    from clients.models import Client

    clients = Client.objects.filter(project_id=project_id, deleted_at__isnull=True)

    def pick(qs, offset=1000):
        return qs.order_by("id")[offset:offset + 1].get()

    email = pick(clients.filter(email__contains=".", email__endswith="@hotmail.com")).email
    local = email.split("@")[0]
    email_prefix = local.split(".")[0] + "." + local.split(".")[1][:3] if "." in local else local
    nit = pick(clients.filter(document_type="NIT"))
    cuit = pick(clients.filter(document_type="CUIT"))
    company = pick(clients.filter(name__endswith="S.A.S."), offset=2000).name
    nit_shown = external_id_display(nit.document_type, nit.document_number)
    nit_copied = nit_shown.split(" ", 1)[1].replace(".", "")
    cuit_shown = external_id_display(cuit.document_type, cuit.document_number).split(" ", 1)[1]
    return [
        ("no match «xilofono»", {"q": "xilofono"}),
        ("typo «Rodrigez»", {"q": "Rodrigez"}),
        ("rare word «Yeferson»", {"q": "Yeferson"}),
        ("common word «juan»", {"q": "juan"}),
        ("prefix «car»", {"q": "car"}),
        ("digits «4521»", {"q": "4521"}),
        (f"e-mail «{email}»", {"q": email}),
        (f"e-mail prefix «{email_prefix}»", {"q": email_prefix}),
        (f"copied NIT «{nit_copied}»", {"q": nit_copied}),
        (f"copied NIT as shown «{nit_shown}»", {"q": nit_shown}),
        (f"copied CUIT «{cuit_shown}»", {"q": cuit_shown}),
        (f"copied name «{company}»", {"q": company}),
        ("two words «maria garc»", {"q": "maria garc"}),
    ]


def _name_query(project_id: int, position: float) -> str:
    """«First-name Surn» of the client at `position` (0…1) of the tray's name order."""
    from clients.models import Client

    clients = Client.objects.filter(project_id=project_id, deleted_at__isnull=True)
    offset = int(position * _count(project_id))
    name = clients.order_by("name", "id").values_list("name", flat=True)[offset:offset + 1][0]
    words = name.split()
    return f"{words[0]} {words[-1][:4]}" if len(words) > 1 else words[0]


def _count(project_id: int) -> int:
    return _one("SELECT count(*) FROM clients_client WHERE project_id = %s", [project_id])[0]


def _members(project_id: int):
    from moonflow.tenancy.models import Member, Role

    members = Member.objects.select_related("user", "project").filter(
        project_id=project_id, is_active=True
    )
    admin = members.filter(role=Role.ADMIN).order_by("id").first()
    restricted = (
        members.filter(user__username="asesor2", restricted_to_assigned=True).first()
        or members.filter(role=Role.ADVISER, restricted_to_assigned=True).order_by("id").first()
    )
    return admin, restricted


# --- measuring ours ---------------------------------------------------------------------------


def _browser(member) -> HttpClient:
    browser = HttpClient()
    browser.force_login(member.user, backend="django.contrib.auth.backends.ModelBackend")
    return browser


def _time_get(browser, url, params, runs) -> tuple[Timing, int, bool]:
    """(timing, HTML bytes, slow): a page slower than SLOW_SECONDS is measured SLOW_RUNS times."""
    started = time.perf_counter()
    response = browser.get(url, params)
    assert response.status_code == 200, (url, params, response.status_code)
    slow = time.perf_counter() - started > SLOW_SECONDS
    if slow:
        runs = min(runs, SLOW_RUNS)
    else:
        for _ in range(WARMUP - 1):
            response = browser.get(url, params)
            assert response.status_code == 200, (url, params, response.status_code)
    samples = []
    size = 0
    for _ in range(runs):
        started = time.perf_counter()
        response = browser.get(url, params)
        samples.append(time.perf_counter() - started)
        size = len(response.content)
    return Timing(samples), size, slow


MAIN_TABLE = {"clients": "clients_client", "orders": "clients_paymentorder"}


def _is_main(sql: str, page: str = "clients") -> bool:
    """The page's rows: the ordered, limited SELECT over its table (not the count)."""
    head = sql.lstrip()[:7].upper()
    return (
        head == "SELECT "
        and f'FROM "{MAIN_TABLE[page]}"' in sql
        and " LIMIT " in sql
        and "ORDER BY" in sql
        and "COUNT(" not in sql.upper()[:200]
    )


def _capture(browser, url, params) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = browser.get(url, params)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def _replay(conn, statements: list[str]) -> None:
    """One page's statements in one transaction, in the page's order.

    The tray bounds its count with a transaction-local `statement_timeout`
    (the captured `set_config(…, true)` is replayed before it), falling back to
    the estimate when the count runs out of time: a cancelled count is
    rolled back to a savepoint and the replay goes on, as the page does.
    """
    if len(statements) == 1:  # the main SQL alone: no transaction round trips around it
        conn.execute(statements[0].replace("%", "%%")).fetchall()
        return
    with conn.transaction():
        budget = False  # a count budget is set and its savepoint open
        for sql in statements:
            sql = sql.replace("%", "%%")
            if "set_config('statement_timeout'" in sql:
                # The page's count budget: set after a savepoint, so that rolling the
                # savepoint back (count cancelled) or resetting it (count done) ends it.
                conn.execute("SAVEPOINT bounded_count")
                conn.execute(sql).fetchall()
                budget = True
            elif budget and sql.lstrip().upper().startswith("SELECT COUNT(*) FROM (SELECT"):
                budget = False
                try:
                    conn.execute(sql).fetchall()
                    # A count that ends right at the budget may see the cancel land on
                    # the next statement: the page's atomic block catches it the same way.
                    conn.execute("SET LOCAL statement_timeout = 0")
                    conn.execute("RELEASE SAVEPOINT bounded_count")
                except psycopg.errors.QueryCanceled:
                    conn.execute("ROLLBACK TO SAVEPOINT bounded_count")
            else:
                conn.execute(sql).fetchall()


def _time_raw(statements: list[str], runs: int) -> Timing:
    """The statements run back to back over one psycopg connection, as the database sees them."""
    with raw_connect(autocommit=True) as conn:
        for _ in range(WARMUP):
            _replay(conn, statements)
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            _replay(conn, statements)
            samples.append(time.perf_counter() - started)
    return Timing(samples)


def _explain(sql: str) -> str:
    with raw_connect(autocommit=True) as conn:
        rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql.replace("%", "%%")).fetchall()
    return "\n".join(row[0] for row in rows)


def _matching(member, params, page: str = "clients") -> int:
    from clients.lists import client_list

    clean = {k: v for k, v in params.items() if k not in ("pagina", "por_pagina")}
    if page == "orders":
        try:
            from clients.order_lists import PAYMENT_ORDERS
        except ImportError:  # Órdenes de pago before the list kernel
            from clients.forms import PaymentOrderFilterForm
            from clients.selectors import payment_order_base_queryset
            from clients.situation import project_today
            from clients.views.payment_orders import _apply_filters

            form = PaymentOrderFilterForm(clean or None)
            form.is_valid()
            qs = payment_order_base_queryset(member=member)
            return _apply_filters(qs, form.filters(), project_today(member.project)).count()
        from django.http import QueryDict
        from moonflow.lists.listing import list_query

        params = QueryDict(mutable=True)
        for key, value in clean.items():
            params[key] = str(value)
        return list_query(PAYMENT_ORDERS, member=member, params=params).queryset.count()
    return client_list(member=member, params=clean).count()


def measure_case(case: Case, *, urls, browsers, members, runs, matching=None) -> Result:
    browser = browsers["restricted" if case.as_restricted else "admin"]
    member = members["restricted" if case.as_restricted else "admin"]
    url = urls[case.page]
    timing, size, slow = _time_get(browser, url, case.params, runs)
    statements = _capture(browser, url, case.params)
    main = next((s for s in statements if _is_main(s, case.page)), "")
    if matching is None:
        matching = _matching(member, case.params, case.page)
    result = Result(
        case=case, timing=timing, queries=len(statements), rows=matching,
        html_kb=size / 1024, main_sql=main, all_sql=statements, slow=slow,
    )
    if not case.detail and result.ok:
        return result
    replay_runs = SLOW_RUNS if slow else runs
    if main and case.detail:
        result.raw_main = _time_raw([main], replay_runs)
    # Session, user and member lookups included: everything the page asks of the database.
    result.raw_all = _time_raw([s for s in statements if s.lstrip().upper().startswith(
        ("SELECT", "WITH", "EXPLAIN"))], replay_runs)
    if not result.ok and result.db_bound and case.detail:
        result.explain = _explain_page(case, statements, main)
    return result


def _explain_page(case: Case, statements: list[str], main: str) -> list[str]:
    slow = [main] + [
        s for s in statements
        if s is not main and MAIN_TABLE[case.page] in s
        and not s.lstrip().startswith("EXPLAIN")
    ]
    return [f"{sql}\n\n{_explain(sql)}" for sql in slow if sql]


# --- where a page's time goes -----------------------------------------------------------------

PROFILE_REQUESTS = 20
# (label, file suffix, function): cumulative CPU time of these, per request.
PROFILE_PARTS = [
    ("SQL: Django compiling the queries (`SQLCompiler.as_sql`)",
     "django/db/models/sql/compiler.py", "as_sql"),
    ("SQL: sending them and reading the results (cursor `execute`)",
     "django/db/backends/utils.py", "_execute"),
    ("session and user lookups (`django.contrib.auth.get_user`)",
     "django/contrib/auth/__init__.py", "get_user"),
    ("`ProjectMiddleware.process_view` (the user's memberships, the member)",
     "moonflow/tenancy/middleware.py", "process_view"),
    ("`build_list` of the clients list (filters, keyset page, total, rows; their SQL included)",
     "moonflow/lists/listing.py", "build_list"),
    ("… of which the FilterSet (`ClientList.filterset`: adviser, supervisor, segment choices)",
     "clients/lists.py", "filterset"),
    ("… of which the rows drawn (`clients.tray.client_rows`, the portfolio badges' query)",
     "clients/tray.py", "client_rows"),
    ("`render()` of the page (templates; the header's unread count included)",
     "django/shortcuts.py", "render"),
]


def profile_page(browser, url, params) -> str:
    """cProfile over a few requests: the big parts and the hottest functions."""
    import cProfile
    import io
    import pstats

    for _ in range(WARMUP):
        browser.get(url, params)
    profiler = cProfile.Profile(time.process_time)  # CPU: waiting on PostgreSQL is not counted
    profiler.enable()
    for _ in range(PROFILE_REQUESTS):
        browser.get(url, params)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt / PROFILE_REQUESTS

    def cumulative(suffix, name):
        return sum(v[3] for (f, _l, fn), v in stats.stats.items()
                   if f.endswith(suffix) and fn == name) / PROFILE_REQUESTS

    rows = [["whole request (CPU time, under the profiler)", ms(total), "100%"]]
    for label, suffix, name in PROFILE_PARTS:
        value = cumulative(suffix, name)
        rows.append([label, ms(value), f"{value / total:.0%}"])
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
    hot = []
    for line in out.getvalue().splitlines():
        parts = line.split(None, 5)
        if len(parts) == 6 and parts[0][0].isdigit() and ":" in parts[5]:
            where = parts[5].replace(str(report.ROOT) + "/", "")
            where = where.split("site-packages/", 1)[-1].split("lib/python3.11/", 1)[-1]
            hot.append([f"`{where}`", parts[0],
                        ms(float(parts[1]) / PROFILE_REQUESTS)])
    return "\n\n".join([
        report.table(["part", "ms per request", "share"], rows),
        "Hottest functions by own CPU time (per request):",
        report.table(["function", "calls (all requests)", "own ms per request"], hot),
    ])


# --- under load: a real server ---------------------------------------------------------------
#
# gunicorn with two sync workers (one per core of the benchmark machine) on
# the bench settings, driven by Python threads that each play one user: a new
# HTTP connection per page (a sync worker closes every connection after its
# response), the admin's session cookie and the CSRF cookie a browser sends
# back. Each level sends a bounded number of requests; pages/s is the pages
# served whole (HTTP 200 with the table) over the wall time of the level.

LOAD_USERS = (1, 10, 50)
LOAD_REQUESTS_PER_USER = 10
LOAD_MIN_REQUESTS = 100
LOAD_WARMUP = 20  # requests per page before the levels (every worker loads, connects, compiles)
LOAD_TARGET = 100.0  # pages/s
LOAD_TARGET_USERS = (10, 50)  # the levels the target applies to (one user is latency-bound)
GUNICORN_WORKERS = 2
REQUEST_TIMEOUT = 60  # seconds
PAGE_MARKER = b'id="tray-table"'
ACCEPT_LANGUAGE = "es-CO,es;q=0.9,en;q=0.8"  # what a browser in the product's market sends
APPLICATION_NAME = "moonflow-bench-load"  # PostgreSQL's name for the server's connections
NEXT_LINK = re.compile(r'<a class="page-link" rel="next" href="([^"]+)"')
CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass
class LoadPage:
    key: str
    label: str
    path: str  # path and query string, as a browser asks for it


@dataclass
class LoadLevel:
    page: LoadPage
    users: int
    requests: int
    errors: int
    seconds: float  # wall time, first request sent to last response read
    timing: Timing | None  # latency of the pages served, connect to last byte
    server_cpu: float  # CPU seconds of gunicorn (workers and master) during the level
    database_cpu: float | None  # of the PostgreSQL backends serving gunicorn (None: not local)
    driver_cpu: float  # CPU seconds of this process (the users' threads) during the level
    load: str  # load average when the level started
    first_error: str = ""

    @property
    def served(self) -> int:
        return self.requests - self.errors

    @property
    def pages_per_second(self) -> float:
        return self.served / self.seconds if self.seconds else 0.0

    def per_page(self, seconds: float | None) -> float | None:
        return None if seconds is None else seconds / max(self.served, 1)

    @property
    def capacity(self) -> float | None:
        """Pages/s the machine's cores could serve at this level's CPU per page (server + database)."""
        if self.database_cpu is None:
            return None
        cpu = self.per_page(self.server_cpu) + self.per_page(self.database_cpu)
        return (os.cpu_count() or 1) / cpu if cpu else None

    @property
    def targeted(self) -> bool:
        return self.users in LOAD_TARGET_USERS

    @property
    def ok(self) -> bool:
        return self.errors == 0 and self.pages_per_second >= LOAD_TARGET


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _proc_stat(pid: int | str) -> list[str]:
    """/proc/<pid>/stat after the command name (its third field first)."""
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of one process, from /proc (0 when it is gone)."""
    try:
        fields = _proc_stat(pid)
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            parent = int(_proc_stat(entry)[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid:
            found.append(int(entry))
    return found


class Server:
    """gunicorn serving the product on the bench settings, on a free local port."""

    def __init__(self, *, workers: int = GUNICORN_WORKERS, root=report.ROOT,
                 settings_module: str = "bench.settings"):
        self.port = _free_port()
        self.root = root
        self.workers = workers
        self.settings_module = settings_module
        self.process: subprocess.Popen | None = None
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (read when gunicorn fails)

    @property
    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "gunicorn", "moonflow.wsgi:application",
            "--workers", str(self.workers), "--worker-class", "sync",
            "--bind", f"127.0.0.1:{self.port}", "--timeout", str(REQUEST_TIMEOUT),
            "--log-level", "warning",
        ]

    @property
    def shown_command(self) -> str:
        return (f"DJANGO_SETTINGS_MODULE={self.settings_module} DEBUG=0 gunicorn "
                f"moonflow.wsgi:application --workers {self.workers} --worker-class sync "
                f"--bind 127.0.0.1:<free port> --timeout {REQUEST_TIMEOUT} --log-level warning")

    def __enter__(self) -> Self:
        from django.conf import settings

        env = dict(os.environ, DJANGO_SETTINGS_MODULE=self.settings_module, DEBUG="0",
                   BENCH_DATABASE_NAME=settings.DATABASES["default"]["NAME"],
                   PGAPPNAME=APPLICATION_NAME, PYTHONWARNINGS="ignore")
        self.process = subprocess.Popen(self.command, cwd=self.root, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n{self.output()}")
            try:
                status, _body, _cookies = fetch(self.port, "/healthz", "")
                if status == 200 and len(self.worker_pids()) >= self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not answer in 60 s:\n{self.output()}")

    def __exit__(self, *exc) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # graceful: workers finish their request
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def worker_pids(self) -> list[int]:
        return _children(self.process.pid) if self.process else []

    def cpu_seconds(self) -> float:
        pids = [self.process.pid, *self.worker_pids()]
        return sum(_cpu_seconds(pid) for pid in pids)

    def database_backends(self) -> list[int]:
        """The PostgreSQL backends of the server's connections (named by PGAPPNAME)."""
        with raw_connect(autocommit=True) as conn:
            return [pid for (pid,) in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                [APPLICATION_NAME])]


class DatabaseCpu:
    """CPU of the server's PostgreSQL backends over a level, when PostgreSQL runs on this machine.

    Sampled a few times a second: a connection closed during the level (CONN_MAX_AGE)
    keeps the CPU it had when last seen.
    """

    INTERVAL = 0.25

    def __init__(self, server: Server):
        self.server = server
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.local = True
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample_until_stopped, daemon=True)

    def _sample(self) -> None:
        for pid in self.server.database_backends():
            if not os.path.exists(f"/proc/{pid}/stat"):
                self.local = False
                continue
            seconds = _cpu_seconds(pid)
            self.first.setdefault(pid, seconds)
            self.last[pid] = max(seconds, self.last.get(pid, 0.0))

    def _sample_until_stopped(self) -> None:
        while not self._stop.wait(self.INTERVAL):
            self._sample()

    def __enter__(self) -> Self:
        self._sample()
        self.started = set(self.first)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    @property
    def seconds(self) -> float | None:
        if not self.local or not self.last:
            return None
        return sum(last - (self.first[pid] if pid in self.started else 0.0)
                   for pid, last in self.last.items())


def fetch(port: int, path: str, cookie: str) -> tuple[int, bytes, SimpleCookie]:
    """One GET over a new connection: status, body and the cookies the response set."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        headers = {"Accept": "text/html", "Accept-Encoding": "identity",
                   "Accept-Language": ACCEPT_LANGUAGE}
        if cookie:
            headers["Cookie"] = cookie
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        cookies = SimpleCookie()
        for header in response.msg.get_all("Set-Cookie") or ():
            cookies.load(header)
        return response.status, body, cookies
    finally:
        conn.close()


def _session_cookie(member) -> str:
    """The admin's session, made by Django's session engine (as a login would)."""
    from django.conf import settings

    browser = _browser(member)
    return f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"


def drive(server: Server, path: str, cookie: str, *, users: int, requests: int,
          page: LoadPage | None = None) -> LoadLevel:
    """`users` threads share `requests` GETs of `path`, each as soon as its previous page is read."""
    tickets = iter(range(requests))
    lock = threading.Lock()
    samples: list[float] = []
    errors: list[str] = []
    start = threading.Barrier(users + 1)

    def user():
        start.wait()
        while True:
            with lock:
                if next(tickets, None) is None:
                    return
            began = time.perf_counter()
            try:
                status, body, _cookies = fetch(server.port, path, cookie)
                error = "" if status == 200 and PAGE_MARKER in body else f"HTTP {status}"
            except (OSError, http.client.HTTPException) as exc:
                error = f"{type(exc).__name__}: {exc}"
            elapsed = time.perf_counter() - began
            (errors.append(error) if error else samples.append(elapsed))

    threads = [threading.Thread(target=user, daemon=True) for _ in range(users)]
    for thread in threads:
        thread.start()
    load = report.load_average()
    with DatabaseCpu(server) as database:
        server_cpu, driver_cpu = server.cpu_seconds(), time.process_time()
        start.wait()
        began = time.perf_counter()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - began
        server_cpu = server.cpu_seconds() - server_cpu
        driver_cpu = time.process_time() - driver_cpu
    return LoadLevel(
        page=page or LoadPage(path, path, path), users=users, requests=requests,
        errors=len(errors), seconds=seconds, timing=Timing(samples) if samples else None,
        server_cpu=server_cpu, database_cpu=database.seconds, driver_cpu=driver_cpu,
        load=load, first_error=errors[0] if errors else "",
    )


def load_pages(server: Server, url: str, cookie: str) -> tuple[list[LoadPage], str]:
    """The first page, a filtered one and page 2 by the first page's own "Siguiente" link.

    Returns the pages and the cookie header to send (the session, and the CSRF
    cookie the first response set, as a browser would send it back).
    """
    status, body, cookies = fetch(server.port, url, cookie)
    if status != 200 or PAGE_MARKER not in body:
        raise RuntimeError(f"the tray answered {status} to the load test's first request")
    csrf = cookies.get("csrftoken")
    if csrf is not None:
        cookie = f"{cookie}; csrftoken={csrf.value}"
    following = NEXT_LINK.search(body.decode())
    if following is None:
        raise RuntimeError("the tray's first page has no «Siguiente» link")
    pages = [
        LoadPage("first", "First page, no filter", url),
        LoadPage("filtered", "Filtered: Situación: Mora más de 90 días", f"{url}?situacion=50"),
        LoadPage("next", "Page 2 (the first page's «Siguiente» link)",
                 html.unescape(following.group(1))),
    ]
    return pages, cookie


def level_requests(users: int) -> int:
    return max(LOAD_MIN_REQUESTS, users * LOAD_REQUESTS_PER_USER)


def _cpu_ms(level: LoadLevel, seconds: float | None) -> str:
    value = level.per_page(seconds)
    return "—" if value is None else ms(value)


def measure_load(member, url: str, *, root=report.ROOT, users=LOAD_USERS,
                 log=say) -> tuple[list[LoadLevel], Server]:
    """Every page at every level of users, against one gunicorn started for the purpose."""
    cookie = _session_cookie(member)
    levels = []
    with Server(root=root) as server:
        pages, cookie = load_pages(server, url, cookie)
        for page in pages:
            drive(server, page.path, cookie, users=min(4, LOAD_WARMUP), requests=LOAD_WARMUP)
        for page in pages:
            for n in users:
                level = drive(server, page.path, cookie, users=n, requests=level_requests(n),
                              page=page)
                levels.append(level)
                timing = level.timing
                log(f"  {page.key}, {n} users: {level.pages_per_second:.1f} pages/s, median "
                    f"{ms(timing.median) if timing else '—'} ms, p95 "
                    f"{ms(timing.p95) if timing else '—'} ms, {level.errors} errors; CPU per "
                    f"page: server {_cpu_ms(level, level.server_cpu)} ms, database "
                    f"{_cpu_ms(level, level.database_cpu)} ms; load {level.load}"
                    + (f"  ({level.first_error})" if level.first_error else ""))
    return levels, server


def _load_section(levels: list[LoadLevel], server: Server) -> str:
    cores = os.cpu_count() or 1
    rows = []
    for level in levels:
        timing = level.timing
        rows.append([
            level.page.label,
            level.users,
            level.requests,
            level.errors if not level.errors else f"**{level.errors}**",
            f"{level.pages_per_second:,.1f}",
            ms(timing.median) if timing else "—",
            ms(timing.p95) if timing else "—",
            _cpu_ms(level, level.server_cpu),
            _cpu_ms(level, level.database_cpu),
            _cpu_ms(level, level.driver_cpu),
            f"{level.capacity:,.0f}" if level.capacity else "—",
            level.load,
            ("yes" if level.ok else "**NO**") if level.targeted else "—",
        ])
    targeted = [level for level in levels if level.targeted]
    worst = min(targeted, key=lambda level: level.pages_per_second) if targeted else None
    verdict = (
        f"Target ≥ {LOAD_TARGET:.0f} pages/s under {' and '.join(map(str, LOAD_TARGET_USERS))} "
        f"users: **{'met' if all(level.ok for level in targeted) else 'NOT met'}** in this run "
        f"(lowest: {worst.page.label}, {worst.users} users, {worst.pages_per_second:,.1f} "
        f"pages/s, load average {worst.load} as it started)."
        if worst else ""
    )
    first_errors = [f"{level.page.label}, {level.users} users: {level.first_error}"
                    for level in levels if level.first_error]
    parts = [
        "### Under load: a real server",
        f"`{server.shown_command}` against `moonflow_bench`, started by the benchmark; "
        f"{len(LOAD_USERS)} levels of concurrent users ({', '.join(map(str, LOAD_USERS))}), "
        f"each a Python thread with `http.client` that asks for its next page as soon as it "
        f"has read the previous one, over a new connection each time (a sync worker closes "
        f"every connection), with the admin's session cookie (Django's session engine), the "
        f"CSRF cookie the first response set and a browser's `Accept-Language`. Page 2 is the "
        f"first page's own «Siguiente» link. {LOAD_WARMUP} warm-up requests per page, then "
        f"max({LOAD_MIN_REQUESTS}, {LOAD_REQUESTS_PER_USER} × users) requests per level. "
        f"Pages/s counts the pages served whole (HTTP 200 with the table) over the level's "
        f"wall time; latency runs from connect to the last byte (waiting in the listen "
        f"backlog included). CPU per page served (user + system): gunicorn's workers and "
        f"master (server), the PostgreSQL backends of its connections (database; read from "
        f"/proc, so only when PostgreSQL runs on this machine) and the users' threads "
        f"(driver), which all share the {cores} cores with whatever else runs. The capacity "
        f"column is what the {cores} cores would serve at that server + database CPU per page "
        f"with nothing else running: an estimate that does not move with the other work on "
        f"the machine, unlike pages/s. The load average is read as each level starts.",
        report.table(
            ["page", "users", "requests", "errors", "pages/s", "median ms", "p95 ms",
             "server CPU ms/page", "database CPU ms/page", "driver CPU ms/page",
             f"capacity of {cores} cores, pages/s", "load average at start",
             f"≥ {LOAD_TARGET:.0f} pages/s"],
            rows,
        ),
        verdict,
    ]
    if first_errors:
        parts.append("First error of each level with errors: " + "; ".join(first_errors) + ".")
    return "\n\n".join(p for p in parts if p)


# --- the usual Django way ---------------------------------------------------------------------

USUAL_TEMPLATE = """{% extends "base.html" %}{% load i18n %}
{% block title %}Clientes{% endblock %}
{% block content %}
<h1 class="h4">Clientes</h1>
<p>{{ paginator.count }} clientes</p>
<table class="table table-sm">
<thead><tr><th>Nombre</th><th>Documento</th><th>Correo electrónico</th><th>Teléfono</th>
<th>Segmento</th><th>Estado</th><th>Situación</th><th>Asesor asignado</th><th>Saldo</th></tr></thead>
<tbody>{% for c in object_list %}<tr><td>{{ c.name }}</td><td>{{ c.document_type }} {{ c.document_number }}</td>
<td>{{ c.email }}</td><td>{{ c.phone }}</td><td>{{ c.segment|default:"—" }}</td>
<td>{{ c.get_status_display }}</td><td>{{ c.get_situation_display }}</td>
<td>{{ c.adviser|default:"—" }}</td><td>{{ c.balance }}</td></tr>{% endfor %}</tbody>
</table>
<nav>{% if page_obj.has_previous %}<a href="?page={{ page_obj.previous_page_number }}">Anterior</a>{% endif %}
Página {{ page_obj.number }} de {{ paginator.num_pages }}
{% if page_obj.has_next %}<a href="?page={{ page_obj.next_page_number }}">Siguiente</a>{% endif %}</nav>
{% endblock %}"""


class UsualClientListView(ListView):
    """What `ListView` + `paginate_by` gives out of the box: OFFSET pages, exact COUNT(*)."""

    paginate_by = 25

    def get_queryset(self):
        from clients.selectors import client_base_queryset

        return (
            client_base_queryset(member=self.request.member)
            .select_related("segment", "adviser__user")
            .order_by("name", "id")
        )

    _template = None

    def get_template_names(self):
        # A compiled template object, as the cached template loader would hand out.
        from django.template import engines

        if UsualClientListView._template is None:
            UsualClientListView._template = engines["django"].from_string(USUAL_TEMPLATE)
        return UsualClientListView._template

    def get_context_data(self, **kwargs):
        return super().get_context_data(section="clients", **kwargs)


def _usual_request(member, page):
    request = RequestFactory().get("/bench/usual-clients/", {"page": page} if page else {})
    request.user = member.user
    request.member = member
    request.project = member.project
    request.session = {}
    return request


def _usual_once(view, member, page):
    response = view(_usual_request(member, page))
    response.render()
    assert response.status_code == 200
    return response


def measure_usual(member, page, runs) -> tuple[Timing, int]:
    view = UsualClientListView.as_view()
    for _ in range(WARMUP):
        _usual_once(view, member, page)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        _usual_once(view, member, page)
        samples.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as captured:
        _usual_once(view, member, page)
    return Timing(samples), len(captured.captured_queries)


# --- the run ----------------------------------------------------------------------------------


def run(data: Dataset, *, runs: int):
    facts = report.machine_facts()
    admin, restricted = _members(data.project_id)
    members = {"admin": admin, "restricted": restricted}
    browsers = {"admin": _browser(admin), "restricted": _browser(restricted)}
    url = reverse("clients:list", kwargs={"project": data.project_slug})
    urls = {"clients": url,
            "orders": reverse("clients:payment_orders", kwargs={"project": data.project_slug})}
    from .dataset import ensure_search_fixtures

    added = ensure_search_fixtures(data.project_id)
    if added:
        say(f"added {added} clients with rare first names (the «rare word» searches)")
    with raw_connect(autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE clients_client")
        conn.execute("VACUUM ANALYZE clients_paymentorder")
        if conn.execute("SELECT to_regclass('clients_clientsearchterm')").fetchone()[0]:
            conn.execute("VACUUM ANALYZE clients_clientsearchterm")

    results = []
    counted: dict[tuple, int] = {}  # a grid's rows share their matching rows across sorts
    for case in build_cases(data.project_id):
        say(f"ours: {case.label} …")
        key = (case.page, case.as_restricted,
               tuple(sorted((k, str(v)) for k, v in case.params.items() if k != "orden")))
        result = measure_case(case, urls=urls, browsers=browsers, members=members, runs=runs,
                              matching=counted.get(key))
        counted[key] = result.rows
        results.append(result)
        say(f"  median {ms(result.timing.median)} ms, p95 {ms(result.timing.p95)} ms, "
            f"{result.queries} queries, {num(result.rows)} rows; raw main SQL "
            f"{ms(result.raw_main.median) if result.raw_main else '—'} ms"
            f"{' (slow: ' + str(SLOW_RUNS) + ' runs)' if result.slow else ''}"
            f"{'' if result.ok else '  ← TARGET MISSED'}")

    worst = sorted((r for r in results if r.case.grid and not r.ok and r.db_bound),
                   key=lambda r: r.timing.median, reverse=True)[:EXPLAINED_MISSES]
    for r in worst:
        say(f"explaining {r.case.label} …")
        r.explain = _explain_page(r.case, r.all_sql, r.main_sql)

    sizes = {}
    for size in (25, 100):
        statements = _capture(browsers["admin"], url, {"por_pagina": size})
        sizes[size] = len(statements)
    say(f"queries per page: {sizes[25]} at 25 rows, {sizes[100]} at 100 rows")
    search_sizes = {}
    for size in (25, 100):
        statements = _capture(browsers["admin"], url, {"por_pagina": size, "q": "juan"})
        search_sizes[size] = len(statements)
    say(f"queries per search page: {search_sizes[25]} at 25 rows, {search_sizes[100]} at 100 rows")

    say("profiling the no-filter page …")
    profile = profile_page(browsers["admin"], url, {})

    say(f"under load: gunicorn, {GUNICORN_WORKERS} sync workers, "
        f"{', '.join(map(str, LOAD_USERS))} users …")
    load, server = measure_load(admin, url)

    total = admin and _count_visible(admin)
    last_page = max(1, -(-total // 25))
    deep_pages = {"first": 1, "page 2,000": min(2000, last_page), "last": last_page}
    usual = {}
    for name, page in deep_pages.items():
        say(f"Django way: ListView page {num(page)} …")
        usual[name] = measure_usual(admin, page, runs)
        say(f"  median {ms(usual[name][0].median)} ms, p95 {ms(usual[name][0].p95)} ms, "
            f"{usual[name][1]} queries")

    by_key = {r.case.key: r for r in results}
    for r in results:
        if r.case.compare_with:
            u = usual[r.case.compare_with][0]
            say(f"ratio ours/Django ({r.case.label}): {ratio(r.timing.median, u.median)}")
    for r in results:
        if r.raw_main:
            say(f"ratio ours/raw main SQL ({r.case.key}): {ratio(r.timing.median, r.raw_main.median)}")

    return report.write_section(
        "tray",
        _section(facts, data, runs, results, sizes, search_sizes, usual, deep_pages, by_key,
                 profile) + "\n\n" + _load_section(load, server),
    )


def _count_visible(member) -> int:
    from clients.selectors import client_base_queryset

    return client_base_queryset(member=member).count()


def _cell(r: Result) -> str:
    text = f"{ms(r.timing.median)} / {ms(r.timing.p95)}"
    if r.slow:
        text += f" (n={r.timing.runs})"
    return text if r.ok else f"**{text}**"


def _grid(results: list[Result], grid: str) -> str:
    """Rows: the grid's searches or filters; columns: the sorts. Cells: median / p95 ms."""
    cases = [r for r in results if r.case.grid == grid]
    rows = list(dict.fromkeys(r.case.row for r in cases))
    sorts = list(dict.fromkeys(r.case.sort for r in cases))
    by = {(r.case.row, r.case.sort): r for r in cases}
    matching = {r.case.row: r.rows for r in cases}
    table_rows = []
    for sort in sorts:
        table_rows.append([f"`{sort}`", *(_cell(by[(row, sort)]) for row in rows)])
    met = sum(1 for r in cases if r.ok)
    worst = max(cases, key=lambda r: r.timing.p95)
    legend = "; ".join(f"**{i}** {row} ({num(matching[row])} rows)"
                       for i, row in enumerate(rows, start=1))
    return "\n\n".join([
        legend,
        report.table(["sort", *(str(i) for i in range(1, len(rows) + 1))], table_rows),
        f"Within the targets: {met} of {len(cases)}. Slowest: {worst.case.label}, median "
        f"{ms(worst.timing.median)} ms, p95 {ms(worst.timing.p95)} ms.",
    ])


def _section(facts, data, runs, results, sizes, search_sizes, usual, deep_pages, by_key,
             profile) -> str:
    missed = [r for r in results if not r.ok]
    rows = []
    for r in results:
        if r.case.grid:
            continue
        rows.append([
            r.case.label,
            ms(r.timing.median),
            ms(r.timing.p95),
            "yes" if r.ok else "**NO**",
            r.queries,
            num(r.rows),
            ms(r.raw_main.median) if r.raw_main else "—",
            ratio(r.timing.median, r.raw_main.median) if r.raw_main else "—",
            ms(r.raw_all.median) if r.raw_all else "—",
            f"{r.html_kb:,.0f}",
        ])
    usual_rows = []
    for name, page in deep_pages.items():
        timing, queries = usual[name]
        ours = by_key["none"] if name == "first" else by_key["last"] if name == "last" else None
        usual_rows.append([
            f"page {num(page)} ({name})",
            ms(timing.median),
            ms(timing.p95),
            queries,
            f"{ours.case.label}: {ms(ours.timing.median)}" if ours else "— (keyset pages cost the "
            "same at any depth)",
            ratio(ours.timing.median, timing.median) if ours else "—",
        ])
    parts = [
        "## bench-tray: the clients tray's pages (full HTML, server time)",
        report.run_header(report.command_line(), facts),
        f"Project `{data.project_slug}` ({num(data.clients)} clients), as its admin unless "
        f"said. Django's test Client in-process against `moonflow_bench` (all middleware, "
        f"session and member lookups, the whole page rendered), {WARMUP} warm-up requests then "
        f"{runs} timed ones per case. Page size 25 (the Órdenes de pago page: 50, over the "
        f"project's {num(data.payment_orders)} payment orders). Targets: median ≤ {TARGET_MEDIAN * 1000:.0f} "
        f"ms and p95 ≤ {TARGET_P95 * 1000:.0f} ms per case.",
        report.table(
            ["case", "median ms", "p95 ms", "target met", "queries", "matching rows",
             "raw main SQL ms", "ours / raw main SQL", "raw, every SQL of the page ms",
             "HTML KiB"],
            rows,
        ),
        f"**Queries per page**: {sizes[25]} at 25 rows per page, {sizes[100]} at 100 rows per "
        f"page ({'equal' if sizes[25] == sizes[100] else '**NOT EQUAL**'}); searching «juan»: "
        f"{search_sizes[25]} and {search_sizes[100]} "
        f"({'equal' if search_sizes[25] == search_sizes[100] else '**NOT EQUAL**'}).",
        "### Searches × sorts",
        "The first page of each kind of search people type (the default sort first), under "
        "every sortable column; cells are median / p95 ms, in bold when a target is missed, "
        f"with n= when the page took over {SLOW_SECONDS:.0f} s and was measured "
        f"{SLOW_RUNS} times only. How a search page is read (clients/search.py): one "
        "statement counts the matching terms (bounded); few matches are read by id and "
        "sorted; the name order comes from the terms index itself; any other order is walked "
        "along its index testing rows against the matches (hashed ids, or the row's own words "
        "when the matches are dense), group by group for segment, adviser and the choice "
        "columns, within the names the matches span.",
        _grid(results, "search"),
        "### One filter × sorts",
        _grid(results, "filter"),
        "### Filter combinations × sorts",
        "The combinations of the seed's filters a coordinator uses most.",
        _grid(results, "combo"),
        _bound_line(results),
        _variable_sorts_line(results),
        "### The usual Django way",
        "A default `ListView` with `paginate_by = 25` (Django's Paginator: OFFSET pages and an "
        "exact `COUNT(*)`) over `client_base_queryset` of the same admin, with "
        "`select_related('segment', 'adviser__user')`, rendering a plain table in base.html. "
        "Defined in `bench/tray.py` only, called through RequestFactory (no middleware, so "
        "it is spared the session and member lookups ours pays for).",
        report.table(
            ["Django ListView", "median ms", "p95 ms", "queries", "ours, median ms",
             "ours / Django"],
            usual_rows,
        ),
        "### The raw PostgreSQL limit",
        "“raw main SQL” is the tray's own query for the page's rows (captured from a "
        "rendering, executed directly with psycopg over one connection, same number of runs); "
        "“raw, every SQL of the page” runs every read statement of the page back to back "
        "the same way: the database's share of the page, the rest is Python (filters, "
        "template, middleware).",
    ]
    parts += [
        "### Where the time of a page goes",
        f"The no-filter page under cProfile ({PROFILE_REQUESTS} requests; the profiler slows "
        "Python down, so read the shares, not the milliseconds).",
        profile,
    ]
    if missed:
        parts.append("### Targets missed")
        grid_missed = [r for r in missed if r.case.grid]
        if grid_missed:
            parts.append(report.table(
                ["grid case", "median ms", "p95 ms", "database's share, median ms", "waits on"],
                [[r.case.label, ms(r.timing.median), ms(r.timing.p95),
                  ms(r.raw_all.median) if r.raw_all else "—",
                  "PostgreSQL" if r.db_bound else "Python"]
                 for r in sorted(grid_missed, key=lambda r: -r.timing.median)],
            ))
        for r in missed:
            if r.case.grid and not r.explain:
                continue
            over = []
            if r.timing.median > TARGET_MEDIAN:
                over.append(f"median {ms(r.timing.median)} ms is "
                            f"{ms(r.timing.median - TARGET_MEDIAN)} ms over {TARGET_MEDIAN * 1000:.0f} ms")
            if r.timing.p95 > TARGET_P95:
                over.append(f"p95 {ms(r.timing.p95)} ms is "
                            f"{ms(r.timing.p95 - TARGET_P95)} ms over {TARGET_P95 * 1000:.0f} ms")
            share = (f" The database's share is {ms(r.raw_all.median)} ms "
                     f"({r.raw_all.median / r.timing.median:.0%})" if r.raw_all else "")
            cause = (
                ": the page waits on PostgreSQL; EXPLAIN (ANALYZE, BUFFERS) of its client "
                "queries below." if r.db_bound else
                ": the rest is Python (see where the time of a page goes above), so no plan "
                "is shown." if r.raw_all else "."
            )
            parts.append(f"**{r.case.label}** (`{_qs(r.case.params)}`): " + "; ".join(over)
                         + "." + share + cause)
            for plan in r.explain:
                parts.append("```\n" + plan + "\n```")
    else:
        parts.append("Every case met both targets.")
    return "\n\n".join(parts)


def _variable_sorts_line(results: list[Result]) -> str:
    """What a sort by a custom variable costs: no index holds a variable's order."""
    cases = [r for r in results if r.case.grid and r.case.sort.lstrip("-").startswith("var_")]
    if not cases:
        return ""
    missed = [r for r in cases if not r.ok]
    if not missed:
        return "Sorts by a custom variable met the targets in every grid."
    worst = max(missed, key=lambda r: r.timing.median)
    return (
        f"**Sorts by a custom variable** missed the targets in {len(missed)} of {len(cases)} "
        f"grid cases (worst: {worst.case.label}, median {ms(worst.timing.median)} ms). No "
        "index holds a variable's order (variables are per project, their values live in "
        "`extra`), so such a page reads every client the filters let through — with a "
        "search, every match instead. The bound is that read: it needs an expression index "
        "per variable, created with the variable."
    )


def _bound_line(results: list[Result]) -> str:
    over = [r for r in results if r.timing.p95 > NO_PAGE_ABOVE and r.case.page == "clients"]
    if not over:
        return (f"No clients page waited more than {NO_PAGE_ABOVE * 1000:.0f} ms (p95) in any "
                "case above.")
    listed = "; ".join(f"{r.case.label} ({ms(r.timing.p95)} ms)"
                       for r in sorted(over, key=lambda r: -r.timing.p95)[:20])
    more = f" and {len(over) - 20} more" if len(over) > 20 else ""
    return (f"**{len(over)} clients pages waited more than {NO_PAGE_ABOVE * 1000:.0f} ms "
            f"(p95)**: {listed}{more}.")


def _qs(params: dict) -> str:
    from urllib.parse import urlencode

    return "?" + urlencode(params) if params else "(no parameters)"
