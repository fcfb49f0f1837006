"""Ajustes → Variables adicionales: a list of options has a size a page can carry."""

import html

import pytest
from django.urls import reverse

from clients.choices import VariableType
from clients.forms import CHOICES_MAX
from clients.models import Client, CustomVariable
from tests import factories

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"clients:{name}", kwargs={"project": "demo", **kwargs})


def test_it_refuses_20000_options_with_a_clear_message(cast, as_member):
    options = "\n".join(f"Opción {i}" for i in range(20_000))
    response = as_member(cast.admin).post(
        url("variable_create"), {"label": "Sucursal", "type": "choice", "choices": options})
    assert response.status_code == 400
    assert ("Opciones: escribió 20.000 y una lista admite hasta 200. Para más valores "
            "(códigos, sucursales, productos) use una variable de tipo «Texto»."
            in html.unescape(response.content.decode()))
    assert not CustomVariable.objects.filter(project=cast.project).exists()


def test_it_accepts_200_options(cast, as_member):
    options = "\n".join(f"Opción {i}" for i in range(CHOICES_MAX))
    response = as_member(cast.admin).post(
        url("variable_create"), {"label": "Sucursal", "type": "choice", "choices": options})
    assert response.status_code == 302
    assert len(CustomVariable.objects.get(project=cast.project).choices) == CHOICES_MAX


def test_it_refuses_an_overlong_option_when_editing(cast, as_member):
    variable = CustomVariable.objects.create(project=cast.project, key="plan", label="Plan",
                                             type=VariableType.CHOICE, choices=["Oro"])
    response = as_member(cast.admin).post(
        url("variable_edit", pk=variable.pk), {"label": "Plan", "choices": "Oro\n" + "x" * 101})
    assert (f"Opciones: «{'x' * 60}…» es demasiado larga; cada opción admite hasta 100 "
            "caracteres." in html.unescape(response.content.decode()))
    variable.refresh_from_db()
    assert variable.choices == ["Oro"]


def test_it_ignores_the_options_of_a_text_variable(cast, as_member):
    options = "\n".join(str(i) for i in range(500))
    response = as_member(cast.admin).post(
        url("variable_create"), {"label": "Motivo", "type": "text", "choices": options})
    assert response.status_code == 302
    assert CustomVariable.objects.get(project=cast.project).choices == []


@pytest.fixture
def branches(cast):
    """A list of options saved before the limit (or by other means than Ajustes)."""
    return CustomVariable.objects.create(
        project=cast.project, key="sucursal", label="Sucursal", type=VariableType.CHOICE,
        choices=[f"Sucursal {i:05}" for i in range(20_000)],
    )


def test_it_offers_a_long_list_as_a_typed_filter_on_a_light_tray(cast, as_member, branches):
    factories.make_client(cast.project, name="Ana", extra={"sucursal": "Sucursal 01234"})
    factories.make_client(cast.project, name="Bruno", extra={"sucursal": "Sucursal 00001"})
    tray = reverse("clients:list", kwargs={"project": "demo"})
    browser = as_member(cast.adviser)
    page = browser.get(tray).content.decode()
    assert len(page) < 100_000
    assert 'name="var_sucursal" value=""' in page and "escriba la opción exacta" in page
    filtered = browser.get(tray, {"var_sucursal": "Sucursal 01234"}).content.decode()
    assert "Sucursal: Sucursal 01234" in html.unescape(filtered)
    assert ">Ana</a>" in filtered and ">Bruno</a>" not in filtered


def test_it_asks_to_type_an_option_of_a_long_list_in_the_client_form(cast, as_member, branches):
    create = reverse("clients:create", kwargs={"project": "demo"})
    browser = as_member(cast.adviser)
    page = html.unescape(browser.get(create).content.decode())
    assert len(page) < 100_000
    assert "Escriba una de las 20.000 opciones de la lista." in page
    response = browser.post(create, {
        "document_type": "CC", "document_number": "1020304050", "name": "Ana Gómez",
        "var_sucursal": "sucursal 01234"})
    assert response.status_code == 302
    client = Client.objects.get(project=cast.project)
    assert client.extra == {"sucursal": "Sucursal 01234"}
