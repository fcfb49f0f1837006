"""/api/v1/clients/: list, retrieve (by id and external ID), create, update, delete, restore."""

import pytest

from clients.models import Client, ClientAssignment
from moonflow.audit.models import AuditEvent
from tests import factories

from .helpers import api_for

pytestmark = pytest.mark.django_db


def test_it_creates_a_client_with_its_adviser_by_asesor_id(cast):
    api = api_for(cast.admin)
    response = api.post("/api/v1/clients/", {
        "documentType": "CC", "documentNumber": "1.020.304.050", "name": "Ana Pérez",
        "phone": "+57 300 123 4567", "adviserUserProjectId": cast.adviser.code.lower()})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["documentNumber"] == "1020304050"
    assert body["phone"] == "+573001234567"
    assert body["adviserUserProjectId"] == cast.adviser.code
    assert response["Location"] == f"/api/v1/clients/{body['id']}/"
    client = Client.objects.get(pk=body["id"])
    assert client.adviser == cast.adviser
    history = ClientAssignment.objects.get(client=client)
    assert (history.adviser_id, history.source) == (cast.adviser.pk, "api")
    assert AuditEvent.objects.filter(resource_type="client", resource_id=str(client.pk),
                                     source="api").exists()


def test_it_refuses_a_client_with_the_form_s_messages_per_field(cast):
    api = api_for(cast.admin)
    response = api.post("/api/v1/clients/", {"documentType": "CC", "documentNumber": "12",
                                             "adviserUserProjectId": "NO-EXISTE"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"documentNumber", "name", "adviserUserProjectId"} <= fields
    assert not Client.objects.filter(project=cast.project).exists()


def test_it_refuses_unknown_fields(cast):
    response = api_for(cast.admin).post("/api/v1/clients/", {"documento": "1"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "documento"


def test_it_refuses_a_taken_external_id(cast):
    factories.make_client(cast.project, document_number="1020304050")
    response = api_for(cast.admin).post("/api/v1/clients/", {
        "documentType": "CC", "documentNumber": "1020304050", "name": "Otra"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "documentNumber"


def test_it_lists_with_the_tray_s_filters_and_a_cursor(cast):
    for name in ("Ana", "Beto", "Carla"):
        factories.make_client(cast.project, name=name, adviser=cast.adviser)
    factories.make_client(cast.project, name="Dora")
    api = api_for(cast.admin)
    first = api.get("/api/v1/clients/", {"pageSize": "2", "asesor": str(cast.adviser.pk)})
    assert first.status_code == 200
    body = first.json()
    assert [c["name"] for c in body["results"]] == ["Ana", "Beto"]
    assert body["total"] == {"value": 3, "exact": True}
    second = api.get(body["next"])
    assert [c["name"] for c in second.json()["results"]] == ["Carla"]
    assert second.json()["next"] is None


def test_it_refuses_a_cursor_that_is_not_one_of_ours(cast):
    response = api_for(cast.admin).get("/api/v1/clients/", {"cursor": "sig.nonsense"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "cursor"


def test_it_reads_a_client_by_id_and_by_external_id(cast):
    client = factories.make_client(cast.project, document_type="NIT", document_number="900123456")
    api = api_for(cast.admin)
    assert api.get(f"/api/v1/clients/{client.pk}/").json()["name"] == client.name
    found = api.get("/api/v1/clients/by-external-id/",
                    {"documentType": "NIT", "documentNumber": "900.123.456-8"})
    assert found.status_code == 200
    assert found.json()["id"] == client.pk


def test_it_updates_only_what_the_body_sends(cast):
    client = factories.make_client(cast.project, name="Ana", email="ana@example.com",
                                   adviser=cast.adviser)
    response = api_for(cast.admin).patch(f"/api/v1/clients/{client.pk}/",
                                         {"phone": "300 123 4567", "name": "Ana María"})
    assert response.status_code == 200, response.json()
    client.refresh_from_db()
    assert (client.name, client.email, client.adviser_id) == ("Ana María", "ana@example.com",
                                                              cast.adviser.pk)


def test_it_hands_a_client_to_another_adviser_with_history(cast):
    client = factories.make_client(cast.project, adviser=cast.adviser)
    response = api_for(cast.admin).patch(f"/api/v1/clients/{client.pk}/",
                                         {"adviserUserProjectId": cast.restricted.code})
    assert response.status_code == 200
    assert ClientAssignment.objects.filter(client=client, adviser=cast.restricted,
                                           source="api").exists()


def test_it_deletes_to_the_recycle_bin_and_restores(cast):
    client = factories.make_client(cast.project)
    api = api_for(cast.admin)
    assert api.delete(f"/api/v1/clients/{client.pk}/").status_code == 204
    client.refresh_from_db()
    assert client.deleted_at is not None
    assert api.patch(f"/api/v1/clients/{client.pk}/", {"name": "X"}).status_code == 409
    restored = api.post(f"/api/v1/clients/{client.pk}/restore/")
    assert restored.status_code == 200
    assert restored.json()["deletedAt"] is None
    client.refresh_from_db()
    assert client.deleted_at is None
