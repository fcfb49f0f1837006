"""/api/v1/interactions/: the Interacciones tray's list, one record, and registering records
(one or a batch) through the communications importer; nothing is sent, and the same record
posted again is not registered twice."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from interactions.models import Interaction
from moonflow.jobs.models import ProcessJob
from tests import factories

from .helpers import Api, make_key

pytestmark = pytest.mark.django_db

RECORD = {"documentType": "CC", "documentNumber": "1020304050", "channel": "whatsapp",
          "scheduledAt": "2026-03-15T10:30:00-05:00", "recipients": "+57 300 123 4567",
          "status": "delivered", "outcome": "promise", "promiseAmount": 250000,
          "promiseDate": "2026-03-31"}


@pytest.fixture
def admin_api(cast):
    return Api(make_key(cast.admin)[1])


@pytest.fixture
def ana(cast):
    return factories.make_client(cast.project, name="Ana", document_number="1020304050",
                                 adviser=cast.adviser)


def test_one_record_is_registered_once(admin_api, cast, ana):
    first = admin_api.post("/api/v1/interactions/", RECORD)
    assert first.status_code == 201, first.json()
    body = first.json()
    record = Interaction.objects.get()
    assert body["id"] == record.pk and first["Location"] == f"/api/v1/interactions/{record.pk}/"
    assert body["clientId"] == ana.pk and body["source"] == "uploaded"
    assert body["adviserUserProjectId"] == cast.adviser.code
    assert body["promiseAmount"] == "250000.00" and body["channel"] == "whatsapp"
    assert record.scheduled_at == datetime(2026, 3, 15, 15, 30, tzinfo=UTC)
    again = admin_api.post("/api/v1/interactions/", {**RECORD, "status": "read"})
    assert again.status_code == 200 and again.json()["id"] == record.pk
    assert Interaction.objects.count() == 1


def test_a_refused_record_names_the_field(admin_api, ana):
    response = admin_api.post("/api/v1/interactions/", {**RECORD, "channel": "paloma"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["channel"]
    response = admin_api.post("/api/v1/interactions/", {**RECORD, "documentNumber": "4444444"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "documentNumber"
    assert "No existe el cliente" in response.json()["errors"][0]["message"]
    response = admin_api.post("/api/v1/interactions/", {**RECORD, "enviar": True})
    assert response.json()["errors"][0]["field"] == "enviar"
    assert not Interaction.objects.exists()


def test_a_retried_create_gets_the_first_answer(admin_api, ana):
    first = admin_api.post("/api/v1/interactions/", RECORD, idempotency_key="int-1")
    again = admin_api.post("/api/v1/interactions/", RECORD, idempotency_key="int-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert ProcessJob.objects.count() == 1


def test_a_batch_posted_twice_creates_no_duplicates(admin_api, ana):
    body = {"interactions": [RECORD, {**RECORD, "channel": "sms"},
                             {**RECORD, "documentNumber": "4444444"}]}
    first = admin_api.post("/api/v1/interactions/bulk/", body)
    assert first.status_code == 200, first.json()
    rows = first.json()["results"]
    assert [r["result"] for r in rows] == ["created", "created", "failed"]
    assert rows[2]["errors"][0]["field"] == "documentNumber" and rows[2]["interactionId"] is None
    ids = {r["interactionId"] for r in rows[:2]}
    assert ids == set(Interaction.objects.values_list("id", flat=True))
    again = admin_api.post("/api/v1/interactions/bulk/", body)
    assert [r["result"] for r in again.json()["results"]] == ["unchanged", "unchanged", "failed"]
    assert {r["interactionId"] for r in again.json()["results"][:2]} == ids
    assert Interaction.objects.count() == 2


def test_only_members_who_import_register_records(cast, ana):
    api = Api(make_key(cast.restricted)[1])
    assert api.post("/api/v1/interactions/", RECORD).status_code == 403
    assert api.post("/api/v1/interactions/bulk/", {"interactions": [RECORD]}).status_code == 403
    assert not Interaction.objects.exists()


def test_the_list_takes_the_tray_s_filters(admin_api, ana):
    now = timezone.now()
    factories.make_interaction(ana, channel="sms", scheduled_at=now - timedelta(days=1))
    factories.make_interaction(ana, channel="email", scheduled_at=now - timedelta(days=2))
    factories.make_interaction(ana, channel="sms", scheduled_at=now - timedelta(days=30))
    body = admin_api.get("/api/v1/interactions/").json()
    assert [r["channel"] for r in body["results"]] == ["sms", "email"]
    assert body["total"] == {"value": 2, "exact": True}
    body = admin_api.get("/api/v1/interactions/", {"canal": "sms"}).json()
    assert [r["channel"] for r in body["results"]] == ["sms"]
    old = (now - timedelta(days=40)).strftime("%d/%m/%Y")
    body = admin_api.get("/api/v1/interactions/", {"envio_desde": old}).json()
    assert body["total"]["value"] == 3


def test_the_schema_says_nothing_is_sent(admin_api):
    schema = admin_api.http.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/api/v1/interactions/", "/api/v1/interactions/bulk/"):
        assert "nothing is sent" in schema["paths"][path]["post"]["description"]
