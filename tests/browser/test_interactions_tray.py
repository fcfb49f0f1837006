"""Cuentas por cobrar → Interacciones in a real browser: filter by channel and state, add
"Mensaje de error", open the glossary of states."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from interactions.models import Channel, InteractionStatus
from moonflow.lists.models import TrayPreference
from tests import factories

pytestmark = pytest.mark.browser


@pytest.fixture
def book(cast):
    project = cast.project
    now = timezone.now()
    andrea = factories.make_client(project, name="Andrea Morales")
    bruno = factories.make_client(project, name="Bruno Castaño")
    carla = factories.make_client(project, name="Carla Díaz")
    factories.make_interaction(andrea, channel=Channel.SMS, status=InteractionStatus.FAILED,
                               error_message="Número inválido", campaign="Agosto",
                               scheduled_at=now - timedelta(hours=2))
    factories.make_interaction(bruno, channel=Channel.SMS, status=InteractionStatus.DELIVERED,
                               campaign="Agosto", scheduled_at=now - timedelta(hours=3))
    factories.make_interaction(carla, channel=Channel.WHATSAPP, status=InteractionStatus.FAILED,
                               error_message="Sin WhatsApp", scheduled_at=now - timedelta(days=1))
    factories.make_interaction(carla, channel=Channel.SMS, status=InteractionStatus.FAILED,
                               campaign="Antigua", scheduled_at=now - timedelta(days=30))


def _row(table, name):
    return table.get_by_role("row").filter(
        has=table.page.get_by_role("rowheader", name=name, exact=True)
    )


def _cell(table, row, header):
    """The cell of `row` under `header` (the client's name is the row's header)."""
    expect(table.get_by_role("columnheader", name=header, exact=True)).to_be_visible()
    headers = [text.strip() for text in table.get_by_role("columnheader").all_inner_texts()]
    return row.get_by_role("cell").nth(headers.index(header) - 1)


def test_it_filters_by_channel_and_state_and_adds_mensaje_de_error(cast, book, log_in, page):
    log_in(cast.admin)
    page.get_by_role("navigation", name="Menú lateral").get_by_role(
        "link", name="Interacciones").click()
    expect(page.get_by_role("heading", name="Interacciones", exact=True)).to_be_visible()
    table = page.get_by_role("table", name=re.compile(r"^Interacciones"))
    # The last 7 days by default: not the 30-day-old one.
    expect(page.get_by_text("3 interacciones", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"Fecha de envío: últimos 7 días"))).to_be_visible()
    expect(table.get_by_role("columnheader", name="Mensaje de error")).to_have_count(0)

    # Filtros → Canal: SMS, Estado: Fallida → Aplicar filtros.
    page.get_by_role("button", name="Filtros").click()
    page.get_by_role("group", name="Canal", exact=True).get_by_label("SMS").check()
    page.get_by_role("group", name="Estado", exact=True).get_by_label("Fallida").check()
    page.get_by_role("button", name="Aplicar filtros").click()

    expect(page).to_have_url(re.compile(r"[?&]canal=sms(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]estado=failed(&|$)"))
    expect(page.get_by_text("1 interacción", exact=True)).to_be_visible()
    expect(_row(table, "Andrea Morales")).to_be_visible()
    expect(_row(table, "Bruno Castaño")).to_have_count(0)
    expect(_row(table, "Carla Díaz")).to_have_count(0)
    expect(page.get_by_role("link", name="Quitar filtro Canal: SMS")).to_be_visible()
    expect(page.get_by_role("link", name="Quitar filtro Estado: Fallida")).to_be_visible()

    # Crear → Agregar/quitar columnas: add Mensaje de error, Guardar.
    page.get_by_role("button", name="Crear", exact=True).click()
    expect(page.get_by_role("link", name="Crear comunicaciones masivas")).to_be_visible()
    page.get_by_role("link", name="Agregar/quitar columnas").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text("Agregar/quitar columnas")
    error_column = dialog.get_by_label("Mensaje de error", exact=True)
    expect(error_column).not_to_be_checked()
    error_column.check()
    dialog.get_by_role("button", name="Guardar").click()
    expect(dialog).to_be_hidden()

    # The same filtered tray, with the column and the row's message.
    expect(page).to_have_url(re.compile(r"[?&]canal=sms(&|$)"))
    expect(table.get_by_role("columnheader", name="Mensaje de error", exact=True)).to_be_visible()
    expect(_cell(table, _row(table, "Andrea Morales"), "Mensaje de error")).to_have_text(
        "Número inválido")
    expect(_cell(table, _row(table, "Andrea Morales"), "Estado")).to_have_text("Fallida")
    assert "error_message" in TrayPreference.objects.get(member=cast.admin,
                                                         tray="interactions").columns

    # Glosario de estados: a dialog naming each state; Escape closes it.
    page.get_by_role("button", name="Glosario de estados").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text("Glosario de estados")
    expect(dialog.get_by_text("Rebotada", exact=True)).to_be_visible()
    expect(dialog.get_by_role("button", name="Cerrar").last).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Glosario de estados")).to_be_focused()
