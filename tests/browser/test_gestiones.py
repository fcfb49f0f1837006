"""The client's Gestiones panel in a real browser: Nueva gestión → Promesa de pago, it appears
in the panel, then Completar closes it as cumplida."""

from datetime import timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from clients.situation import project_today
from tests import factories

pytestmark = pytest.mark.browser


def test_an_adviser_records_a_payment_promise_and_completes_it(cast, log_in):
    client = factories.make_client(cast.project, name="Elena Soto", adviser=cast.restricted)
    due = project_today(cast.project) + timedelta(days=3)
    page = log_in(cast.restricted)
    page.goto(reverse("clients:detail", kwargs={"project": "demo", "pk": client.pk}))
    panel = page.get_by_role("region", name="Gestiones")
    dialog = page.get_by_role("dialog")
    expect(panel).to_contain_text("Sin gestiones abiertas.")

    panel.get_by_role("button", name="Nueva gestión").click()
    expect(dialog.get_by_role("heading", level=2)).to_have_text("Nueva gestión: Elena Soto")
    expect(dialog.get_by_label("Tipo")).to_be_focused()
    dialog.get_by_label("Tipo").select_option(label="Promesa de pago")
    dialog.get_by_label("Monto prometido").fill("-5")
    dialog.get_by_label("Fecha", exact=True).fill(due.isoformat())
    dialog.get_by_role("button", name="Crear gestión").click()

    # Bad input: the error is on the field, which takes the focus.
    expect(dialog.get_by_text("Monto prometido: debe ser mayor que cero.")).to_be_visible()
    expect(dialog.get_by_label("Monto prometido")).to_be_focused()
    dialog.get_by_label("Monto prometido").fill("250000")
    dialog.get_by_role("button", name="Crear gestión").click()

    expect(dialog).to_be_hidden()
    row = panel.get_by_role("table", name="Abiertas").get_by_role("row").filter(
        has_text="Promesa de pago")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Promesa de pago")
    expect(row).to_contain_text(due.strftime("%d/%m/%Y"))

    row.get_by_role("button", name="Completar").click()
    expect(dialog.get_by_label("¿Se cumplió la promesa?")).to_be_focused()
    dialog.get_by_label("Resultado (opcional)").fill("Pagó en efectivo")
    dialog.get_by_role("button", name="Completar").click()

    expect(dialog).to_be_hidden()
    expect(panel).to_contain_text("Sin gestiones abiertas.")
    closed = panel.get_by_role("table", name="Cerradas").get_by_role("row").filter(
        has_text="Promesa de pago")
    expect(closed).to_contain_text("Cumplida")
    expect(closed).to_contain_text("Pagó en efectivo")
