"""Ajustes → Usuarios in a real browser: the padlock, the pencil and the ID rules."""

import re

import pytest
from playwright.sync_api import expect

from moonflow.tenancy.models import Member

pytestmark = pytest.mark.browser


def _row(page, name):
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name, exact=True))


def test_it_sets_asignacion_de_asesor_and_the_id_then_refuses_a_duplicate(cast, log_in):
    page = log_in(cast.admin)

    # Ajustes (top right) → Usuarios
    page.get_by_role("button", name="Ajustes").click()
    page.get_by_role("link", name="Usuarios").click()
    expect(page.get_by_role("heading", name="Usuarios")).to_be_visible()

    adviser = _row(page, "Asesor1")
    dialog = page.get_by_role("dialog")

    # Padlock: switch "Asignación de asesor" on, Guardar.
    adviser.get_by_role("button", name="Permisos del usuario").click()
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("Permisos del usuario: Asesor1")
    switch = dialog.get_by_label("Asignación de asesor")
    expect(switch).not_to_be_checked()
    switch.check()
    dialog.get_by_role("button", name="Guardar").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text("Permisos de Asesor1 guardados.")).to_be_visible()
    expect(adviser.get_by_role("cell").nth(4)).to_have_text("Sí")

    # Pencil: the edit window with the ID field, prefilled with the automatic number.
    adviser.get_by_role("button", name="Editar").click()
    expect(dialog).to_be_visible()
    id_field = dialog.get_by_label("ID", exact=True)
    expect(id_field).to_have_value(cast.adviser.code)
    id_field.fill("ASE-100")
    dialog.get_by_role("button", name="Guardar").click()
    expect(dialog).to_be_hidden()
    expect(adviser).to_contain_text("ASE-100")

    # Both survive a reload.
    page.reload()
    expect(adviser).to_contain_text("ASE-100")
    expect(adviser.get_by_role("cell").nth(4)).to_have_text("Sí")
    cast.adviser.refresh_from_db()
    assert cast.adviser.code == "ASE-100" and cast.adviser.restricted_to_assigned is True

    # Another adviser cannot take the same ID: the dialog stays open and names the holder.
    other = _row(page, "Asesor2")
    other.get_by_role("button", name="Editar").click()
    expect(dialog).to_be_visible()
    dialog.get_by_label("ID", exact=True).fill("ASE-100")
    dialog.get_by_role("button", name="Guardar").click()
    expect(dialog.get_by_role("alert")).to_have_text("El ID «ASE-100» ya lo tiene Asesor1.")
    expect(dialog.get_by_label("ID", exact=True)).to_have_attribute("aria-invalid", "true")

    # Escape (from the field, where the keyboard is) closes the dialog; nothing changed.
    dialog.get_by_label("ID", exact=True).press("Escape")
    expect(dialog).to_be_hidden()
    expect(other).not_to_contain_text("ASE-100")
    assert Member.objects.get(pk=cast.restricted.pk).code != "ASE-100"
    expect(page).to_have_url(re.compile(r"/p/demo/ajustes/usuarios/$"))


def test_it_shows_the_history_and_manages_teams(cast, log_in):
    page = log_in(cast.admin)
    page.get_by_role("button", name="Ajustes").click()
    page.get_by_role("link", name="Usuarios").click()
    dialog = page.get_by_role("dialog")
    adviser = _row(page, "Asesor1")
    old_code = cast.adviser.code

    adviser.get_by_role("button", name="Editar").click()
    dialog.get_by_label("ID", exact=True).fill("B-7")
    dialog.get_by_role("button", name="Guardar").click()
    expect(dialog).to_be_hidden()

    # Historial: who, field, old → new.
    adviser.get_by_role("button", name="Historial").click()
    expect(dialog.get_by_role("heading")).to_have_text("Historial: Asesor1")
    change = dialog.get_by_role("row").filter(has_text="B-7")
    expect(change).to_contain_text("Admin")
    expect(change).to_contain_text("ID")
    expect(change).to_contain_text(old_code)
    dialog.get_by_role("button", name="Cerrar").first.click()
    expect(dialog).to_be_hidden()

    # Ajustes → Equipos (the top menu; the page's own tabs link it too).
    top_menu = page.get_by_role("navigation", name="Menú superior")
    top_menu.get_by_role("button", name="Ajustes").click()
    top_menu.get_by_role("link", name="Equipos").click()
    expect(page.get_by_role("heading", name="Equipos")).to_be_visible()
    page.get_by_role("button", name="Crear equipo").click()
    dialog.get_by_label("Nombre").fill("Equipo Sur")
    dialog.get_by_label("Supervisor").select_option(label="Supervisor")
    dialog.get_by_role("button", name="Guardar").click()
    expect(dialog).to_be_hidden()
    south = _row(page, "Equipo Sur")
    expect(south).to_contain_text("Supervisor")
    expect(page.get_by_text("Equipo «Equipo Sur» creado.")).to_be_visible()
