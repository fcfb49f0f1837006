"""Crear cliente / Editar: custom-variable values too large to keep answer a message."""

import html

import pytest
from django.urls import reverse

from clients.choices import VariableType
from clients.models import Client, CustomVariable
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("clients:create", kwargs={"project": "demo"})


def form(**overrides):
    data = {"document_type": "CC", "document_number": "1020304050", "name": "Ana Gómez",
            "status": "active", "portfolio_type": "current", "contactability": "contactable",
            "contact_alert": "none", "claim_category": "none"}
    data.update(overrides)
    return data


@pytest.fixture
def score(cast):
    return CustomVariable.objects.create(
        project=cast.project, key="puntaje", label="Puntaje", type=VariableType.NUMBER
    )


def test_it_refuses_a_5000_digit_number_and_echoes_only_its_start(cast, as_member, score):
    response = as_member(cast.adviser).post(URL, form(var_puntaje="9" * 5000))
    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert f"Puntaje «{'9' * 60}…»: es demasiado grande: use hasta 15 dígitos enteros." in page
    assert not Client.objects.filter(project=cast.project).exists()


@pytest.mark.parametrize("value, stored", [("999.999.999.999.999", 999999999999999),
                                           ("-12,5", -12.5)])
def test_it_keeps_numbers_of_up_to_15_integer_digits(cast, as_member, score, value, stored):
    response = as_member(cast.admin).post(URL, form(var_puntaje=value), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert Client.objects.get(project=cast.project).extra == {"puntaje": stored}


def test_it_refuses_16_integer_digits_when_editing(cast, as_member, score):
    client = factories.make_client(cast.project, name="Bruno")
    url = reverse("clients:edit", kwargs={"project": "demo", "pk": client.pk})
    response = as_member(cast.admin).post(
        url, form(name="Bruno", document_number=client.document_number, var_puntaje="1" * 16))
    assert "Puntaje «1111111111111111»: es demasiado grande" in html.unescape(
        response.content.decode())
    client.refresh_from_db()
    assert client.extra == {}
