"""Cuentas por cobrar → Clientes in a real browser: filters, chosen columns and the pencil."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from clients.choices import ClientStatus, Situation
from clients.models import Client
from moonflow.lists.models import TrayPreference
from clients.situation import project_today, recompute_situations
from tests import factories

pytestmark = pytest.mark.browser


@pytest.fixture
def book(cast):
    """Four clients whose situation comes from their payment orders, as in production."""
    project = cast.project
    today = project_today(project)
    andrea = factories.make_client(project, name="Andrea Morales", city="Medellín",
                                   adviser=cast.adviser)
    bruno = factories.make_client(project, name="Bruno Castaño", city="Cali")
    carla = factories.make_client(project, name="Carla Díaz", city="Bogotá")
    diego = factories.make_client(project, name="Diego Fuentes", city="Pasto",
                                  status=ClientStatus.INACTIVE)
    factories.make_payment_order(andrea, due_date=today - timedelta(days=45))
    factories.make_payment_order(bruno, due_date=today - timedelta(days=40))
    factories.make_payment_order(carla, due_date=today + timedelta(days=20))
    recompute_situations(project=project)
    situations = dict(Client.objects.filter(project=project).values_list("name", "situation"))
    assert situations == {
        "Andrea Morales": Situation.LATE_31_60,
        "Bruno Castaño": Situation.LATE_31_60,
        "Carla Díaz": Situation.UP_TO_DATE,
        "Diego Fuentes": Situation.FINISHED,
    }
    return {"andrea": andrea, "bruno": bruno, "carla": carla, "diego": diego}


def _open_tray(page):
    page.get_by_role("navigation", name="Menú lateral").get_by_role("link", name="Clientes").click()
    expect(page.get_by_role("heading", name="Clientes", exact=True)).to_be_visible()
    return page.get_by_role("table", name=re.compile(r"^Clientes"))


def _row(table, name):
    # `has` is matched inside each row, so its locator starts from the page.
    return table.get_by_role("row").filter(
        has=table.page.get_by_role("rowheader", name=name, exact=True)
    )


def _cell(table, row, header):
    """The cell of `row` under the column `header` (the name is the row's header, not a cell)."""
    expect(table.get_by_role("columnheader", name=header, exact=True)).to_be_visible()
    headers = [text.strip() for text in table.get_by_role("columnheader").all_inner_texts()]
    return row.get_by_role("cell").nth(headers.index(header) - 1)


def test_it_filters_by_situacion_and_remembers_an_added_column(cast, book, log_in, page):
    log_in(cast.admin)
    table = _open_tray(page)
    everyone = ["Andrea Morales", "Bruno Castaño", "Carla Díaz", "Diego Fuentes"]
    for name in everyone:
        expect(_row(table, name)).to_be_visible()
    expect(page.get_by_text("4 clientes", exact=True)).to_be_visible()
    expect(table.get_by_role("columnheader", name="Ciudad")).to_have_count(0)

    # Filtros → Situación: Mora 31-60 días → Aplicar filtros.
    page.get_by_role("button", name="Filtros").click()
    situation = page.get_by_role("group", name="Situación", exact=True)
    situation.get_by_label("Mora 31-60 días").check()
    page.get_by_role("button", name="Aplicar filtros").click()

    expect(page).to_have_url(re.compile(r"[?&]situacion=30(&|$)"))
    expect(page.get_by_text("2 clientes", exact=True)).to_be_visible()
    expect(_row(table, "Andrea Morales")).to_be_visible()
    expect(_row(table, "Bruno Castaño")).to_be_visible()
    expect(_row(table, "Carla Díaz")).to_have_count(0)
    expect(_row(table, "Diego Fuentes")).to_have_count(0)
    for name in ("Andrea Morales", "Bruno Castaño"):
        expect(_cell(table, _row(table, name), "Situación")).to_have_text("Mora 31-60 días")
    chip_remover = page.get_by_role("link", name="Quitar filtro Situación: Mora 31-60 días")
    expect(chip_remover).to_be_visible()
    expect(page.get_by_role("listitem").filter(has=chip_remover)).to_have_text(
        "Situación: Mora 31-60 días"
    )

    # Crear → Agregar/quitar columnas: add Ciudad, Guardar.
    page.get_by_role("button", name="Crear", exact=True).click()
    page.get_by_role("link", name="Agregar/quitar columnas").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text("Agregar/quitar columnas")
    city = dialog.get_by_label("Ciudad", exact=True)
    expect(city).not_to_be_checked()
    expect(dialog.get_by_label("Situación", exact=True)).to_be_checked()
    city.check()
    dialog.get_by_role("button", name="Guardar").click()
    expect(dialog).to_be_hidden()

    # Back in the same filtered tray, with the new column and each client's city.
    expect(page).to_have_url(re.compile(r"[?&]situacion=30(&|$)"))
    expect(table.get_by_role("columnheader", name="Ciudad", exact=True)).to_be_visible()
    expect(_cell(table, _row(table, "Andrea Morales"), "Ciudad")).to_have_text("Medellín")
    expect(_cell(table, _row(table, "Bruno Castaño"), "Ciudad")).to_have_text("Cali")
    expect(_row(table, "Carla Díaz")).to_have_count(0)

    # A reload keeps filter, chip and column.
    page.reload()
    expect(table.get_by_role("columnheader", name="Ciudad", exact=True)).to_be_visible()
    expect(_cell(table, _row(table, "Andrea Morales"), "Ciudad")).to_have_text("Medellín")
    expect(chip_remover).to_be_visible()

    # Removing the chip brings every client back; the column stays: it is the member's.
    chip_remover.click()
    expect(page).not_to_have_url(re.compile(r"situacion="))
    expect(chip_remover).to_have_count(0)
    for name in everyone:
        expect(_row(table, name)).to_be_visible()
    expect(_cell(table, _row(table, "Carla Díaz"), "Ciudad")).to_have_text("Bogotá")
    expect(_cell(table, _row(table, "Diego Fuentes"), "Estado")).to_have_text("Inactivo")
    preference = TrayPreference.objects.get(member=cast.admin, tray="clients")
    assert "city" in preference.columns

    # Another member of the project still gets the default columns.
    page.get_by_role("button", name=cast.admin.user.get_full_name()).click()
    page.get_by_role("button", name="Cerrar sesión").click()
    log_in(cast.supervisor)
    table = _open_tray(page)
    expect(_row(table, "Andrea Morales")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Situación", exact=True)).to_be_visible()
    expect(table.get_by_role("columnheader", name="Ciudad")).to_have_count(0)


def test_the_pencil_reassigns_the_adviser_by_asesor_id_and_refuses_an_unknown_one(
    cast, book, log_in, page
):
    log_in(cast.admin)
    table = _open_tray(page)
    andrea = _row(table, "Andrea Morales")
    adviser_cell = _cell(table, andrea, "Asesor asignado")
    expect(adviser_cell).to_have_text(f"{cast.adviser.display_name} {cast.adviser.code}")
    expect(_cell(table, _row(table, "Bruno Castaño"), "Asesor asignado")).to_have_text("—")

    andrea.get_by_role("button", name="Editar").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text("Editar cliente: Andrea Morales")
    adviser_section = dialog.get_by_role("group", name="Información del asesor")
    adviser_id = adviser_section.get_by_label("Asesor ID", exact=True)
    expect(adviser_id).to_have_value(cast.adviser.code)

    # An ID nobody has: the window stays open and says so next to the field.
    adviser_id.fill("ZZ-404")
    dialog.get_by_role("button", name="Guardar").click()
    expect(dialog.get_by_role("alert")).to_have_text("No existe un asesor con el ID «ZZ-404».")
    expect(adviser_id).to_have_attribute("aria-invalid", "true")
    expect(adviser_id).to_have_value("ZZ-404")
    expect(dialog).to_be_visible()
    assert Client.objects.get(pk=book["andrea"].pk).adviser_id == cast.adviser.pk

    # The other adviser's ID: saved, the window closes and the row shows the new adviser.
    adviser_id.fill(cast.restricted.code)
    dialog.get_by_role("button", name="Guardar").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text("Cliente Andrea Morales guardado.")).to_be_visible()
    expect(adviser_cell).to_have_text(f"{cast.restricted.display_name} {cast.restricted.code}")
    expect(_cell(table, _row(table, "Bruno Castaño"), "Asesor asignado")).to_have_text("—")
    assert Client.objects.get(pk=book["andrea"].pk).adviser_id == cast.restricted.pk

    page.reload()
    expect(adviser_cell).to_have_text(f"{cast.restricted.display_name} {cast.restricted.code}")
