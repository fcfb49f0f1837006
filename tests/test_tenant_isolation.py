"""Nobody reaches another project's data through any URL.

Every URL pattern of the project is walked (see tests/isolation_helpers.py):
project B's admin, under their own project, requests every URL with every id
of a project A full of data and must get 404 each time; under project A's
slug they must get 404 everywhere; a visitor who is not logged in is sent to
the login page. A view added later without scoping fails here by name.
"""

import types
from dataclasses import dataclass

import pytest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import include, path, re_path

from clients.models import Client
from clients.selectors import get_client_for_member

from .isolation_helpers import (
    API_PREFIX,
    GLOBAL_KWARGS,
    NON_ID_KWARGS,
    ObjectSet,
    UnknownKwarg,
    api_client_for,
    api_entries,
    api_outsider_problems,
    browser_for,
    build_project_a,
    entry_ids,
    first_values,
    format_problems,
    login_redirect_problems,
    make_cast,
    missing_tenant_models,
    module_data,
    outsider_problems,
    project_entries,
    walk_urls,
)

PROJECT_URLS = project_entries()
# URLs with an object id; an unknown kwarg may be one, so those are walked too (and fail asking
# for sample values). A URL with only known non-id kwargs shows the outsider their own project.
ID_URLS = [e for e in PROJECT_URLS if e.id_slots or e.unknown_kwargs()]
# The REST API: the project comes from the key; every endpoint with an id is walked with
# project B's key over every id of project A.
API_URLS = api_entries()
API_ID_URLS = [e for e in API_URLS if e.id_slots or e.unknown_kwargs()]

pytestmark = pytest.mark.django_db


@dataclass
class World:
    cast: object
    project_a: ObjectSet


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Project A full of data, built once for the module (each test rolls back its own writes)."""
    with module_data(django_db_blocker, tmp_path_factory.mktemp("media")):
        cast = make_cast()
        yield World(cast, build_project_a(cast))


@pytest.fixture
def cast(world):
    """The module's cast (same people as tests/conftest.py's), instead of a new one per test."""
    return world.cast


@pytest.fixture
def project_a(world) -> ObjectSet:
    return world.project_a


def _view(request, **kwargs):
    return HttpResponse("")


def test_it_walks_nested_includes_namespaces_and_converters():
    inner = ([path("ordenes/<int:pk>/descargar/<str:which>/", _view, name="download")], "orders")
    urlconf = types.ModuleType("walked_urls")
    urlconf.urlpatterns = [
        path("", _view, name="home"),
        path("p/<slug:project>/", include([path("clientes/<int:client_pk>/", include(inner))])),
        re_path(r"^p/(?P<project>[-\w]+)/viejo/(?P<pk>[0-9]+)/$", _view, name="legacy"),
    ]
    with override_settings(ROOT_URLCONF=urlconf):
        entries = {e.label: e for e in walk_urls()}
        assert set(entries) == {"home", "orders:download", "legacy"}
        download = entries["orders:download"]
        assert download.route == (
            "p/<slug:project>/clientes/<int:client_pk>/ordenes/<int:pk>/descargar/<str:which>/"
        )
        assert [(k.name, k.converter, k.kind) for k in download.kwargs] == [
            ("project", "slug", "project"),
            ("client_pk", "int", "id"),
            ("pk", "int", "id"),
            ("which", "str", "sample"),
        ]
        assert download.url({"project": "demo", "client_pk": 3, "pk": 7, "which": "resultado"}) == (
            "/p/demo/clientes/3/ordenes/7/descargar/resultado/"
        )
        legacy = entries["legacy"]
        assert legacy.is_project and [k.kind for k in legacy.slots] == ["id"]
        assert legacy.url({"project": "demo", "pk": 9}) == "/p/demo/viejo/9/"
        assert not entries["home"].is_project


def test_it_walks_the_real_project_urls():
    names = {e.name for e in PROJECT_URLS}
    assert {"project_home", "clients:list", "jobs:list", "jobs:detail"} <= names
    assert all(e.route.startswith("p/<slug:project>/") for e in PROJECT_URLS)


def test_it_knows_every_url_kwarg():
    unknown = {e.label: e.unknown_kwargs() for e in PROJECT_URLS if e.unknown_kwargs()}
    assert not unknown, (
        f"URL kwargs without sample values: {unknown}. Object ids are int converters (or named "
        f"pk / id / *_pk / *_id); any other kwarg needs sample values in NON_ID_KWARGS "
        f"(tests/isolation_helpers.py), which knows {sorted(NON_ID_KWARGS)}."
    )


def test_it_keeps_every_object_url_under_a_project():
    """Outside /p/<project>/ there are only pages without object ids (login, password reset…)."""
    loose = [
        f"{e.label} ({e.route})"
        for e in walk_urls()
        if not e.is_project and not e.route.startswith(API_PREFIX)
        and any(k.name not in GLOBAL_KWARGS for k in e.kwargs)
    ]
    assert not loose, (
        f"URLs taking ids outside /p/<slug:project>/, where ProjectMiddleware cannot scope "
        f"them: {loose}"
    )


def test_it_covers_every_tenant_model(project_a, cast):
    missing = missing_tenant_models(project_a, cast.project)
    assert not missing, (
        f"Tenant models without a row in the isolation data set: {missing}. Add one to "
        f"build_project_a in tests/isolation_helpers.py so their ids are walked too."
    )
    ids = [o.pk for o in project_a.objects]
    assert len(ids) == len(set(ids)), "ids must differ across tables"


@pytest.mark.parametrize("entry", ID_URLS, ids=entry_ids(ID_URLS))
def test_it_answers_404_to_another_projects_admin_for_every_id_of_project_a(entry, project_a, cast):
    problems = outsider_problems(entry, browser_for(cast.outsider), project_a, slug="otra")
    assert not problems, format_problems(
        entry, problems, "answers project B's admin (under /p/otra/) with project A's ids"
    )


@pytest.mark.parametrize("entry", PROJECT_URLS, ids=entry_ids(PROJECT_URLS))
def test_it_answers_404_to_another_projects_admin_under_project_a(entry, project_a, cast):
    url = entry.url({"project": "demo", **first_values(entry, project_a)})
    browser = browser_for(cast.outsider)
    got, posted = browser.get(url), browser.post(url)
    assert (got.status_code, posted.status_code) == (404, 404), (
        f"{entry.label}: GET {url} → {got.status_code}, POST → {posted.status_code} for a "
        f"member of another project"
    )


@pytest.mark.parametrize("entry", PROJECT_URLS, ids=entry_ids(PROJECT_URLS))
def test_it_sends_anonymous_visitors_to_the_login_page(entry, project_a):
    url = entry.url({"project": "demo", **first_values(entry, project_a)})
    problems = login_redirect_problems(url)
    assert not problems, format_problems(
        entry, problems, "does not send anonymous visitors to login"
    )


def test_it_walks_the_api_urls():
    names = {e.name for e in API_ID_URLS}
    assert {"api:client", "api:client_restore", "api:client_payment_orders",
            "api:payment_order", "api:interaction", "api:portfolio", "api:portfolio_contacts",
            "api:portfolio_contact", "api:job", "api:job_file"} <= names
    assert all(not e.is_project for e in API_URLS)


# The walk sends thousands of requests with one key: past any rate limit.
@override_settings(API_RATE_LIMIT="1000000/min")
@pytest.mark.parametrize("entry", API_ID_URLS, ids=entry_ids(API_ID_URLS))
def test_the_api_answers_404_to_another_projects_key_for_every_id_of_project_a(
        entry, project_a, cast):
    problems = api_outsider_problems(entry, api_client_for(cast.outsider), project_a)
    assert not problems, format_problems(
        entry, problems, "answers project B's API key with project A's ids")


@pytest.mark.parametrize("entry", API_URLS, ids=entry_ids(API_URLS))
def test_the_api_refuses_requests_without_a_key(entry, project_a):
    if entry.name in ("api:schema", "api:docs"):
        return  # the schema and its docs are public: they hold no data
    url = entry.url(first_values(entry, project_a))
    anonymous = HttpClient(raise_request_exception=False)
    assert anonymous.get(url).status_code == 401, url
    assert anonymous.post(url).status_code in (401, 405), url


# ----------------------------------------------------------- the walker itself


def _leaky_client(request, pk):
    client = Client.objects.get(pk=pk)  # deliberately unscoped
    return HttpResponse(client.name)


def _leaky_client_404(request, pk):
    client = get_object_or_404(Client, pk=pk)  # deliberately unscoped
    return HttpResponse(client.name)


def _scoped_client(request, pk):
    return HttpResponse(get_client_for_member(request.member, pk).name)


def _mystery(request, colour):
    return HttpResponse("")


def _urlconf_with(*extra):
    module = types.ModuleType("leaky_urls")
    module.urlpatterns = [path("", include("moonflow.urls")), *extra]
    return module


def test_it_catches_a_view_that_does_not_scope_its_lookup(project_a, cast):
    leaky = _urlconf_with(
        path("p/<slug:project>/fuga/clientes/<int:pk>/", _leaky_client, name="leak_get"),
        path("p/<slug:project>/fuga/clientes/<int:pk>/404/", _leaky_client_404, name="leak_404"),
        path("p/<slug:project>/seguro/clientes/<int:pk>/", _scoped_client, name="scoped"),
    )
    client_pk = next(o.pk for o in project_a.objects if isinstance(o, Client) and not o.deleted_at)
    with override_settings(ROOT_URLCONF=leaky):
        entries = {e.name: e for e in project_entries()}
        assert {"leak_get", "leak_404", "scoped", "jobs:detail"} <= set(entries)
        browser = browser_for(cast.outsider)
        for name in ("leak_get", "leak_404"):
            problems = outsider_problems(entries[name], browser, project_a, slug="otra")
            leaked = [p for p in problems if f"/clientes/{client_pk}/" in p and "→ 200" in p]
            assert len(leaked) == 2, problems  # the GET and the POST of project A's client
        assert outsider_problems(entries["scoped"], browser, project_a, slug="otra") == []


def test_it_catches_an_api_view_that_does_not_scope_its_lookup(project_a, cast):
    from rest_framework.response import Response

    from api.views.base import ApiView

    class LeakyClient(ApiView):
        def get(self, request, pk):
            return Response({"name": Client.objects.get(pk=pk).name})  # deliberately unscoped

    leaky = types.ModuleType("leaky_api_urls")
    leaky.urlpatterns = [path("api/v1/fuga/<int:pk>/", LeakyClient.as_view(), name="leak"),
                         path("", include("moonflow.urls"))]
    client_pk = next(o.pk for o in project_a.objects if isinstance(o, Client) and not o.deleted_at)
    with override_settings(ROOT_URLCONF=leaky):
        entry = next(e for e in api_entries() if e.name == "leak")
        problems = api_outsider_problems(entry, api_client_for(cast.outsider), project_a)
    assert any(f"/fuga/{client_pk}/ → 200" in p for p in problems), problems


def test_it_fails_on_a_url_kwarg_it_does_not_know(project_a):
    with override_settings(
        ROOT_URLCONF=_urlconf_with(path("p/<slug:project>/color/<str:colour>/", _mystery, name="m"))
    ):
        entry = next(e for e in project_entries() if e.name == "m")
        assert entry.unknown_kwargs() == ["colour"]
        with pytest.raises(UnknownKwarg, match="add it with sample values to NON_ID_KWARGS"):
            outsider_problems(entry, None, project_a, slug="otra")
