"""No URL answers 500, whatever a person (or a crawler) puts in its parameters.

Every URL pattern of the project is walked (the walker of
tests/isolation_helpers.py), as each role of the cast that may open it (a
role answered 403 is skipped, a 404 means "try another id"), with hostile GET
parameters and POST fields. The names sent are the ones the view really
reads, discovered, never listed by hand:

- the fields of the forms on the rendered page (inputs, selects, textareas,
  with their real values and options), and the query strings of the page's
  links to the same view, followed one level deeper (a sort header leads to
  the pagination links of that sort); a real link answering 500 fails too;
- the names the code reads from `request.GET` / `request.POST` / a tray's
  params (`.get("…")`, `.getlist("…")`, `"…" in request.POST`), found by
  scanning the project's source.

A fixed sweep (`sweep`) comes first, then Hypothesis's examples: each starts
from a real link of the page (or none) and replaces or adds parameters with
hostile values: NUL bytes, 5,000-digit numbers, NaN/Infinity/1e309, deeply
nested JSON, base64 cursors holding any of these, 10,000-character strings,
wrong types, invalid UTF-8 percent-encodings, negative numbers and impossible
dates. Every request runs in a savepoint that is rolled back, so a POST that
succeeds changes nothing for the next one. Derandomized, so CI sees the same
requests every run.
"""

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlparse

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from .isolation_helpers import (
    PROJECT_KWARG,
    browser_for,
    build_project_a,
    combinations,
    entry_ids,
    make_cast,
    module_data,
    project_entries,
)

PROJECT_URLS = project_entries()
ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ("clients", "advisers", "interactions", "portfolios", "moonflow")
ROLES = ("admin", "supervisor", "adviser", "restricted")
SLUG = "demo"

# Generated requests per URL, after the fixed sweep (each by one role, as GET and, when the page
# posts to itself, as POST).
EXAMPLES = 6
EXAMPLES_PER_BASE = 1  # a page with many distinct links (the tray's sorts and pages) gets more
MAX_EXAMPLES = 20
MAX_CRAWL = 40  # links to the same view followed from the first page (the admin's)
MAX_CRAWL_OTHERS = 6  # …and from the other roles' pages
PAGE_SIZE = 3  # small pages: cursors on every list, cheap to render

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------ hostile values


@dataclass(frozen=True)
class Raw:
    """A value put into the query string as is (an invalid percent-encoding)."""

    text: str


DEEP_JSON = "[" * 5000 + "]" * 5000
HUGE = "9" * 5000

HOSTILE = [
    "\x00", "a\x00b", "1\x00", "\x00-1",
    HUGE, "-" + HUGE, "1" * 27, "1" * 27 + ",5", "0," + "1" * 5000,
    "NaN", "nan", "-NaN", "sNaN", "Infinity", "-Infinity", "inf", "1e309", "-1e309", "1e-400",
    "1E+999999", "0x1F", "1_000",
    DEEP_JSON, "{}", "[]", "null", "true", '{"a": [1, {"b": null}]}', "[1e309]",
    "x" * 10000, "ñ" * 10000,
    "-1", "-0", "0", "-99999999999999999999", "2147483648", "9223372036854775808",
    "31/02/2024", "2024-02-31", "00/00/0000", "29/02/2023", "1/1/0", "99/99/99999",
    "0001-01-01", "9999-12-31", "31/12/9999", "2024-13-01T25:61:61",
    "²", "١٢٣", "Ⅻ", "🙂", "\ufeff", "\u202e", "e\u0301", "İ",
    "%", "_", "\\", "'", '"', "<script>", " ", "\t\n", "",
    "sig.", "ant.", "ultima", "sig.%%%", "sig.!!!!", "*",
    "a%00b", "q=a%00b&orden=-1", "/p/demo/clientes/?q=a%00b", "//evil.example/", "javascript:x",
]
RAW = [Raw("%FF%FE"), Raw("%ED%A0%80"), Raw("%C0%AF"), Raw("%"), Raw("%zz"), Raw("%00"),
       Raw("a%00b"), Raw("%F0%9F")]

# The fixed sweep: every parameter of the page at once takes one of these (the first
# FILLED_SWEEP also with the page's offered values kept).
SWEEP = ["a\x00b", "q=a%00b&orden=-1", HUGE, "x" * 10000, "1e309", Raw("%FF%FE"), "31/02/2024",
         "-1", "1" * 27]
FILLED_SWEEP = 4


# One field of an otherwise valid form at a time: 5,000 digits, and one of these in turn.
ONE_FIELD = [HUGE, "a\x00b", "1" * 27, "x" * 10000, "-1", "31/02/2024", "1e309", "%00"]


def b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode("utf-8", "surrogatepass")).decode().rstrip("=")


def unb64_json(token: str):
    """The JSON list inside `prefix.base64` (a keyset cursor), or None."""
    prefix, _dot, body = token.rpartition(".")
    try:
        values = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    return (prefix + "." if prefix else "", values) if isinstance(values, list) else None


json_scalars = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from([10**400, -(10**400), 2**63, -(2**63) - 1, 0, -1, True, False, None]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e309", "sNaN", "a\x00b", "\x00", "\ud800",
                     "\udfff", "9999-99-99", "2024-02-31T00:00:00", "0001-01-01T00:00:00+23:59",
                     "9999-12-31T23:59:59+00:00", "2024-01-01T00:00:00", "x" * 10000, "", HUGE]),
    st.text(max_size=20),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner,
                                                                 max_size=2),
    max_leaves=6,
)


@st.composite
def cursors(draw, real: tuple[str, ...] = ()):
    """A keyset cursor (`sig.`/`ant.` + base64 JSON): a real one with a value changed, or forged."""
    shaped = [s for s in (unb64_json(token) for token in real) if s is not None and s[1]]
    choice = draw(st.integers(0, 2))
    if shaped and choice == 0:
        prefix, values = draw(st.sampled_from(shaped))
        values = list(values)
        values[draw(st.integers(0, len(values) - 1))] = draw(json_values)
        return prefix + b64(json.dumps(values))
    prefix = draw(st.sampled_from(["sig.", "ant.", ""]))
    if choice == 1:
        return prefix + b64(draw(st.sampled_from(
            [DEEP_JSON, "[NaN, 1]", "[Infinity, 1]", "[1e309, 1]", "[1, 1e309]", '["\\u0000", 1]',
             '["\\ud800", 1]', "not json", "\x00", "[" * 100 + "1" + "]" * 100]
        )))
    return prefix + b64(json.dumps(draw(st.lists(json_values, max_size=5))))


def hostile_values(real: tuple[str, ...] = ()):
    """One value of a parameter: hostile, generated, or a real one spoiled."""
    options = [
        st.sampled_from(HOSTILE),
        st.sampled_from(RAW),
        st.integers(min_value=-(10**60), max_value=10**60).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.text(max_size=30),
        st.text(alphabet=st.characters(codec=None), max_size=10),  # lone surrogates too
        cursors(real),
    ]
    if real:
        options.append(st.sampled_from(real))
        options.append(st.tuples(st.sampled_from(real), st.sampled_from(HOSTILE[:12])).map(
            lambda pair: pair[0] + pair[1]))
    return st.one_of(*options)


def encode(pairs) -> str:
    """A query string; str values are percent-encoded as UTF-8 (surrogates as they are)."""
    parts = []
    for name, value in pairs:
        if isinstance(value, Raw):
            text = value.text
        else:
            text = quote(value.encode("utf-8", "surrogatepass"), safe="")
        parts.append(f"{quote(name, safe='')}={text}")
    return "&".join(parts)


# ------------------------------------------------------------ what a page offers


class PageFields(HTMLParser):
    """The field names (with their values) and the link targets of a rendered page."""

    LINK_ATTRS = ("href", "hx-get", "hx-post", "action")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, set[str]] = {}
        self.links: set[str] = set()
        self.post_targets: set[str] = set()  # where the page's forms post
        self._select: str | None = None

    def _add(self, name, value):
        if name:
            self.values.setdefault(name, set())
            if value is not None:
                self.values[name].add(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for attr in self.LINK_ATTRS:
            if attrs.get(attr):
                self.links.add(attrs[attr])
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.post_targets.add(urlparse(attrs.get("action") or "").path)
        if attrs.get("hx-post"):
            self.post_targets.add(urlparse(attrs["hx-post"]).path)
        name = attrs.get("name")
        if tag in ("input", "textarea", "button"):
            self._add(name, attrs.get("value"))
        elif tag == "select":
            self._select = name
            self._add(name, None)
        elif tag == "option" and self._select:
            self._add(self._select, attrs.get("value"))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


_READ = re.compile(
    r"""(?:GET|POST|params|data|qd|lookup|state)\.(?:get|getlist|pop)\(\s*["']([A-Za-z_]\w*)["']"""
    r"""|["']([A-Za-z_]\w*)["']\s+in\s+(?:request\.)?(?:GET|POST|data)\b"""
    r"""|\(\s*request\s*,\s*["']([A-Za-z_]\w*)["']"""  # a helper reading one: _cursor(request, "x")
    r"""|^[A-Z_]*_PARAM\s*=\s*["']([A-Za-z_]\w*)["']""",  # a name kept in a constant
    re.MULTILINE,
)


def source_names() -> set[str]:
    """Parameter names the project's code reads from a request or a tray's params."""
    names = set()
    for directory in SOURCE_DIRS:
        for path in (ROOT / directory).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for match in _READ.finditer(path.read_text()):
                names.add(next(g for g in match.groups() if g))
    return names


@dataclass
class Profile:
    """What one role is sent for one URL."""

    role: str
    url: str
    browser: object = field(default=None, repr=False)
    broken: list[str] = field(default_factory=list)  # real links of the page answering 500
    methods: tuple[str, ...] = ("GET",)  # GET, and POST when the page posts to itself
    fields: tuple[str, ...] = ()  # the names of the page's own form fields
    names: list[str] = field(default_factory=list)
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    bases: list[tuple] = field(default_factory=lambda: [()])  # real query strings, as pairs


IGNORED_NAMES = {"csrfmiddlewaretoken", "language"}


def harvest(browser, url: str, code_names: set[str], *, crawl: int) -> Profile:
    """Field names, values and same-view links of `url`, `crawl` links one level deep.

    A real link of the page answering 500 is recorded in `broken`.
    """
    values: dict[str, set[str]] = {}
    fields: dict[str, set[str]] = {}  # the first page's own form fields
    bases: set[tuple] = {()}
    seen: set[str] = set()
    broken: list[str] = []
    methods = ["GET"]

    def read(page_url):
        seen.add(page_url)
        response = send(browser, "GET", page_url, (), htmx=False)
        if response.status_code >= 500:
            broken.append(describe("", "GET", page_url, (), response))
        if response.status_code == 405:
            methods[:] = ["POST"]
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            return []
        parser = PageFields()
        parser.feed(response.content.decode())
        if parser.post_targets & {"", url} and "POST" not in methods:
            methods.append("POST")
        for name, found in parser.values.items():
            values.setdefault(name, set()).update(found)
            if page_url == url:
                fields.setdefault(name, set()).update(found)
        same = []
        for link in parser.links:
            target = urlparse(link)
            if target.path in ("", url) and target.query:
                pairs = tuple(parse_qsl(target.query, keep_blank_values=True))
                for name, value in pairs:
                    values.setdefault(name, set()).add(value)
                bases.add(pairs)
                same.append(f"{url}?{target.query}")
        return same

    for link in sorted(read(url))[:crawl]:
        if link not in seen:
            read(link)
    # The page's form sent as offered: a valid submission to spoil one field at a time.
    filled = tuple(
        (name, min(v for v in found if v)) for name, found in sorted(fields.items())
        if name not in IGNORED_NAMES and any(found)
    )
    if filled:
        bases.add(filled)
    names = sorted((set(values) | code_names) - IGNORED_NAMES)
    return Profile(
        role="",
        browser=browser,
        broken=broken,
        methods=tuple(methods),
        fields=tuple(sorted(set(fields) - IGNORED_NAMES)),
        url=url,
        names=names,
        values={n: tuple(sorted(v for v in values.get(n, ()) if v)) for n in names},
        bases=sorted(bases, key=lambda pairs: (len(pairs), pairs)),
    )


# ------------------------------------------------------------------------ requests


def send(browser, method: str, url: str, pairs, *, htmx: bool):
    """One request inside a savepoint that is rolled back (a 500 aborts it cleanly)."""
    headers = {"HX-Request": "true"} if htmx else {}
    query = encode(pairs)
    with transaction.atomic():
        if method == "GET":
            joiner = "&" if "?" in url else "?"
            response = browser.get(f"{url}{joiner}{query}" if query else url, headers=headers)
        else:
            response = browser.post(
                url, data=query, content_type="application/x-www-form-urlencoded", headers=headers
            )
        transaction.set_rollback(True)
    return response


def status_of(browser, method: str, url: str) -> int:
    return send(browser, method, url, (), htmx=False).status_code


def describe(role, method, url, pairs, response) -> str:
    shown = encode(pairs)
    shown = shown if len(shown) <= 300 else shown[:300] + "…"
    shown = f"?{shown}" if shown else ""
    detail = ""
    if getattr(response, "exc_info", None):
        exc = response.exc_info[1]
        detail = f": {type(exc).__name__}: {str(exc)[:200]}"
    return f"{role} {method} {url}{shown} → {response.status_code}{detail}"


# ------------------------------------------------------------------------- the data


@dataclass
class World:
    cast: object
    project_a: object  # the isolation walker's ObjectSet: one row of every tenant model
    browsers: dict
    code_names: set
    profiles: dict = field(default_factory=dict)  # entry label → [Profile]
    models: dict = field(default_factory=dict)  # object id → model label
    learned: list = field(default_factory=list)  # model labels that URLs took, latest first


def _build_hostile_data(cast, project_a):
    """Data that gives every page its full set of controls: variables of every type (as
    filters and columns), more than a page of clients, orders and jobs, a saved view."""
    from clients.choices import VariableType
    from clients.models import CustomVariable
    from moonflow.lists.models import SavedView, TrayPreference
    from moonflow.jobs.models import JobKind, JobStatus, ProcessJob

    from . import factories

    project = cast.project
    specs = [("texto", VariableType.TEXT, []), ("nivel", VariableType.CHOICE, ["Alto", "Bajo"]),
             ("puntaje", VariableType.NUMBER, []), ("vence", VariableType.DATE, [])]
    for position, (key, type_, choices) in enumerate(specs, start=1):
        CustomVariable.objects.create(project=project, key=key, label=key.capitalize(), type=type_,
                                      choices=choices, position=position)
    client = next(o for o in project_a.objects if type(o).__name__ == "Client" and not o.deleted_at)
    for i in range(2 * PAGE_SIZE):
        factories.make_client(
            project, name=f"Cliente {i:02}", adviser=cast.restricted if i % 2 else cast.adviser,
            extra={"texto": f"t{i}", "nivel": "Alto", "puntaje": i * 1.5, "vence": "2024-05-06"},
        )
    for _ in range(2 * PAGE_SIZE):
        factories.make_payment_order(client)
    for i in range(2 * PAGE_SIZE):
        factories.make_interaction(client, template=f"plantilla_{i}",
                                   error_message="=HYPERLINK(\"x\")" if i == 0 else "")
    now = timezone.now()
    for i in range(2 * PAGE_SIZE):
        ProcessJob.objects.create(
            project=project, requested_by=cast.admin, kind=JobKind.CLIENT_EXPORT,
            status=JobStatus.SUCCEEDED, started_at=now, finished_at=now,
            files_expire_at=now + timedelta(days=7),
        )
    keys = ["name", "document", "email", "phone", "segment", "status", "situation",
            "portfolio_type", "adviser", "supervisor", "contactability", "contact_alert",
            "claim_category", "balance", "city", "created_at", "var_ciudad_origen",
            *(f"var_{key}" for key, _t, _c in specs)]
    for role in ROLES:
        TrayPreference.objects.update_or_create(
            project=project, member=getattr(cast, role), tray="clients",
            defaults={"columns": keys},
        )
    SavedView.objects.create(project=project, owner=cast.admin, tray="clients", shared=True,
                             name="Guardada con NUL", query="q=a%00b&orden=var_nivel")
    SavedView.objects.create(project=project, owner=cast.admin, tray="interactions", shared=True,
                             name="Con NUL", query="q=a%00b&envio_desde=31/02/2024&canal=fax")


@pytest.fixture(scope="module")
def small_pages():
    from clients.lists import CLIENTS
    from clients.order_lists import PAYMENT_ORDERS
    from interactions.lists import INTERACTIONS
    from moonflow.jobs.lists import JOBS

    with pytest.MonkeyPatch.context() as patch:
        for spec in (CLIENTS, PAYMENT_ORDERS, JOBS, INTERACTIONS):
            patch.setattr(spec, "default_page_size", PAGE_SIZE)
            patch.setattr(spec, "page_sizes", (PAGE_SIZE, *spec.page_sizes))
        yield


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, small_pages):
    with module_data(django_db_blocker, tmp_path_factory.mktemp("media")):
        cast = make_cast()
        project_a = build_project_a(cast)
        _build_hostile_data(cast, project_a)
        yield World(
            cast=cast,
            project_a=project_a,
            browsers={role: browser_for(getattr(cast, role)) for role in ROLES},
            code_names=source_names(),
            models={o.pk: o._meta.label for o in project_a.objects},
        )


def _reach(world, entry, role: str, first: dict | None):
    """A URL of `entry` that `role` may open (an id it can see), or None.

    Ids are tried in the order most likely to fit: the admin's choice, then
    objects of the models other URLs took. 403 means the role may not use the
    view at all (decided before any lookup); 404 is an id it cannot see; a
    view that takes only POST is probed with a rolled-back POST.
    """
    browser = world.browsers[role]
    candidates = combinations(entry, world.project_a.id_tuples(len(entry.id_slots)))

    id_names = {slot.name for slot in entry.id_slots}

    def rank(values):
        labels = [world.models.get(v) for k, v in values.items() if k in id_names]
        learned = world.learned + labels
        return (values != first, [learned.index(label) for label in labels])

    for values in sorted(candidates, key=rank):
        url = entry.url({PROJECT_KWARG: SLUG, **values})
        status = status_of(browser, "GET", url)
        if status == 405:
            status = status_of(browser, "POST", url)
        if status == 403:
            return None
        if status != 404:
            for slot in entry.id_slots:
                model = world.models.get(values[slot.name])
                if model in world.learned:
                    world.learned.remove(model)
                world.learned.insert(0, model)
            return values, url
    return None


def profiles_for(world, entry) -> list[Profile]:
    if entry.label not in world.profiles:
        profiles, first = [], None
        for role in ROLES:
            reached = _reach(world, entry, role, first)
            if reached is None:
                continue
            values, url = reached
            first = first or values
            crawl = MAX_CRAWL if not profiles else MAX_CRAWL_OTHERS
            profile = harvest(world.browsers[role], url, world.code_names, crawl=crawl)
            profile.role, profile.browser = role, world.browsers[role]
            profiles.append(profile)
        world.profiles[entry.label] = profiles
    return world.profiles[entry.label]


@st.composite
def requests(draw, profiles: list[Profile]):
    """(role, pairs, htmx, every method): a real request of the page, some parameters made
    hostile."""
    profile = draw(st.sampled_from(profiles))
    pairs = list(draw(st.sampled_from(profile.bases)))
    for _ in range(draw(st.integers(1, 6))):
        name = draw(st.sampled_from(profile.names))
        value = draw(hostile_values(profile.values.get(name, ())))
        if draw(st.booleans()):
            pairs = [(k, v) for k, v in pairs if k != name]
        pairs.append((name, value))
    return profile.role, pairs, draw(st.booleans()), None


def _spoiled_cursor(token: str, value) -> str:
    prefix, values = unb64_json(token)
    return prefix + b64(json.dumps([value] * (len(values) - 1) + values[-1:]))


def _shape(base) -> tuple:
    """The kinds of values in a link's cursors: one spoiled link per shape is enough."""
    return tuple(
        (name, tuple(type(v).__name__ for v in unb64_json(value)[1]))
        for name, value in base if unb64_json(value)
    )


def sweep(profiles: list[Profile]) -> list:
    """The fixed examples, before Hypothesis's own.

    1. Each role in turn: every parameter at once set to one hostile value, and
       again with the page's offered values kept where it offers some.
    2. The page's form as offered (a valid submission) with one field at a time
       spoiled, posted by the first role.
    3. One real link of each cursor shape with its cursor's values spoiled (every
       spoiler for the first role, one for the others).
    """
    examples = []
    for i, value in enumerate(SWEEP):
        profile = profiles[i % len(profiles)]
        examples.append((profile.role, [(n, value) for n in profile.names], i % 2 == 1, None))
        if i < FILLED_SWEEP:
            # The offered values kept (a format chosen, a valid date…), the free fields hostile.
            filled = [(n, profile.values[n][0] if profile.values.get(n) else value)
                      for n in profile.names]
            examples.append((profile.role, filled, False, None))
    first = profiles[0]
    if "POST" in first.methods:
        form = dict(max(first.bases, key=len))
        for i, name in enumerate(first.fields):
            for value in dict.fromkeys([HUGE, ONE_FIELD[i % len(ONE_FIELD)]]):
                examples.append((first.role, list({**form, name: value}.items()), False,
                                 "POST"))
    spoilers = [float("nan"), float("inf"), "a\x00b", 10**400, "0001-01-01T00:00:00+23:59"]
    for rank, profile in enumerate(profiles):
        shapes = {}
        for base in profile.bases:
            if _shape(base):
                shapes.setdefault(_shape(base), base)
        for i, base in enumerate(shapes.values()):
            for spoiler in spoilers if rank == 0 else spoilers[i % len(spoilers):][:1]:
                pairs = [(n, _spoiled_cursor(v, spoiler) if unb64_json(v) else v)
                         for n, v in base]
                examples.append((profile.role, pairs, False, None))
    return examples


# ---------------------------------------------------------------------------- tests


def test_it_discovers_the_parameters_views_read(world):
    assert {"q", "orden", "pagina", "por_pagina", "vista", "next", "consulta", "query",
            "formato", "columnas"} <= world.code_names


def test_it_opens_every_url_as_the_admin(world):
    unreachable = [e.label for e in PROJECT_URLS if not any(
        p.role == "admin" for p in profiles_for(world, e))]
    assert not unreachable, f"The walker found no id the admin may open for: {unreachable}"


def test_it_harvests_the_tray_controls_and_cursors(world):
    entry = next(e for e in PROJECT_URLS if e.name == "clients:list")
    admin = next(p for p in profiles_for(world, entry) if p.role == "admin")
    assert {"q", "estado", "var_texto", "var_nivel", "var_puntaje_min", "var_vence_desde",
            "por_pagina", "orden", "pagina"} <= set(admin.names)
    assert any(v.startswith("sig.") for v in admin.values["pagina"])
    assert "var_puntaje" in admin.values["orden"]


@pytest.mark.parametrize("entry", PROJECT_URLS, ids=entry_ids(PROJECT_URLS))
def test_it_never_answers_500_to_hostile_input(entry, world):
    profiles = profiles_for(world, entry)
    assert profiles, f"{entry.label}: no role of the cast could open it"
    broken = [problem for p in profiles for problem in p.broken]
    assert not broken, "Real links of the page answer 500:\n  " + "\n  ".join(broken)
    by_role = {p.role: p for p in profiles}

    def probe(request):
        role, pairs, htmx, only = request
        profile = by_role[role]
        for method in (only,) if only else profile.methods:
            response = send(profile.browser, method, profile.url, pairs, htmx=htmx)
            assert response.status_code < 500, describe(role, method, profile.url, pairs, response)

    test = given(requests(profiles))(probe)
    for explicit in sweep(profiles):
        test = example(explicit)(test)
    bases = max(len(p.bases) for p in profiles)
    settings(
        max_examples=min(MAX_EXAMPLES, EXAMPLES + EXAMPLES_PER_BASE * bases),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )(test)()

