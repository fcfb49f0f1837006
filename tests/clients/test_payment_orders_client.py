"""One client's Órdenes de pago (the eye) and the create / edit / pay / annul dialogs."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from clients import services
from clients.choices import PaymentOrderStatus, Situation
from clients.models import PaymentOrder
from clients.situation import project_today, recompute_situations
from moonflow.audit.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


def money(text: str) -> str:
    """An amount as the Spanish page writes it: number, no-break space, currency."""
    return text.replace(" ", "\u00a0")


def client_url(client, name="clients:client_payment_orders"):
    return reverse(name, kwargs={"project": "demo", "pk": client.pk})


def order_url(order, action):
    return reverse(f"clients:payment_order_{action}", kwargs={"project": "demo", "pk": order.pk})


@pytest.fixture
def today(cast):
    return project_today(cast.project)


@pytest.fixture
def client(cast, today):
    client = factories.make_client(cast.project, name="Fabio Lara", adviser=cast.restricted)
    factories.make_payment_order(client, number="VIG-1", due_date=today + timedelta(days=5),
                                 amount=Decimal("1500000"))
    factories.make_payment_order(client, number="VEN-1", due_date=today - timedelta(days=1))
    factories.make_payment_order(client, number="PAG-1", status=PaymentOrderStatus.PAID)
    factories.make_payment_order(client, number="ANU-1", status=PaymentOrderStatus.ANNULLED)
    recompute_situations(project=cast.project, client_ids=[client.pk])
    client.refresh_from_db()
    return client


def test_it_groups_the_orders_as_vigentes_vencidas_pagadas_anuladas(cast, as_member, client):
    response = as_member(cast.admin).get(client_url(client))
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("Órdenes de pago · Fabio Lara", "Vigentes", "Vencidas", "Pagadas", "Anuladas",
                 "VIG-1", "VEN-1", "PAG-1", "ANU-1", "Mora 1-30 días", "Crear orden de pago",
                 money("1.500.000,00 COP")):
        assert text in html, text


@pytest.mark.parametrize(
    "status, shown, hidden",
    [("vigente", "VIG-1", "VEN-1"), ("vencida", "VEN-1", "VIG-1"), ("pagada", "PAG-1", "VIG-1"),
     ("anulada", "ANU-1", "PAG-1")],
)
def test_it_filters_by_status(cast, as_member, client, status, shown, hidden):
    html = as_member(cast.admin).get(client_url(client), {"estado": status}).content.decode()
    assert shown in html and hidden not in html


def test_vencida_means_past_due_in_the_projects_timezone(cast, as_member, client, today):
    html = as_member(cast.admin).get(client_url(client), {"estado": "vencida"}).content.decode()
    assert "VEN-1" in html  # due yesterday, local date
    assert "VIG-1" not in html


def test_create_recomputes_the_situation(cast, as_member, client, today):
    due = (today - timedelta(days=45)).strftime("%d/%m/%Y")
    response = as_member(cast.admin).post(
        client_url(client, "clients:payment_order_create"),
        {"number": "NUEVA-1", "kind": "installment", "amount": "2.500,50", "interest": "",
         "discounts": "", "payments": "", "currency": "", "issued_on": "", "due_date": due},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204
    order = PaymentOrder.objects.get(number="NUEVA-1")
    assert order.amount == Decimal("2500.50")
    assert order.currency == "COP"
    assert order.get_kind_display() == "Cuota"
    client.refresh_from_db()
    assert client.situation == Situation.LATE_31_60
    assert AuditEvent.objects.filter(resource_type="payment_order", resource_id=str(order.pk), event="created").exists()


def test_create_names_field_and_value_of_each_error(cast, as_member, client):
    response = as_member(cast.admin).post(
        client_url(client, "clients:payment_order_create"),
        {"number": "VIG-1", "kind": "x", "amount": "abc", "interest": "-1", "discounts": "",
         "payments": "", "currency": "pesos", "issued_on": "", "due_date": "32/01/2024"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    for text in ("Tipo «x»: no es una opción válida", "Monto «abc»: no es un importe válido",
                 "Intereses «-1»: no puede ser negativo.", "Moneda «pesos»: use el código ISO",
                 "Vencimiento «32/01/2024»: no es una fecha válida: use dd/mm/aaaa."):
        assert text in html, text
    response = as_member(cast.admin).post(
        client_url(client, "clients:payment_order_create"),
        {"number": "VIG-1", "amount": "10", "due_date": "01/01/2030"},
    )
    assert "Número «VIG-1»: ya existe una orden de pago con ese número en el proyecto." in (
        response.content.decode()
    )


def test_mark_paid_recomputes_the_situation(cast, as_member, client):
    overdue = PaymentOrder.objects.get(number="VEN-1")
    browser = as_member(cast.admin)
    assert "¿Marcar la orden como pagada?" in browser.get(order_url(overdue, "pay"), HTTP_HX_REQUEST="true").content.decode()

    response = browser.post(order_url(overdue, "pay"), HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    overdue.refresh_from_db()
    assert overdue.status == PaymentOrderStatus.PAID
    assert overdue.paid_at is not None
    assert overdue.total == 0
    client.refresh_from_db()
    assert client.situation == Situation.UP_TO_DATE
    assert client.balance == Decimal("1500000")


def test_annul_recomputes_the_situation(cast, as_member, client):
    browser = as_member(cast.admin)
    browser.post(order_url(PaymentOrder.objects.get(number="VEN-1"), "annul"))
    client.refresh_from_db()
    assert client.situation == Situation.UP_TO_DATE
    browser.post(order_url(PaymentOrder.objects.get(number="VIG-1"), "annul"))
    client.refresh_from_db()
    assert client.situation == Situation.FINISHED
    assert client.balance == 0
    assert PaymentOrder.objects.get(number="VIG-1").annulled_at is not None


def test_edit_changes_the_due_date_and_recomputes(cast, as_member, client, today):
    order = PaymentOrder.objects.get(number="VIG-1")
    browser = as_member(cast.admin)
    html = browser.get(order_url(order, "edit"), HTTP_HX_REQUEST="true").content.decode()
    assert 'value="1500000,00"' in html
    due = (today - timedelta(days=100)).strftime("%d/%m/%Y")
    response = browser.post(
        order_url(order, "edit"),
        {"number": "VIG-1", "kind": "invoice", "amount": "1500000,00", "interest": "100",
         "discounts": "0", "payments": "0", "currency": "COP", "issued_on": "", "due_date": due},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.interest == Decimal("100")
    assert order.total == Decimal("1500100")
    client.refresh_from_db()
    assert client.situation == Situation.LATE_90_PLUS


@pytest.mark.parametrize("action", ["edit", "pay", "annul"])
def test_its_windows_open_as_pages_inside_the_layout_without_htmx(cast, as_member, client, action):
    order = PaymentOrder.objects.get(number="VIG-1")
    html = as_member(cast.admin).get(order_url(order, action)).content.decode()
    assert "<html" in html
    assert "Cuentas por cobrar" in html  # the left menu
    assert "VIG-1" in html


def test_paid_or_annulled_orders_cannot_be_paid_annulled_or_edited(cast, as_member, client):
    browser = as_member(cast.admin)
    paid = PaymentOrder.objects.get(number="PAG-1")
    annulled = PaymentOrder.objects.get(number="ANU-1")
    browser.post(order_url(paid, "annul"))
    browser.post(order_url(annulled, "pay"))
    assert PaymentOrder.objects.get(pk=paid.pk).status == PaymentOrderStatus.PAID
    assert PaymentOrder.objects.get(pk=annulled.pk).status == PaymentOrderStatus.ANNULLED
    html = browser.get(order_url(paid, "edit")).content.decode()
    assert "La orden de pago PAG-1 está pagada: no se puede editar." in html


def test_a_client_in_the_bin_keeps_its_orders_read_only(cast, as_member, client):
    services.client_delete(client=client, actor=None)
    browser = as_member(cast.admin)
    html = browser.get(client_url(client)).content.decode()
    assert "VIG-1" in html and "Crear orden de pago" not in html
    assert browser.get(client_url(client, "clients:payment_order_create")).status_code == 404
    assert browser.post(order_url(PaymentOrder.objects.get(number="VIG-1"), "pay")).status_code == 404


@pytest.mark.parametrize("who", ["adviser", "restricted"])
def test_members_who_see_the_client_may_manage_its_orders(cast, as_member, client, who):
    assert as_member(getattr(cast, who)).get(client_url(client)).status_code == 200


@pytest.mark.parametrize("who", ["restricted", "outsider"])
def test_it_answers_404_on_every_url_to_whoever_may_not_see_the_client(cast, as_member, today, who):
    client = factories.make_client(cast.project, adviser=cast.adviser)
    order = factories.make_payment_order(client, number="AJENA", due_date=today)
    browser = as_member(getattr(cast, who))
    assert browser.get(client_url(client)).status_code == 404
    assert browser.get(client_url(client, "clients:payment_order_create")).status_code == 404
    assert browser.post(client_url(client, "clients:payment_order_create"),
                        {"number": "X", "amount": "1", "due_date": "01/01/2030"}).status_code == 404
    for action in ("edit", "pay", "annul"):
        assert browser.get(order_url(order, action)).status_code == 404
        assert browser.post(order_url(order, action)).status_code == 404
    order.refresh_from_db()
    assert order.status == PaymentOrderStatus.PENDING
    assert not PaymentOrder.objects.filter(number="X").exists()
