"""A module's AUDITORÍA (GET /p/<project>/auditoria/<module>/): the window the Carteras page
opens in its dialog, its filters inside the dialog, and who may open it."""

from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from moonflow.audit.models import AuditEventKind
from moonflow.tenancy.models import Role
from tests import factories

from .helpers import record

pytestmark = pytest.mark.django_db

DIALOG = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "modal-content",
          "HTTP_HX_CURRENT_URL": "http://testserver/p/demo/carteras/"}
INSIDE = {**DIALOG, "HTTP_HX_TARGET": "audit-window"}


def url(module="carteras", slug="demo"):
    return reverse("audit:module", kwargs={"project": slug, "module": module})


@pytest.fixture
def events(cast):
    juan = factories.make_user("jperez", first_name="Juan", last_name="Pérez")
    return [
        record(cast.project, juan, event=AuditEventKind.CREATED, label="Clientes VIP",
               changes={"name": [None, "Clientes VIP"]}),
        record(cast.project, cast.admin, event=AuditEventKind.CONTACT_ADDED, label="Clientes VIP",
               changes={"clients": [None, ["Ana Ríos (CC 1020)"]]}),
        record(cast.project, cast.supervisor, event=AuditEventKind.DEACTIVATED,
               label="Recuperación Julio", changes={"active": [True, False]}),
        # Not the module's: a client's change, and another project's portfolio.
        record(cast.project, cast.admin, resource_type="client", label="Ana Ríos (CC 1020)"),
        record(cast.other_project, cast.outsider, label="Cartera Ajena"),
    ]


def shown(response):
    return [(row.event, row.resource) for row in response.context["tray"].rows]


def test_it_opens_in_the_openers_dialog_with_the_seeds_filters(cast, as_member, events):
    response = as_member(cast.admin).get(url(), **DIALOG)

    assert response.status_code == 200
    text = response.content.decode()
    assert '<h2 class="modal-title h5" id="modal-title">Auditoría · Carteras</h2>' in text
    assert "<html" not in text
    assert 'placeholder="Nombre de usuario o recurso"' in text
    tray = response.context["tray"]
    evento, fecha = tray.controls
    assert [o.label for o in evento.options] == [
        "Creado", "Actualizado", "Activado", "Desactivado", "Contacto agregado",
        "Contacto eliminado"]
    assert [o.label for o in fecha.options] == ["Hoy", "Esta semana", "Este mes", "Este año"]
    # Newest first, the module's events only.
    assert shown(response) == [("Desactivado", "Recuperación Julio"),
                               ("Contacto agregado", "Clientes VIP"),
                               ("Creado", "Clientes VIP")]
    assert tray.total.label == "3 eventos"
    # Inside a dialog the opener's address stays as it is.
    assert "hx-push-url" not in text
    assert 'hx-target="#audit-window"' in text


def test_it_shows_who_when_what_and_the_values_before_and_after(cast, as_member, events):
    cast.project.timezone = "America/Bogota"
    cast.project.save(update_fields=["timezone"])
    response = as_member(cast.admin).get(url(), **DIALOG)

    created, added, deactivated = reversed(response.context["tray"].rows)
    assert (created.actor, created.username) == ("Juan Pérez", "jperez")
    assert created.resource_type == "Cartera"
    assert [(c.field, c.before, c.after) for c in created.changes] == [
        ("Nombre de cartera", "—", "Clientes VIP")]
    assert [(c.field, c.before, c.after) for c in deactivated.changes] == [
        ("Activa", "Sí", "No")]
    assert [(c.field, c.before, c.after) for c in added.changes] == [
        ("Clientes", "—", "Ana Ríos (CC 1020)")]
    text = response.content.decode()
    assert "Juan Pérez" in text and "Recuperación Julio" in text
    # dd/mm/aaaa hh:mm on the project's clock.
    local = events[0].created_at.astimezone(ZoneInfo("America/Bogota"))
    assert created.when == local.strftime("%d/%m/%Y %H:%M")
    assert created.when in text


def test_its_filters_answer_only_the_list_inside_the_dialog(cast, as_member, events):
    response = as_member(cast.admin).get(url(), {"evento": "deactivated"}, **INSIDE)

    text = response.content.decode()
    assert text.lstrip().startswith('<div id="audit-window">')
    assert "modal-header" not in text
    assert shown(response) == [("Desactivado", "Recuperación Julio")]
    assert response.context["tray"].total.label == "1 evento"


def test_it_searches_a_user_or_a_resource_without_accents_or_case(cast, as_member, events):
    browser = as_member(cast.admin)

    def search(text):
        return shown(browser.get(url(), {"q": text}, **INSIDE))

    assert search("PEREZ") == [("Creado", "Clientes VIP")]
    assert search("jua") == [("Creado", "Clientes VIP")]
    assert search("jperez") == [("Creado", "Clientes VIP")]
    assert search("recuperación jul") == [("Desactivado", "Recuperación Julio")]
    assert search("vip") == [("Contacto agregado", "Clientes VIP"), ("Creado", "Clientes VIP")]
    # Another project's portfolio, a client's event and a typo find nothing.
    assert search("ajena") == []
    assert search("ana") == []
    assert search("recuperasion") == []
    text = browser.get(url(), {"q": "recuperasion"}, **INSIDE).content.decode()
    assert "Ningún evento coincide con la búsqueda o los filtros." in text


def test_it_names_an_event_the_module_does_not_offer(cast, as_member, events):
    response = as_member(cast.admin).get(url(), {"evento": "exported"}, **INSIDE)
    assert "Se ignoró el filtro «Evento»: su valor no es válido." in response.content.decode()
    assert len(response.context["tray"].rows) == 3


def test_it_is_a_page_of_its_own_without_htmx(cast, as_member, events):
    response = as_member(cast.admin).get(url(), {"q": "vip"})

    text = response.content.decode()
    assert response.status_code == 200
    assert "<html" in text and "<h1 class=\"h4 mb-3\">Auditoría · Carteras</h1>" in text
    assert 'hx-push-url="true"' in text
    assert len(response.context["tray"].rows) == 2


@pytest.mark.parametrize("who, status", [
    ("admin", 200), ("supervisor", 200), ("adviser", 403), ("restricted", 403),
    ("outsider", 404),
])
def test_it_lets_in_admins_and_supervisors_only(cast, as_member, events, who, status):
    assert as_member(getattr(cast, who)).get(url(), **DIALOG).status_code == status


def test_it_keeps_out_a_supervisor_restricted_to_their_teams(cast, as_member, events):
    """Events name portfolios and clients beyond a restricted supervisor's teams."""
    restricted = factories.make_member(cast.project, role=Role.SUPERVISOR, restricted=True)
    assert as_member(restricted).get(url(), **DIALOG).status_code == 403


def test_it_answers_404_for_a_module_that_does_not_exist(cast, as_member):
    assert as_member(cast.admin).get(url("inventario")).status_code == 404


def test_it_pages_newest_first(cast, as_member):
    for n in range(30):
        record(cast.project, cast.admin, label=f"Cartera {n:02d}")
    browser = as_member(cast.admin)

    first = browser.get(url(), **INSIDE)
    assert [r.resource for r in first.context["tray"].rows][:2] == ["Cartera 29", "Cartera 28"]
    assert len(first.context["tray"].rows) == 25
    following = first.context["tray"].next_query
    assert f'hx-get="{url()}?{following}"' in first.content.decode().replace("&amp;", "&")
    second = browser.get(f"{url()}?{following}", **INSIDE)
    assert [r.resource for r in second.context["tray"].rows] == [
        f"Cartera {n:02d}" for n in range(4, -1, -1)]
    assert second.context["tray"].next_query is None
    last_query = first.context["tray"].last_query
    assert f'hx-get="{url()}?{last_query}"' in first.content.decode().replace("&amp;", "&")
    last = browser.get(f"{url()}?{last_query}", **INSIDE)
    assert [r.resource for r in last.context["tray"].rows][-1] == "Cartera 00"
