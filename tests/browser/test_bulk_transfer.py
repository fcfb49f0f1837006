"""Cambio de gestor in a real browser, with a real worker: filter the clients tray by an
adviser, split that book between two others (Reparto round robin), see the preview, Confirmar,
watch the job finish in the Log de procesos; the clients now have their new advisers."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from clients.models import Client
from tests import factories
from tests.jobs.helpers import align_media_with_worker

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings):
    align_media_with_worker(settings)


def test_a_supervisor_splits_a_book_between_two_advisers(cast, log_in, celery_worker_process):
    team = cast.adviser.team
    beto = factories.make_member(cast.project, username="beto", code="B-1", team=team)
    carla = factories.make_member(cast.project, username="carla", code="C-2", team=team)
    book = [factories.make_client(cast.project, adviser=cast.adviser, name=f"Cliente {n}",
                                  balance=Decimal(balance))
            for n, balance in ((1, 100), (2, 200), (3, 300), (4, 400))]
    kept = factories.make_client(cast.project, adviser=cast.restricted, name="Otra Cuenta")

    page = log_in(cast.supervisor)
    page.get_by_role("navigation", name="Menú lateral").get_by_role("link", name="Clientes").click()
    expect(page.get_by_role("heading", name="Clientes", exact=True)).to_be_visible()
    page.get_by_role("button", name="Filtros").click()
    page.get_by_role("group", name="Asesor asignado", exact=True).get_by_label(
        f"Asesor1 · {cast.adviser.code}").check()
    page.get_by_role("button", name="Aplicar filtros").click()
    expect(page.get_by_text("4 clientes", exact=True)).to_be_visible()

    page.get_by_role("button", name="Crear", exact=True).click()
    page.get_by_role("link", name="Cambio de gestor").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", level=2)).to_have_text("Cambio de gestor")
    dialog.get_by_label("Beto (B-1)", exact=True).check()
    dialog.get_by_label("Carla (C-2)", exact=True).check()
    dialog.get_by_label("Reparto round robin").check()
    dialog.get_by_role("button", name="Vista previa").click()

    preview = dialog.get_by_test_id("bulk-transfer-preview")
    expect(preview).to_contain_text("4 clientes, saldo 1.000,00")
    expect(preview.get_by_role("row").filter(has_text="Beto (B-1)")).to_contain_text("400,00")
    expect(preview.get_by_role("row").filter(has_text="Carla (C-2)")).to_contain_text("600,00")
    assert Client.objects.filter(adviser=cast.adviser).count() == 4
    dialog.get_by_role("button", name="Confirmar").click()

    expect(page.get_by_text("Cambio de gestor programado")).to_be_visible()
    progress = page.get_by_role("progressbar", name="Progreso")
    expect(progress).to_have_attribute("aria-valuenow", "100", timeout=60_000)
    expect(page.get_by_test_id("job-status")).to_have_text("Finalizado")
    assert dict(Client.objects.filter(pk__in=[c.pk for c in book])
                .values_list("name", "adviser_id")) == {
        "Cliente 1": beto.pk, "Cliente 2": carla.pk, "Cliente 3": beto.pk,
        "Cliente 4": carla.pk}
    assert Client.objects.get(pk=kept.pk).adviser_id == cast.restricted.pk
