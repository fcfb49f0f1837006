"""The client form cleans its row through clean_client_row, the function of every import."""

import pytest

from clients import validation
from clients.choices import VariableType
from clients.forms import ClientForm
from clients.models import CustomVariable

pytestmark = pytest.mark.django_db


def data(**overrides):
    values = {
        "document_type": "NIT", "document_number": "888.605.031-8", "name": "Lara S.A.S.",
        "email": "", "phone": "+57 309 461 7291", "city": "", "segment": "",
        "status": "active", "portfolio_type": "current", "contactability": "contactable",
        "contact_alert": "none", "claim_category": "none", "adviser_code": "",
        "supervisor_code": "",
    }
    values.update(overrides)
    return values


def test_it_goes_through_clean_client_row(cast, monkeypatch):
    calls = []
    original = validation.clean_client_row

    def spy(raw, **kwargs):
        calls.append(raw)
        return original(raw, **kwargs)

    monkeypatch.setattr(validation, "clean_client_row", spy)
    form = ClientForm(data(), member=cast.admin, rules=validation.ProjectRules.load(cast.project))
    assert form.is_valid(), form.errors
    assert calls and calls[0]["document_number"] == "888.605.031-8"
    assert form.clean_values["document_number"] == "888605031"
    assert form.clean_values["phone"] == "+573094617291"


def test_its_errors_land_on_the_fields_they_name(cast):
    CustomVariable.objects.create(project=cast.project, key="score", label="Score",
                                  type=VariableType.NUMBER)
    rules = validation.ProjectRules.load(cast.project)
    form = ClientForm(data(document_number="888605031-5", var_score="doce", adviser_code="NADIE"),
                      member=cast.admin, rules=rules)
    assert not form.is_valid()
    assert set(form.errors) == {"document_number", "var_score", "adviser_code"}
    assert "Score «doce»: no es un número válido" in form.errors["var_score"][0]
    assert "is-invalid" in form.fields["var_score"].widget.attrs["class"]


def test_an_adviser_cannot_send_an_asesor_id(cast):
    rules = validation.ProjectRules.load(cast.project)
    form = ClientForm(data(adviser_code=cast.adviser.code), member=cast.restricted, rules=rules)
    assert form.is_valid(), form.errors
    assert "adviser" not in form.service_kwargs()
