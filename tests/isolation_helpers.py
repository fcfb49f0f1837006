"""Walk every URL of the project and check who may reach what.

The URL list comes from `django.urls.get_resolver()`, never from a hand-written
list, so a view added tomorrow is walked tomorrow. Each URL kwarg is either the
project slug, an object id (tried with every id of the data set) or a known
non-id kwarg with sample values (`NON_ID_KWARGS`); any other kwarg stops the
walk with a message asking for a sample value, so nothing is skipped silently.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlparse

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.shortcuts import resolve_url
from django.test import Client as HttpClient
from django.test.utils import override_settings
from django.urls import (
    NoReverseMatch,
    Resolver404,
    URLPattern,
    URLResolver,
    get_resolver,
    resolve,
    reverse,
)
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern

PROJECT_KWARG = "project"

# URL kwargs that are not object ids, with the values worth trying for each.
# A view with a new kwarg that is not an id must add it here.
NON_ID_KWARGS: dict[str, tuple[str, ...]] = {
    # moonflow.jobs: which file of a job to download
    "which": ("resultado", "errores", "entrada"),
    # moonflow.imports: which importer's reporte modelo
    "entity": ("clients",),
    # moonflow.imports: which Ajustes table a file exports or imports
    "table": ("segmentos",),
    # moonflow.audit: which module's AUDITORÍA window (moonflow.audit.registry)
    "module": ("carteras",),
    # api: which file of a job (/api/v1/jobs/<pk>/files/<file>/)
    "file": ("result", "errors"),
    # api: an API key's prefix (Ajustes → Integraciones → API); project A's key has this one
    "prefix": ("walkerk1",),
}

# The REST API's routes: the key, not the URL, carries the project (api.authentication).
API_PREFIX = "api/"

# Names that mean "an object id" whatever their converter (e.g. `<str:pk>`, a
# router's `(?P<pk>[^/.]+)`); int converters are ids under any name.
ID_KWARG_NAME = re.compile(r"^(pk|id|.+_pk|.+_id)$")

# Kwargs that may appear on the few URLs outside /p/<project>/ (password reset).
GLOBAL_KWARGS = {"uidb64", "token"}

_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")


class UnknownKwarg(AssertionError):
    pass


# --------------------------------------------------------------------------- URLs


@dataclass(frozen=True)
class UrlKwarg:
    name: str
    converter: str  # "int", "str", "slug", "uuid", "path", a registered name, or "regex"
    to_url: object = None  # the converter's to_url, when there is one

    @property
    def kind(self) -> str:
        """"project", "id", "sample" (NON_ID_KWARGS) or "unknown"."""
        if self.name == PROJECT_KWARG:
            return "project"
        if self.name in NON_ID_KWARGS:
            return "sample"
        if self.converter == "int":
            return "id"
        if ID_KWARG_NAME.match(self.name) and self.converter in {"str", "slug", "path", "regex"}:
            return "id"
        return "unknown"


@dataclass(frozen=True)
class UrlEntry:
    """One endpoint: its full route, namespaced name and kwargs in URL order."""

    route: str
    name: str | None
    segments: tuple  # str literals and UrlKwarg, in order; None when not buildable by hand
    kwargs: tuple[UrlKwarg, ...]
    callback: object = field(compare=False, repr=False, default=None)

    @property
    def label(self) -> str:
        return self.name or self.route

    @property
    def is_project(self) -> bool:
        return any(k.name == PROJECT_KWARG for k in self.kwargs)

    @property
    def slots(self) -> tuple[UrlKwarg, ...]:
        return tuple(k for k in self.kwargs if k.name != PROJECT_KWARG)

    @property
    def id_slots(self) -> tuple[UrlKwarg, ...]:
        return tuple(k for k in self.slots if k.kind == "id")

    def unknown_kwargs(self) -> list[str]:
        return [k.name for k in self.slots if k.kind == "unknown"]

    def url(self, values: dict) -> str:
        """The path for `values`, checked to resolve back to this very view.

        Without the check a wrongly built URL would 404 in the resolver and
        every isolation assertion on it would pass for nothing.
        """
        url = self._build(values)
        try:
            match = resolve(url)
        except Resolver404:
            match = None
        if match is None or match.func is not self.callback:
            raise AssertionError(
                f"The walker built {url} for {self.label} ({self.route}) but it resolves to "
                f"{getattr(match, 'view_name', None) or 'nothing'}: is the pattern shadowed by an "
                f"earlier one?"
            )
        return url

    def _build(self, values: dict) -> str:
        if self.segments is not None:
            parts = []
            for segment in self.segments:
                if isinstance(segment, str):
                    parts.append(segment)
                else:
                    value = values[segment.name]
                    parts.append(segment.to_url(value) if segment.to_url else str(value))
            return "/" + "".join(parts)
        if not self.name:
            raise AssertionError(
                f"The URL pattern {self.route!r} is a regular expression without a name: give it "
                "a name so tests can reverse it."
            )
        try:
            return reverse(self.name, kwargs={k: str(v) for k, v in values.items()})
        except NoReverseMatch as exc:
            raise AssertionError(f"Cannot build {self.label} from {values}: {exc}") from exc


def _route_parts(pattern) -> tuple[str, tuple | None, tuple[UrlKwarg, ...]]:
    """(readable route, segments or None, kwargs) of one pattern level."""
    if isinstance(pattern, RoutePattern):
        route = str(pattern._route)
        segments, kwargs, last = [], [], 0
        for match in _PARAMETER.finditer(route):
            segments.append(route[last : match.start()])
            name = match["parameter"]
            converter = pattern.converters[name]
            kwarg = UrlKwarg(name, match["converter"] or "str", converter.to_url)
            segments.append(kwarg)
            kwargs.append(kwarg)
            last = match.end()
        segments.append(route[last:])
        return route, tuple(s for s in segments if s != ""), tuple(kwargs)
    if isinstance(pattern, LocalePrefixPattern):
        return pattern.language_prefix, (pattern.language_prefix,), ()
    if isinstance(pattern, RegexPattern):
        regex = str(pattern._regex)
        kwargs = tuple(UrlKwarg(name, "regex") for name in pattern.regex.groupindex)
        plain = regex.lstrip("^").removesuffix("$").removesuffix(r"\Z")
        if not kwargs and not re.search(r"[\\.^$*+?{}\[\]|()]", plain):
            return regex, (plain,) if plain else (), ()
        return regex, None, kwargs  # built with reverse()
    raise TypeError(f"Unknown URL pattern type: {type(pattern)!r}")


def walk_urls(urlconf=None) -> list[UrlEntry]:
    """Every endpoint of the URLConf (the project's by default), includes flattened."""
    entries: list[UrlEntry] = []

    def walk(resolver, route, segments, kwargs, namespaces):
        for item in resolver.url_patterns:
            text, segs, kws = _route_parts(item.pattern)
            full_segments = None if segments is None or segs is None else segments + segs
            if isinstance(item, URLResolver):
                ns = namespaces + ((item.namespace,) if item.namespace else ())
                walk(item, route + text, full_segments, kwargs + kws, ns)
            elif isinstance(item, URLPattern):
                name = ":".join(namespaces + (item.name,)) if item.name else None
                entries.append(
                    UrlEntry(route + text, name, full_segments, kwargs + kws, item.callback)
                )

    walk(get_resolver(urlconf), "", (), (), ())
    return entries


def entry_ids(entries: list[UrlEntry]) -> list[str]:
    """pytest ids: the URL name, or name + route when a name is used twice."""
    counts = defaultdict(int)
    for entry in entries:
        counts[entry.label] += 1
    return [e.label if counts[e.label] == 1 else f"{e.label}[{e.route}]" for e in entries]


def project_entries(urlconf=None) -> list[UrlEntry]:
    return [e for e in walk_urls(urlconf) if e.is_project]


def api_entries(urlconf=None) -> list[UrlEntry]:
    """The REST API's endpoints (/api/…): no project in the URL, the key gives it."""
    return [e for e in walk_urls(urlconf) if e.route.startswith(API_PREFIX)]


def api_client_for(member):
    """A test client sending an admin API key of `member`'s project."""
    from api.services import api_key_create

    _key, text = api_key_create(project=member.project, actor=member.user, name="Walker",
                                scope="admin", member=member)
    return HttpClient(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {text}")


def api_not_found_problems(api, url: str) -> list[str]:
    """Every method must answer 404, or 405 for one the endpoint does not take (decided
    before any lookup), and at least one 404."""
    answers = [("GET", api.get(url)), ("DELETE", api.delete(url))] + [
        (method.upper(), getattr(api, method)(url, data="{}", content_type="application/json"))
        for method in ("post", "patch", "put")]
    statuses = {response.status_code for _method, response in answers}
    if statuses <= {404, 405} and 404 in statuses:
        return []
    return [_describe(method, url, response) for method, response in answers
            if response.status_code not in (404, 405)] or [f"{url}: no method answered 404"]


def api_outsider_problems(entry: UrlEntry, api, objects: ObjectSet) -> list[str]:
    """Request an API endpoint with every id tuple of `objects`; list what was not 404."""
    problems = []
    for values in combinations(entry, objects.id_tuples(len(entry.id_slots))):
        url = entry.url(values)
        for problem in api_not_found_problems(api, url):
            ids = ", ".join(f"{s.name}={objects.describe(values[s.name])}"
                            for s in entry.id_slots)
            problems.append(f"{problem} [{ids}]")
    return problems


def sample_values(slot: UrlKwarg) -> tuple[str, ...]:
    if slot.kind == "sample":
        return NON_ID_KWARGS[slot.name]
    raise UnknownKwarg(
        f"The URL kwarg {slot.name!r} ({slot.converter}) is neither an object id nor a known "
        f"non-id kwarg: add it with sample values to NON_ID_KWARGS in tests/isolation_helpers.py "
        f"so the isolation walker can request the URL."
    )


def check_known_kwargs(entry: UrlEntry) -> None:
    for slot in entry.slots:
        if slot.kind == "unknown":
            sample_values(slot)  # raises with the explanation


def combinations(entry: UrlEntry, id_tuples) -> list[dict]:
    """Kwarg dicts (without project): each id tuple × every sample of the other kwargs."""
    check_known_kwargs(entry)
    id_names = [s.name for s in entry.id_slots]
    samples = [(s.name, sample_values(s)) for s in entry.slots if s.kind == "sample"]
    result = []
    for ids in id_tuples:
        base = dict(zip(id_names, ids, strict=True))
        for choice in itertools.product(*(values for _, values in samples)):
            result.append({**base, **{name: v for (name, _), v in zip(samples, choice)}})
    return result


# ------------------------------------------------------------------------ ids


def spread_id_sequences() -> None:
    """Give every table its own id range, so no id is shared by two tables.

    Then an unscoped lookup on any table finds a row for exactly the one id
    that belongs to it, and an id of project B never equals one of project A.
    Sequences are only ever moved forward (they are not transactional).
    """
    tables = sorted(
        {
            (m._meta.db_table, m._meta.pk.column)
            for m in apps.get_models()
            if isinstance(m._meta.pk, models.AutoField | models.BigAutoField)
            and not m._meta.proxy
            and m._meta.managed
        }
    )
    with connection.cursor() as cursor:
        for index, (table, column) in enumerate(tables, start=1):
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
            (sequence,) = cursor.fetchone()
            if sequence:
                floor = index * 10_000_000
                cursor.execute(
                    "SELECT setval(%s::regclass, GREATEST(nextval(%s::regclass), %s))",
                    [sequence, sequence, floor],
                )


# Tenant tables no URL addresses: rows derived by the database with no id of their own
# (a composite key). Search isolation is asserted in tests/clients/test_search_*.py.
# An import's staged rows, row errors and checkpoint are reached only through their
# job (tests/imports/ asserts their isolation through the job's pages).
NOT_ADDRESSED = {"clients.ClientSearchTerm", "imports.StagedRow", "imports.RowError",
                 "imports.WriteCheckpoint", "imports.SftpFile",
                 # A bulk upsert's row results: read once by the request that ran the job.
                 "api.BulkRowResult",
                 # Natural composite keys: an API key is reached by its prefix (project A's
                 # is walked through NON_ID_KWARGS["prefix"]), a stored answer by nobody.
                 "api.ApiKey", "api.IdempotentRequest",
                 # A claim's link to an order: reached only through the claim.
                 "clients.ClaimPaymentOrder"}


def tenant_models() -> list[type[models.Model]]:
    """Models with a `project` foreign key to tenancy.Project that a URL can address."""
    from moonflow.tenancy.models import Project

    found = []
    for model in apps.get_models():
        if model._meta.label in NOT_ADDRESSED:
            continue
        try:
            project_field = model._meta.get_field(PROJECT_KWARG)
        except Exception:
            continue
        if getattr(project_field, "related_model", None) is Project:
            found.append(model)
    return found


def _label(obj) -> str:
    return f"{obj._meta.label}#{obj.pk}"


class ObjectSet:
    """Objects whose ids a test feeds into URLs, and how they hang together."""

    def __init__(self, objects, *, excluded_ids=()):
        self.objects = list({(o._meta.label, o.pk): o for o in objects}.values())
        self.excluded_ids = set(excluded_ids)
        self._by_key = {(o._meta.label, o.pk): o for o in self.objects}
        self._links = defaultdict(set)
        for obj in self.objects:
            for f in obj._meta.concrete_fields:
                if f.is_relation and f.name != PROJECT_KWARG:
                    self._link(obj, f.related_model, getattr(obj, f.attname))
            for f in obj._meta.many_to_many:
                for pk in getattr(obj, f.name).values_list("pk", flat=True):
                    self._link(obj, f.related_model, pk)

    def _link(self, obj, model, pk):
        if pk is None or model is None:
            return
        other = self._by_key.get((model._meta.label, pk))
        if other is not None and other is not obj:
            self._links[obj.pk].add(other.pk)
            self._links[other.pk].add(obj.pk)

    def ids(self) -> list[int]:
        return sorted({o.pk for o in self.objects} - self.excluded_ids)

    def describe(self, pk) -> str:
        names = [_label(o) for o in self.objects if o.pk == pk]
        return ", ".join(names) or str(pk)

    def id_tuples(self, k: int) -> list[tuple]:
        """Every id in every slot; with several slots, the others take related ids.

        Nested URLs (`clientes/<client>/ordenes/<pk>/`) need a client and one of
        its orders to reach a view that scopes nothing, so each id is paired
        with the ids of the objects it points to or that point to it.
        """
        ids = self.ids()
        if k == 0:
            return [()]
        if k == 1:
            return [(v,) for v in ids]
        tuples = set()
        for v in ids:
            related = sorted(({v} | self._links[v]) - self.excluded_ids)
            for position in range(k):
                for others in itertools.product(related, repeat=k - 1):
                    tuples.add((*others[:position], v, *others[position:]))
        return sorted(tuples)


# --------------------------------------------------------------------- requests


def browser_for(member) -> HttpClient:
    """A logged-in client that turns exceptions into 500 answers we can report."""
    browser = HttpClient(raise_request_exception=False)
    browser.force_login(member.user, backend="django.contrib.auth.backends.ModelBackend")
    return browser


def _describe(method: str, url: str, response) -> str:
    detail = ""
    if getattr(response, "exc_info", None):
        exc = response.exc_info[1]
        detail = f" ({type(exc).__name__}: {str(exc)[:120]})"
    elif response.status_code in (301, 302, 303, 307, 308):
        detail = f" (to {response.get('Location')})"
    return f"{method} {url} → {response.status_code}{detail}"


def not_found_problems(browser: HttpClient, url: str) -> list[str]:
    """GET and POST (empty, no CSRF check in the test client) must both say 404.

    405 is accepted for the method a view does not take, as long as the other
    method answered 404: a 405 is decided before any lookup and says nothing.
    """
    got = browser.get(url)
    posted = browser.post(url)
    statuses = (got.status_code, posted.status_code)
    if statuses in {(404, 404), (405, 404), (404, 405)}:
        return []
    return [
        _describe(method, url, response)
        for method, response in (("GET", got), ("POST", posted))
        if response.status_code != 404
    ]


def login_redirect_problems(url: str) -> list[str]:
    """An anonymous GET and POST go to the login page, coming back to `url`."""
    anonymous = HttpClient(raise_request_exception=False)
    login_path = urlparse(resolve_url(settings.LOGIN_URL)).path
    problems = []
    for method in ("get", "post"):
        response = getattr(anonymous, method)(url)
        location = urlparse(response.get("Location", ""))
        if (
            response.status_code != 302
            or location.path != login_path
            or parse_qs(location.query).get("next") != [url]
        ):
            problems.append(
                _describe(method.upper(), url, response)
                + f"; expected 302 to {login_path}?next={url}"
            )
    return problems


def outsider_problems(entry: UrlEntry, browser: HttpClient, objects: ObjectSet, *, slug: str):
    """Request `entry` under `slug` with every id tuple of `objects`; list non-404 answers."""
    problems = []
    for values in combinations(entry, objects.id_tuples(len(entry.id_slots))):
        url = entry.url({PROJECT_KWARG: slug, **values})
        for problem in not_found_problems(browser, url):
            ids = ", ".join(
                f"{s.name}={objects.describe(values[s.name])}" for s in entry.id_slots
            )
            problems.append(f"{problem} [{ids}]" if ids else problem)
    return problems


def first_values(entry: UrlEntry, objects: ObjectSet) -> dict:
    """One kwarg dict for `entry`, for checks decided before the view runs."""
    return combinations(entry, objects.id_tuples(len(entry.id_slots))[:1])[0]


def format_problems(entry: UrlEntry, problems: list[str], what: str, limit: int = 25) -> str:
    shown = "\n  ".join(problems[:limit])
    more = f"\n  … and {len(problems) - limit} more" if len(problems) > limit else ""
    return f"{entry.label} ({entry.route}) {what}:\n  {shown}{more}"


# ------------------------------------------------------------------- data sets


def make_cast():
    """The people of the `cast` fixture (tests/conftest.py), built the same way.

    The walkers build their data once per module (the `cast` fixture is
    function-scoped), so this mirrors it: project A "demo" with its admin,
    supervisor, open and restricted advisers; project B "otra" and its admin.
    """
    from moonflow.tenancy.models import Role

    from . import factories
    from .conftest import Cast

    project = factories.make_project("Demo Cobranzas", slug="demo")
    other = factories.make_project("Otra Empresa", slug="otra")
    supervisor = factories.make_member(project, role=Role.SUPERVISOR, username="supervisor")
    team = factories.make_team(project, "Equipo Norte", supervisor=supervisor)
    return Cast(
        project=project,
        admin=factories.make_member(project, role=Role.ADMIN, username="admin"),
        supervisor=supervisor,
        adviser=factories.make_member(project, username="asesor1", team=team),
        restricted=factories.make_member(project, username="asesor2", team=team, restricted=True),
        other_project=other,
        outsider=factories.make_member(other, role=Role.ADMIN, username="outsider"),
    )


@contextmanager
def module_data(django_db_blocker, media_root):
    """Rows that live for a whole test module, rolled back at its end.

    Each test still runs inside its own savepoint (the `db` fixture), so a
    leaking POST cannot spoil the data of the next test.
    """
    quiet = logging.getLogger("django.request")
    level = quiet.level
    # Thousands of expected 404s (and any 500 we report ourselves) would flood the log.
    quiet.setLevel(logging.CRITICAL)
    # The walk sends thousands of requests: a signed-cookie session saves one query on each
    # (sessions play no part in scoping), MD5 saves the password hashing of the cast.
    fast = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
        MEDIA_ROOT=media_root,
    )
    fast.enable()
    try:
        with django_db_blocker.unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                spread_id_sequences()
                yield
            finally:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
    finally:
        fast.disable()
        quiet.setLevel(level)


def build_project_a(cast) -> ObjectSet:
    """At least one object of every tenant model in project A ("demo").

    Every id of these objects is fed to every id slot of every URL, so each
    model needs a row here: `test_it_covers_every_tenant_model` fails when a
    new tenant model is missing.
    """
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from clients.choices import AssignmentSource, ClaimCategory, ContactKind, VariableType
    from clients.models import (
        Claim,
        ClientAssignment,
        ClientContact,
        ClientReference,
        CustomVariable,
    )
    from interactions.models import Channel, Interaction, InteractionStatus
    from moonflow.audit.models import AuditEventKind
    from moonflow.audit.services import audit_record
    from moonflow.jobs.models import JobKind, JobStatus, Notification, ProcessJob
    from moonflow.lists.models import SavedView, TrayPreference
    from moonflow.tenancy.models import Member, Team
    from portfolios.models import Portfolio, PortfolioClient

    from . import factories

    project, admin = cast.project, cast.admin
    now = timezone.now()
    team = factories.make_team(project, "Equipo Sur", supervisor=cast.supervisor)
    factories.make_member(project, username="asesor_sur", team=team)
    segment = factories.make_segment(project, "Pymes")
    variable = CustomVariable.objects.create(
        project=project, key="ciudad_origen", label="Ciudad de origen", type=VariableType.TEXT
    )
    client = factories.make_client(
        project, name="Ana Deudora", adviser=cast.adviser, supervisor=cast.supervisor,
        segment=segment,
    )
    deleted = factories.make_client(
        project, name="Beto Papelera", adviser=cast.adviser, deleted_at=now
    )
    order = factories.make_payment_order(client, due_date=now.date() - timedelta(days=10))
    deleted_order = factories.make_payment_order(deleted)
    claim = Claim.objects.create(
        project=project, client=client, category=ClaimCategory.BILLING, opened_by=admin.user
    )
    claim.payment_orders.add(order, through_defaults={"project": project})
    contact = ClientContact.objects.create(
        project=project, client=client, kind=ContactKind.MOBILE, country_code="57",
        value="3001234567",
    )
    reference = ClientReference.objects.create(
        project=project, client=client, name="Carla Codeudora", is_guarantor=True
    )
    assignment = ClientAssignment.objects.create(
        project=project, client=client, adviser=cast.adviser, started_at=now,
        changed_by=admin.user, source=AssignmentSource.SCREEN,
    )
    saved_view = SavedView.objects.create(
        project=project, owner=admin, tray="clients", name="Mora alta", query="situacion=50",
        shared=True,
    )
    # Every list has saved views (Órdenes de pago, the Log de procesos).
    other_views = [
        SavedView.objects.create(project=project, owner=admin, tray=tray, name="Mía",
                                 query=query, shared=True)
        for tray, query in (("payment_orders", "estado=vencida"), ("jobs", "estado=failed"),
                            ("interactions", "canal=whatsapp"), ("audit", "evento=updated"),
                            ("portfolios", "estado=activa"))
    ]
    preference = TrayPreference.objects.create(
        project=project, member=admin, tray="clients", columns=["name"]
    )
    interaction = Interaction.objects.create(
        project=project, client=client, channel=Channel.WHATSAPP, status=InteractionStatus.SENT,
        adviser=cast.adviser, scheduled_at=now,
    )
    deleted_interaction = Interaction.objects.create(
        project=project, client=deleted, channel=Channel.SMS, status=InteractionStatus.SENT,
        scheduled_at=now,
    )
    portfolio = Portfolio.objects.create(
        project=project, name="Cartera Norte", team=cast.adviser.team, agent=cast.adviser
    )
    portfolio_client = PortfolioClient.objects.create(
        project=project, portfolio=portfolio, client=client, added_by=admin.user
    )
    jobs = []
    requests = ((admin, JobKind.CLIENT_EXPORT), (cast.restricted, JobKind.CLIENT_IMPORT))
    for requester, kind in requests:
        job = ProcessJob.objects.create(
            project=project, requested_by=requester, kind=kind, status=JobStatus.PARTIAL,
            read=2, created=1, failed=1, started_at=now, finished_at=now,
            files_expire_at=now + timedelta(days=7), input_name="clientes.csv",
        )
        job.input_file.save("clientes.csv", ContentFile(b"documento;nombre\n1;Ana\n"), save=False)
        job.result_file.save("resultado.csv", ContentFile(b"documento;nombre\n1;Ana\n"), save=False)
        job.error_file.save("errores.csv", ContentFile(b"Fila;Columna;Valor;Error\n"), save=False)
        job.save(update_fields=["input_file", "result_file", "error_file"])
        jobs.append(job)
    # A settings-table import waiting for its confirmation (its preview and confirm pages).
    waiting = ProcessJob.objects.create(
        project=project, requested_by=admin, kind=JobKind.SETTINGS_IMPORT,
        status=JobStatus.AWAITING, input_name="segmentos.csv", options={"table": "segmentos"})
    waiting.input_file.save("segmentos.csv", ContentFile(b"Segmento\nNuevo\n"))
    jobs.append(waiting)
    notifications = [
        Notification.objects.create(
            project=project, member=m, job=jobs[0], message="Descarga lista"
        )
        for m in (admin, cast.restricted)
    ]
    event = audit_record(
        project=project, actor=admin.user, event=AuditEventKind.UPDATED, resource_type="client",
        resource_id=client.pk, resource_label=client.name, changes={"name": ["Ana", client.name]},
    )
    from interactions.models import NightDownload

    # A Descargar of Interacciones waiting for tonight.
    night_download = NightDownload.objects.create(
        project=project, member=admin, local_day=now.date(), due_at=now + timedelta(hours=8),
        params={"canal": ["whatsapp"]}, date_from=now.date() - timedelta(days=6),
        date_to=now.date(), columns=["client", "scheduled_at"], format="xlsx")
    from moonflow.imports.models import MappingTemplate, SftpSource

    template = MappingTemplate.objects.create(
        project=project, entity="clients", name="Banco", signature="documento|nombre",
        mapping={"Documento": "document_number", "Nombre": "name"})
    # Port 9: nothing listens there, so "Probar conexión" answers at once.
    sftp_source = SftpSource.objects.create(
        project=project, name="Banco", host="127.0.0.1", port=9, username="u",
        template=template)
    # Gestiones, a note and an import's deletion record (followups/, clients.recycle_bin).
    from clients.models import ClientDeletion
    from followups.models import ClientNote, FollowUp

    followup = FollowUp.objects.create(
        project=project, client=client, kind="task", title="Llamar", due_on=now.date(),
        adviser=cast.adviser, created_by=admin.user)
    client_note = ClientNote.objects.create(project=project, client=client, text="Nota",
                                            author=admin.user)
    deletion = ClientDeletion.objects.create(project=project, client=deleted, deleted_at=now,
                                             source=AssignmentSource.FILE, job=jobs[1])
    # An API key, addressed by its prefix (NON_ID_KWARGS), and a stored idempotent answer.
    from api.keys import key_hash
    from api.models import ApiKey, IdempotentRequest

    ApiKey.objects.create(project=project, name="ERP", scope="admin", member=admin,
                          prefix=NON_ID_KWARGS["prefix"][0], key_hash=key_hash("walker"))
    IdempotentRequest.objects.create(
        project=project, api_key_prefix=NON_ID_KWARGS["prefix"][0], key="k",
        request_hash="0" * 64, method="POST", path="/api/v1/clients/", status=201, body={})
    # One user stands for all: a view that looks users up unscoped shows any of them.
    objects = [followup, client_note, deletion,
        project, *Team.objects.filter(project=project), *Member.objects.filter(project=project),
        cast.adviser.user,
        segment, variable, client, deleted, order, deleted_order, claim, contact, reference,
        assignment, saved_view, *other_views, preference, interaction, deleted_interaction, portfolio,
        portfolio_client, *jobs, *notifications, event, template, sftp_source, night_download,
    ]
    return ObjectSet(objects, excluded_ids=project_b_ids(cast))


def project_b_ids(cast) -> set[int]:
    """Ids of project B's own rows: never fed to its admin (they may rightly open them)."""
    outsider = cast.outsider
    ids = {cast.other_project.pk, outsider.pk, outsider.user_id}
    for model in tenant_models():
        ids |= set(model.objects.filter(project=cast.other_project).values_list("pk", flat=True))
    return ids


def missing_tenant_models(objects: ObjectSet, project) -> list[str]:
    present = {type(o) for o in objects.objects if getattr(o, "project_id", None) == project.pk}
    return sorted(m._meta.label for m in tenant_models() if m not in present)
