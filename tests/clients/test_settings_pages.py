"""Ajustes → Segmentos and Variables adicionales: admins only."""

import pytest
from django.urls import reverse

from clients.choices import VariableType
from clients.models import CustomVariable, Segment
from moonflow.audit.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"clients:{name}", kwargs={"project": "demo", **kwargs})


def test_it_lists_segments_with_their_clients(cast, as_member):
    premium = factories.make_segment(cast.project, "Premium")
    factories.make_client(cast.project, segment=premium)
    factories.make_segment(cast.other_project, "Ajeno")
    html = as_member(cast.admin).get(url("segments")).content.decode()
    assert "Segmentos" in html and "Premium" in html and "Ajeno" not in html
    assert "Crear segmento" in html and 'aria-label="Editar"' in html


def test_it_creates_and_renames_a_segment(cast, as_member):
    browser = as_member(cast.admin)
    response = browser.post(url("segment_create"), {"name": "  Pyme  "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    segment = Segment.objects.get(project=cast.project)
    assert segment.name == "Pyme"

    response = browser.post(url("segment_edit", pk=segment.pk), {"name": "Pymes"})
    assert response.status_code == 302
    segment.refresh_from_db()
    assert segment.name == "Pymes"
    assert AuditEvent.objects.filter(
        resource_type="segment", event="updated", changes__name=["Pyme", "Pymes"]
    ).exists()


def test_it_refuses_a_duplicate_segment_name(cast, as_member):
    factories.make_segment(cast.project, "Premium")
    response = as_member(cast.admin).post(url("segment_create"), {"name": "premium"})
    assert "Segmento «premium»: ya existe un segmento con ese nombre." in response.content.decode()
    assert Segment.objects.filter(project=cast.project).count() == 1


def test_it_creates_a_choice_variable_and_edits_its_label_and_options(cast, as_member):
    browser = as_member(cast.admin)
    response = browser.post(
        url("variable_create"),
        {"label": "Plan contratado", "key": "", "type": "choice", "choices": "Oro\nPlata\n\noro"},
    )
    assert response.status_code == 302
    variable = CustomVariable.objects.get(project=cast.project)
    assert (variable.key, variable.type, variable.choices) == ("plan_contratado", "choice", ["Oro", "Plata"])
    html = browser.get(url("variables")).content.decode()
    assert "Plan contratado" in html and "plan_contratado" in html and "Oro, Plata" in html

    browser.post(
        url("variable_edit", pk=variable.pk),
        {"label": "Plan", "key": "otra", "type": "text", "choices": "Oro\nBronce"},
    )
    variable.refresh_from_db()
    # Key and type stay as they were.
    assert (variable.label, variable.key, variable.type, variable.choices) == (
        "Plan", "plan_contratado", "choice", ["Oro", "Bronce"]
    )


def test_it_validates_variables(cast, as_member):
    CustomVariable.objects.create(project=cast.project, key="score", label="Puntaje", type=VariableType.NUMBER)
    browser = as_member(cast.admin)
    html = browser.post(url("variable_create"), {"label": "X", "key": "score", "type": "text"}).content.decode()
    assert "Clave «score»: ya existe una variable con esa clave." in html
    html = browser.post(url("variable_create"), {"label": "X", "key": "1-Mal", "type": "text"}).content.decode()
    assert "Clave «1-Mal»: use minúsculas" in html
    html = browser.post(url("variable_create"), {"label": "Lista", "type": "choice", "choices": ""}).content.decode()
    assert "Opciones: escriba al menos una opción" in html
    assert CustomVariable.objects.filter(project=cast.project).count() == 1


@pytest.mark.parametrize("who", ["supervisor", "adviser", "restricted"])
def test_non_admins_get_403(cast, as_member, who):
    segment = factories.make_segment(cast.project, "Premium")
    variable = CustomVariable.objects.create(project=cast.project, key="k", label="K", type="text")
    browser = as_member(getattr(cast, who))
    for path in (url("segments"), url("segment_create"), url("segment_edit", pk=segment.pk),
                 url("variables"), url("variable_create"), url("variable_edit", pk=variable.pk)):
        assert browser.get(path).status_code == 403, path
    assert browser.post(url("segment_create"), {"name": "Hack"}).status_code == 403
    assert not Segment.objects.filter(name="Hack").exists()


def test_another_projects_settings_answer_404(cast, as_member):
    segment = factories.make_segment(cast.other_project, "Ajeno")
    variable = CustomVariable.objects.create(project=cast.other_project, key="k", label="K", type="text")
    browser = as_member(cast.admin)
    assert browser.get(url("segment_edit", pk=segment.pk)).status_code == 404
    assert browser.get(url("variable_edit", pk=variable.pk)).status_code == 404
    assert as_member(cast.outsider).get(url("segments")).status_code == 404


def test_the_ajustes_menu_links_them_for_admins(cast, as_member):
    html = as_member(cast.admin).get(url("segments")).content.decode()
    assert 'href="/p/demo/ajustes/variables/"' in html
    assert 'href="/p/demo/ajustes/segmentos/"' in html
