"""/api/v1/portfolios/: the Carteras list, one portfolio, create and update through
portfolios.services (names unique without case or accents, the team and agent the key's
member may pick, the audit), and its contacts: list, add several, remove one."""

import pytest

from moonflow.audit.models import AuditEvent
from portfolios.models import Portfolio, PortfolioClient
from tests import factories

from .helpers import Api, make_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(cast):
    return Api(make_key(cast.admin)[1])


@pytest.fixture
def team(cast):
    return cast.adviser.team


def test_a_portfolio_is_created_with_its_owners_and_audited(admin_api, cast, team):
    response = admin_api.post("/api/v1/portfolios/", {
        "name": "Cartera Norte", "teamId": team.pk,
        "agentUserProjectId": cast.adviser.code.lower()})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["teamId"], body["agentUserProjectId"], body["active"],
            body["contactCount"]) == ("Cartera Norte", team.pk, cast.adviser.code, True, 0)
    assert response["Location"] == f"/api/v1/portfolios/{body['id']}/"
    assert AuditEvent.objects.filter(resource_type="portfolio",
                                     resource_id=str(body["id"])).exists()


def test_a_name_taken_without_case_or_accents_is_refused_naming_name(admin_api, cast, team):
    Portfolio.objects.create(project=cast.project, name="Cartera Médica", team=team)
    response = admin_api.post("/api/v1/portfolios/", {"name": "cartera medica",
                                                      "teamId": team.pk})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["name"]


def test_an_owner_is_required_and_must_exist(admin_api, cast):
    response = admin_api.post("/api/v1/portfolios/", {"name": "Sin dueño"})
    assert response.json()["errors"][0]["field"] == "teamId"
    response = admin_api.post("/api/v1/portfolios/", {"name": "X", "agentUserProjectId": "NO-1"})
    assert response.json()["errors"][0]["field"] == "agentUserProjectId"
    other_team = factories.make_team(cast.other_project, "Ajeno")
    response = admin_api.post("/api/v1/portfolios/", {"name": "X", "teamId": other_team.pk})
    assert response.json()["errors"][0]["field"] == "teamId"
    assert not Portfolio.objects.filter(project=cast.project).exists()


def test_an_adviser_reads_its_portfolios_but_does_not_manage(cast, team):
    own = Portfolio.objects.create(project=cast.project, name="Suya", agent=cast.adviser)
    Portfolio.objects.create(project=cast.project, name="Ajena", agent=cast.restricted)
    api = Api(make_key(cast.adviser)[1])
    assert [p["name"] for p in api.get("/api/v1/portfolios/").json()["results"]] == ["Suya"]
    assert api.post("/api/v1/portfolios/", {"name": "Nueva", "teamId": team.pk}
                    ).status_code == 403
    assert api.patch(f"/api/v1/portfolios/{own.pk}/", {"name": "Otra"}).status_code == 403
    assert api.post(f"/api/v1/portfolios/{own.pk}/contacts/", {"clientIds": [1]}
                    ).status_code == 403
    own.refresh_from_db()
    assert own.name == "Suya"


def test_patch_changes_what_it_sends_and_deactivates(admin_api, cast, team):
    portfolio = Portfolio.objects.create(project=cast.project, name="Norte", team=team,
                                         agent=cast.adviser)
    response = admin_api.patch(f"/api/v1/portfolios/{portfolio.pk}/",
                               {"name": "Norte 2", "active": False})
    assert response.status_code == 200, response.json()
    portfolio.refresh_from_db()
    assert (portfolio.name, portfolio.team, portfolio.agent, portfolio.active) == (
        "Norte 2", team, cast.adviser, False)
    response = admin_api.patch(f"/api/v1/portfolios/{portfolio.pk}/",
                               {"agentUserProjectId": None})
    portfolio.refresh_from_db()
    assert response.json()["agentUserProjectId"] is None and portfolio.agent is None


def test_the_list_takes_the_carteras_filters(admin_api, cast, team):
    Portfolio.objects.create(project=cast.project, name="Activa", team=team)
    Portfolio.objects.create(project=cast.project, name="Inactiva", team=team, active=False)
    body = admin_api.get("/api/v1/portfolios/", {"estado": "inactiva"}).json()
    assert [p["name"] for p in body["results"]] == ["Inactiva"]
    assert body["total"] == {"value": 1, "exact": True}


def test_contacts_are_added_listed_and_removed(admin_api, cast, team):
    portfolio = Portfolio.objects.create(project=cast.project, name="Norte", team=team)
    ana = factories.make_client(cast.project, name="Ana")
    beto = factories.make_client(cast.project, name="Beto")
    outsider = factories.make_client(cast.other_project, name="Ajeno")
    url = f"/api/v1/portfolios/{portfolio.pk}/contacts/"
    response = admin_api.post(url, {"clientIds": [ana.pk, beto.pk, outsider.pk]})
    assert response.json() == {"added": 2, "already": 0, "refused": 1}
    again = admin_api.post(url, {"clientIds": [ana.pk]})
    assert again.json() == {"added": 0, "already": 1, "refused": 0}
    body = admin_api.get(url).json()
    assert sorted(c["name"] for c in body["results"]) == ["Ana", "Beto"]
    assert body["total"]["value"] == 2
    assert admin_api.get(f"/api/v1/portfolios/{portfolio.pk}/").json()["contactCount"] == 2
    assert admin_api.delete(f"{url}{ana.pk}/").status_code == 204
    assert admin_api.delete(f"{url}{ana.pk}/").status_code == 404
    assert list(PortfolioClient.objects.values_list("client_id", flat=True)) == [beto.pk]


def test_more_than_fifty_clients_at_once_are_refused_naming_client_ids(admin_api, cast, team):
    portfolio = Portfolio.objects.create(project=cast.project, name="Norte", team=team)
    response = admin_api.post(f"/api/v1/portfolios/{portfolio.pk}/contacts/",
                              {"clientIds": list(range(1, 60))})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "clientIds"


def test_a_retried_addition_is_answered_again(admin_api, cast, team):
    portfolio = Portfolio.objects.create(project=cast.project, name="Norte", team=team)
    ana = factories.make_client(cast.project, name="Ana")
    url = f"/api/v1/portfolios/{portfolio.pk}/contacts/"
    first = admin_api.post(url, {"clientIds": [ana.pk]}, idempotency_key="agregar-ana")
    again = admin_api.post(url, {"clientIds": [ana.pk]}, idempotency_key="agregar-ana")
    assert first.json() == again.json() == {"added": 1, "already": 0, "refused": 0}
    assert again["Idempotent-Replayed"] == "true"
    assert AuditEvent.objects.filter(resource_type="portfolio",
                                     event="contact_added").count() == 1


def test_a_restricted_key_lists_only_the_contacts_it_sees(cast):
    """An inactive portfolio shows its agent none of its clients: only those assigned to
    them are listed."""
    portfolio = Portfolio.objects.create(project=cast.project, name="Vieja",
                                         agent=cast.restricted, active=False)
    mine = factories.make_client(cast.project, name="Mía", adviser=cast.restricted)
    other = factories.make_client(cast.project, name="Ajena", adviser=cast.adviser)
    for client in (mine, other):
        PortfolioClient.objects.create(project=cast.project, portfolio=portfolio, client=client)
    api = Api(make_key(cast.restricted)[1])
    body = api.get(f"/api/v1/portfolios/{portfolio.pk}/contacts/").json()
    assert [c["name"] for c in body["results"]] == ["Mía"]
    assert body["total"] == {"value": 1, "exact": True}
