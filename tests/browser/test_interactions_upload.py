"""Interacciones → Crear → Crear comunicaciones masivas in a real browser, with a real worker:
download the reporte modelo from the upload itself, fill it as a spreadsheet program would,
upload it, confirm the preview and watch the job finish; the record shows in the tray."""

import io
import re
from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from interactions.models import Interaction
from tests import factories
from tests.jobs.helpers import align_media_with_worker

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings):
    align_media_with_worker(settings)


def test_a_coordinator_uploads_the_communications_template(
        cast, log_in, tmp_path, celery_worker_process):
    factories.make_client(cast.project, document_number="1020304050", name="Ana Ríos",
                          adviser=cast.adviser)
    page = log_in(cast.admin)
    page.get_by_role("navigation", name="Menú lateral").get_by_role(
        "link", name="Interacciones").click()
    page.get_by_role("button", name="Crear").click()
    page.get_by_role("link", name="Crear comunicaciones masivas").click()

    expect(page.get_by_role("heading", name="Mapear archivo")).to_be_visible()
    expect(page.get_by_label("Qué importa")).to_have_value("interactions")
    with page.expect_download() as download:
        page.get_by_test_id("model-report").click()
    assert download.value.suggested_filename == "reporte_modelo_comunicaciones.xlsx"

    # Filled in a spreadsheet program: the example row's date replaced by a real date cell
    # of yesterday, the promise removed, a second row typed below it.
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    when = timezone.localtime(timezone.now() - timedelta(days=1)).replace(
        second=0, microsecond=0, tzinfo=None)
    for header in ("Resultado de pago", "Monto prometido", "Fecha de la promesa"):
        sheet.cell(row=2, column=headers.index(header) + 1).value = None
    sheet.cell(row=2, column=headers.index("Fecha de envío *") + 1).value = when
    second = {"Tipo de documento *": "CC", "Número de documento *": "1020304050",
              "Canal *": "SMS", "Fecha de envío *": when, "Destinatarios *": "3001234567",
              "Estado *": "Fallida", "Mensaje de error": "Número inválido"}
    for header, value in second.items():
        sheet.cell(row=3, column=headers.index(header) + 1).value = value
    filled = tmp_path / "comunicaciones_marzo.xlsx"
    book.save(filled)

    page.get_by_label("Archivo", exact=True).set_input_files(str(filled))
    page.get_by_role("button", name="Cargar archivo").click()
    expect(page.get_by_role("heading", name="Mapear columnas")).to_be_visible(timeout=60_000)
    expect(page.get_by_label("Canal *", exact=True)).to_have_value("channel")
    page.get_by_role("button", name="Continuar").click()

    expect(page.get_by_role("heading", name="Revisar y confirmar")).to_be_visible()
    plan = page.get_by_test_id("plan")
    expect(plan.locator("tr[data-action='create']", has_text=cast.adviser.display_name)
           ).to_contain_text("2")
    assert not Interaction.objects.exists()
    page.get_by_role("button", name="Confirmar importación").click()

    progress = page.get_by_role("progressbar", name="Progreso")
    expect(progress).to_have_attribute("aria-valuenow", "100", timeout=60_000)
    expect(page.get_by_test_id("job-status")).to_have_text("Finalizado")
    expect(page.get_by_test_id("job-rows")).to_have_text(re.compile(r"^2 / 2 filas"))
    assert sorted(Interaction.objects.values_list("channel", "source")) == [
        ("sms", "uploaded"), ("whatsapp", "uploaded")]

    page.get_by_role("navigation", name="Menú lateral").get_by_role(
        "link", name="Interacciones").click()
    expect(page.get_by_text("2 interacciones", exact=True)).to_be_visible()
