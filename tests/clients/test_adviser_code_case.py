"""Asesor IDs ignore case in the client form and in files ("hv-001" is "HV-001")."""

import pytest
from django.urls import reverse

from clients import services, validation
from clients.models import Client
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def hv(cast):
    return factories.make_member(cast.project, username="hvaldes", code="HV-001")


def form(**overrides):
    data = {
        "document_type": "CC", "document_number": "1020304050", "name": "Ana Gómez",
        "email": "", "phone": "", "city": "", "segment": "", "status": "active",
        "portfolio_type": "current", "contactability": "contactable", "contact_alert": "none",
        "adviser_code": "", "supervisor_code": "", "claim_category": "none",
    }
    data.update(overrides)
    return data


def test_typing_it_in_lower_case_in_crear_cliente_assigns_that_adviser(cast, as_member, hv):
    response = as_member(cast.admin).post(
        reverse("clients:create", kwargs={"project": "demo"}), form(adviser_code="hv-001")
    )
    assert response.status_code == 302
    assert Client.objects.get(project=cast.project).adviser == hv


def test_typing_it_in_lower_case_in_editar_reassigns_the_client(cast, as_member, hv):
    client = services.client_create(
        project=cast.project, actor=None, document_type="CC", document_number="1020304050",
        name="Ana Gómez", adviser=cast.adviser,
    )
    response = as_member(cast.admin).post(
        reverse("clients:edit", kwargs={"project": "demo", "pk": client.pk}),
        form(adviser_code=" hv-001 "),
    )
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.adviser == hv


def test_the_supervisor_id_ignores_case_too(cast, as_member):
    cast.supervisor.code = "SUP-7"
    cast.supervisor.save(update_fields=["code"])
    response = as_member(cast.admin).post(
        reverse("clients:create", kwargs={"project": "demo"}), form(supervisor_code="sup-7")
    )
    assert response.status_code == 302
    assert Client.objects.get(project=cast.project).supervisor == cast.supervisor


def test_an_import_row_finds_the_adviser_in_any_case(cast, hv):
    rules = validation.ProjectRules.load(cast.project)

    assert validation.clean_adviser_code("hv-001", rules=rules) == hv
    assert validation.clean_adviser_code("Hv-001", rules=rules) == hv
    row = validation.clean_client_row(
        {"document_type": "CC", "document_number": "55512345", "name": "Luis",
         "adviser_code": "hv-001", "supervisor_code": cast.supervisor.code.lower()},
        rules=rules,
    )
    assert row.errors == []
    assert row.values["adviser_code"] == hv
    assert row.values["supervisor_code"] == cast.supervisor


def test_an_unknown_id_still_names_what_was_typed(cast, hv):
    rules = validation.ProjectRules.load(cast.project)
    with pytest.raises(validation.FieldError) as error:
        validation.clean_adviser_code("hv-002", rules=rules)
    assert error.value.text == "No existe un asesor con el ID «hv-002»."
