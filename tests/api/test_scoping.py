"""Another project's ids answer 404 on every endpoint, like a missing id; a key acting as a
restricted member sees only that member's clients and jobs, everywhere."""

import pytest
from django.urls import URLPattern, get_resolver

from clients.models import Client
from moonflow.jobs.models import JobKind, ProcessJob
from tests import factories

from .helpers import Api, make_key

pytestmark = pytest.mark.django_db


def api_routes() -> list[str]:
    """Every /api/v1/ route, read from the URLconf (a new endpoint is walked tomorrow)."""
    resolver = get_resolver()
    routes = []

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLPattern):
                routes.append(route)
            else:
                walk(pattern.url_patterns, route)

    walk(resolver.url_patterns, "/")
    return [r for r in routes if r.startswith("/api/v1/")]


def fill(route: str, ids: dict) -> str:
    return (route.replace("<int:pk>", str(ids["pk"]))
            .replace("<int:client_id>", str(ids["pk"]))
            .replace("<str:file>", "errors"))


@pytest.fixture
def other_project_data(cast):
    client = factories.make_client(cast.other_project, document_number="777777")
    job = ProcessJob.objects.create(project=cast.other_project, requested_by=cast.outsider,
                                    kind=JobKind.CLIENT_IMPORT, status="succeeded",
                                    error_file="jobs/x.xlsx")
    return {"client": client, "job": job}


def walk_ids(api, pk_of) -> list[str]:
    """Every API route with an id, with every method: what answered other than 404 (or 405
    for a method the route does not have; each route must answer 404 to one method)."""
    routes = [r for r in api_routes() if "<int:pk>" in r]
    assert routes, "the walk found no API route with an id"
    problems = []
    for route in routes:
        url = fill(route, {"pk": pk_of(route)})
        statuses = []
        for method in ("get", "patch", "delete", "post"):
            if method == "patch":
                response = api.patch(url, {"name": "X"})
            else:
                response = getattr(api, method)(url)
            statuses.append(response.status_code)
            if response.status_code not in (404, 405):
                problems.append(f"{method.upper()} {url}: {response.status_code}")
        if 404 not in statuses:
            problems.append(f"{url}: no method answered 404 ({statuses})")
    return problems


def test_every_endpoint_answers_404_for_another_project_s_ids(cast, other_project_data):
    api = Api(make_key(cast.admin)[1])
    client, job = other_project_data["client"], other_project_data["job"]
    problems = walk_ids(api, lambda route: job.pk if "/jobs/" in route else client.pk)
    assert not problems, problems
    client.refresh_from_db()
    assert client.name != "X" and client.deleted_at is None


def test_every_endpoint_answers_404_for_a_missing_id(cast):
    problems = walk_ids(Api(make_key(cast.admin)[1]), lambda route: 987654321)
    assert not problems, problems


def test_the_external_id_of_another_project_is_not_found(cast, other_project_data):
    response = Api(make_key(cast.admin)[1]).get(
        "/api/v1/clients/by-external-id/", {"documentType": "CC", "documentNumber": "777777"})
    assert response.status_code == 404


def test_the_list_never_shows_another_project_s_clients(cast, other_project_data):
    body = Api(make_key(cast.admin)[1]).get("/api/v1/clients/").json()
    assert body["results"] == [] and body["total"]["value"] == 0


@pytest.fixture
def book(cast):
    mine = factories.make_client(cast.project, name="Mía", adviser=cast.restricted,
                                 document_number="111111")
    theirs = factories.make_client(cast.project, name="Ajena", adviser=cast.adviser,
                                   document_number="222222")
    return mine, theirs


def test_a_restricted_key_lists_and_counts_only_its_clients(cast, book):
    body = Api(make_key(cast.restricted)[1]).get("/api/v1/clients/").json()
    assert [c["name"] for c in body["results"]] == ["Mía"]
    assert body["total"] == {"value": 1, "exact": True}


def test_a_restricted_key_cannot_read_or_touch_another_s_client(cast, book):
    _mine, theirs = book
    api = Api(make_key(cast.restricted)[1])
    assert api.get(f"/api/v1/clients/{theirs.pk}/").status_code == 404
    assert api.get("/api/v1/clients/by-external-id/",
                   {"documentType": "CC", "documentNumber": "222222"}).status_code == 404
    assert api.patch(f"/api/v1/clients/{theirs.pk}/", {"name": "X"}).status_code == 404
    assert api.delete(f"/api/v1/clients/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.deleted_at is None and theirs.name == "Ajena"


def test_a_restricted_key_s_new_client_is_its_own(cast):
    response = Api(make_key(cast.restricted)[1]).post("/api/v1/clients/", {
        "documentType": "CC", "documentNumber": "333333", "name": "Nueva",
        "adviserUserProjectId": cast.adviser.code})
    assert response.status_code == 201
    assert Client.objects.get(pk=response.json()["id"]).adviser == cast.restricted


def test_a_restricted_key_sees_only_its_jobs(cast):
    own = ProcessJob.objects.create(project=cast.project, requested_by=cast.restricted,
                                    kind=JobKind.CLIENT_EXPORT, status="succeeded")
    other = ProcessJob.objects.create(project=cast.project, requested_by=cast.adviser,
                                      kind=JobKind.CLIENT_EXPORT, status="succeeded")
    api = Api(make_key(cast.restricted)[1])
    assert [j["id"] for j in api.get("/api/v1/jobs/").json()["results"]] == [own.pk]
    assert api.get(f"/api/v1/jobs/{other.pk}/").status_code == 404
    assert api.get(f"/api/v1/jobs/{own.pk}/").json()["status"] == "succeeded"


def test_an_admin_key_sees_every_job_of_its_project(cast, other_project_data):
    mine = ProcessJob.objects.create(project=cast.project, requested_by=cast.adviser,
                                     kind=JobKind.CLIENT_EXPORT, status="queued")
    ids = [j["id"] for j in Api(make_key(cast.admin)[1]).get("/api/v1/jobs/").json()["results"]]
    assert ids == [mine.pk]
