"""Interacciones → Descargar in a real browser: a 46-day range refused, 45 days scheduled for
tonight, a second request the same day offered Reemplazar."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from interactions.download_models import NightDownload
from interactions.night_downloads import project_today
from tests import factories

pytestmark = pytest.mark.browser


def test_it_schedules_a_45_day_download_for_tonight(cast, log_in, page):
    factories.make_interaction(factories.make_client(cast.project, name="Andrea Morales"))
    today = project_today(cast.project)
    log_in(cast.admin)
    page.get_by_role("navigation", name="Menú lateral").get_by_role(
        "link", name="Interacciones").click()
    expect(page.get_by_role("heading", name="Interacciones", exact=True)).to_be_visible()

    page.get_by_role("link", name="Descargar", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text("Descargar interacciones")
    # The tray's default range: the last 7 days.
    expect(dialog.get_by_label("Fecha de envío desde")).to_have_value(
        (today - timedelta(days=6)).isoformat())
    expect(dialog.get_by_label("Excel (XLSX)")).to_be_checked()

    dialog.get_by_label("Fecha de envío desde").fill((today - timedelta(days=45)).isoformat())
    dialog.get_by_label("Fecha de envío hasta").fill(today.isoformat())
    dialog.get_by_role("button", name="Programar descarga").click()
    expect(dialog.get_by_text("El rango de fechas puede ser de hasta 45 días.")).to_be_visible()
    assert not NightDownload.objects.exists()

    dialog.get_by_label("Fecha de envío desde").fill((today - timedelta(days=44)).isoformat())
    dialog.get_by_label("CSV (separado por punto y coma)").check()
    dialog.get_by_role("button", name="Programar descarga").click()
    expect(page.get_by_text(re.compile(
        r"Descarga programada para esta noche: estará lista el \d\d/\d\d/\d{4} a las 02:00 "
        r"\(hora de America/Bogota\)"))).to_be_visible()
    request = NightDownload.objects.get()
    assert (request.date_to - request.date_from).days + 1 == 45 and request.format == "csv"

    page.get_by_role("link", name="Descargar", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text(re.compile(r"Ya programaste una descarga hoy"))).to_be_visible()
    dialog.get_by_label("Excel (XLSX)").check()
    dialog.get_by_role("button", name="Reemplazar").click()
    # The first confirmation is still on the page: wait for the dialog to go, then for the
    # replaced request (the server answers after it is saved).
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.get_by_text(re.compile(r"Descarga programada para esta noche"))).to_be_visible()
    for _attempt in range(50):
        if NightDownload.objects.get().format == "xlsx":
            break
        page.wait_for_timeout(100)
    assert NightDownload.objects.get().format == "xlsx"
