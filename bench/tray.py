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
"""

import time
from dataclasses import dataclass, field

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
WARMUP = 3


@dataclass
class Case:
    key: str
    label: str
    params: dict
    as_restricted: bool = False
    compare_with: str | None = None  # the Django-way measurement this case lines up with
    page: str = "clients"  # "clients" (Clientes) or "orders" (Órdenes de pago)


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
    """One case per filter, on values a collections team actually picks."""
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

    cases = [
        Case("none", "No filter", {}, compare_with="first"),
        Case("estado", "Estado: Inactivo", {"estado": "inactivo"}),
        Case("tipo_cartera", "Tipo de cartera: Castigada", {"tipo_cartera": "castigada"}),
        Case("supervisor", f"Supervisor: {supervisor}", {"supervisor": supervisor.pk}),
        Case("asesor", f"Asesor: {adviser}", {"asesor": adviser.pk}),
        Case("situacion", "Situación: Mora más de 90 días", {"situacion": 50}),
        Case("alerta", "Alertas de contacto: No contactar", {"alerta": "do_not_contact"}),
        Case("contactabilidad", "Contactabilidad: No contactable",
             {"contactabilidad": "not_contactable"}),
        Case("segmento", f"Segmento: {segment}", {"segmento": segment.pk}),
        Case("reclamo", "Reclamos: Errores de facturación", {"reclamo": "billing"}),
    ]
    if choice_var is not None and choice_var.choices:
        value = str(choice_var.choices[0])
        cases.append(Case("var_choice", f"{choice_var.label} (variable): {value}",
                          {f"var_{choice_var.key}": value}))
    if number_var is not None:
        cases.append(Case("var_number", f"{number_var.label} (variable) ≥ 700",
                          {f"var_{number_var.key}_min": "700"}))
    cases += [
        Case("combo", "Asesor + Situación: Mora 1-30 días + Contactabilidad: Contactable",
             {"asesor": adviser.pk, "situacion": 20, "contactabilidad": "contactable"}),
        Case("search_name", f"Search, name early in the alphabet: «{early}»", {"q": early}),
        Case("search_name_late", f"Search, name late in the alphabet: «{late}»", {"q": late}),
        Case("search_document", f"Search, document number: «{sample['document_number']}»",
             {"q": sample["document_number"]}),
        Case("last_filtered", "Last page, Situación: Mora más de 90 días",
             {"situacion": 50, "pagina": "ultima"}),
        Case("last", "Last page, no filter", {"pagina": "ultima"}, compare_with="last"),
        Case("restricted", "Restricted adviser (asesor2, «Asignación de asesor»), no filter",
             {}, as_restricted=True),
        # Cuentas por cobrar → Órdenes de pago: the project's 5M payment orders.
        Case("orders", "Órdenes de pago: no filter", {}, page="orders"),
        Case("orders_overdue", "Órdenes de pago: Estado vencida", {"status": "vencida"},
             page="orders"),
        Case("orders_restricted", "Órdenes de pago: restricted adviser (asesor2)", {},
             as_restricted=True, page="orders"),
    ]
    return cases


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


def _time_get(browser, url, params, runs) -> tuple[Timing, int]:
    for _ in range(WARMUP):
        response = browser.get(url, params)
        assert response.status_code == 200, (url, params, response.status_code)
    samples = []
    size = 0
    for _ in range(runs):
        started = time.perf_counter()
        response = browser.get(url, params)
        samples.append(time.perf_counter() - started)
        size = len(response.content)
    return Timing(samples), size


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
        for sql in statements:
            sql = sql.replace("%", "%%")
            if "set_config('statement_timeout'" in sql:
                # The page's count budget: set after a savepoint, so that rolling the
                # savepoint back (count cancelled) or resetting it (count done) ends it.
                conn.execute("SAVEPOINT bounded_count")
                conn.execute(sql).fetchall()
            elif sql.lstrip().upper().startswith("SELECT COUNT(*) FROM (SELECT"):
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
        from clients.forms import PaymentOrderFilterForm
        from clients.selectors import payment_order_base_queryset
        from clients.situation import project_today
        from clients.views.payment_orders import _apply_filters

        form = PaymentOrderFilterForm(clean or None)
        form.is_valid()
        qs = payment_order_base_queryset(member=member)
        return _apply_filters(qs, form.filters(), project_today(member.project)).count()
    return client_list(member=member, params=clean).count()


def measure_case(case: Case, *, urls, browsers, members, runs) -> Result:
    browser = browsers["restricted" if case.as_restricted else "admin"]
    member = members["restricted" if case.as_restricted else "admin"]
    url = urls[case.page]
    timing, size = _time_get(browser, url, case.params, runs)
    statements = _capture(browser, url, case.params)
    main = next((s for s in statements if _is_main(s, case.page)), "")
    result = Result(
        case=case, timing=timing, queries=len(statements),
        rows=_matching(member, case.params, case.page),
        html_kb=size / 1024, main_sql=main, all_sql=statements,
    )
    if main:
        result.raw_main = _time_raw([main], runs)
    # Session, user and member lookups included: everything the page asks of the database.
    result.raw_all = _time_raw([s for s in statements if s.lstrip().upper().startswith(
        ("SELECT", "WITH", "EXPLAIN"))], runs)
    if not result.ok and result.db_bound:
        slow = [main] + [
            s for s in statements
            if s is not main and MAIN_TABLE[case.page] in s
            and not s.lstrip().startswith("EXPLAIN")
        ]
        result.explain = [f"{sql}\n\n{_explain(sql)}" for sql in slow if sql]
    return result


# --- where a page's time goes -----------------------------------------------------------------

PROFILE_REQUESTS = 20
# (label, file suffix, function): cumulative time of these, per request.
PROFILE_PARTS = [
    ("SQL round trips (Django cursor execute, all queries)", "django/db/backends/utils.py",
     "_execute"),
    ("`ProjectMiddleware.process_view` (member lookup)", "moonflow/tenancy/middleware.py",
     "process_view"),
    ("`clients.tray.build_tray` (filters, keyset page, count, rows; its SQL included)",
     "clients/tray.py", "build_tray"),
    ("`render()` of the page (templates; SQL run while rendering included)",
     "django/shortcuts.py", "render"),
]


def profile_page(browser, url, params) -> str:
    """cProfile over a few requests: the big parts and the hottest functions."""
    import cProfile
    import io
    import pstats

    for _ in range(WARMUP):
        browser.get(url, params)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(PROFILE_REQUESTS):
        browser.get(url, params)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt / PROFILE_REQUESTS

    def cumulative(suffix, name):
        return sum(v[3] for (f, _l, fn), v in stats.stats.items()
                   if f.endswith(suffix) and fn == name) / PROFILE_REQUESTS

    rows = [["whole request (under the profiler)", ms(total), "100%"]]
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
        "Hottest functions by own time (per request):",
        report.table(["function", "calls (all requests)", "own ms per request"], hot),
    ])


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
    with raw_connect(autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE clients_client")
        conn.execute("VACUUM ANALYZE clients_paymentorder")

    results = []
    for case in build_cases(data.project_id):
        say(f"ours: {case.label} …")
        result = measure_case(case, urls=urls, browsers=browsers, members=members, runs=runs)
        results.append(result)
        say(f"  median {ms(result.timing.median)} ms, p95 {ms(result.timing.p95)} ms, "
            f"{result.queries} queries, {num(result.rows)} rows; raw main SQL "
            f"{ms(result.raw_main.median) if result.raw_main else '—'} ms"
            f"{'' if result.ok else '  ← TARGET MISSED'}")

    sizes = {}
    for size in (25, 100):
        statements = _capture(browsers["admin"], url, {"por_pagina": size})
        sizes[size] = len(statements)
    say(f"queries per page: {sizes[25]} at 25 rows, {sizes[100]} at 100 rows")

    say("profiling the no-filter page …")
    profile = profile_page(browsers["admin"], url, {})

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
        _section(facts, data, runs, results, sizes, usual, deep_pages, by_key, profile),
    )


def _count_visible(member) -> int:
    from clients.selectors import client_base_queryset

    return client_base_queryset(member=member).count()


def _section(facts, data, runs, results, sizes, usual, deep_pages, by_key, profile) -> str:
    missed = [r for r in results if not r.ok]
    rows = []
    for r in results:
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
        f"page ({'equal' if sizes[25] == sizes[100] else '**NOT EQUAL**'}).",
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
        for r in missed:
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


def _qs(params: dict) -> str:
    from urllib.parse import urlencode

    return "?" + urlencode(params) if params else "(no parameters)"
