"""Crear cliente: the individual form, with the rules every import uses."""

import pytest
from django.urls import reverse

from clients.choices import AssignmentSource, ClaimCategory, ClaimStatus, Situation, VariableType
from clients.models import Client, ClientAssignment, CustomVariable
from moonflow.audit.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("clients:create", kwargs={"project": "demo"})


def form(**overrides):
    data = {
        "document_type": "CC",
        "document_number": "1.020.304.050",
        "name": "Ana Gómez",
        "email": "ana@example.com",
        "phone": "300 123 4567",
        "city": "Bogotá",
        "segment": "",
        "status": "active",
        "portfolio_type": "current",
        "contactability": "contactable",
        "contact_alert": "none",
        "adviser_code": "",
        "supervisor_code": "",
        "claim_category": "none",
    }
    data.update(overrides)
    return data


def test_it_shows_the_form_with_its_sections(cast, as_member):
    CustomVariable.objects.create(
        project=cast.project, key="plan", label="Plan", type=VariableType.CHOICE, choices=["Oro"]
    )
    response = as_member(cast.admin).get(URL, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Crear cliente", "Información del asesor", "Asesor ID", "Supervisor asignado",
                 "Reclamos", "Sin reclamo / Reclamo cerrado", "Variables adicionales", "Plan",
                 "CC · Cédula de ciudadanía", 'id="modal-title"'):
        assert text in html, text
    assert "<html" not in html  # a dialog, not a page


def test_it_opens_as_a_page_without_htmx(cast, as_member):
    response = as_member(cast.admin).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" in page
    assert "Cuentas por cobrar" in page  # the layout's menu is kept around the form
    assert 'name="document_number"' in page


def test_it_creates_a_client_assigned_by_asesor_id(cast, as_member):
    segment = factories.make_segment(cast.project, "Premium")
    CustomVariable.objects.create(
        project=cast.project, key="fecha_corte", label="Fecha de corte", type=VariableType.DATE
    )
    response = as_member(cast.admin).post(
        URL,
        form(segment="Premium", adviser_code=cast.adviser.code, supervisor_code=cast.supervisor.code,
             var_fecha_corte="05/08/2024"),
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 204
    client = Client.objects.get(project=cast.project, document_number="1020304050")
    assert response["HX-Redirect"] == reverse(
        "clients:detail", kwargs={"project": "demo", "pk": client.pk}
    )
    assert client.name == "Ana Gómez"
    assert client.phone == "3001234567"
    assert client.segment == segment
    assert client.adviser == cast.adviser
    assert client.supervisor == cast.supervisor
    assert client.extra == {"fecha_corte": "2024-08-05"}
    assert client.situation == Situation.FINISHED
    row = ClientAssignment.objects.get(client=client)
    assert (row.adviser, row.source, row.changed_by, row.ended_at) == (
        cast.adviser, AssignmentSource.SCREEN, cast.admin.user, None
    )
    event = AuditEvent.objects.get(project=cast.project, resource_type="client", event="created")
    assert event.resource_id == str(client.pk)
    assert event.actor == cast.admin.user


def test_it_opens_the_claim_chosen_at_creation(cast, as_member):
    as_member(cast.admin).post(URL, form(claim_category="billing"))
    client = Client.objects.get(project=cast.project, document_number="1020304050")
    assert client.claim_category == ClaimCategory.BILLING
    assert client.situation == Situation.CLAIM
    assert client.claims.get().status == ClaimStatus.OPEN


@pytest.mark.parametrize(
    "overrides, field_and_value",
    [
        ({"document_type": "ZZ"}, "Tipo de documento «ZZ»: no es un tipo de documento válido"),
        ({"document_type": ""}, "Tipo de documento: este campo es obligatorio."),
        ({"document_number": "12AB"}, "Número de documento «12AB»: para CC use solo dígitos"),
        ({"document_type": "RUT", "document_number": "12.345.678-9"},
         "Número de documento «12.345.678-9»: el dígito verificador no corresponde"),
        ({"document_number": ""}, "Número de documento: este campo es obligatorio."),
        ({"name": ""}, "Nombre: este campo es obligatorio."),
        ({"email": "ana@"}, "Correo electrónico «ana@»: no es un correo electrónico válido"),
        ({"phone": "12-ab"}, "Teléfono «12-ab»: use entre 7 y 15 dígitos"),
        ({"segment": "Inexistente"}, "Segmento «Inexistente»: no existe un segmento"),
        ({"status": "borrado"}, "Estado «borrado»: no es una opción válida"),
        ({"portfolio_type": "x"}, "Tipo de cartera «x»: no es una opción válida"),
        ({"contactability": "x"}, "Contactabilidad «x»: no es una opción válida"),
        ({"contact_alert": "x"}, "Alertas de contacto «x»: no es una opción válida"),
        ({"claim_category": "x"}, "Reclamo «x»: no es una opción válida"),
        ({"adviser_code": "X-99"}, "No existe un asesor con el ID «X-99»."),
        ({"supervisor_code": "NADIE"}, "Supervisor asignado «NADIE»: no existe un supervisor activo"),
        ({"var_puntaje": "doce"}, "Puntaje «doce»: no es un número válido (1.234,56)."),
        ({"var_corte": "31/02/2024"}, "Fecha de corte «31/02/2024»: no es una fecha válida: use dd/mm/aaaa."),
        ({"var_plan": "Bronce"}, "Plan «Bronce»: no es una opción válida. Use una de: Oro, Plata."),
    ],
)
def test_it_refuses_each_invalid_field_naming_field_and_value(cast, as_member, overrides, field_and_value):
    CustomVariable.objects.create(project=cast.project, key="puntaje", label="Puntaje", type=VariableType.NUMBER)
    CustomVariable.objects.create(project=cast.project, key="corte", label="Fecha de corte", type=VariableType.DATE)
    CustomVariable.objects.create(
        project=cast.project, key="plan", label="Plan", type=VariableType.CHOICE, choices=["Oro", "Plata"]
    )
    response = as_member(cast.admin).post(URL, form(**overrides), HTTP_HX_REQUEST="true")

    assert response.status_code == 200  # the dialog re-renders with the message
    html = response.content.decode()
    assert field_and_value.replace("«", "&laquo;").replace("»", "&raquo;") in html or field_and_value in html
    assert 'aria-invalid="true"' in html
    assert not Client.objects.filter(project=cast.project).exists()


def test_it_answers_400_to_an_invalid_form_outside_htmx(cast, as_member):
    response = as_member(cast.admin).post(URL, form(email="ana@"))
    assert response.status_code == 400
    assert "Correo electrónico «ana@»" in response.content.decode()


def test_it_refuses_an_inactive_asesor_id(cast, as_member):
    gone = factories.make_member(cast.project, username="retirado", code="RET-7")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    response = as_member(cast.admin).post(URL, form(adviser_code="RET-7"))
    assert "El asesor con el ID «RET-7» (Retirado) está inactivo." in response.content.decode()
    assert not Client.objects.filter(project=cast.project).exists()


def test_it_refuses_an_external_id_already_in_the_project_naming_the_client(cast, as_member):
    factories.make_client(cast.project, document_type="CC", document_number="1020304050", name="Beatriz Paz")
    response = as_member(cast.admin).post(URL, form())
    assert (
        "Número de documento «1020304050»: ya existe el cliente Beatriz Paz con el documento "
        "CC 1020304050." in response.content.decode()
    )
    assert Client.objects.filter(project=cast.project).count() == 1


def test_it_names_a_client_in_the_recycle_bin_as_such(cast, as_member):
    from clients import services

    existing = factories.make_client(cast.project, document_type="CC", document_number="1020304050", name="Beatriz Paz")
    services.client_delete(client=existing, actor=None)
    response = as_member(cast.admin).post(URL, form())
    assert "ya existe el cliente Beatriz Paz con el documento CC 1020304050 (en la papelera)." in (
        response.content.decode()
    )


def test_it_accepts_the_same_document_in_another_project(cast, as_member):
    factories.make_client(cast.other_project, document_type="CC", document_number="1020304050")
    response = as_member(cast.admin).post(URL, form())
    assert response.status_code == 302
    assert Client.objects.filter(project=cast.project, document_number="1020304050").exists()


def test_an_advisers_new_client_is_theirs(cast, as_member):
    browser = as_member(cast.restricted)
    html = browser.get(URL).content.decode()
    assert "Solo administradores y supervisores asignan asesores." in html

    # Even if they try to hand it to someone else.
    response = browser.post(URL, form(adviser_code=cast.adviser.code))

    client = Client.objects.get(project=cast.project, document_number="1020304050")
    assert client.adviser == cast.restricted
    assert response.status_code == 302
    assert browser.get(response["Location"]).status_code == 200


def test_it_answers_404_to_an_outsider(cast, as_member):
    assert as_member(cast.outsider).get(URL).status_code == 404
    assert as_member(cast.outsider).post(URL, form()).status_code == 404
    assert not Client.objects.exists()
