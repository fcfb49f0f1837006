"""Órdenes de pago: amounts too large to hold and broken page links answer a message."""

import html

import pytest
from django.urls import reverse

from clients.models import PaymentOrder
from tests import factories

pytestmark = pytest.mark.django_db

ORDER = {"number": "OP-GRANDE", "kind": "installment", "interest": "", "discounts": "",
         "payments": "", "currency": "", "issued_on": "", "due_date": "01/01/2030"}


@pytest.fixture
def client(cast):
    return factories.make_client(cast.project, name="Fabio Lara")


def test_it_refuses_an_amount_of_27_digits_when_creating(cast, as_member, client):
    url = reverse("clients:payment_order_create", kwargs={"project": "demo", "pk": client.pk})
    response = as_member(cast.adviser).post(url, {**ORDER, "amount": "1" * 27})
    assert response.status_code == 400
    assert (f"Monto «{'1' * 27}»: es demasiado grande: use hasta 12 dígitos enteros."
            in html.unescape(response.content.decode()))
    assert not PaymentOrder.objects.filter(number="OP-GRANDE").exists()


@pytest.mark.parametrize("field", ["amount", "interest", "discounts", "payments"])
def test_it_refuses_a_huge_amount_when_editing_and_cuts_the_echo(cast, as_member, client, field):
    order = factories.make_payment_order(client, number="OP-1")
    url = reverse("clients:payment_order_edit", kwargs={"project": "demo", "pk": order.pk})
    values = {**ORDER, "number": "OP-1", "amount": "100", field: "9" * 5000 + ",5"}
    response = as_member(cast.admin).post(url, values, HTTP_HX_REQUEST="true")
    page = html.unescape(response.content.decode())
    assert response.status_code == 200  # the dialog stays open with the message
    assert f"«{'9' * 60}…»: es demasiado grande: use hasta 12 dígitos enteros." in page
    assert "9" * 61 not in page.replace('value="' + "9" * 5000, "")


@pytest.mark.parametrize("prefix", ["sig.", "ant."])
def test_it_shows_the_first_page_for_a_broken_page_link_and_says_so(cast, as_member, client,
                                                                    prefix):
    factories.make_payment_order(client, number="OP-1")
    url = reverse("clients:payment_orders", kwargs={"project": "demo"})
    response = as_member(cast.admin).get(url, {"pagina": prefix + "2024-02-31." + "9" * 5000})
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "El enlace de página no es válido o caducó: se muestra la primera página." in page
    assert "OP-1" in page
