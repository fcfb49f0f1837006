"""Ajustes → Auditoría in a real browser: an admin finds who changed what."""

import re

import pytest
from playwright.sync_api import expect

from moonflow.audit.models import AuditEventKind
from moonflow.audit.services import audit_record
from tests import factories

pytestmark = pytest.mark.browser


@pytest.fixture
def events(cast):
    juan = factories.make_user("jperez", first_name="Juan", last_name="Pérez")
    audit_record(project=cast.project, actor=juan, event=AuditEventKind.CREATED,
                 resource_type="segment", resource_id=1, resource_label="Pyme",
                 changes={"name": [None, "Pyme"]})
    audit_record(project=cast.project, actor=cast.admin.user, event=AuditEventKind.UPDATED,
                 resource_type="team", resource_id=2, resource_label="Equipo Norte",
                 changes={"name": ["Equipo N", "Equipo Norte"]})
    audit_record(project=cast.other_project, actor=cast.outsider.user,
                 event=AuditEventKind.CREATED, resource_type="segment", resource_id=3,
                 resource_label="Segmento ajeno")


def _settled(page):
    """htmx has swapped the list in and wired it (its dropdowns answer): a change made in
    the few milliseconds before would meet a form that is not listening yet."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, "
        ".htmx-added')")


def _rows(page):
    return page.get_by_role("table", name=re.compile("^Auditoría")).locator("tbody tr")


def test_an_admin_searches_and_filters_the_projects_audit(cast, events, log_in):
    page = log_in(cast.admin)
    page.get_by_role("button", name="Ajustes").click()
    page.get_by_role("link", name="Auditoría").click()

    expect(page.get_by_role("heading", name="Auditoría", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/p/demo/ajustes/auditoria/$"))
    rows = _rows(page)
    expect(rows.first).to_contain_text("Equipo Norte")
    expect(rows.first.get_by_role("listitem")).to_have_text(
        re.compile(r"^\s*Nombre:\s*Equipo N\s*→\s*cambió a\s*Equipo Norte\s*$"))
    expect(page.get_by_text("Segmento ajeno")).to_have_count(0)

    # Buscar: a user's name without its accent, then Enter.
    search = page.get_by_label("Buscar", exact=True)
    expect(search).to_have_attribute("placeholder", "Nombre de usuario o recurso")
    search.fill("perez")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"q=perez"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Juan Pérez")
    expect(rows.first).to_contain_text("Pyme")

    # Evento: choosing one reloads the list at once; its chip removes it.
    search.fill("")
    search.press("Enter")
    expect(rows).not_to_have_count(1)
    _settled(page)
    page.get_by_label("Evento").select_option(label="Actualizado")
    expect(page).to_have_url(re.compile(r"evento=updated"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Equipo Norte")
    page.get_by_role("link", name="Quitar filtro Evento: Actualizado").click()
    expect(page.get_by_role("link", name="Quitar filtro Evento: Actualizado")).to_have_count(0)
    expect(page.get_by_label("Evento")).to_have_value("")
    expect(page).not_to_have_url(re.compile(r"evento="))
    _settled(page)

    # Tipo de recurso: the registered types by their Spanish names.
    page.get_by_label("Tipo de recurso").select_option(label="Segmento")
    expect(page).to_have_url(re.compile(r"tipo=segment"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Juan Pérez")
    _settled(page)

    # Descargar opens the Log de procesos' dialog with the list's columns.
    page.get_by_role("button", name="Descargar").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text("Descargar auditoría")
    expect(dialog.get_by_test_id("download-columns")).to_have_text(
        "Fecha · Usuario · Evento · Recurso · Cambios")
    dialog.get_by_role("button", name="Cancelar").click()
    expect(dialog).to_be_hidden()
