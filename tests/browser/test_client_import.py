"""Crear → Crear cliente masivo in a real browser, with a real worker: upload, map a column by
hand, read the preview per adviser, confirm, watch the Log de procesos, download the errors."""

import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from clients.models import Client
from tests.jobs.helpers import align_media_with_worker

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings):
    align_media_with_worker(settings)


def test_a_coordinator_imports_clients_from_the_crear_menu(
        cast, log_in, tmp_path, celery_worker_process):
    code = cast.adviser.code
    path = tmp_path / "cartera_marzo.csv"
    path.write_text(
        "Tipo de documento;Identificación cliente;Nombre;Asesor ID\n"
        f"CC;1.020.304.050;Ana Ríos;{code.lower()}\n"
        f"CC;80123456;Bruno Díaz;{code}\n"
        "CC;70111222;Carla Gómez;NO-EXISTE\n",
        encoding="utf-8",
    )
    page = log_in(cast.admin)
    page.get_by_role("navigation", name="Menú lateral").get_by_role("link", name="Clientes").click()
    page.get_by_role("button", name="Crear").click()
    page.get_by_role("link", name="Crear cliente masivo").click()

    expect(page.get_by_role("heading", name="Mapear archivo")).to_be_visible()
    expect(page.get_by_label("Qué importa")).to_have_value("clients")
    page.get_by_label("Archivo", exact=True).set_input_files(str(path))
    page.get_by_role("button", name="Cargar archivo").click()

    expect(page.get_by_role("heading", name="Mapear columnas")).to_be_visible()
    # "Identificación cliente" is no name Moonflow knows: mapped by hand.
    column = page.get_by_label("Identificación cliente")
    expect(column).to_have_value("")
    expect(page.get_by_label("Asesor ID", exact=True)).to_have_value("adviser_code")
    column.select_option("document_number")
    preview = page.locator("#mapping-preview")
    expect(preview.get_by_test_id("invalid-cell")).to_have_count(1)  # only NO-EXISTE
    expect(preview).to_contain_text("No existe un asesor con el ID «NO-EXISTE».")
    page.get_by_role("button", name="Continuar").click()

    expect(page.get_by_role("heading", name="Revisar y confirmar")).to_be_visible()
    plan = page.get_by_test_id("plan")
    adviser_row = plan.locator("tr[data-action='create']", has_text=cast.adviser.display_name)
    expect(adviser_row).to_contain_text("2")
    expect(plan.locator("tr[data-action='failed']")).to_contain_text("1")
    assert not Client.objects.filter(project=cast.project).exists()
    page.get_by_role("button", name="Confirmar importación").click()

    expect(page.get_by_role("link", name="Log de procesos").first).to_be_visible()
    progress = page.get_by_role("progressbar", name="Progreso")
    expect(progress).to_have_attribute("aria-valuenow", "100", timeout=60_000)
    expect(page.get_by_test_id("job-status")).to_have_text("Finalizado con errores")
    expect(page.get_by_test_id("job-rows")).to_have_text(re.compile(r"^3 / 3 filas"))
    with page.expect_download() as download:
        page.get_by_role("link", name="Descargar errores").click()
    book = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    rows = list(book["Errores"].iter_rows(values_only=True))
    assert rows == [("Fila", "Columna", "Valor", "Detalle del error"),
                    (4, "Asesor ID", "NO-EXISTE", "No existe un asesor con el ID «NO-EXISTE».")]
    ana = Client.objects.get(project=cast.project, document_number="1020304050")
    assert ana.adviser_id == cast.adviser.pk
