"""/api/v1/payment-orders/ and /api/v1/clients/{id}/payment-orders/: the Órdenes de pago
lists with their filters, one order, create and update through the order form and the
services (audit, situation), refusals naming the field."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from clients.choices import PaymentOrderStatus
from clients.models import PaymentOrder
from moonflow.audit.models import AuditEvent
from tests import factories

from .helpers import Api, make_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(cast):
    return Api(make_key(cast.admin)[1])


@pytest.fixture
def client(cast):
    return factories.make_client(cast.project, name="Ana Pérez", document_number="1020304050",
                                 adviser=cast.adviser)


def test_an_order_is_created_for_a_client_with_the_audit_and_its_location(admin_api, client):
    response = admin_api.post(f"/api/v1/clients/{client.pk}/payment-orders/", {
        "number": "FAC-1", "amount": 1250000.5, "payments": "250.000,50",
        "dueDate": "2026-03-31", "issuedOn": "01/03/2026"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == "FAC-1" and body["clientId"] == client.pk
    assert body["amount"] == "1250000.50" and body["total"] == "1000000.00"
    assert body["dueDate"] == "2026-03-31" and body["issuedOn"] == "2026-03-01"
    assert body["kind"] == "invoice" and body["status"] == "pending"
    assert response["Location"] == f"/api/v1/payment-orders/{body['id']}/"
    event = AuditEvent.objects.get(resource_type="payment_order", resource_id=str(body["id"]))
    assert event.source == "api"


def test_a_refused_order_names_the_field_in_a_problem(admin_api, client):
    response = admin_api.post(f"/api/v1/clients/{client.pk}/payment-orders/", {
        "number": "FAC-2", "amount": "-5", "dueDate": "31/02/2026"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"amount", "dueDate"} <= fields
    assert not PaymentOrder.objects.filter(number="FAC-2").exists()


def test_a_taken_number_is_refused_naming_number(admin_api, cast, client):
    factories.make_payment_order(factories.make_client(cast.project), number="FAC-3")
    response = admin_api.post(f"/api/v1/clients/{client.pk}/payment-orders/", {
        "number": "FAC-3", "amount": "100", "dueDate": "2026-03-31"})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["number"]


def test_an_unknown_field_is_named(admin_api, client):
    response = admin_api.post(f"/api/v1/clients/{client.pk}/payment-orders/", {
        "number": "FAC-4", "amount": "100", "dueDate": "2026-03-31", "saldo": "3"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "saldo"


def test_a_client_in_the_bin_takes_no_order(admin_api, client):
    client.deleted_at = client.created_at
    client.save(update_fields=["deleted_at"])
    response = admin_api.post(f"/api/v1/clients/{client.pk}/payment-orders/", {
        "number": "FAC-5", "amount": "100", "dueDate": "2026-03-31"})
    assert response.status_code == 409
    assert response.json()["type"] == "urn:moonflow:problem:client-in-recycle-bin"


def test_a_retried_create_writes_the_order_once(admin_api, client):
    body = {"number": "FAC-6", "amount": "100", "dueDate": "2026-03-31"}
    first = admin_api.post(f"/api/v1/clients/{client.pk}/payment-orders/", body,
                           idempotency_key="orden-6")
    again = admin_api.post(f"/api/v1/clients/{client.pk}/payment-orders/", body,
                           idempotency_key="orden-6")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert PaymentOrder.objects.filter(number="FAC-6").count() == 1
    other = admin_api.post(f"/api/v1/clients/{client.pk}/payment-orders/",
                           {**body, "amount": "200"}, idempotency_key="orden-6")
    assert other.status_code == 422


def test_patch_changes_only_what_it_sends(admin_api, client):
    order = factories.make_payment_order(client, number="FAC-7", amount=Decimal("500"),
                                         interest=Decimal("20"))
    response = admin_api.patch(f"/api/v1/payment-orders/{order.pk}/", {"dueDate": "2026-05-01"})
    assert response.status_code == 200, response.json()
    assert response.json()["dueDate"] == "2026-05-01"
    order.refresh_from_db()
    assert order.due_date == date(2026, 5, 1)
    assert order.amount == Decimal("500") and order.interest == Decimal("20")


def test_a_paid_order_is_history_and_patch_names_status(admin_api, client):
    order = factories.make_payment_order(client, number="FAC-8",
                                         status=PaymentOrderStatus.PAID)
    response = admin_api.patch(f"/api/v1/payment-orders/{order.pk}/", {"amount": "1"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "status"


def test_the_list_takes_the_tray_s_filters_and_shows_the_state(admin_api, cast, client):
    today = date.today()
    factories.make_payment_order(client, number="VIG-1", due_date=today + timedelta(days=5))
    factories.make_payment_order(client, number="VEN-1", due_date=today - timedelta(days=5))
    factories.make_payment_order(client, number="PAG-1", status=PaymentOrderStatus.PAID)
    body = admin_api.get("/api/v1/payment-orders/", {"estado": "vencida"}).json()
    assert [(o["number"], o["state"]) for o in body["results"]] == [("VEN-1", "vencida")]
    assert body["total"] == {"value": 1, "exact": True}
    body = admin_api.get("/api/v1/payment-orders/", {"q": "VIG-1"}).json()
    assert [o["number"] for o in body["results"]] == ["VIG-1"]
    body = admin_api.get("/api/v1/payment-orders/", {"pageSize": 2}).json()
    assert len(body["results"]) == 2 and body["next"]
    rest = admin_api.get(body["next"]).json()
    assert [o["number"] for o in rest["results"]] and rest["next"] is None
    assert body["total"]["value"] == 3


def test_a_client_s_list_shows_only_that_client_s_orders(admin_api, cast, client):
    factories.make_payment_order(client, number="MIA-1")
    factories.make_payment_order(factories.make_client(cast.project), number="OTRA-1")
    body = admin_api.get(f"/api/v1/clients/{client.pk}/payment-orders/").json()
    assert [o["number"] for o in body["results"]] == ["MIA-1"]


def test_a_bad_filter_value_is_a_problem_naming_it(admin_api):
    response = admin_api.get("/api/v1/payment-orders/", {"pageSize": "1000"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "pageSize"


def test_refusals_speak_the_request_s_language(cast, client):
    api = Api(make_key(cast.admin)[1], language="en")
    response = api.post(f"/api/v1/clients/{client.pk}/payment-orders/", {
        "number": "FAC-EN", "amount": "-5", "dueDate": "2026-03-31"})
    [error] = response.json()["errors"]
    assert error["field"] == "amount" and "must be greater than zero" in error["message"]
