"""POST /api/v1/clients/bulk/: a batch through the import engine, answered row by row in the
import's words, one test per row of the resolution table (product brief), transfer mode off
and on; larger batches as a job; who may send one."""

import pytest
from django.test import override_settings

from clients.models import Client, ClientAssignment
from clients.services import client_delete
from moonflow.audit.models import AuditEvent
from moonflow.jobs.models import ProcessJob
from tests import factories

from .helpers import Api, make_key

pytestmark = pytest.mark.django_db

BULK = "/api/v1/clients/bulk/"


def row(number, **fields):
    return {"documentType": "CC", "documentNumber": number, **fields}


def send(cast, clients, *, member=None, **options):
    api = Api(make_key(member or cast.admin)[1])
    return api.post(BULK, {"clients": clients, **options})


def results(response) -> list[tuple]:
    assert response.status_code == 200, response.content.decode()[:2000]
    return [(r["documentNumber"], r["result"]) for r in response.json()["results"]]


def scope_of(member) -> dict:
    return {"adviserUserProjectId": member.code}


# --- the table, transfer off ----------------------------------------------------------------


def test_an_unknown_external_id_is_created_with_its_adviser_and_history(cast):
    response = send(cast, [row("1.020.304.050", name="Ana",
                               adviserUserProjectId=cast.adviser.code)])
    assert results(response) == [("1.020.304.050", "created")]
    body = response.json()
    client = Client.objects.get(pk=body["results"][0]["clientId"])
    assert (client.document_number, client.adviser) == ("1020304050", cast.adviser)
    assert ClientAssignment.objects.filter(client=client, source="api").exists()
    assert body["counts"]["created"] == 1
    assert body["job"]["url"] == f"/api/v1/jobs/{body['job']['id']}/"
    job = ProcessJob.objects.get(pk=body["job"]["id"])
    assert job.options["source"] == "api" and job.status == "succeeded"
    assert AuditEvent.objects.filter(event="imported", resource_id=str(job.pk),
                                     source="api").exists()


def test_an_active_client_in_scope_is_updated(cast):
    client = factories.make_client(cast.project, document_number="111111", name="Ana",
                                   adviser=cast.adviser)
    response = send(cast, [row("111111", name="Ana María")], scope=scope_of(cast.adviser))
    assert results(response) == [("111111", "updated")]
    client.refresh_from_db()
    assert client.name == "Ana María"


def test_a_row_that_changes_nothing_is_unchanged(cast):
    factories.make_client(cast.project, document_number="111111", name="Ana")
    assert results(send(cast, [row("111111", name="Ana")])) == [("111111", "unchanged")]


def test_a_client_in_the_scope_s_bin_is_restored_and_updated(cast):
    client = factories.make_client(cast.project, document_number="111111", adviser=cast.adviser)
    client_delete(client=client, actor=cast.admin.user)
    response = send(cast, [row("111111", city="Cali")], scope=scope_of(cast.adviser))
    assert results(response) == [("111111", "restored")]
    client.refresh_from_db()
    assert client.deleted_at is None and client.city == "Cali"


def test_another_adviser_s_client_is_refused_naming_the_adviser(cast):
    client = factories.make_client(cast.project, document_number="111111", name="Ana",
                                   adviser=cast.restricted)
    response = send(cast, [row("111111", name="Otra")], scope=scope_of(cast.adviser))
    assert results(response) == [("111111", "failed")]
    error = response.json()["results"][0]["errors"][0]
    assert cast.restricted.code in error["message"]
    assert "modo transferencia" in error["message"]
    client.refresh_from_db()
    assert (client.name, client.adviser) == ("Ana", cast.restricted)


def test_a_client_in_another_adviser_s_bin_is_refused(cast):
    client = factories.make_client(cast.project, document_number="111111", adviser=cast.restricted)
    client_delete(client=client, actor=cast.admin.user)
    response = send(cast, [row("111111", name="Otra")], scope=scope_of(cast.adviser))
    assert results(response) == [("111111", "failed")]
    assert "papelera" in response.json()["results"][0]["errors"][0]["message"]
    client.refresh_from_db()
    assert client.deleted_at is not None


def test_update_leaves_absent_clients_and_update_incl_delete_bins_them(cast):
    kept = [factories.make_client(cast.project, document_number=f"11111{n}",
                                  adviser=cast.adviser) for n in range(6)]
    absent = factories.make_client(cast.project, document_number="222222",
                                   adviser=cast.adviser)
    batch = [row(c.document_number) for c in kept]
    send(cast, batch, scope=scope_of(cast.adviser))
    absent.refresh_from_db()
    assert absent.deleted_at is None
    response = send(cast, batch, scope=scope_of(cast.adviser), mode="updateInclDelete")
    assert response.json()["counts"]["deleted"] == 1
    absent.refresh_from_db()
    assert absent.deleted_at is not None
    assert Client.objects.filter(deleted_at__isnull=True).count() == 6


def test_a_batch_that_would_bin_an_unusual_share_waits_for_a_person(cast):
    factories.make_client(cast.project, document_number="111111", adviser=cast.adviser)
    absent = factories.make_client(cast.project, document_number="222222",
                                   adviser=cast.adviser)
    response = send(cast, [row("111111")], scope=scope_of(cast.adviser),
                    mode="updateInclDelete")
    assert response.status_code == 202
    job = ProcessJob.objects.get(pk=response.json()["job"]["id"])
    assert job.status == "awaiting"
    absent.refresh_from_db()
    assert absent.deleted_at is None


# --- the table, transfer on -----------------------------------------------------------------


def test_transfer_mode_moves_another_adviser_s_client_with_history(cast):
    client = factories.make_client(cast.project, document_number="111111",
                                   adviser=cast.restricted)
    response = send(cast, [row("111111")], scope=scope_of(cast.adviser), transferMode="move")
    assert results(response) == [("111111", "transferred")]
    client.refresh_from_db()
    assert client.adviser == cast.adviser
    assert ClientAssignment.objects.filter(client=client, adviser=cast.adviser).exists()
    assert response.json()["counts"]["transferred"] == 1


def test_transfer_mode_restores_and_moves_from_another_adviser_s_bin(cast):
    client = factories.make_client(cast.project, document_number="111111",
                                   adviser=cast.restricted)
    client_delete(client=client, actor=cast.admin.user)
    response = send(cast, [row("111111")], scope=scope_of(cast.adviser), transferMode="move")
    assert results(response) == [("111111", "transferred")]
    client.refresh_from_db()
    assert client.deleted_at is None and client.adviser == cast.adviser


def test_transfer_mode_in_the_whole_project_moves_to_the_row_s_adviser(cast):
    client = factories.make_client(cast.project, document_number="111111",
                                   adviser=cast.restricted)
    response = send(cast, [row("111111", adviserUserProjectId=cast.adviser.code)],
                    transferMode="move")
    assert results(response) == [("111111", "transferred")]
    client.refresh_from_db()
    assert client.adviser == cast.adviser


# --- row errors, limits and who --------------------------------------------------------------


def test_a_bad_row_fails_with_its_field_and_the_rest_is_written(cast):
    response = send(cast, [row("12AB", name="Ana"), row("333333", name="Beto"),
                           row("444444", adviserUserProjectId="NO-EXISTE", name="Carla")])
    assert results(response) == [("12AB", "failed"), ("333333", "created"),
                                 ("444444", "failed")]
    rows = response.json()["results"]
    assert rows[0]["errors"][0]["field"] == "documentNumber"
    assert rows[2]["errors"][0]["field"] == "adviserUserProjectId"
    assert list(Client.objects.values_list("document_number", flat=True)) == ["333333"]


def test_a_new_client_without_a_name_fails(cast):
    response = send(cast, [row("555555")])
    assert results(response) == [("555555", "failed")]
    assert response.json()["results"][0]["errors"][0]["field"] == "name"


def test_it_refuses_an_unknown_scope_adviser(cast):
    response = send(cast, [row("1", name="A")], scope={"adviserUserProjectId": "NADIE"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "scope.adviserUserProjectId"


def test_it_refuses_unknown_fields_in_a_row(cast):
    response = send(cast, [row("1", nombre="A")])
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "clients[0].nombre"


@override_settings(API_BULK_SYNC_MAX=1)
def test_a_larger_batch_becomes_a_job(cast):
    response = send(cast, [row("111111", name="A"), row("222222", name="B")])
    assert response.status_code == 202
    body = response.json()
    assert response["Location"] == body["job"]["url"]
    job = ProcessJob.objects.get(pk=body["job"]["id"])
    assert (job.status, job.task_name) == ("queued", "api.tasks.bulk_upsert")
    seen = Api(make_key(cast.admin)[1]).get(body["job"]["url"]).json()
    assert seen["kind"] == "client_import" and seen["status"] == "queued"


def test_async_true_becomes_a_job(cast):
    response = send(cast, [row("111111", name="A")], **{"async": True})
    assert response.status_code == 202
    assert not Client.objects.exists()


@pytest.mark.parametrize("who", ["restricted", "adviser"])
def test_only_members_who_may_import_send_batches(cast, who):
    response = send(cast, [row("111111", name="A")], member=getattr(cast, who))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert not Client.objects.exists() and not ProcessJob.objects.exists()


def test_a_retried_batch_is_written_once(cast):
    api = Api(make_key(cast.admin)[1])
    body = {"clients": [row("111111", name="Ana")]}
    first = api.post(BULK, body, idempotency_key="lote-1")
    again = api.post(BULK, body, idempotency_key="lote-1")
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert ProcessJob.objects.count() == 1 and Client.objects.count() == 1
    other = api.post(BULK, {"clients": [row("222222", name="Beto")]}, idempotency_key="lote-1")
    assert other.status_code == 422


def test_every_row_names_its_client(cast):
    response = send(cast, [row("111111", name="A"), {"name": "Sin documento"}])
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"clients[1].documentType", "clients[1].documentNumber"}
    assert not ProcessJob.objects.exists()
