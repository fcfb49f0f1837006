"""The client's detail page: data, adviser, assignment history, orders, claims,
contacts and references, latest interactions; visibility."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from clients import services
from clients.choices import AssignmentSource, ClaimCategory, ContactKind
from clients.models import ClientContact, ClientReference
from clients.situation import project_today
from interactions.models import Channel, Direction, Interaction, InteractionStatus
from tests import factories

from .test_tray_helpers import put_in_portfolio

pytestmark = pytest.mark.django_db


def money(text: str) -> str:
    """"1.234,56" written with the locale's separators, as the page renders numbers."""
    thousands = formats.get_format("THOUSAND_SEPARATOR", "es")
    return text.replace(".", thousands)


def url(client, name="clients:detail"):
    return reverse(name, kwargs={"project": "demo", "pk": client.pk})


def test_it_shows_the_record_with_history_orders_claims_contacts_and_interactions(cast, as_member):
    segment = factories.make_segment(cast.project, "Premium")
    client = services.client_create(
        project=cast.project,
        actor=cast.admin.user,
        document_type="CC",
        document_number="1020304050",
        name="Ana Gómez",
        email="ana@example.com",
        phone="3001234567",
        segment=segment,
        adviser=cast.adviser,
        supervisor=cast.supervisor,
    )
    services.client_assign_adviser(
        client=client, adviser=cast.restricted, actor=cast.admin.user, source=AssignmentSource.FILE
    )
    today = project_today(cast.project)
    services.payment_order_create(
        client=client, actor=None, number="OP-77", due_date=today - timedelta(days=3),
        amount=1234567.5,
    )
    services.claim_set_category(client=client, category=ClaimCategory.BILLING, actor=cast.admin.user)
    ClientContact.objects.create(
        project=cast.project, client=client, kind=ContactKind.MOBILE, country_code="57",
        value="3109998877", label="Trabajo",
    )
    ClientReference.objects.create(
        project=cast.project, client=client, name="Luis Gómez", relationship="Hermano",
        is_guarantor=True,
    )
    Interaction.objects.create(
        project=cast.project, client=client, channel=Channel.WHATSAPP,
        direction=Direction.OUTBOUND, campaign="Recordatorio julio", template="recordatorio_1",
        status=InteractionStatus.DELIVERED, scheduled_at=timezone.now(),
    )

    response = as_member(cast.admin).get(url(client))

    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Ana Gómez", "CC 1020304050", "ana@example.com", "Premium", "Información del asesor",
        "Historial de asignación", cast.restricted.code, cast.adviser.display_name,
        "Archivo", "Pantalla", "Actual", "OP-77", "Vencida", money("1.234.567,50"), "COP",
        "Errores de facturación", "Con reclamo", "+57 3109998877", "Luis Gómez", "Codeudor",
        "Supervisor asignado", cast.supervisor.display_name,
    ):
        assert text in html, text
    # The latest interactions come from the interactions app, into the page's panel.
    recent_url = reverse("interactions:client_recent", kwargs={"project": "demo", "pk": client.pk})
    assert f'hx-get="{recent_url}"' in html
    panel = as_member(cast.admin).get(recent_url, HTTP_HX_REQUEST="true").content.decode()
    for text in ("Recordatorio julio", "Entregada", "recordatorio_1"):
        assert text in panel, text
    for label in ("Editar", "Ver órdenes de pago", "Ver comunicaciones", "Eliminar"):
        assert f'aria-label="{label}"' in html


def test_it_shows_a_deleted_client_with_recuperar(cast, as_member):
    client = factories.make_client(cast.project, name="Borrado")
    services.client_delete(client=client, actor=cast.admin.user, reason="Duplicado")

    response = as_member(cast.admin).get(url(client))

    assert response.status_code == 200
    html = response.content.decode()
    assert "papelera" in html
    assert "Recuperar" in html
    assert "Duplicado" in html
    assert 'aria-label="Eliminar"' not in html


def test_it_shows_the_restricted_adviser_their_own_client(cast, as_member):
    client = factories.make_client(cast.project, adviser=cast.restricted)
    assert as_member(cast.restricted).get(url(client)).status_code == 200


@pytest.mark.parametrize("who", ["restricted", "outsider"])
def test_it_answers_404_to_whoever_may_not_see_the_client(cast, as_member, who):
    client = factories.make_client(cast.project, adviser=cast.adviser)
    assert as_member(getattr(cast, who)).get(url(client)).status_code == 404


def test_it_answers_404_for_another_projects_client(cast, as_member):
    other = factories.make_client(cast.other_project)
    assert as_member(cast.admin).get(url(other)).status_code == 404


def test_it_shows_changes_made_by_the_system(cast, as_member):
    client = services.client_create(
        project=cast.project, actor=None, document_type="CC", document_number="3332221",
        name="Por archivo", adviser=cast.adviser, source=AssignmentSource.SFTP,
    )
    services.client_delete(client=client, actor=None)

    response = as_member(cast.admin).get(url(client))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Sistema" in html and "SFTP" in html
    assert "por —" in html


# --- Another adviser's identity ("Asignación de asesor") ---------------------------------------

SECRETS = ("Bruno", "Secreto", "BRU-4242", "asesor1")  # the other adviser: name, Asesor ID, user


def name_member(member, first, last, code):
    member.user.first_name, member.user.last_name = first, last
    member.user.save(update_fields=["first_name", "last_name"])
    member.code = code
    member.save(update_fields=["code"])


@pytest.fixture
def shared(cast):
    """A client the restricted adviser held, now Bruno's (who made the change himself),
    in a portfolio of their team: the restricted adviser sees it, but may not read Bruno."""
    name_member(cast.adviser, "Bruno", "Secreto", "BRU-4242")
    name_member(cast.restricted, "Ana", "Propia", "ANA-1001")
    client = services.client_create(
        project=cast.project, actor=cast.adviser.user, document_type="CC",
        document_number="7770001", name="Compartida Equipo", adviser=cast.restricted,
    )
    services.client_assign_adviser(client=client, adviser=cast.adviser, actor=cast.adviser.user)
    put_in_portfolio(client, "Cartera Norte", team=cast.restricted.team)
    return client


def test_a_restricted_adviser_reads_another_adviser_as_otro_asesor(cast, as_member, shared):
    response = as_member(cast.restricted).get(url(shared))

    assert response.status_code == 200
    page = response.content.decode()
    for secret in SECRETS:
        assert secret not in page, secret
    info = section(page, "asesor")
    assert "Otro asesor" in info and "ANA-1001" not in info
    history = section(page, "historial")
    rows = [TAG.sub("|", row) for row in re.findall(r"<tr>(.*?)</tr>", history, re.S)[1:]]
    # Bruno's entry, changed by Bruno; then Ana's own entry, changed by Bruno too.
    assert [cells(row)[:2] for row in rows] == [["Otro asesor", "—"], ["Ana Propia", "ANA-1001"]]
    assert [cells(row)[4] for row in rows] == ["Otro asesor", "Otro asesor"]


def test_an_admin_reads_every_adviser(cast, as_member, shared):
    page = as_member(cast.admin).get(url(shared)).content.decode()

    assert "Otro asesor" not in page
    info = section(page, "asesor")
    assert "Bruno Secreto" in info and "BRU-4242" in info
    assert "Ana Propia" in section(page, "historial")


def test_a_restricted_supervisor_reads_their_teams_advisers_only(cast, as_member, shared):
    cast.supervisor.restricted_to_assigned = True
    cast.supervisor.save(update_fields=["restricted_to_assigned"])
    south = factories.make_team(cast.project, "Equipo Sur")
    carla = factories.make_member(cast.project, username="lejana", team=south, code="CAR-9090")
    services.client_assign_adviser(client=shared, adviser=carla, actor=carla.user)

    page = as_member(cast.supervisor).get(url(shared)).content.decode()

    assert "CAR-9090" not in page and "lejana" not in page
    assert "Otro asesor" in section(page, "asesor")
    history = section(page, "historial")
    assert "Bruno Secreto" in history and "BRU-4242" in history and "Ana Propia" in history


def test_it_does_not_name_another_adviser_who_deleted_the_client(cast, as_member, shared):
    services.client_delete(client=shared, actor=cast.adviser.user)

    page = as_member(cast.restricted).get(url(shared)).content.decode()

    assert "por Otro asesor" in page
    for secret in SECRETS:
        assert secret not in page, secret
    assert "por Bruno Secreto" in as_member(cast.admin).get(url(shared)).content.decode()


TAG = re.compile(r"<[^>]+>")


def section(page: str, heading_id: str) -> str:
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', page, re.S)
    assert match, heading_id
    return match.group(0)


def cells(row: str) -> list[str]:
    return [html.unescape(c).strip() for c in row.split("|") if c.strip()]
