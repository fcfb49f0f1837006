"""POST /api/v1/payment-orders/bulk/: a batch through the payment orders importer, answered
row by row in the import's words; refusals are the importer's, naming the field."""

from decimal import Decimal

import pytest
from django.test import override_settings

from clients.models import PaymentOrder
from moonflow.jobs.models import ProcessJob
from tests import factories

from .helpers import Api, make_key

pytestmark = pytest.mark.django_db

URL = "/api/v1/payment-orders/bulk/"


@pytest.fixture
def admin_api(cast):
    return Api(make_key(cast.admin)[1])


@pytest.fixture
def ana(cast):
    return factories.make_client(cast.project, name="Ana", document_number="1020304050",
                                 adviser=cast.adviser)


def _rows(response):
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_each_row_says_what_it_did(admin_api, cast, ana):
    kept = factories.make_payment_order(ana, number="FAC-OLD", amount=Decimal("100.00"))
    same = factories.make_payment_order(ana, number="FAC-SAME", amount=Decimal("300.00"))
    factories.make_payment_order(factories.make_client(cast.project), number="FAC-OTHER")
    binned = factories.make_client(cast.project, document_number="5555555")
    binned.deleted_at = binned.created_at
    binned.save(update_fields=["deleted_at"])
    response = admin_api.post(URL, {"paymentOrders": [
        {"documentType": "CC", "documentNumber": "1.020.304.050", "number": "FAC-NEW",
         "amount": 1250000.5, "balance": 250000, "dueDate": "2026-03-31"},
        {"documentType": "CC", "documentNumber": "1020304050", "number": "FAC-OLD",
         "amount": "200"},
        {"documentType": "CC", "documentNumber": "1020304050", "number": "FAC-SAME",
         "amount": 300},
        {"documentType": "CC", "documentNumber": "1020304050", "number": "FAC-OTHER",
         "amount": "1"},
        {"documentType": "CC", "documentNumber": "99999999", "number": "FAC-X",
         "amount": "1", "dueDate": "2026-03-31"},
        {"documentType": "CC", "documentNumber": "5555555", "number": "FAC-Y",
         "amount": "1", "dueDate": "2026-03-31"},
        {"documentType": "CC", "documentNumber": "1020304050", "number": "FAC-Z",
         "amount": "-3", "dueDate": "2026-03-31"},
    ]})
    rows = _rows(response)
    assert [r["result"] for r in rows] == ["created", "updated", "unchanged", "failed",
                                           "failed", "failed", "failed"]
    new = PaymentOrder.objects.get(number="FAC-NEW")
    assert new.client == ana and new.amount == Decimal("1250000.50")
    assert new.payments == Decimal("1000000.50")
    assert rows[0]["paymentOrderId"] == new.pk and rows[0]["clientId"] == ana.pk
    assert rows[1]["paymentOrderId"] == kept.pk and rows[2]["paymentOrderId"] == same.pk
    kept.refresh_from_db()
    assert kept.amount == Decimal("200.00")
    assert "otro cliente" in rows[3]["errors"][0]["message"]
    assert "No existe el cliente" in rows[4]["errors"][0]["message"]
    assert "papelera" in rows[5]["errors"][0]["message"]
    assert rows[6]["errors"][0]["field"] == "amount"
    assert all(r["paymentOrderId"] is None for r in rows[3:])
    counts = response.json()["counts"]
    assert (counts["created"], counts["updated"], counts["unchanged"], counts["failed"]) == (
        1, 1, 1, 4)
    job = ProcessJob.objects.get(pk=response.json()["job"]["id"])
    assert job.kind == "payment_order_import" and job.options["source"] == "api"


def test_a_row_without_its_number_is_refused_before_the_import(admin_api, ana):
    response = admin_api.post(URL, {"paymentOrders": [
        {"documentType": "CC", "documentNumber": "1020304050", "amount": "1"}]})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "paymentOrders[0].number", "message": "Este campo es obligatorio."}]
    assert not ProcessJob.objects.exists()


def test_a_retried_batch_is_answered_again_and_writes_nothing_twice(admin_api, ana):
    body = {"paymentOrders": [{"documentType": "CC", "documentNumber": "1020304050",
                               "number": "FAC-R", "amount": "10", "dueDate": "2026-03-31"}]}
    first = admin_api.post(URL, body, idempotency_key="lote-r")
    again = admin_api.post(URL, body, idempotency_key="lote-r")
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert PaymentOrder.objects.filter(number="FAC-R").count() == 1
    assert ProcessJob.objects.count() == 1


def test_an_async_batch_is_a_job(admin_api, ana):
    response = admin_api.post(URL, {"async": True, "paymentOrders": [
        {"documentType": "CC", "documentNumber": "1020304050", "number": "FAC-A",
         "amount": "10", "dueDate": "2026-03-31"}]})
    assert response.status_code == 202
    assert response["Location"] == response.json()["job"]["url"]


def test_only_members_who_import_send_batches(cast, ana):
    for member in (cast.restricted, cast.adviser):
        response = Api(make_key(member)[1]).post(URL, {"paymentOrders": [
            {"documentType": "CC", "documentNumber": "1020304050", "number": "FAC-F",
             "amount": "10", "dueDate": "2026-03-31"}]})
        assert response.status_code == 403
        assert response["Content-Type"] == "application/problem+json"
    assert not PaymentOrder.objects.filter(number="FAC-F").exists()


def test_a_scope_limits_the_batch_to_one_adviser_s_book(admin_api, cast, ana):
    response = admin_api.post(URL, {"scope": {"adviserUserProjectId": cast.supervisor.code},
                                    "paymentOrders": [
        {"documentType": "CC", "documentNumber": "1020304050", "number": "FAC-S",
         "amount": "10", "dueDate": "2026-03-31"}]})
    [row] = _rows(response)
    assert row["result"] == "failed" and "cartera" in row["errors"][0]["message"]


@override_settings(API_BULK_MAX_ROWS=2)
def test_a_batch_over_the_limit_is_refused_naming_its_rows(admin_api):
    row = {"documentType": "CC", "documentNumber": "1020304050", "number": "FAC-L",
           "amount": "1", "dueDate": "2026-03-31"}
    response = admin_api.post(URL, {"paymentOrders": [row, row, row]})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "paymentOrders" and "hasta 2 filas" in error["message"]
    response = admin_api.post("/api/v1/clients/bulk/", {"clients": [
        {"documentType": "CC", "documentNumber": str(n)} for n in (1111111, 2222222, 3333333)]})
    assert response.json()["errors"][0]["field"] == "clients"
    assert not ProcessJob.objects.exists()
