"""Fit and focus (docs ui.md): every main page fits the screen with Acciones in view, and
dialogs take, keep and give back the keyboard focus."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from clients.situation import recompute_situations
from interactions.models import Channel, Direction, Interaction, InteractionStatus
from moonflow.jobs.models import JobKind, JobStatus
from tests import factories
from tests.jobs.helpers import make_job

pytestmark = pytest.mark.browser

LONG_NAME = "María Fernanda Restrepo de la Torre Villalobos"


@pytest.fixture
def book(cast):
    """One client with long values, large payment orders, interactions and a finished job."""
    project = cast.project
    client = factories.make_client(
        project, name=LONG_NAME, adviser=cast.adviser, city="San José de Cúcuta",
        email="maria.fernanda.restrepo.villalobos@example.com", phone="+57 3001234567",
    )
    for _ in range(3):
        factories.make_payment_order(
            client, amount=Decimal("289960123.45"), interest=Decimal("1234567.89"),
            discounts=Decimal("1000000"), payments=Decimal("50000000"),
        )
    for _ in range(3):
        Interaction.objects.create(
            project=project, client=client, channel=Channel.WHATSAPP,
            direction=Direction.OUTBOUND, campaign="Recordatorio de pago pendiente de julio",
            template="recordatorio_pago_pendiente_1", status=InteractionStatus.FAILED,
            error_message="El número no tiene WhatsApp y no se pudo entregar tras tres intentos",
            scheduled_at=timezone.now(), sent_at=timezone.now(),
        )
    recompute_situations(project=project)
    make_job(project, cast.admin, kind=JobKind.CLIENT_EXPORT, status=JobStatus.SUCCEEDED,
             title="Descarga de clientes (XLSX)", total=1, done=1, read=1,
             message="Descarga lista: 1 cliente en XLSX.")
    return client


def _main_pages(client):
    slug = {"project": "demo"}
    return {
        "Clientes": reverse("clients:list", kwargs=slug),
        "Órdenes de pago": reverse("clients:payment_orders", kwargs=slug),
        LONG_NAME: reverse("clients:detail", kwargs={**slug, "pk": client.pk}),
        f"Comunicaciones · {LONG_NAME}": reverse(
            "interactions:client_list", kwargs={**slug, "pk": client.pk}
        ),
        "Interacciones": reverse("interactions:list", kwargs=slug),
        "Log de procesos": reverse("jobs:list", kwargs=slug),
        "Usuarios": reverse("advisers:list", kwargs=slug),
        "Proyecto": reverse("project_settings", kwargs=slug),
    }


# Every control in each table's "Acciones" column, with where it is and whether a
# click at its centre reaches it (not hidden under another cell, not scrolled away).
ACTION_CONTROLS = """() => {
  const found = [];
  for (const table of document.querySelectorAll("#main table")) {
    const headers = Array.from(table.querySelectorAll("thead th"), (th) => th.textContent.trim());
    const column = headers.indexOf("Acciones");
    if (column < 0) continue;
    for (const row of table.querySelectorAll("tbody tr")) {
      const cell = row.children[column];
      if (!cell) continue;
      for (const control of cell.querySelectorAll("a, button")) {
        const box = control.getBoundingClientRect();
        const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
        found.push({
          name: control.getAttribute("aria-label") || control.textContent.trim(),
          left: box.left,
          right: box.right,
          reachable: !!hit && (hit === control || control.contains(hit)),
        });
      }
    }
  }
  return found;
}"""


@pytest.mark.parametrize("width", [1366, 1440])
def test_it_fits_every_main_page_with_acciones_in_view(cast, book, log_in, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(cast.admin)
    for heading, url in _main_pages(book).items():
        page.goto(url)
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{heading}: the page is {scroll_width} px wide"
        assert scroll_width <= 1366 or width > 1366

        controls = page.evaluate(ACTION_CONTROLS)
        for control in controls:
            assert control["left"] >= 0 and control["right"] <= width, (heading, control)
            assert control["reachable"], (heading, control)
        if heading in ("Clientes", "Órdenes de pago", "Log de procesos", "Usuarios"):
            assert controls, f"{heading}: no Acciones column"

    # The client page's own icon buttons, and every amount whole on one line.
    page.goto(_main_pages(book)[LONG_NAME])
    for name in ("Editar", "Ver órdenes de pago", "Ver comunicaciones", "Eliminar"):
        box = page.get_by_role("main").get_by_label(name, exact=True).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, name
    page.goto(_main_pages(book)["Órdenes de pago"])
    total = page.get_by_role("cell", name="289.960.123,45 COP").first
    expect(total).to_be_visible()
    assert total.evaluate("cell => getComputedStyle(cell).whiteSpace") == "nowrap"


def _tray_row(page, name):
    table = page.get_by_role("table", name=re.compile(r"^Clientes"))
    return table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name, exact=True))


def test_the_edit_dialog_takes_keeps_and_gives_back_the_focus(cast, book, log_in, page):
    log_in(cast.admin)
    page.get_by_role("navigation", name="Menú lateral").get_by_role("link", name="Clientes").click()
    pencil = _tray_row(page, LONG_NAME).get_by_role("button", name="Editar")
    dialog = page.get_by_role("dialog")

    # Open: the first field has the focus, not the dialog's container.
    pencil.click()
    expect(dialog).to_be_visible()
    first_field = dialog.get_by_label("Tipo de documento")
    expect(first_field).to_be_focused()

    # Tab never leaves the dialog: backwards from the first field to the close
    # button and round to the last control, forwards from the last to the first.
    close = dialog.get_by_role("button", name="Cerrar")
    save = dialog.get_by_role("button", name="Guardar")
    page.keyboard.press("Shift+Tab")
    expect(close).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(save).to_be_focused()
    page.keyboard.press("Tab")
    expect(close).to_be_focused()

    # Escape closes it and the pencil that opened it has the focus again.
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(pencil).to_be_focused()

    # Cancelar too.
    pencil.press("Enter")
    expect(first_field).to_be_focused()
    dialog.get_by_role("button", name="Cancelar").click()
    expect(dialog).to_be_hidden()
    expect(pencil).to_be_focused()

    # A refused value: the dialog stays and the field in error has the focus.
    pencil.click()
    adviser_id = dialog.get_by_role("group", name="Información del asesor").get_by_label(
        "Asesor ID", exact=True
    )
    adviser_id.fill("ZZ-404")
    save.click()
    expect(adviser_id).to_have_attribute("aria-invalid", "true")
    expect(adviser_id).to_be_focused()

    # Guardar reloads the tray: the focus is back on the pencil of the row that changed.
    adviser_id.fill(cast.restricted.code)
    save.click()
    expect(page.get_by_text(f"Cliente {LONG_NAME} guardado.")).to_be_visible()
    expect(dialog).to_be_hidden()
    expect(pencil).to_be_focused()


def test_a_table_refreshed_after_the_dialog_gives_the_focus_back_to_its_row(cast, log_in, page):
    page = log_in(cast.admin)
    page.get_by_role("button", name="Ajustes").click()
    page.get_by_role("link", name="Usuarios").click()
    row = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Asesor1", exact=True)
    )
    pencil = row.get_by_role("button", name="Editar")
    dialog = page.get_by_role("dialog")

    pencil.click()
    id_field = dialog.get_by_label("ID", exact=True)
    expect(id_field).to_be_focused()
    id_field.fill("ASE-777")
    dialog.get_by_role("button", name="Guardar").click()
    expect(dialog).to_be_hidden()
    expect(row).to_contain_text("ASE-777")
    expect(pencil).to_be_focused()


def test_a_dialog_without_fields_focuses_its_action_and_a_destructive_one_cancel(
    cast, book, log_in, page
):
    log_in(cast.admin)
    page.goto(reverse("clients:client_payment_orders", kwargs={"project": "demo", "pk": book.pk}))
    row = page.get_by_role("row").filter(has_text=book.payment_orders.order_by("pk").first().number)
    dialog = page.get_by_role("dialog")

    row.get_by_role("button", name="Marcar como pagada").click()
    expect(dialog.get_by_role("button", name="Marcar como pagada")).to_be_focused()
    page.keyboard.press("Escape")
    expect(row.get_by_role("button", name="Marcar como pagada")).to_be_focused()

    row.get_by_role("button", name="Anular").click()
    expect(dialog.get_by_role("button", name="Cancelar")).to_be_focused()
    page.keyboard.press("Escape")
    expect(row.get_by_role("button", name="Anular")).to_be_focused()
