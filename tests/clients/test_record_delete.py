"""Eliminar (to the recycle bin, with a reason) and Recuperar (with all data)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from clients import services
from clients.choices import PaymentOrderStatus, Situation
from clients.models import Client, ClientAssignment, PaymentOrder
from clients.selectors import client_base_queryset
from clients.situation import project_today
from moonflow.audit.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


def url(client, name):
    return reverse(f"clients:{name}", kwargs={"project": "demo", "pk": client.pk})


@pytest.fixture
def client(cast):
    client = services.client_create(
        project=cast.project, actor=cast.admin.user, document_type="CC",
        document_number="4445556", name="Elena Soto", adviser=cast.adviser,
    )
    services.client_assign_adviser(client=client, adviser=cast.restricted, actor=cast.admin.user)
    today = project_today(cast.project)
    services.payment_order_create(
        client=client, actor=None, number="OP-1", due_date=today - timedelta(days=40), amount=100
    )
    services.payment_order_create(
        client=client, actor=None, number="OP-2", due_date=today + timedelta(days=10), amount=50
    )
    return client


def test_it_asks_for_confirmation_with_an_optional_reason(cast, as_member, client):
    response = as_member(cast.admin).get(url(client, "delete"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "¿Eliminar el cliente <strong>Elena Soto</strong> (CC 4445556)?" in html
    assert "Motivo (opcional)" in html
    assert Client.objects.get(pk=client.pk).deleted_at is None


def test_delete_then_recover_keeps_payment_orders_and_history(cast, as_member, client):
    browser = as_member(cast.admin)
    orders_before = list(PaymentOrder.objects.filter(client=client).values_list("number", "status"))
    history_before = list(
        ClientAssignment.objects.filter(client=client).values_list("adviser_id", "started_at", "ended_at")
    )

    response = browser.post(url(client, "delete"), {"reason": "Cliente duplicado"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    client.refresh_from_db()
    assert client.deleted_at is not None
    assert client.deleted_by == cast.admin.user
    assert client.deletion_reason == "Cliente duplicado"
    assert not client_base_queryset(member=cast.admin).filter(pk=client.pk).exists()
    deleted = AuditEvent.objects.get(resource_type="client", resource_id=str(client.pk), event="deleted")
    assert deleted.changes["deletion_reason"] == [None, "Cliente duplicado"]
    # Still reachable from the bin, with its orders.
    html = browser.get(url(client, "client_payment_orders")).content.decode()
    assert "OP-1" in html and "OP-2" in html and "papelera" in html

    response = browser.post(url(client, "restore"))

    assert response.status_code == 302
    client.refresh_from_db()
    assert client.deleted_at is None and client.deleted_by is None and client.deletion_reason == ""
    assert client_base_queryset(member=cast.admin).filter(pk=client.pk).exists()
    assert list(PaymentOrder.objects.filter(client=client).values_list("number", "status")) == orders_before
    assert list(
        ClientAssignment.objects.filter(client=client).values_list("adviser_id", "started_at", "ended_at")
    ) == history_before
    assert client.adviser == cast.restricted
    assert client.situation == Situation.LATE_31_60
    assert AuditEvent.objects.filter(
        resource_type="client", resource_id=str(client.pk), event="restored"
    ).exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "Cliente Elena Soto recuperado con todos sus datos." in messages


def test_recover_refuses_get(cast, as_member, client):
    services.client_delete(client=client, actor=None)
    assert as_member(cast.admin).get(url(client, "restore")).status_code == 405


def test_the_restricted_adviser_deletes_and_recovers_their_own_client(cast, as_member, client):
    browser = as_member(cast.restricted)
    assert browser.post(url(client, "delete"), {"reason": ""}).status_code == 302
    assert Client.objects.get(pk=client.pk).deleted_at is not None
    assert browser.post(url(client, "restore")).status_code == 302
    assert Client.objects.get(pk=client.pk).deleted_at is None


@pytest.mark.parametrize("who", ["restricted", "outsider"])
@pytest.mark.parametrize("view", ["delete", "restore"])
def test_it_answers_404_to_whoever_may_not_see_the_client(cast, as_member, who, view):
    client = factories.make_client(cast.project, adviser=cast.adviser)
    if view == "restore":
        services.client_delete(client=client, actor=None)
    browser = as_member(getattr(cast, who))
    if view == "delete":
        assert browser.get(url(client, view)).status_code == 404
    assert browser.post(url(client, view)).status_code == 404
    client.refresh_from_db()
    assert (client.deleted_at is None) == (view == "delete")


def test_it_does_not_purge_anything(cast, client):
    services.client_delete(client=client, actor=None)
    assert PaymentOrder.objects.filter(client=client, status=PaymentOrderStatus.PENDING).count() == 2
