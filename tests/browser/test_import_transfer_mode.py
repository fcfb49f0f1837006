"""Ajustes → Integraciones → Mapear archivo in transfer mode, in a real browser with a real
worker: an import into Beto's book of a row whose client is Asesor1's is refused naming
Asesor1 without "Modo transferencia"; with it, the preview shows the transfer Asesor1 → Beto
with its open gestión, the job reads "Transferidos: 1", and the client's page shows Beto
holding the client and its open gestión."""

import io
import re

import openpyxl
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from clients.models import Client
from followups.models import FollowUp
from tests import factories
from tests.followups.helpers import make_followup
from tests.jobs.helpers import align_media_with_worker

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings):
    align_media_with_worker(settings)


def upload(page, path, *, scope: str, transfer: bool) -> None:
    """Ajustes → Integraciones → Mapear archivo → Cargar archivo → Continuar."""
    page.get_by_role("button", name="Ajustes").click()
    page.get_by_role("link", name="Integraciones").click()
    page.get_by_role("link", name="Mapear archivo").click()
    expect(page.get_by_role("heading", name="Mapear archivo")).to_be_visible()
    page.get_by_label("Qué importa").select_option("clients")
    page.get_by_label("Archivo", exact=True).set_input_files(str(path))
    page.get_by_label("Alcance", exact=True).select_option(label=scope)
    switch = page.get_by_role("switch", name="Modo transferencia")
    if transfer:
        switch.check()
    expect(switch).to_be_checked(checked=transfer)
    page.get_by_role("button", name="Cargar archivo").click()
    expect(page.get_by_role("heading", name="Mapear columnas")).to_be_visible()
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("heading", name="Revisar y confirmar")).to_be_visible()


def test_an_admin_imports_a_book_in_transfer_mode(cast, log_in, tmp_path, celery_worker_process):
    asesor1 = cast.adviser
    beto = factories.make_member(cast.project, username="beto", code="B-1", team=asesor1.team)
    client = factories.make_client(cast.project, document_number="1020304050",
                                   name="Elena Soto", adviser=asesor1)
    gestion = make_followup(client, title="Llamar para negociar")
    path = tmp_path / "cartera_beto.csv"
    path.write_text("Tipo de documento;Número de documento;Nombre;Asesor ID\n"
                    "CC;1020304050;Elena Soto;B-1\n", encoding="utf-8")
    asesor1_label = f"Asesor1 ({asesor1.code})"
    page = log_in(cast.admin)

    # Without transfer mode the row is refused, naming the adviser who holds the client.
    upload(page, path, scope="Beto (B-1)", transfer=False)
    refused = page.get_by_test_id("plan").locator("tr[data-action='other_adviser']")
    expect(refused.get_by_role("cell")).to_have_text(
        ["Rechazar: cliente de otro asesor", asesor1_label, "1", re.compile("Elena Soto")])
    expect(page.get_by_test_id("plan-transfers")).to_have_count(0)
    page.get_by_role("button", name="Confirmar importación").click()
    expect(page.get_by_role("progressbar", name="Progreso")).to_have_attribute(
        "aria-valuenow", "100", timeout=60_000)
    expect(page.get_by_test_id("job-status")).to_have_text(re.compile("^Fin|^Fall"))
    with page.expect_download() as download:
        page.get_by_role("link", name="Descargar errores").click()
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    rows = list(book["Errores"].iter_rows(values_only=True))
    assert rows[1][3] == (
        f"El cliente CC 1020304050 pertenece a {asesor1_label}, fuera del alcance de esta "
        "importación: no se modifica ni se vuelve a crear. Para pasarlo a este asesor, use el "
        "modo transferencia.")
    assert Client.objects.get(pk=client.pk).adviser_id == asesor1.pk

    # In transfer mode the preview shows who passes to whom, with the open gestiones.
    upload(page, path, scope="Beto (B-1)", transfer=True)
    route = page.get_by_test_id("plan-transfers").get_by_role("row").filter(
        has_text="Beto (B-1)")
    expect(route).to_have_count(1)
    expect(route.get_by_role("cell")).to_have_text([asesor1_label, "Beto (B-1)", "1", "1"])
    expect(page.get_by_test_id("plan-errors")).to_have_count(0)
    assert Client.objects.get(pk=client.pk).adviser_id == asesor1.pk
    page.get_by_role("button", name="Confirmar importación").click()

    expect(page.get_by_role("link", name="Log de procesos").first).to_be_visible()
    progress = page.get_by_role("progressbar", name="Progreso")
    expect(progress).to_have_attribute("aria-valuenow", "100", timeout=60_000)
    expect(page.get_by_test_id("job-status")).to_have_text("Finalizado")
    transferred = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Transferidos", exact=True))
    expect(transferred.get_by_role("cell")).to_have_text("1")

    page.goto(reverse("clients:detail", kwargs={"project": "demo", "pk": client.pk}))
    adviser = page.get_by_role("region", name="Información del asesor")
    expect(adviser.get_by_role("definition").nth(0)).to_have_text("B-1")
    expect(adviser.get_by_role("definition").nth(1)).to_have_text("Beto")
    panel = page.get_by_role("region", name="Gestiones")
    row = panel.get_by_role("table", name="Abiertas").get_by_role("row").filter(
        has_text="Llamar para negociar")
    expect(row).to_contain_text("Beto")
    assert FollowUp.objects.get(pk=gestion.pk).adviser_id == beto.pk
