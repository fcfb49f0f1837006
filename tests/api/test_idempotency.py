"""Idempotency-Key on POST: a retry returns the first answer and writes nothing again; the
same key with another body is refused with 422; the purge forgets answers after 24 h."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from api.models import IdempotentRequest
from api.services import idempotent_answers_purge
from clients.models import Client
from moonflow.audit.models import AuditEvent

from .helpers import Api, make_key

pytestmark = pytest.mark.django_db

BODY = {"documentType": "CC", "documentNumber": "1020304050", "name": "Ana Pérez"}


def test_a_retry_gets_the_first_answer_and_writes_nothing(cast):
    api = Api(make_key(cast.admin)[1])
    first = api.post("/api/v1/clients/", BODY, idempotency_key="alta-1")
    again = api.post("/api/v1/clients/", {**BODY}, idempotency_key="alta-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert Client.objects.filter(project=cast.project).count() == 1
    assert AuditEvent.objects.filter(resource_type="client", event="created").count() == 1


def test_a_refusal_stores_nothing_and_a_retry_is_refused_alike(cast):
    api = Api(make_key(cast.admin)[1])
    body = {**BODY, "name": ""}
    first = api.post("/api/v1/clients/", body, idempotency_key="k")
    assert first.status_code == 400
    assert IdempotentRequest.objects.count() == 0  # a refusal wrote nothing: nothing stored
    assert api.post("/api/v1/clients/", body, idempotency_key="k").json() == first.json()


def test_the_same_key_with_another_body_is_refused(cast):
    api = Api(make_key(cast.admin)[1])
    api.post("/api/v1/clients/", BODY, idempotency_key="alta-1")
    response = api.post("/api/v1/clients/", {**BODY, "name": "Otra"}, idempotency_key="alta-1")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "urn:moonflow:problem:idempotency-key-reused"
    assert Client.objects.get(project=cast.project).name == "Ana Pérez"


def test_keys_are_per_api_key(cast):
    first = Api(make_key(cast.admin, name="A")[1])
    second = Api(make_key(cast.admin, name="B")[1])
    assert first.post("/api/v1/clients/", BODY, idempotency_key="x").status_code == 201
    # Another key's "x" is a request of its own: the external ID is taken now.
    assert second.post("/api/v1/clients/", BODY, idempotency_key="x").status_code == 400


def test_an_overlong_key_is_refused(cast):
    response = Api(make_key(cast.admin)[1]).post("/api/v1/clients/", BODY,
                                                  idempotency_key="x" * 256)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


def test_the_purge_forgets_answers_after_24_hours(cast):
    api = Api(make_key(cast.admin)[1])
    api.post("/api/v1/clients/", BODY, idempotency_key="old")
    api.post("/api/v1/clients/", {**BODY, "documentNumber": "55555"}, idempotency_key="new")
    IdempotentRequest.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=25))
    assert idempotent_answers_purge() == 1
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_write_once(cast):
    _key, text = make_key(cast.admin)
    answers = []
    barrier = threading.Barrier(4)

    def send():
        try:
            barrier.wait()
            answers.append(Api(text).post("/api/v1/clients/", BODY, idempotency_key="carrera"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201] * 4
    assert len({a.json()["id"] for a in answers}) == 1
    assert Client.objects.filter(project=cast.project).count() == 1
