"""Editar: every field, the Asesor ID with its assignment history, the claim category."""

import pytest
from django.urls import reverse

from clients import services
from clients.choices import AssignmentSource, ClaimCategory, ClaimStatus, Situation
from clients.models import Client, ClientAssignment
from moonflow.audit.models import AuditEvent
from tests import factories

from .test_tray_helpers import put_in_portfolio

pytestmark = pytest.mark.django_db


def url(client):
    return reverse("clients:edit", kwargs={"project": "demo", "pk": client.pk})


def current_form(client, **overrides):
    data = {
        "document_type": client.document_type,
        "document_number": client.document_number,
        "name": client.name,
        "email": client.email,
        "phone": client.phone,
        "city": client.city,
        "segment": client.segment.name if client.segment_id else "",
        "status": client.status,
        "portfolio_type": client.portfolio_type,
        "contactability": client.contactability,
        "contact_alert": client.contact_alert,
        "adviser_code": client.adviser.code if client.adviser_id else "",
        "supervisor_code": client.supervisor.code if client.supervisor_id else "",
        "claim_category": client.claim_category,
    }
    data.update(overrides)
    return data


@pytest.fixture
def client(cast):
    return services.client_create(
        project=cast.project, actor=cast.admin.user, document_type="CC",
        document_number="5551234", name="Carlos Ruiz", adviser=cast.adviser,
    )


def test_it_opens_a_window_with_every_field_and_the_current_asesor_id(cast, as_member, client):
    response = as_member(cast.admin).get(url(client), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Editar cliente: Carlos Ruiz" in html
    assert "Información del asesor" in html
    assert f'value="{cast.adviser.code}"' in html
    assert 'value="5551234"' in html
    for label in ("Condiciones contractuales", "Errores de facturación", "Problemas con el pago",
                  "Problemas con producto/servicio", "Sin reclamo / Reclamo cerrado"):
        assert label in html


def test_it_changes_the_asesor_id_recording_history_and_audit(cast, as_member, client):
    response = as_member(cast.admin).post(
        url(client), current_form(client, adviser_code=cast.restricted.code), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"
    client.refresh_from_db()
    assert client.adviser == cast.restricted
    rows = list(ClientAssignment.objects.filter(client=client).order_by("started_at", "id"))
    assert [r.adviser for r in rows] == [cast.adviser, cast.restricted]
    assert rows[0].ended_at == rows[1].started_at
    assert rows[1].ended_at is None
    assert rows[1].source == AssignmentSource.SCREEN
    assert rows[1].changed_by == cast.admin.user
    # The change goes through the transfer rule: its event, under the client.
    event = AuditEvent.objects.get(resource_type="transfer", resource_id=str(client.pk))
    assert event.changes["adviser"] == [
        [f"{cast.adviser.display_name} ({cast.adviser.code})"],
        [f"{cast.restricted.display_name} ({cast.restricted.code})"],
    ]
    assert event.changes["through"] == [None, "edit"]
    assert event.actor == cast.admin.user and event.source == "screen"

    # The detail page shows who held it from when to when.
    html = as_member(cast.admin).get(
        reverse("clients:detail", kwargs={"project": "demo", "pk": client.pk})
    ).content.decode()
    assert cast.restricted.code in html and "Pantalla" in html and "Actual" in html


def test_it_refuses_an_unknown_asesor_id_and_changes_nothing(cast, as_member, client):
    response = as_member(cast.admin).post(
        url(client), current_form(client, adviser_code="NO-EXISTE", name="Otro nombre"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "No existe un asesor con el ID «NO-EXISTE»." in response.content.decode()
    client.refresh_from_db()
    assert client.adviser == cast.adviser
    assert client.name == "Carlos Ruiz"
    assert ClientAssignment.objects.filter(client=client).count() == 1


def test_it_refuses_an_inactive_members_asesor_id(cast, as_member, client):
    gone = factories.make_member(cast.project, username="retirado", code="RET-2")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    response = as_member(cast.admin).post(url(client), current_form(client, adviser_code="RET-2"))
    assert response.status_code == 400
    assert "El asesor con el ID «RET-2» (Retirado) está inactivo." in response.content.decode()
    client.refresh_from_db()
    assert client.adviser == cast.adviser
    assert ClientAssignment.objects.filter(client=client).count() == 1


def test_emptying_the_asesor_id_leaves_the_client_unassigned_in_history(cast, as_member, client):
    as_member(cast.supervisor).post(url(client), current_form(client, adviser_code=""))
    client.refresh_from_db()
    assert client.adviser is None
    latest = ClientAssignment.objects.filter(client=client).first()
    assert latest.adviser is None and latest.changed_by == cast.supervisor.user


def test_saving_without_changes_writes_no_history(cast, as_member, client):
    as_member(cast.admin).post(url(client), current_form(client))
    assert ClientAssignment.objects.filter(client=client).count() == 1
    assert not AuditEvent.objects.filter(
        resource_type="client", resource_id=str(client.pk), event="updated"
    ).exists()


def test_it_edits_the_other_fields_and_the_supervisor(cast, as_member, client):
    factories.make_segment(cast.project, "Pyme")
    response = as_member(cast.admin).post(
        url(client),
        current_form(client, name="Carlos A. Ruiz", email="CARLOS@EXAMPLE.COM", segment="Pyme",
                     status="inactive", portfolio_type="written_off",
                     supervisor_code=cast.supervisor.code),
    )
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.name == "Carlos A. Ruiz"
    assert client.email == "carlos@example.com"
    assert client.segment.name == "Pyme"
    assert client.get_status_display() == "Inactivo"
    assert client.get_portfolio_type_display() == "Castigada"
    assert client.supervisor == cast.supervisor
    event = AuditEvent.objects.filter(resource_type="client", event="updated").first()
    assert event.changes["name"] == ["Carlos Ruiz", "Carlos A. Ruiz"]


def test_it_refuses_a_document_another_client_holds(cast, as_member, client):
    factories.make_client(cast.project, document_type="CC", document_number="999888", name="Dora Paz")
    response = as_member(cast.admin).post(url(client), current_form(client, document_number="999888"))
    assert "ya existe el cliente Dora Paz con el documento CC 999888." in response.content.decode()
    client.refresh_from_db()
    assert client.document_number == "5551234"


def test_choosing_a_claim_category_opens_a_claim_and_recomputes_the_situation(cast, as_member, client):
    as_member(cast.admin).post(url(client), current_form(client, claim_category="payment"))
    client.refresh_from_db()
    assert client.claim_category == ClaimCategory.PAYMENT
    assert client.situation == Situation.CLAIM
    assert client.claims.filter(status=ClaimStatus.OPEN).count() == 1

    as_member(cast.admin).post(url(client), current_form(client, claim_category="none"))
    client.refresh_from_db()
    assert client.claim_category == ClaimCategory.NONE
    assert client.situation == Situation.FINISHED
    assert not client.claims.filter(status=ClaimStatus.OPEN).exists()


def test_a_third_claim_category_is_refused_in_the_form(cast, as_member, client):
    services.claim_set_category(client=client, category=ClaimCategory.BILLING, actor=None)
    services.claim_set_category(client=client, category=ClaimCategory.PAYMENT, actor=None)
    client.refresh_from_db()
    response = as_member(cast.admin).post(url(client), current_form(client, claim_category="product"))
    html = response.content.decode()
    assert "Reclamo «Problemas con producto/servicio»: el cliente ya tiene dos reclamos abiertos" in html
    assert client.claims.filter(status=ClaimStatus.OPEN).count() == 2


def test_an_adviser_edits_data_but_not_the_asesor_id(cast, as_member):
    client = factories.make_client(cast.project, adviser=cast.restricted, name="Propio")
    browser = as_member(cast.restricted)
    html = browser.get(url(client)).content.decode()
    assert "Solo administradores y supervisores asignan asesores." in html
    response = browser.post(url(client), current_form(client, name="Propio editado", adviser_code=cast.adviser.code))
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.name == "Propio editado"
    assert client.adviser == cast.restricted


def test_a_client_in_the_bin_must_be_recovered_before_editing(cast, as_member, client):
    services.client_delete(client=client, actor=None)
    response = as_member(cast.admin).get(url(client), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Recupérelo para editarlo" in html and "Recuperar" in html
    response = as_member(cast.admin).post(url(client), current_form(client, name="X"))
    client.refresh_from_db()
    assert client.name == "Carlos Ruiz"


@pytest.mark.parametrize("who", ["restricted", "outsider"])
def test_it_answers_404_to_whoever_may_not_see_the_client(cast, as_member, client, who):
    browser = as_member(getattr(cast, who))
    assert browser.get(url(client)).status_code == 404
    assert browser.post(url(client), current_form(client, name="Hack")).status_code == 404
    assert Client.objects.get(pk=client.pk).name == "Carlos Ruiz"


# --- Another adviser's Asesor ID ("Asignación de asesor") --------------------------------------


@pytest.fixture
def shared(cast):
    """Bruno's client in a portfolio of the restricted adviser's team: seen, but not whose it is."""
    cast.adviser.user.first_name, cast.adviser.user.last_name = "Bruno", "Secreto"
    cast.adviser.user.save(update_fields=["first_name", "last_name"])
    cast.adviser.code = "BRU-4242"
    cast.adviser.save(update_fields=["code"])
    client = services.client_create(
        project=cast.project, actor=cast.admin.user, document_type="CC",
        document_number="7770001", name="Compartida Equipo", adviser=cast.adviser,
    )
    put_in_portfolio(client, "Cartera Norte", team=cast.restricted.team)
    return client


def test_a_restricted_adviser_finds_no_other_advisers_id_in_the_dialog(cast, as_member, shared):
    browser = as_member(cast.restricted)
    response = browser.get(url(shared), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Información del asesor" in html
    for secret in ("BRU-4242", "Bruno", "Secreto", "asesor1"):
        assert secret not in html, secret
    assert 'placeholder="Otro asesor"' in html

    response = browser.post(url(shared), current_form(shared, name="Compartida editada",
                                                      adviser_code=""))
    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.name == "Compartida editada"
    assert shared.adviser == cast.adviser


def test_an_admin_still_finds_the_advisers_id_in_the_dialog(cast, as_member, shared):
    html = as_member(cast.admin).get(url(shared), HTTP_HX_REQUEST="true").content.decode()
    assert 'value="BRU-4242"' in html
    assert "Otro asesor" not in html


def test_a_restricted_supervisor_keeps_or_replaces_an_adviser_they_may_not_read(cast, as_member):
    cast.supervisor.restricted_to_assigned = True
    cast.supervisor.save(update_fields=["restricted_to_assigned"])
    south = factories.make_team(cast.project, "Equipo Sur")
    carla = factories.make_member(cast.project, username="lejana", team=south, code="CAR-9090")
    client = services.client_create(
        project=cast.project, actor=cast.admin.user, document_type="CC",
        document_number="7770002", name="De Otro Equipo", adviser=carla,
    )
    put_in_portfolio(client, "Cartera Norte", team=cast.adviser.team)  # the supervisor's team
    browser = as_member(cast.supervisor)

    html = browser.get(url(client), HTTP_HX_REQUEST="true").content.decode()
    assert "CAR-9090" not in html and "lejana" not in html
    assert 'placeholder="Otro asesor"' in html
    assert "Escriba un Asesor ID para reasignarlo" in html

    # Left empty, the field keeps the adviser: no history row is written.
    history = ClientAssignment.objects.filter(client=client).count()
    response = browser.post(url(client), current_form(client, name="Otro nombre", adviser_code=""))
    assert response.status_code == 302
    client.refresh_from_db()
    assert (client.name, client.adviser) == ("Otro nombre", carla)
    assert ClientAssignment.objects.filter(client=client).count() == history

    # An Asesor ID typed in reassigns the client.
    response = browser.post(url(client), current_form(client, adviser_code=cast.adviser.code))
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.adviser == cast.adviser
