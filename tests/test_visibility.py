"""A restricted adviser sees only their clients, on every URL; the rule itself, unit by unit.

cast.restricted ("Asignación de asesor" on, team Equipo Norte) may see the
client assigned to them, the client of a portfolio they own and the client of
a portfolio of their team. Every URL with an id slot is walked with the ids of
another adviser's client (its payment order, interaction, claim, contact,
reference, assignment), of the other clients they may not see and of a job
someone else asked for: each must be answered like an id that does not exist
(404; 403 or 405 only where a missing id gets the same), while their own ids
open where the view exists. Pages without ids must never show a hidden
client's name, document number or payment order.
"""

import itertools
import types
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.http import Http404, HttpResponse
from django.test import override_settings
from django.urls import include, path
from django.utils import timezone

from clients.choices import AssignmentSource, ClaimCategory, ContactKind
from clients.models import (
    Claim,
    Client,
    ClientAssignment,
    ClientContact,
    ClientReference,
    PaymentOrder,
)
from clients.selectors import (
    client_base_queryset,
    get_client_for_member,
    payment_order_base_queryset,
)
from clients.visibility import client_visibility_q, sees_whole_book
from interactions.models import Channel, Interaction, InteractionStatus
from moonflow.jobs.models import JobKind, JobStatus, ProcessJob
from moonflow.tenancy.models import Member, Role
from portfolios.models import Portfolio, PortfolioClient

from . import factories
from .isolation_helpers import (
    PROJECT_KWARG,
    browser_for,
    combinations,
    entry_ids,
    format_problems,
    make_cast,
    module_data,
    project_entries,
)

pytestmark = pytest.mark.django_db

PROJECT_URLS = project_entries()
ID_URLS = [e for e in PROJECT_URLS if e.id_slots]
PAGE_URLS = [e for e in PROJECT_URLS if not e.id_slots]

FULL_FAMILY = (
    "client", "payment_order", "interaction", "claim", "contact", "reference", "assignment"
)
# Jobs are not a client's, but a restricted adviser sees only the ones they asked for: the own and
# the other adviser's family each carry one, so the process log's URLs are walked the same way.
ALL_KINDS = (*FULL_FAMILY, "job")
SHORT_FAMILY = ("client", "payment_order", "interaction", "claim")

# What a list page is asked besides its plain form: a search by surname and by
# document prefix, the recycle bin filter of the tray, and the htmx partial.
PAGE_VARIANTS = (
    ("", {}),
    ("?q=Oculto", {}),
    ("?q=731994", {}),
    ("?estado=eliminado", {}),
    ("", {"HTTP_HX_REQUEST": "true"}),
)


@dataclass
class Book:
    """Project A's clients, named by what cast.restricted may make of them."""

    cast: object
    south_supervisor: object
    south_adviser: object
    clients: dict  # key -> Client
    families: dict = field(default_factory=dict)  # key -> {kind: object}
    portfolios: dict = field(default_factory=dict)

    VISIBLE = ("own", "own_portfolio", "team_portfolio")
    HIDDEN = ("other", "unassigned", "inactive_portfolio", "south_portfolio", "supervised",
              "other_deleted")

    def ids(self, *keys) -> set[int]:
        return {self.clients[k].pk for k in keys}

    def hidden_strings(self) -> list[str]:
        strings = []
        for key in self.HIDDEN:
            client = self.clients[key]
            order = self.families[key]["payment_order"]
            strings += [client.name, client.document_number, order.number]
        return strings


def _family(project, client, kinds, *, adviser, number, now):
    family = {"client": client}
    family["payment_order"] = factories.make_payment_order(
        client, number=number, due_date=now.date() - timedelta(days=15)
    )
    family["interaction"] = Interaction.objects.create(
        project=project, client=client, channel=Channel.EMAIL, status=InteractionStatus.DELIVERED,
        adviser=adviser, scheduled_at=now, campaign="Recordatorio",
    )
    family["claim"] = Claim.objects.create(
        project=project, client=client, category=ClaimCategory.PAYMENT,
        description="Pago no aplicado",
    )
    family["claim"].payment_orders.add(family["payment_order"],
                                       through_defaults={"project": project})
    if "contact" in kinds:
        family["contact"] = ClientContact.objects.create(
            project=project, client=client, kind=ContactKind.EMAIL,
            value=f"c{client.pk}@example.com",
        )
        family["reference"] = ClientReference.objects.create(
            project=project, client=client, name="Referencia Familiar", relationship="Hermana"
        )
        family["assignment"] = ClientAssignment.objects.create(
            project=project, client=client, adviser=adviser, started_at=now,
            source=AssignmentSource.FILE,
        )
    return family


def build_book(cast) -> Book:
    project = cast.project
    now = timezone.now()
    north = cast.restricted.team
    south_supervisor = factories.make_member(
        project, role=Role.SUPERVISOR, username="supervisora_sur"
    )
    south = factories.make_team(project, "Equipo Sur", supervisor=south_supervisor)
    south_adviser = factories.make_member(project, username="asesor_sur", team=south)

    def portfolio(name, **fields):
        return Portfolio.objects.create(project=project, name=name, **fields)

    portfolios = {
        "own": portfolio("Cartera de Asesor2", agent=cast.restricted),
        "team": portfolio("Cartera Equipo Norte", team=north),
        "inactive": portfolio("Cartera Inactiva", agent=cast.restricted, team=north, active=False),
        "south": portfolio("Cartera Sur", team=south),
    }
    # (key, name, document, adviser, supervisor, portfolio, deleted)
    rows = [
        ("own", "Rosa Asignada Propia", "5100000001", cast.restricted, None, None, False),
        ("own_portfolio", "Pablo Cartera Propia", "5100000002", None, None, "own", False),
        ("team_portfolio", "Tomás Cartera Equipo", "5100000003", south_adviser, None, "team",
         False),
        ("other", "Zacarías Oculto Ferrán", "7319946021", cast.adviser, None, None, False),
        ("unassigned", "Ulises Sinasesor Oculto", "7319946022", None, None, None, False),
        ("inactive_portfolio", "Inés Inactiva Oculta", "7319946023", south_adviser, None,
         "inactive", False),
        ("south_portfolio", "Sofía Sureña Oculta", "7319946024", south_adviser, None, "south",
         False),
        ("supervised", "Sergio Supervisado Oculto", "7319946025", south_adviser, cast.supervisor,
         None, False),
        ("other_deleted", "Delia Papelera Oculta", "7319946026", cast.adviser, None, None, True),
    ]
    book = Book(cast, south_supervisor, south_adviser, clients={}, portfolios=portfolios)
    for n, (key, name, document, adviser, supervisor, in_portfolio, deleted) in enumerate(rows, 1):
        client = factories.make_client(
            project, name=name, document_number=document, adviser=adviser, supervisor=supervisor,
            deleted_at=now if deleted else None,
        )
        if in_portfolio:
            PortfolioClient.objects.create(project=project, portfolio=portfolios[in_portfolio],
                                           client=client)
        kinds = FULL_FAMILY if key in ("own", "own_portfolio", "team_portfolio", "other") else (
            SHORT_FAMILY
        )
        prefix = "OP-OCULTA" if key in Book.HIDDEN else "OP-PROPIA"
        book.clients[key] = client
        book.families[key] = _family(project, client, kinds, adviser=adviser,
                                     number=f"{prefix}-{n}", now=now)
    for key, requester in (("own", cast.restricted), ("other", cast.admin)):
        book.families[key]["job"] = _finished_job(project, requester, now)
    return book


def _finished_job(project, requester, now):
    job = ProcessJob.objects.create(
        project=project, requested_by=requester, kind=JobKind.CLIENT_EXPORT,
        status=JobStatus.SUCCEEDED, read=1, started_at=now, finished_at=now,
        files_expire_at=now + timedelta(days=7), input_name="clientes.csv",
    )
    for name in ("input_file", "result_file", "error_file"):
        getattr(job, name).save(f"{name}.csv", ContentFile(b"documento;nombre\n"), save=False)
    job.save(update_fields=["input_file", "result_file", "error_file"])
    return job


@pytest.fixture(scope="module")
def book(django_db_setup, django_db_blocker, tmp_path_factory):
    with module_data(django_db_blocker, tmp_path_factory.mktemp("media")):
        yield build_book(make_cast())


# ----------------------------------------------------------------- every URL


def _leaks(body: bytes, strings: list[str]) -> list[str]:
    text = body.decode("utf-8", "replace")
    return [s for s in strings if s in text]


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


# An id no table holds: isolation_helpers.spread_id_sequences starts every table at 10 000 000
# or more.
MISSING_ID = 9_999_999
REFUSALS = {403, 404, 405}


def _hidden_problems(browser, url: str, missing: tuple[int, int]) -> list[str]:
    """A hidden id must be answered exactly like a missing one, and that answer is a refusal.

    Usually 404; a view closed to advisers says 403 before any lookup, and a
    view that takes one method says 405 to the other, whatever the id.
    """
    got, posted = browser.get(url), browser.post(url)
    problems = []
    for method, response, expected in (("GET", got, missing[0]), ("POST", posted, missing[1])):
        if response.status_code != expected or response.status_code not in REFUSALS:
            detail = f" ({type(response.exc_info[1]).__name__})" if response.exc_info else ""
            problems.append(
                f"{method} {url} → {response.status_code}{detail}, a missing id gets {expected}"
            )
    return problems


def _shaped(family: dict, shapes) -> list[tuple]:
    """The tuples of `family` with the given kind shapes (when the family has those kinds)."""
    return [
        tuple((kind, family[kind].pk) for kind in shape)
        for shape in shapes
        if all(kind in family for kind in shape)
    ]


def _mixed(own: dict, other: dict, shapes) -> list[tuple]:
    """Shapes filled partly from the adviser's own client, partly from another's.

    `clientes/<own>/reclamos/<someone else's claim>/` must not reach the claim
    because the client in the URL is one the adviser may see.
    """
    result = []
    for shape in shapes:
        for picks in itertools.product((own, other), repeat=len(shape)):
            if other in picks and own in picks:
                result.append(tuple((kind, fam[kind].pk) for kind, fam in zip(shape, picks)))
    return result


@pytest.mark.parametrize("entry", ID_URLS, ids=entry_ids(ID_URLS))
def test_it_answers_404_for_clients_the_restricted_adviser_may_not_see(entry, book):
    problems = restricted_id_problems(entry, book)
    assert not problems, format_problems(entry, problems, "lets cast.restricted past visibility")


def restricted_id_problems(entry, book) -> list[str]:
    """Walk one URL with id slots as cast.restricted; what went wrong, as readable lines."""
    browser = browser_for(book.cast.restricted)
    hidden_strings = book.hidden_strings()
    k = len(entry.id_slots)
    problems = []
    samples = combinations(entry, [(MISSING_ID,) * k])

    def urls(shape_ids):
        ids = {s.name: pk for s, (_, pk) in zip(entry.id_slots, shape_ids, strict=True)}
        return [entry.url({PROJECT_KWARG: "demo", **values, **ids}) for values in samples]

    missing = [(browser.get(u).status_code, browser.post(u).status_code)
               for u in urls([("missing", MISSING_ID)] * k)]

    # Own records: which kinds of id open the view. GET, and POST only where GET says 405 (a
    # POST may change the adviser's own record; the test's savepoint undoes it).
    all_shapes = list(itertools.product(ALL_KINDS, repeat=k))
    opened = {}  # (shape, client key) -> opened at least once

    def visit_own(key, shapes):
        nonlocal problems
        for shape_ids in _shaped(book.families[key], shapes):
            shape = tuple(kind for kind, _ in shape_ids)
            for url in urls(shape_ids):
                response = browser.get(url)
                if response.status_code == 405:
                    response = browser.post(url)
                opened[(shape, key)] = opened.get((shape, key), False) or (
                    response.status_code not in REFUSALS
                )
                if response.status_code >= 500:
                    exc = response.exc_info[1] if response.exc_info else None
                    problems.append(
                        f"{response.request['REQUEST_METHOD']} {url} → {response.status_code} "
                        f"({type(exc).__name__}: {exc}) on the adviser's own {shape}"
                    )
                problems += [f"{url} shows {s!r}" for s in _leaks(_body(response), hidden_strings)]

    visit_own("own", all_shapes)
    open_shapes = [shape for shape in all_shapes if opened.get((shape, "own"))]
    for key in ("own_portfolio", "team_portfolio"):
        visit_own(key, open_shapes or all_shapes)

    # Hidden records, alone and mixed with the adviser's own: refused like a missing id. With ids
    # distinct across tables, kinds the view does not open for the adviser's own client reach no
    # row of the tables it reads; when none opens (a view closed to advisers), every kind is tried.
    shapes = open_shapes or all_shapes
    hidden = [_shaped(book.families[key], shapes) for key in Book.HIDDEN]
    if k > 1:
        hidden.append(_mixed(book.families["own"], book.families["other"], shapes))
    for shape_ids in itertools.chain(*hidden):
        for url, expected in zip(urls(shape_ids), missing, strict=True):
            problems += _hidden_problems(browser, url, expected)

    # Where the adviser's own client opens, the ones reached through portfolios open too.
    for shape in {shape for shape, _ in opened}:
        present = {key: opened[(shape, key)] for key in Book.VISIBLE if (shape, key) in opened}
        if any(present.values()) and not all(present.values()):
            closed = [key for key, is_open in present.items() if not is_open]
            problems.append(
                f"ids of kinds {shape} open for some of the adviser's own clients but are refused "
                f"for {closed} (visible through their portfolios)"
            )
    return problems


@pytest.mark.parametrize("entry", PAGE_URLS, ids=entry_ids(PAGE_URLS))
def test_it_never_shows_hidden_clients_on_pages_without_ids(entry, book):
    problems = restricted_page_problems(entry, book)
    assert not problems, format_problems(entry, problems, "shows cast.restricted hidden clients")


def restricted_page_problems(entry, book) -> list[str]:
    browser = browser_for(book.cast.restricted)
    hidden_strings = book.hidden_strings()
    problems = []
    for values in combinations(entry, [()]):
        base = entry.url({PROJECT_KWARG: "demo", **values})
        for query, headers in PAGE_VARIANTS:
            response = browser.get(base + query, **headers)
            problems += [
                f"GET {base + query}{' (htmx)' if headers else ''} → {response.status_code} "
                f"shows {s!r}"
                for s in _leaks(_body(response), hidden_strings)
            ]
    return problems


# The walks themselves: views scoped to the project but not to the adviser are reported.


def _project_only_client(request, pk):
    client = Client.objects.get(project=request.project, pk=pk)  # no adviser visibility
    return HttpResponse(client.name)


def _project_only_claim_close(request, pk, claim_pk):
    client = get_client_for_member(request.member, pk)
    claim = Claim.objects.filter(project=request.project, pk=claim_pk).first()  # not the client's
    if claim is None:
        raise Http404
    return HttpResponse(f"{client.name}: {claim.pk}")


def _project_only_list(request):
    names = Client.objects.filter(project=request.project).values_list("name", flat=True)
    return HttpResponse(", ".join(names))


def _scoped_client(request, pk):
    return HttpResponse(get_client_for_member(request.member, pk).name)


def test_it_catches_views_that_ignore_the_advisers_visibility(book):
    urlconf = types.ModuleType("leaky_visibility_urls")
    urlconf.urlpatterns = [
        path("", include("moonflow.urls")),
        path("p/<slug:project>/fuga/<int:pk>/", _project_only_client, name="leak_client"),
        path("p/<slug:project>/fuga/<int:pk>/reclamos/<int:claim_pk>/", _project_only_claim_close,
             name="leak_claim"),
        path("p/<slug:project>/fuga/lista/", _project_only_list, name="leak_list"),
        path("p/<slug:project>/seguro/<int:pk>/", _scoped_client, name="scoped"),
    ]
    with override_settings(ROOT_URLCONF=urlconf):
        entries = {e.name: e for e in project_entries()}
        leaked = restricted_id_problems(entries["leak_client"], book)
        other = book.clients["other"].pk
        assert f"GET /p/demo/fuga/{other}/ → 200, a missing id gets 500" in leaked
        claim = book.families["other"]["claim"].pk
        own = book.clients["own"].pk
        assert f"GET /p/demo/fuga/{own}/reclamos/{claim}/ → 200, a missing id gets 404" in (
            restricted_id_problems(entries["leak_claim"], book)
        )
        shown = restricted_page_problems(entries["leak_list"], book)
        assert any(book.clients["other"].name in line for line in shown), shown
        assert restricted_id_problems(entries["scoped"], book) == []
        assert restricted_page_problems(entries["clients:list"], book) == []


def test_it_lists_the_restricted_advisers_own_clients_in_the_tray(book):
    response = browser_for(book.cast.restricted).get("/p/demo/clientes/")
    assert response.status_code == 200
    text = response.content.decode()
    for key in Book.VISIBLE:
        assert book.clients[key].name in text, f"{key} client missing from the tray"
    for hidden in book.hidden_strings():
        assert hidden not in text


def test_it_lists_every_client_in_the_tray_for_the_admin(book):
    """The hidden clients are real: the admin's tray shows them (the walk above is not vacuous)."""
    text = browser_for(book.cast.admin).get("/p/demo/clientes/").content.decode()
    for key in Book.VISIBLE + Book.HIDDEN:
        if key != "other_deleted":
            assert book.clients[key].name in text


def test_it_opens_the_restricted_advisers_own_client_record(book):
    """The contrast the walk relies on: own ids open the record, hidden ones do not."""
    browser = browser_for(book.cast.restricted)
    records = [e for e in ID_URLS if e.name == "clients:detail"]
    assert records, "the client record (clients:detail) is expected among the URLs"
    for key in Book.VISIBLE + Book.HIDDEN:
        response = browser.get(records[0].url({"project": "demo", "pk": book.clients[key].pk}))
        assert response.status_code == (200 if key in Book.VISIBLE else 404), key


# ---------------------------------------------------------- the rule itself


def fresh(member):
    """A new instance: changes made in one test must not stay on the module's shared objects."""
    return Member.objects.select_related("project", "team").get(pk=member.pk)


def visible_keys(book, member, *, include_deleted=False) -> set[str]:
    ids = set(client_base_queryset(member=member, include_deleted=include_deleted)
              .values_list("pk", flat=True))
    return {key for key, client in book.clients.items() if client.pk in ids}


ALL_ACTIVE = set(Book.VISIBLE + Book.HIDDEN) - {"other_deleted"}


def test_it_shows_the_admin_the_whole_book(book):
    assert sees_whole_book(book.cast.admin)
    assert visible_keys(book, book.cast.admin) == ALL_ACTIVE
    assert visible_keys(book, book.cast.admin, include_deleted=True) == (
        ALL_ACTIVE | {"other_deleted"}
    )


def test_it_shows_an_admin_with_the_permission_on_the_whole_book(book):
    admin = fresh(book.cast.admin)
    admin.restricted_to_assigned = True
    admin.save(update_fields=["restricted_to_assigned"])
    assert visible_keys(book, admin) == ALL_ACTIVE


def test_it_shows_an_adviser_without_the_permission_the_whole_book(book):
    assert not book.cast.adviser.restricted_to_assigned
    assert visible_keys(book, book.cast.adviser) == ALL_ACTIVE


def test_it_shows_a_restricted_adviser_their_clients_and_their_portfolios(book):
    restricted = fresh(book.cast.restricted)
    assert visible_keys(book, restricted) == {"own", "own_portfolio", "team_portfolio"}
    assert visible_keys(book, restricted, include_deleted=True) == {
        "own", "own_portfolio", "team_portfolio"
    }


def test_it_gives_nothing_through_an_inactive_portfolio(book):
    restricted = fresh(book.cast.restricted)
    assert "inactive_portfolio" not in visible_keys(book, restricted)
    for name in ("own", "team"):
        portfolio = book.portfolios[name]
        portfolio.active = False
        portfolio.save(update_fields=["active"])
    assert visible_keys(book, restricted) == {"own"}


def test_it_shows_a_restricted_adviser_without_team_only_their_own_portfolio(book):
    restricted = fresh(book.cast.restricted)
    restricted.team = None
    restricted.save(update_fields=["team"])
    assert visible_keys(book, restricted) == {"own", "own_portfolio"}


def test_it_shows_a_restricted_supervisor_their_teams_supervised_and_unassigned_clients(book):
    supervisor = fresh(book.cast.supervisor)
    supervisor.restricted_to_assigned = True
    supervisor.save(update_fields=["restricted_to_assigned"])
    assert visible_keys(book, supervisor) == {
        "own",  # cast.restricted is in Equipo Norte
        "other",  # so is cast.adviser
        "own_portfolio",  # unassigned
        "unassigned",
        "team_portfolio",  # portfolio of Equipo Norte
        "supervised",
    }
    with_bin = visible_keys(book, supervisor, include_deleted=True)
    assert with_bin == visible_keys(book, supervisor) | {"other_deleted"}
    # The other team's supervisor, restricted too, sees the other side of the book.
    south = fresh(book.south_supervisor)
    south.restricted_to_assigned = True
    south.save(update_fields=["restricted_to_assigned"])
    assert visible_keys(book, south) == {
        "team_portfolio", "inactive_portfolio", "south_portfolio", "supervised",  # Sur's adviser
        "own_portfolio", "unassigned",  # unassigned
    }


def test_it_shows_a_supervisor_without_the_permission_the_whole_book(book):
    assert not book.cast.supervisor.restricted_to_assigned
    assert visible_keys(book, book.cast.supervisor) == ALL_ACTIVE
    assert visible_keys(book, book.south_supervisor) == ALL_ACTIVE


def test_it_applies_the_same_rule_to_payment_orders_and_interactions(book):
    restricted = fresh(book.cast.restricted)
    orders = set(payment_order_base_queryset(member=restricted).values_list("number", flat=True))
    assert orders == {book.families[k]["payment_order"].number for k in Book.VISIBLE}
    interactions = set(
        Interaction.objects.filter(project=book.cast.project)
        .filter(client_visibility_q(restricted, prefix="client__"))
        .values_list("client_id", flat=True)
    )
    assert interactions == book.ids(*Book.VISIBLE)
    every_order = PaymentOrder.objects.filter(project=book.cast.project)
    open_book = payment_order_base_queryset(member=book.cast.adviser)
    assert set(open_book.values_list("pk", flat=True)) == (
        set(every_order.values_list("pk", flat=True))
        - {book.families["other_deleted"]["payment_order"].pk}
    )


def test_it_answers_404_for_a_hidden_client_like_for_a_missing_one(book):
    restricted = fresh(book.cast.restricted)
    assert get_client_for_member(restricted, book.clients["own"].pk) == book.clients["own"]
    for key in Book.HIDDEN:
        with pytest.raises(Http404):
            get_client_for_member(restricted, book.clients[key].pk, include_deleted=True)


def test_it_shows_another_projects_admin_nothing_of_this_book(book):
    outsider = book.cast.outsider
    assert sees_whole_book(outsider)
    assert not client_base_queryset(member=outsider, include_deleted=True).filter(
        pk__in=[c.pk for c in book.clients.values()]
    ).exists()
    assert not Client.objects.filter(project=book.cast.other_project).exists()
