"""bench-audit: the Auditoría window (Carteras) and Ajustes → Auditoría over 10,000,000 events.

The big project of bench/dataset.py gets EVENTS audit events (two years, several
hundred actors, every resource type the product writes, labels and changes as the
services write them), and OTHER_PROJECTS other projects OTHER_EVENTS each; loaded
once, set-based (`INSERT … SELECT` over `generate_series`, in time order as an
append-only log is), and recorded in `bench_audit_dataset` so later runs reuse it.

Measured for each date preset (none, Hoy, Esta semana, Este mes, Este año):

- ours: the page through the real view (Django's test Client in-process: every
  middleware, the session and member lookups, the whole page rendered), as the
  project's admin: Ajustes → Auditoría (GET /p/<project>/ajustes/auditoria/) with no
  filter, with Evento (a common and a rare event), with Tipo de recurso, and with
  Buscar (a common user name, a resource's name, a search that finds nothing, a
  typo); and the Carteras window (GET /p/<project>/auditoria/carteras/, as the
  Carteras page's dialog asks for it) with the same kinds of filters;
- the usual Django way: a `ListView` with `paginate_by = 25` (OFFSET pages and an
  exact `COUNT(*)` through Django's Paginator) over the same events, Buscar as
  `icontains` on the actor's and the resource's label, through RequestFactory;
- the raw PostgreSQL limit: the page's main SQL (its rows) captured from a rendering
  and replayed with psycopg, and every SQL statement of the page back to back.

Target: median ≤ TARGET_MEDIAN per case, server time.
"""

import html
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection
from django.db.models import Q
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.views.generic import ListView

from psycopg.types.json import Jsonb

from . import report
from .dataset import Dataset, raw_connect
from .report import Timing, ms, num, ratio, say

EVENTS = 10_000_000
OTHER_PROJECTS = 4
OTHER_EVENTS = 250_000
BATCH = 500_000
ACTORS = 400
DAYS = 730
USER_PREFIX = "bench_audit_"
META_TABLE = "bench_audit_dataset"

TARGET_MEDIAN = 0.050
WARMUP = 3
SLOW_SECONDS = 1.0
SLOW_RUNS = 3
USUAL_RUNS = 5  # the Django way counts millions of rows per page: fewer runs

PRESETS = [("", "none"), ("hoy", "Hoy"), ("semana", "Esta semana"), ("mes", "Este mes"),
           ("anio", "Este año")]

# --- the dataset ------------------------------------------------------------------------------

FIRST = ["María", "José", "Juan", "Luis", "Carlos", "Ana", "Luz", "Jorge", "Andrés", "Diana",
         "Sandra", "Paola", "Camila", "Valentina", "Jhon", "Edwin", "Daniela", "Alejandro",
         "Natalia", "Sebastián", "Felipe", "Mónica", "Claudia", "Óscar", "Ricardo", "Patricia",
         "Jimena", "Hernán", "Gloria", "Esteban", "Lucía", "Martín", "Sofía", "Tomás", "Isabel",
         "Fernando", "Adriana", "Mauricio", "Catalina", "Iván"]
LAST = ["García", "Rodríguez", "Martínez", "López", "González", "Pérez", "Sánchez", "Ramírez",
        "Torres", "Flórez", "Gómez", "Díaz", "Vargas", "Rojas", "Moreno", "Jiménez", "Castro",
        "Ortiz", "Rubio", "Suárez", "Muñoz", "Herrera", "Medina", "Aguilar", "Cárdenas",
        "Ospina", "Quintero", "Valencia", "Restrepo", "Londoño", "Zapata", "Arango", "Mejía",
        "Salazar", "Cortés", "Peña", "Ríos", "Guerrero", "Mendoza", "Navarro"]
# Client first names, with a long tail: a rare one is a "resource name" search.
CLIENT_FIRST = FIRST + ["Yeferson", "Brayan", "Nayeli", "Yurany", "Deiby", "Ferney", "Yorladys"]
PORTFOLIOS = (
    [f"Cartera {zone} {n}" for zone in ("Norte", "Sur", "Centro", "Oriente", "Occidente")
     for n in range(1, 41)]
    + [f"Clientes VIP - {f} {l}" for f, l in zip(FIRST[:20], LAST[:20])]
    + [f"Recuperación {m}" for m in ("Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio",
                                      "Julio", "Agosto", "Septiembre", "Octubre", "Noviembre",
                                      "Diciembre")]
    + [f"Castigada {y}" for y in range(2015, 2025)]
)
TEAMS = ["Equipo Norte", "Equipo Sur", "Equipo Centro", "Equipo Empresas", "Equipo Castigada"]
SEGMENTS = ["Pyme", "Corporativo", "Personas", "Gobierno", "Premium", "Masivo"]
VARIABLES = ["Score de riesgo", "Canal preferido", "Fecha de corte", "Ciudad", "Producto"]

# Each event, from four random numbers per row (r1 actor, r2 type, r3 event, r4 label).
EVENT_SELECT = """
WITH g AS (
    SELECT i, random() AS r1, random() AS r2, random() AS r3, random() AS r4,
           random() AS r5,
           %(start)s::timestamptz + (i::float8 / %(n)s) * %(span)s::interval
             + (random() * 20) * interval '1 second' AS at
      FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS i
), t AS (
    SELECT g.*,
           CASE WHEN r2 < 0.45 THEN 'client' WHEN r2 < 0.65 THEN 'payment_order'
                WHEN r2 < 0.80 THEN 'portfolio' WHEN r2 < 0.86 THEN 'member'
                WHEN r2 < 0.875 THEN 'client_export' WHEN r2 < 0.882 THEN 'payment_order_export'
                WHEN r2 < 0.887 THEN 'interaction_export' WHEN r2 < 0.889 THEN 'audit_export'
                WHEN r2 < 0.899 THEN 'clients_import' WHEN r2 < 0.905 THEN 'payment_orders_import'
                WHEN r2 < 0.910 THEN 'interactions_import' WHEN r2 < 0.93 THEN 'team'
                WHEN r2 < 0.95 THEN 'segment' WHEN r2 < 0.97 THEN 'custom_variable'
                WHEN r2 < 0.9725 THEN 'project' ELSE 'client' END AS rt
      FROM g
)
SELECT %(project)s,
       a.id, coalesce(a.label, ''), coalesce(a.username, ''),
       CASE
         WHEN rt = 'client' THEN CASE WHEN r3 < 0.70 THEN 'updated' WHEN r3 < 0.80 THEN 'created'
              WHEN r3 < 0.88 THEN 'transferred' WHEN r3 < 0.95 THEN 'deleted' ELSE 'restored' END
         WHEN rt = 'payment_order' THEN CASE WHEN r3 < 0.70 THEN 'updated' ELSE 'created' END
         WHEN rt = 'portfolio' THEN CASE WHEN r3 < 0.50 THEN 'contact_added'
              WHEN r3 < 0.70 THEN 'contact_removed' WHEN r3 < 0.85 THEN 'updated'
              WHEN r3 < 0.93 THEN 'created' WHEN r3 < 0.97 THEN 'deactivated' ELSE 'activated' END
         WHEN rt = 'member' THEN CASE WHEN r3 < 0.60 THEN 'updated' WHEN r3 < 0.80 THEN 'created'
              WHEN r3 < 0.85 THEN 'activated' WHEN r3 < 0.95 THEN 'deactivated' ELSE 'invited' END
         WHEN rt LIKE '%%_export' THEN 'exported'
         WHEN rt LIKE '%%_import' THEN 'imported'
         ELSE CASE WHEN r3 < 0.8 THEN 'updated' ELSE 'created' END
       END,
       rt,
       (1 + floor(r5 * 1000000))::bigint::text,
       CASE
         WHEN rt = 'client' THEN (%(client_first)s::text[])[1 + floor(r4 * r4 * %(n_client_first)s)::int]
              || ' ' || (%(last_names)s::text[])[1 + floor(r5 * %(n_last)s)::int]
              || ' (CC ' || (10000000 + floor(r5 * 89999999))::bigint || ')'
         WHEN rt = 'payment_order' THEN 'OP-' || (100000 + floor(r4 * 899999))::bigint
         WHEN rt = 'portfolio' THEN (%(portfolios)s::text[])[1 + floor(r4 * %(n_portfolios)s)::int]
         WHEN rt = 'member' THEN (%(first_names)s::text[])[1 + floor(r4 * %(n_first)s)::int] || ' '
              || (%(last_names)s::text[])[1 + floor(r5 * %(n_last)s)::int]
         WHEN rt = 'team' THEN (%(teams)s::text[])[1 + floor(r4 * %(n_teams)s)::int]
         WHEN rt = 'segment' THEN (%(segments)s::text[])[1 + floor(r4 * %(n_segments)s)::int]
         WHEN rt = 'custom_variable' THEN (%(variables)s::text[])[1 + floor(r4 * %(n_variables)s)::int]
         WHEN rt = 'project' THEN %(project_name)s
         WHEN rt LIKE '%%_export' THEN split_part(rt, '_', 1) || 's_' || %(slug)s || '_'
              || to_char(at, 'YYYYMMDD_HH24MI') || '.xlsx'
         ELSE 'base_' || split_part(rt, '_', 1) || '_' || to_char(at, 'YYYY_MM') || '.xlsx'
       END,
       CASE
         WHEN rt = 'client' THEN jsonb_build_object('phone', jsonb_build_array(
              '+57 300 ' || floor(r4 * 9999999)::int, '+57 301 ' || floor(r5 * 9999999)::int))
         WHEN rt = 'payment_order' THEN jsonb_build_object('payments', jsonb_build_array(
              (floor(r4 * 500) * 1000)::text || '.00', (floor(r5 * 500) * 1000)::text || '.00'))
         WHEN rt = 'portfolio' AND r3 < 0.70 THEN jsonb_build_object('clients', (
              SELECT CASE WHEN r3 < 0.50 THEN jsonb_build_array(NULL, c) ELSE jsonb_build_array(c, NULL) END
                FROM (SELECT jsonb_build_array((%(client_first)s::text[])[1 + floor(r5 * %(n_client_first)s)::int]
                      || ' ' || (%(last_names)s::text[])[1 + floor(r4 * %(n_last)s)::int]) AS c) x))
         WHEN rt = 'portfolio' THEN jsonb_build_object('active', jsonb_build_array(r4 < 0.5, r4 >= 0.5))
         WHEN rt = 'member' THEN jsonb_build_object('role', jsonb_build_array('adviser', 'supervisor'))
         WHEN rt LIKE '%%_export' THEN jsonb_build_object('filters', jsonb_build_object('orden', 'name'),
              'columns', jsonb_build_array('name', 'situation'), 'format', 'xlsx',
              'rows', floor(r4 * 50000)::int)
         WHEN rt LIKE '%%_import' THEN jsonb_build_object('counts', jsonb_build_array(NULL,
              jsonb_build_object('created', floor(r4 * 900)::int, 'updated', floor(r5 * 9000)::int)))
         ELSE jsonb_build_object('name', jsonb_build_array('Anterior', 'Nuevo'))
       END,
       CASE WHEN rt LIKE '%%_import' THEN CASE WHEN r4 < 0.7 THEN 'file' ELSE 'sftp' END
            WHEN r4 < 0.85 THEN 'screen' WHEN r4 < 0.95 THEN 'api' ELSE 'file' END,
       at
  FROM t
  LEFT JOIN bench_audit_actors a ON a.n = floor(r1 * r1 * %(actors)s)::int
"""

INSERT = ("INSERT INTO audit_auditevent (project_id, actor_id, actor_label, actor_username, "
          "event, resource_type, resource_id, resource_label, changes, source, created_at) ")


def _meta(conn):
    conn.execute(f"""CREATE TABLE IF NOT EXISTS {META_TABLE} (
        first_id bigint, events bigint, projects int, seconds float8, built_at timestamptz,
        indexes jsonb)""")
    return conn.execute(f"SELECT first_id, events, projects, seconds, built_at, indexes "
                        f"FROM {META_TABLE} ORDER BY first_id DESC LIMIT 1").fetchone()


def _actors(conn) -> None:
    """ACTORS users (2 % of events have none: the system), names from the vocabulary."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    existing = User.objects.filter(username__startswith=USER_PREFIX).count()
    if existing < ACTORS:
        users = []
        for k in range(existing, ACTORS):
            first, last = FIRST[k % len(FIRST)], LAST[(k * 7 + k // len(FIRST)) % len(LAST)]
            users.append(User(username=f"{USER_PREFIX}{first[0].lower()}{k:03d}",
                              first_name=first, last_name=last, password="!"))
        User.objects.bulk_create(users)
    conn.execute("DROP TABLE IF EXISTS bench_audit_actors")
    # n 0…ACTORS-1 are people (the lowest act most: r1² skews towards them); n = ACTORS
    # matches nobody (LEFT JOIN: the system's events, about 1 in 400… plus the rounding).
    conn.execute(
        "CREATE TEMP TABLE bench_audit_actors AS "
        "SELECT (row_number() OVER (ORDER BY id) - 1)::int AS n, id, "
        "trim(first_name || ' ' || last_name) AS label, username FROM auth_user "
        "WHERE username LIKE %s ORDER BY id LIMIT %s", [USER_PREFIX + "%", int(ACTORS * 0.98)])
    conn.execute("CREATE UNIQUE INDEX ON bench_audit_actors (n)")
    conn.execute("ANALYZE bench_audit_actors")


def _audit_indexes(conn) -> list[tuple[str, str]]:
    return conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'audit_auditevent' "
        "AND indexname NOT LIKE '%%pkey'").fetchall()


def _clear(conn, first_id: int, projects: list[int]) -> None:
    """An earlier load's events, through the one maintenance path (docs/audit.md): a
    superuser session under session_replication_role = replica skips the append-only
    triggers."""
    with conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute("DELETE FROM audit_auditevent WHERE id >= %s AND project_id = ANY(%s)",
                     [first_id, projects])
        conn.execute(f"DELETE FROM {META_TABLE} WHERE first_id = %s", [first_id])


def ensure_events(data: Dataset) -> dict:
    """Load the events unless a finished load is recorded; returns what the section says."""
    from moonflow.tenancy.models import Project

    others = list(Project.objects.exclude(pk=data.project_id).order_by("id")
                  .values_list("id", flat=True)[:OTHER_PROJECTS])
    projects = [data.project_id, *others]
    with raw_connect(autocommit=True) as conn:
        recorded = _meta(conn)
        if recorded is not None and recorded[4] is not None and recorded[1] == EVENTS:
            say(f"audit events present (loaded {recorded[4]:%Y-%m-%d %H:%M}, "
                f"{recorded[3]:.0f} s)")
            return {"seconds": recorded[3], "built_at": recorded[4], "projects": projects}
        if recorded is not None:
            say("an earlier load did not finish: removing its events (maintenance path) and "
                "putting its indexes back")
            _clear(conn, recorded[0], projects)
            for _name, definition in recorded[5] or []:
                conn.execute(definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
        _actors(conn)
        first_id = conn.execute(
            "SELECT coalesce(max(id), 0) + 1 FROM audit_auditevent").fetchone()[0]
        # The indexes are built once after the load (faster than growing them row by row),
        # with the definitions the migrations gave them (kept in the meta table until the
        # load ends, so an interrupted load puts them back).
        indexes = _audit_indexes(conn)
        conn.execute(f"INSERT INTO {META_TABLE} (first_id, events, projects, indexes) "
                     "VALUES (%s, %s, %s, %s)",
                     [first_id, EVENTS, len(projects), Jsonb([list(i) for i in indexes])])
        started = time.perf_counter()
        for name, _definition in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        now = timezone.now()
        plan = [(data.project_id, EVENTS)] + [(pid, OTHER_EVENTS) for pid in others]
        for project_id, total in plan:
            project = Project.objects.get(pk=project_id)
            for first in range(0, total, BATCH):
                last = min(total, first + BATCH) - 1
                params = _params(project, first, last, total, now)
                conn.execute(INSERT + EVENT_SELECT, params)
                say(f"  project {project.slug}: {num(last + 1)} of {num(total)} events "
                    f"({time.perf_counter() - started:.0f} s)")
        conn.execute("SET maintenance_work_mem = '1GB'")
        for name, definition in indexes:
            say(f"  index {name} …")
            conn.execute(definition)
        conn.execute("VACUUM (ANALYZE) audit_auditevent")
        seconds = time.perf_counter() - started
        conn.execute(f"UPDATE {META_TABLE} SET seconds = %s, built_at = now() WHERE first_id = %s",
                     [seconds, first_id])
        say(f"loaded {num(EVENTS + OTHER_EVENTS * len(others))} events in {seconds:.0f} s")
        return {"seconds": seconds, "built_at": timezone.now(), "projects": projects}


def _params(project, lo: int, hi: int, total: int, now) -> dict:
    span = timedelta(days=DAYS)
    return {
        "project": project.pk, "project_name": project.name, "slug": project.slug,
        "start": now - span, "span": span, "lo": lo, "hi": hi, "n": total,
        "first_names": FIRST, "n_first": len(FIRST), "last_names": LAST, "n_last": len(LAST),
        "client_first": CLIENT_FIRST, "n_client_first": len(CLIENT_FIRST),
        "portfolios": PORTFOLIOS, "n_portfolios": len(PORTFOLIOS), "teams": TEAMS,
        "n_teams": len(TEAMS), "segments": SEGMENTS, "n_segments": len(SEGMENTS),
        "variables": VARIABLES, "n_variables": len(VARIABLES), "actors": ACTORS,
    }


# --- the cases --------------------------------------------------------------------------------


@dataclass
class Case:
    key: str  # the row of the grid
    label: str
    page: str  # "project" (Ajustes → Auditoría) or "module" (the Carteras window)
    params: dict
    preset: str = ""

    @property
    def query(self) -> dict:
        return {**self.params, **({"fecha": self.preset} if self.preset else {})}


@dataclass
class Result:
    case: Case
    timing: Timing
    queries: int
    total_label: str
    rows: int
    statements: list[str]
    raw_reads: Timing | None = None  # the page's reads of audit_auditevent, replayed
    raw_all: Timing | None = None  # every SQL of the page, replayed
    explain: list[str] = field(default_factory=list)
    slow: bool = False

    @property
    def ok(self) -> bool:
        return self.timing.median <= TARGET_MEDIAN


def _rows(project_id: int) -> list[tuple[str, str, str, dict]]:
    """(key, label, page, params): the grid's rows, with names taken from the data."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT trim(first_name || ' ' || last_name) FROM auth_user "
                       "WHERE username LIKE %s ORDER BY id OFFSET 10 LIMIT 1",
                       [USER_PREFIX + "%"])
        actor = cursor.fetchone()[0]
    return [
        ("none", "No filter", "project", {}),
        ("event", "Evento: Actualizado (common)", "project", {"evento": "updated"}),
        ("event_rare", "Evento: Desactivado (rare)", "project", {"evento": "deactivated"}),
        ("type", "Tipo de recurso: Cliente", "project", {"tipo": "client"}),
        ("type_rare", "Tipo de recurso: Proyecto (rare)", "project", {"tipo": "project"}),
        ("user", "Buscar a common user name «maría»", "project", {"q": "maría"}),
        ("user_full", f"Buscar a user's full name «{actor}»", "project", {"q": actor}),
        ("resource", "Buscar a resource name «Recuperación Julio»", "project",
         {"q": "Recuperación Julio"}),
        ("resource_rare", "Buscar a payment order «OP-123456» (rare)", "project",
         {"q": "OP-123456"}),
        ("nothing", "Buscar, nothing found «xilofono»", "project", {"q": "xilofono"}),
        ("typo", "Buscar, a typo «Rodrigez»", "project", {"q": "Rodrigez"}),
        ("user_event", "Buscar «maría» + Evento: Creado", "project",
         {"q": "maría", "evento": "created"}),
        ("m_none", "Carteras window: no filter", "module", {}),
        ("m_event", "Carteras window: Evento: Contacto agregado", "module",
         {"evento": "contact_added"}),
        ("m_event_rare", "Carteras window: Evento: Activado (rare)", "module",
         {"evento": "activated"}),
        ("m_resource", "Carteras window: Buscar «vip»", "module", {"q": "vip"}),
        ("m_user", "Carteras window: Buscar «maría»", "module", {"q": "maría"}),
        ("m_nothing", "Carteras window: Buscar «xilofono»", "module", {"q": "xilofono"}),
        ("m_typo", "Carteras window: Buscar «Rodrigez»", "module", {"q": "Rodrigez"}),
    ]


def build_cases(project_id: int) -> list[Case]:
    cases = []
    for key, label, page, params in _rows(project_id):
        for preset, _preset_label in PRESETS:
            cases.append(Case(key, label, page, params, preset))
    cases.append(Case("last", "Last page, no filter", "project", {"pagina": "ultima"}))
    return cases


# --- measuring ours ---------------------------------------------------------------------------


def _browser(member) -> HttpClient:
    browser = HttpClient()
    browser.force_login(member.user, backend="django.contrib.auth.backends.ModelBackend")
    return browser


TOTAL = re.compile(r'id="(?:tray|audit)-total"[^>]*>([^<]*)<')


def _get(browser, url, case: Case, headers):
    response = browser.get(url, case.query, **headers)
    assert response.status_code == 200, (url, case.query, response.status_code)
    return response


def measure_case(case: Case, *, browser, urls, headers, runs) -> Result:
    url, head = urls[case.page], headers[case.page]
    started = time.perf_counter()
    response = _get(browser, url, case, head)
    slow = time.perf_counter() - started > SLOW_SECONDS
    if slow:
        runs = min(runs, SLOW_RUNS)
    else:
        for _ in range(WARMUP - 1):
            _get(browser, url, case, head)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = _get(browser, url, case, head)
        samples.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as captured:
        response = _get(browser, url, case, head)
    text = response.content.decode()
    total = TOTAL.search(text)
    statements = [q["sql"] for q in captured.captured_queries]
    return Result(case=case, timing=Timing(samples), queries=len(statements),
                  total_label=html.unescape(total.group(1)) if total else "?",
                  rows=text.count('<tr data-event="'), statements=statements, slow=slow)


def _reads(statements: list[str]) -> list[str]:
    """The page's reads of the events (its rows; with Buscar, the walk or the index too)."""
    return [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))
            and "audit_auditevent" in s
            and not s.lstrip().upper().startswith("SELECT COUNT(*) FROM (SELECT")]


def _selects(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH", "EXPLAIN"))]


def _time_raw(statements: list[str], runs: int) -> Timing:
    from .tray import _time_raw as replay

    return replay(statements, runs)


def _explain(statements: list[str]) -> list[str]:
    plans = []
    with raw_connect(autocommit=True) as conn:
        for sql in statements:
            rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql.replace("%", "%%")).fetchall()
            plans.append(f"{sql}\n\n" + "\n".join(row[0] for row in rows))
    return plans


# --- the usual Django way ---------------------------------------------------------------------

USUAL_TEMPLATE = """{% extends "base.html" %}{% block content %}
<h1>Auditoría</h1><p>{{ paginator.count }} eventos</p>
<table class="table"><thead><tr><th>Fecha</th><th>Usuario</th><th>Evento</th><th>Recurso</th>
<th>Cambios</th></tr></thead>
<tbody>{% for e in object_list %}<tr><td>{{ e.created_at|date:"d/m/Y H:i" }}</td>
<td>{{ e.actor_label }}</td><td>{{ e.get_event_display }}</td>
<td>{{ e.resource_type }} {{ e.resource_label }}</td><td>{{ e.changes }}</td></tr>{% endfor %}
</tbody></table>
<nav>{% if page_obj.has_previous %}<a href="?page={{ page_obj.previous_page_number }}">Anterior</a>{% endif %}
Página {{ page_obj.number }} de {{ paginator.num_pages }}
{% if page_obj.has_next %}<a href="?page={{ page_obj.next_page_number }}">Siguiente</a>{% endif %}</nav>
{% endblock %}"""


class UsualAuditListView(ListView):
    """`ListView` + `paginate_by` as it comes: OFFSET pages, an exact COUNT(*), Buscar as
    `icontains` (no accent folding) on the actor's and the resource's label."""

    paginate_by = 25
    module = False
    _template = None

    def get_queryset(self):
        from moonflow.audit.dates import preset_period
        from moonflow.audit.models import AuditEvent

        params = self.request.GET
        qs = AuditEvent.objects.filter(project_id=self.request.member.project_id)
        if self.module:
            qs = qs.filter(resource_type="portfolio")
        if params.get("evento"):
            qs = qs.filter(event=params["evento"])
        if params.get("tipo"):
            qs = qs.filter(resource_type=params["tipo"])
        if params.get("fecha"):
            period = preset_period(params["fecha"], self.request.member.project)
            qs = qs.filter(created_at__gte=period.start, created_at__lt=period.end)
        for word in (params.get("q") or "").split():
            qs = qs.filter(Q(actor_label__icontains=word) | Q(actor_username__icontains=word)
                           | Q(resource_label__icontains=word))
        return qs.order_by("-created_at", "-id")

    def get_template_names(self):
        from django.template import engines

        if UsualAuditListView._template is None:
            UsualAuditListView._template = engines["django"].from_string(USUAL_TEMPLATE)
        return UsualAuditListView._template


class UsualModuleListView(UsualAuditListView):
    module = True


def _usual_once(view, member, query):
    request = RequestFactory().get("/bench/usual-audit/", query)
    request.user = member.user
    request.member = member
    request.project = member.project
    request.session = {}
    response = view(request)
    response.render()
    assert response.status_code == 200
    return response


def measure_usual(case: Case, member, runs: int) -> tuple[Timing, int]:
    view = (UsualModuleListView if case.page == "module" else UsualAuditListView).as_view()
    started = time.perf_counter()
    _usual_once(view, member, case.query)
    if time.perf_counter() - started > SLOW_SECONDS:
        runs = min(runs, SLOW_RUNS)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        _usual_once(view, member, case.query)
        samples.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as captured:
        _usual_once(view, member, case.query)
    return Timing(samples), len(captured.captured_queries)


USUAL_ROWS = ("none", "user", "nothing", "m_none", "m_resource")


# --- the run ----------------------------------------------------------------------------------


def _admin(project_id: int):
    from moonflow.tenancy.models import Member, Role

    return (Member.objects.select_related("user", "project")
            .filter(project_id=project_id, role=Role.ADMIN, is_active=True).order_by("id").first())


def _ensure_carteras():
    """The Carteras window as portfolios/apps.py registers it (registered here when that
    app does not yet)."""
    from django.utils.translation import gettext_lazy as _

    from moonflow.audit.models import AuditEventKind
    from moonflow.audit.registry import get_module, register_module

    if get_module("carteras") is None:
        register_module("carteras", label=_("Carteras"),
                        resource_types={"portfolio": (_("Cartera"), "portfolios.Portfolio")},
                        events=(AuditEventKind.CREATED, AuditEventKind.UPDATED,
                                AuditEventKind.ACTIVATED, AuditEventKind.DEACTIVATED,
                                AuditEventKind.CONTACT_ADDED, AuditEventKind.CONTACT_REMOVED))


def _period_counts(project_id: int, member) -> dict[str, int]:
    from moonflow.audit.dates import preset_period

    counts = {}
    with connection.cursor() as cursor:
        for preset, label in PRESETS:
            if preset:
                period = preset_period(preset, member.project)
                cursor.execute("SELECT count(*) FROM audit_auditevent WHERE project_id = %s "
                               "AND created_at >= %s AND created_at < %s",
                               [project_id, period.start, period.end])
            else:
                cursor.execute("SELECT count(*) FROM audit_auditevent WHERE project_id = %s",
                               [project_id])
            counts[label] = cursor.fetchone()[0]
    return counts


def run(data: Dataset, *, runs: int):
    facts = report.machine_facts()
    loaded = ensure_events(data)
    _ensure_carteras()
    admin = _admin(data.project_id)
    browser = _browser(admin)
    slug = data.project_slug
    urls = {"project": reverse("audit:project", kwargs={"project": slug}),
            "module": reverse("audit:module", kwargs={"project": slug, "module": "carteras"})}
    headers = {"project": {},
               # As the Carteras page's AUDITORÍA button asks: htmx, into its dialog.
               "module": {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "modal-content",
                          "HTTP_HX_CURRENT_URL": f"http://testserver/p/{slug}/carteras/"}}
    with raw_connect(autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) audit_auditevent")
    counts = _period_counts(data.project_id, admin)
    say("events of the big project: " + ", ".join(f"{k} {num(v)}" for k, v in counts.items()))

    results = []
    for case in build_cases(data.project_id):
        result = measure_case(case, browser=browser, urls=urls, headers=headers, runs=runs)
        results.append(result)
        say(f"ours: {case.label} [{case.preset or 'none'}]: median {ms(result.timing.median)} ms, "
            f"p95 {ms(result.timing.p95)} ms, {result.queries} queries, {result.total_label}"
            f"{'' if result.ok else '  ← TARGET MISSED'}")
    for result in results:
        detail = result.case.key in USUAL_ROWS or not result.ok
        if not detail:
            continue
        reads = _reads(result.statements)
        result.raw_reads = _time_raw(reads, SLOW_RUNS if result.slow else runs)
        result.raw_all = _time_raw(_selects(result.statements), SLOW_RUNS if result.slow else runs)
        if not result.ok:
            result.explain = _explain(reads)

    usual = {}
    for result in results:
        if result.case.key in USUAL_ROWS:
            say(f"Django way: {result.case.label} [{result.case.preset or 'none'}] …")
            usual[(result.case.key, result.case.preset)] = measure_usual(result.case, admin,
                                                                         USUAL_RUNS)
            timing = usual[(result.case.key, result.case.preset)][0]
            say(f"  median {ms(timing.median)} ms, p95 {ms(timing.p95)} ms")
    return report.write_section("audit", _section(facts, data, loaded, counts, runs, results,
                                                  usual))


# --- the section ------------------------------------------------------------------------------


def _cell(r: Result) -> str:
    text = f"{ms(r.timing.median)} / {ms(r.timing.p95)}"
    if r.slow:
        text += f" (n={r.timing.runs})"
    return text if r.ok else f"**{text}**"


def _section(facts, data, loaded, counts, runs, results, usual) -> str:
    grid = [r for r in results if r.case.key != "last"]
    rows = list(dict.fromkeys((r.case.key, r.case.label) for r in grid))
    by = {(r.case.key, r.case.preset): r for r in grid}
    table_rows = [[label, *(_cell(by[(key, preset)]) for preset, _l in PRESETS),
                   by[(key, "")].total_label, str(by[(key, "")].queries)]
                  for key, label in rows]
    met = sum(1 for r in results if r.ok)
    worst = max(results, key=lambda r: r.timing.median)
    last = next(r for r in results if r.case.key == "last")
    detail_rows = []
    for r in results:
        if r.raw_all is None:
            continue
        u = usual.get((r.case.key, r.case.preset))
        django_way = "—"
        if u is not None:
            django_way = f"{ms(u[0].median)} / {ms(u[0].p95)}"
            if u[0].runs < USUAL_RUNS:
                django_way += f" (n={u[0].runs})"
        detail_rows.append([
            f"{r.case.label} [{r.case.preset or 'none'}]", ms(r.timing.median),
            ms(r.raw_reads.median) if r.raw_reads else "—",
            ratio(r.timing.median, r.raw_reads.median) if r.raw_reads else "—",
            ms(r.raw_all.median), django_way,
            ratio(r.timing.median, u[0].median) if u else "—",
        ])
    parts = [
        "## bench-audit: the Auditoría window and Ajustes → Auditoría (full HTML, server time)",
        report.run_header(report.command_line(), facts),
        f"Project `{data.project_slug}` holds {num(EVENTS)} audit events over {DAYS} days "
        f"(in time order, as an append-only log grows), by {ACTORS} users (about 1 % by the "
        f"system) on every resource type the product writes (clients 45 %, payment orders "
        f"20 %, portfolios 15 %, members 6 %, downloads, imports, teams, segments, variables, "
        f"the project); {OTHER_PROJECTS} other projects hold {num(OTHER_EVENTS)} each. "
        f"Loaded set-based in {loaded['seconds']:.0f} s (indexes built after the load). "
        "Events in each date range of the big project: "
        + ", ".join(f"{k}: {num(v)}" for k, v in counts.items()) + ".",
        f"Ours: Django's test Client in-process against `moonflow_bench` as the project's "
        f"admin (every middleware, the session and member lookups, the whole page), {WARMUP} "
        f"warm-up requests then {runs} timed ones per case (a page slower than "
        f"{SLOW_SECONDS:.0f} s: {SLOW_RUNS}). The Carteras window is asked for as its "
        f"AUDITORÍA button asks (htmx, into the dialog). Page size 25. Target: median ≤ "
        f"{TARGET_MEDIAN * 1000:.0f} ms per case. Cells: median / p95 ms, in bold when the "
        f"target is missed.",
        report.table(["case", *(label for _p, label in PRESETS), "total shown (none)",
                      "queries"], table_rows),
        f"Last page, no filter: {_cell(last)} ms (keyset: the last page reads the index "
        f"backwards, as the first reads it forwards).",
        f"Within the target: {met} of {len(results)}. Slowest: {worst.case.label} "
        f"[{worst.case.preset or 'none'}], median {ms(worst.timing.median)} ms, p95 "
        f"{ms(worst.timing.p95)} ms.",
        "How a page is read (docs/audit.md): the date range, Evento and the module's resource "
        "type are ranges of the (project, [event | resource_type [, event]], -created_at, -id) "
        "indexes, read newest first and stopped after a page; the total is the kernel's "
        "(its rows when one page holds them, else a count bounded to 10,000 rows and 15 ms, "
        "else the planner's estimate, \"≈\"). Buscar walks the same order 4,000 rows at "
        "most, testing each event's words; when that does not fill the page the matches are "
        "rare and come from the GIN index of `search_vector` (lexemes led by the project id), "
        "the newest first. A search's total is what the page learned: exact when the walk "
        "read the whole list or the index gave every match, else the walk's share of matches "
        "times the list's estimated rows (PostgreSQL does not interrupt a GIN scan at the "
        "count's 15 ms budget: a count of «maría» took 40-60 ms).",
        "### The usual Django way and the raw PostgreSQL limit",
        "“Django way”: a `ListView` with `paginate_by = 25` (OFFSET pages, an exact "
        "`COUNT(*)` through Django's Paginator) over the same events and filters, Buscar as "
        "`icontains` on the actor's and the resource's label (what a Django project writes "
        "without a search index), rendering a plain table in base.html; defined in "
        "`bench/audit.py` only, called through RequestFactory (spared the middleware). "
        "“raw reads” replays the page's own reads of `audit_auditevent` (the rows; with "
        "Buscar, the walk or the index read) with psycopg; “raw, every SQL” replays every "
        "statement of the page (session, member, count, …): the database's share of it.",
        report.table(["case", "ours median ms", "raw reads ms", "ours / raw reads",
                      "raw, every SQL ms", "Django way median / p95 ms", "ours / Django"],
                     detail_rows),
    ]
    missed = [r for r in results if not r.ok]
    if missed:
        parts.append("### Targets missed")
        for r in missed:
            parts.append(f"**{r.case.label} [{r.case.preset or 'none'}]**: median "
                         f"{ms(r.timing.median)} ms; the database's share "
                         f"{ms(r.raw_all.median) if r.raw_all else '—'} ms.")
            for plan in r.explain:
                parts.append("```\n" + plan + "\n```")
    else:
        parts.append("Every case met the target.")
    return "\n\n".join(parts)
