"""Acciones → Transferir cliente in a real browser: search the new adviser, see what moves,
Confirmar, and the page shows the new adviser and the transfer in the history."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.transfers.helpers import make_held_client

pytestmark = pytest.mark.browser


def test_a_supervisor_transfers_a_client_from_its_page(cast, log_in):
    client = make_held_client(cast.project, cast.adviser, name="Elena Soto")
    page = log_in(cast.supervisor)
    page.goto(reverse("clients:detail", kwargs={"project": "demo", "pk": client.pk}))
    dialog = page.get_by_role("dialog")

    page.get_by_role("button", name="Transferir cliente").click()
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", level=2)).to_have_text("Transferir cliente: Elena Soto")
    search = dialog.get_by_label("Buscar asesor")
    expect(search).to_be_focused()
    expect(dialog).to_contain_text("Tareas abiertas: 1")
    expect(dialog).to_contain_text("Promesas de pago pendientes: 1")
    expect(dialog).to_contain_text("Contactos programados: 1")
    expect(dialog).to_contain_text("Órdenes de pago por cobrar: 1")
    advisers = dialog.get_by_label("Nuevo asesor", exact=True)
    # The current adviser is not offered.
    expect(advisers.locator("option")).to_have_text([f"Asesor2 ({cast.restricted.code})"])

    # Searching by Asesor ID narrows the list; Enter in the box confirms nothing.
    search.fill("zzz")
    expect(advisers.locator("option")).to_have_count(0)
    search.fill(cast.restricted.code.lower())
    search.press("Enter")
    expect(advisers.locator("option")).to_have_text([f"Asesor2 ({cast.restricted.code})"])
    expect(dialog.get_by_text("Elija el asesor que recibe el cliente.")).to_have_count(0)
    # Pick it with the keyboard.
    search.press("Tab")
    expect(advisers).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(advisers).to_have_value(str(cast.restricted.pk))
    dialog.get_by_label("Nota de traspaso").fill("Prefiere llamadas en la tarde")
    dialog.get_by_role("button", name="Confirmar").click()

    expect(dialog).to_be_hidden()
    expect(page.get_by_text(f"Cliente Elena Soto transferido a Asesor2 ({cast.restricted.code})."))\
        .to_be_visible()
    expect(page.get_by_text(cast.restricted.code, exact=True).first).to_be_visible()
    history = page.locator("table").filter(has_text="Origen")
    expect(history.get_by_role("row").filter(has_text="Transferencia")).to_contain_text("Asesor2")
