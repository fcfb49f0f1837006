"""CRM → Carteras in a real browser, following the Carteras help article (seed 003) step by step:
NUEVA CARTERA → GUARDAR, Gestionar contactos → add two clients → remove one, and AUDITORÍA
filtered by Evento and Fecha."""

import re

import pytest
from playwright.sync_api import expect

from portfolios.models import Portfolio, PortfolioClient
from tests import factories

pytestmark = pytest.mark.browser


def _row(scope, name):
    """The table row whose header cell is `name` (`scope`: a page or a part of it)."""
    page = getattr(scope, "page", scope)
    return scope.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=name, exact=True))


def test_a_supervisor_follows_the_carteras_article(cast, log_in):
    factories.make_client(cast.project, name="Lucía Méndez", document_number="1020304050")
    factories.make_client(cast.project, name="Luciano Ríos", document_number="79111222")
    factories.make_client(cast.project, name="Pedro Páramo", document_number="52000111")
    page = log_in(cast.supervisor)
    dialog = page.get_by_role("dialog")

    # "Ubique el menú principal en el panel lateral izquierdo… CRM… Carteras."
    menu = page.get_by_role("navigation", name="Menú lateral")
    expect(menu.get_by_text("CRM")).to_be_visible()
    menu.get_by_role("link", name="Carteras").click()
    expect(page.get_by_role("heading", name="Carteras")).to_be_visible()

    # Nueva Cartera: the window opens on its first field; GUARDAR.
    page.get_by_role("button", name="NUEVA CARTERA").click()
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("Nueva cartera")
    expect(dialog.get_by_label("Seleccionar equipo")).to_be_focused()
    dialog.get_by_label("Seleccionar equipo").select_option(label="Equipo Norte")
    dialog.get_by_label("Seleccione agente").select_option(
        label=f"Asesor1 · {cast.adviser.code}")
    dialog.get_by_label("Nombre de cartera").fill("Recuperación Julio")
    dialog.get_by_role("button", name="GUARDAR").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text("Cartera «Recuperación Julio» creada.")).to_be_visible()
    row = _row(page, "Recuperación Julio")
    expect(row).to_contain_text("Equipo Norte")
    expect(row).to_contain_text("Asesor1")
    expect(row).to_contain_text("Activa")
    expect(row.get_by_role("img", name="Cartera: Recuperación Julio")).to_be_visible()

    # Editar opens it pre-filled; a name another portfolio has (without accents) is refused.
    row.get_by_role("button", name="Editar").click()
    expect(dialog.get_by_label("Nombre de cartera")).to_have_value("Recuperación Julio")
    dialog.get_by_role("button", name="Cancelar").click()
    expect(dialog).to_be_hidden()

    # Gestionar contactos: search as you type, tick two, Agregar.
    row.get_by_role("link", name="Gestionar contactos").click()
    expect(page.get_by_role("heading", name="Gestionar contactos: Recuperación Julio")) \
        .to_be_visible()
    search = page.get_by_role("searchbox", name="Busque y seleccione para agregar")
    search.press_sequentially("luc", delay=60)
    lucia = page.get_by_role("checkbox", name=re.compile("^Lucía Méndez"))
    luciano = page.get_by_role("checkbox", name=re.compile("^Luciano Ríos"))
    expect(lucia).to_be_visible()
    expect(luciano).to_be_visible()
    expect(page.get_by_role("checkbox", name=re.compile("Pedro Páramo"))).to_have_count(0)
    lucia.check()
    luciano.focus()
    page.keyboard.press("Space")  # the results work with the keyboard
    expect(luciano).to_be_checked()
    # Typing something else keeps the ticked ones.
    search.fill("")
    search.press_sequentially("pedro", delay=60)
    expect(page.get_by_role("checkbox", name=re.compile("^Pedro Páramo"))).to_be_visible()
    expect(lucia).to_be_checked()
    page.get_by_role("button", name="Agregar", exact=True).click()
    expect(page.get_by_text("2 contactos agregados a «Recuperación Julio».")).to_be_visible()
    in_portfolio = page.locator("#tray")
    expect(_row(in_portfolio, "Lucía Méndez")).to_be_visible()
    expect(_row(in_portfolio, "Luciano Ríos")).to_be_visible()
    expect(_row(in_portfolio, "Pedro Páramo")).to_have_count(0)

    # En cartera: the bin icon removes one, after a confirmation.
    _row(in_portfolio, "Lucía Méndez").get_by_role("button", name="Eliminar").click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("¿Quitar a Lucía Méndez (CC 1.020.304.050) de la cartera "
                                   "«Recuperación Julio»?")
    dialog.get_by_role("button", name="Eliminar").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text("ya no está en la cartera «Recuperación Julio».")).to_be_visible()
    expect(_row(in_portfolio, "Lucía Méndez")).to_have_count(0)
    expect(_row(in_portfolio, "Luciano Ríos")).to_be_visible()
    portfolio = Portfolio.objects.get(project=cast.project)
    assert list(PortfolioClient.objects.filter(portfolio=portfolio)
                .values_list("client__name", flat=True)) == ["Luciano Ríos"]

    # AUDITORÍA, filtered by Evento and Fecha.
    page.get_by_role("link", name="Carteras", exact=True).first.click()
    page.get_by_role("button", name="AUDITORÍA").click()
    expect(dialog).to_be_visible()
    events = dialog.locator("#audit-window")
    expect(events).to_contain_text("Recuperación Julio")
    dialog.get_by_label("Evento").select_option(label="Contacto eliminado")
    expect(events).to_contain_text("Lucía Méndez")
    expect(events).not_to_contain_text("Luciano Ríos")
    dialog.get_by_label("Evento").select_option(label="Creado")
    dialog.get_by_label("Fecha").select_option(label="Hoy")
    expect(events).to_contain_text("Recuperación Julio")
    expect(events).not_to_contain_text("Lucía Méndez")
    expect(events.get_by_role("row")).to_have_count(2)  # the header and the creation


def test_an_adviser_sees_their_portfolios_read_only(cast, log_in):
    Portfolio.objects.create(project=cast.project, name="Clientes VIP - Asesor2",
                             agent=cast.restricted)
    page = log_in(cast.restricted)

    page.get_by_role("navigation", name="Menú lateral").get_by_role("link", name="Carteras") \
        .click()

    expect(_row(page, "Clientes VIP - Asesor2")).to_be_visible()
    expect(page.get_by_role("button", name="NUEVA CARTERA")).to_have_count(0)
    expect(page.get_by_role("link", name="Gestionar contactos")).to_have_count(0)
