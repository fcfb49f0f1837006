"""Cambio de gestor for ticked rows, in a real browser with a real worker: "select all on
this page" and back, tick two clients in the tray, the bar counts them, its Cambio de gestor
opens the dialog for exactly those two, one adviser, Vista previa, Confirmar; the job finishes
and only those two have the new adviser."""

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


def test_a_supervisor_hands_two_ticked_clients_to_another_adviser(cast, log_in,
                                                                  celery_worker_process):
    beto = factories.make_member(cast.project, username="beto", code="B-1",
                                 team=cast.adviser.team)
    book = [factories.make_client(cast.project, adviser=cast.adviser, name=name,
                                  balance=Decimal(balance))
            for name, balance in (("Ana Pérez", 100), ("Bruno Díaz", 200),
                                  ("Cecilia Ruiz", 300))]

    page = log_in(cast.supervisor)
    page.get_by_role("navigation", name="Menú lateral").get_by_role("link", name="Clientes").click()
    expect(page.get_by_role("heading", name="Clientes", exact=True)).to_be_visible()
    bar_button = page.get_by_role("button", name="Cambio de gestor")
    expect(bar_button).to_be_hidden()  # nothing ticked yet
    select_all = page.get_by_role("checkbox", name="Seleccionar todos los clientes de esta página")
    select_all.check()
    expect(page.get_by_text("3 seleccionados", exact=True)).to_be_visible()
    select_all.uncheck()
    expect(bar_button).to_be_hidden()

    page.get_by_role("checkbox", name="Seleccionar a Ana Pérez").check()
    expect(page.get_by_text("1 seleccionado", exact=True)).to_be_visible()
    page.get_by_role("checkbox", name="Seleccionar a Cecilia Ruiz").check()
    expect(page.get_by_text("2 seleccionados", exact=True)).to_be_visible()
    expect(select_all).not_to_be_checked()
    bar_button.click()

    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", level=2)).to_have_text("Cambio de gestor")
    expect(dialog.get_by_text("Clientes seleccionados: 2")).to_be_visible()
    dialog.get_by_label("Beto (B-1)", exact=True).check()
    expect(dialog.get_by_label("Un solo asesor")).to_be_checked()
    dialog.get_by_role("button", name="Vista previa").click()

    preview = dialog.get_by_test_id("bulk-transfer-preview")
    expect(preview).to_contain_text("2 clientes, saldo 400,00")
    expect(preview.get_by_role("row").filter(has_text="Beto (B-1)")).to_contain_text("400,00")
    assert Client.objects.filter(adviser=beto).count() == 0
    dialog.get_by_role("button", name="Confirmar").click()

    expect(page.get_by_text("Cambio de gestor programado")).to_be_visible()
    progress = page.get_by_role("progressbar", name="Progreso")
    expect(progress).to_have_attribute("aria-valuenow", "100", timeout=60_000)
    expect(page.get_by_test_id("job-status")).to_have_text("Finalizado")
    assert dict(Client.objects.filter(pk__in=[c.pk for c in book])
                .values_list("name", "adviser_id")) == {
        "Ana Pérez": beto.pk, "Bruno Díaz": cast.adviser.pk, "Cecilia Ruiz": beto.pk}
