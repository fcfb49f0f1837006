"""Órdenes de pago and the base de cartera through the import engine (job bodies in this process)."""

import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clients.choices import Situation
from clients.models import Client, PaymentOrder
from moonflow.imports.tasks import import_task
from moonflow.jobs.models import JobStatus, ProcessJob
from tests import factories
from tests.conftest import login
from tests.imports.helpers import job_after_upload


def url(name, cast, **kwargs):
    return reverse(name, kwargs={"project": cast.project.slug, **kwargs})


def run(job_id) -> ProcessJob:
    import_task(job_id)
    return ProcessJob.objects.get(pk=job_id)


def import_file(browser, cast, entity, text, *, mode="update"):
    response = browser.post(url("integrations:upload", cast), {
        "entity": entity, "mode": mode, "scope": "",
        "file": SimpleUploadedFile("base.csv", text.encode())})
    job = job_after_upload(response)
    page = browser.get(url("integrations:mapping", cast, pk=job.pk))
    form = page.context["form"]
    data = {f"col_{i}": form[f"col_{i}"].value() or "" for i in range(len(form.headers))}
    assert browser.post(url("integrations:mapping", cast, pk=job.pk), data).status_code == 302
    job = run(job.pk)
    assert job.options["phase"] == "preview", job.message
    preview = job.options["plan"]
    browser.post(url("integrations:confirm", cast, pk=job.pk))
    return run(job.pk), preview


def error_rows(job):
    if not job.error_file:
        return []
    book = openpyxl.load_workbook(io.BytesIO(job.error_file.read()))
    return list(book["Errores"].iter_rows(values_only=True))[1:]


@pytest.fixture
def admin(cast):
    return login(cast.admin)


def test_payment_orders_are_created_and_updated_by_number_and_foreign_ones_refused(cast, admin):
    ana = factories.make_client(cast.project, document_number="1020304050", name="Ana")
    bruno = factories.make_client(cast.project, document_number="80123456", name="Bruno")
    factories.make_payment_order(ana, number="F-1", amount=Decimal("1000"),
                                 due_date=date.today() + timedelta(days=30))
    factories.make_payment_order(bruno, number="F-9", amount=Decimal("500"))
    past = (date.today() - timedelta(days=40)).strftime("%d/%m/%Y")
    text = ("Tipo de documento;Número de documento;Número de orden;Monto;Vencimiento;Saldo\n"
            f"CC;1.020.304.050;F-1;1.000,00;{past};400,00\n"   # update: due date, payments
            f"CC;1020304050;F-2;2.500,50;{past};\n"             # create
            "CC;1020304050;F-9;100,00;01/01/2030;\n"            # Bruno's order: refused
            "CC;99999999;F-3;100,00;01/01/2030;\n"              # no such client
            "CC;1020304050;F-4;;01/01/2030;\n")                 # new order without amount
    job, preview = import_file(admin, cast, "payment_orders", text)
    actions = {g["action"]: g["count"] for g in preview["actions"]}
    assert actions == {"update": 1, "create": 1, "other_client": 1, "no_client": 1,
                       "incomplete": 1}

    assert job.status == JobStatus.PARTIAL
    assert (job.created, job.updated, job.failed) == (1, 1, 3)
    f1 = PaymentOrder.objects.get(number="F-1")
    assert (f1.amount, f1.payments, f1.total) == (Decimal("1000.00"), Decimal("600.00"),
                                                   Decimal("400.00"))
    f2 = PaymentOrder.objects.get(number="F-2")
    assert (f2.client_id, f2.amount, f2.currency) == (ana.pk, Decimal("2500.50"),
                                                       cast.project.currency)
    assert PaymentOrder.objects.get(number="F-9").client_id == bruno.pk  # never moved
    ana.refresh_from_db()
    assert ana.situation == Situation.LATE_31_60  # recomputed from the new due dates
    assert ana.balance == Decimal("2900.50")
    messages = {row[0]: row[3] for row in error_rows(job)}
    assert messages[4].startswith("La orden F-9 pertenece a otro cliente (CC 80123456)")
    assert messages[5].startswith("No existe el cliente CC 99999999")
    assert messages[6] == "Monto: es obligatorio para crear la orden F-4."


def test_a_base_de_cartera_creates_clients_and_their_orders_in_one_pass(cast, admin):
    code = cast.adviser.code
    text = (
        "Tipo de documento;Número de documento;Nombre;Correo;Asesor ID;Número de orden;Monto;"
        "Saldo;Vencimiento\n"
        f"CC;1020304050;Ana Ríos;ana@example.com;{code.lower()};F-1;1.000,00;1.000,00;01/01/2030\n"
        f"CC;1020304050;Ana Ríos;ana@example.com;{code};F-2;2.000,00;500,00;01/02/2030\n"
        f"CC;80123456;Bruno Díaz;;{code};F-3;300,00;300,00;01/03/2030\n"
        f"CC;80123456;Bruno Diaz;;{code};F-4;300,00;300,00;01/04/2030\n"   # name differs
        f"CC;70111222;Carla;;{code};F-3;10,00;10,00;01/03/2030\n"          # F-3 again
    )
    job, preview = import_file(admin, cast, "portfolio_base", text)
    assert {g["action"]: g["count"] for g in preview["client_actions"]} == {"create": 2}
    assert {g["action"]: g["count"] for g in preview["actions"]} == {"create": 3}

    assert job.status == JobStatus.PARTIAL
    assert (job.created, job.failed) == (3, 2)
    assert job.message.startswith("Base de cartera importada. Clientes: 2 creados")
    ana = Client.objects.get(document_number="1020304050")
    assert (ana.name, ana.adviser_id) == ("Ana Ríos", cast.adviser.pk)
    assert sorted(ana.payment_orders.values_list("number", "payments")) == [
        ("F-1", Decimal("0.00")), ("F-2", Decimal("1500.00"))]
    assert ana.balance == Decimal("1500.00")
    assert not Client.objects.filter(document_number="70111222").exists()
    messages = {row[0]: (row[1], row[3]) for row in error_rows(job)}
    assert messages[5] == ("Nombre", "Los datos del cliente CC 80123456 no coinciden con su "
                           "fila 4 en la columna Nombre: un cliente repetido en varias filas "
                           "debe tener los mismos datos.")
    assert messages[6][1] == ("La orden F-3 ya aparece en la fila 4 del archivo; cada orden va "
                              "una sola vez.")

    again, _preview = import_file(admin, cast, "portfolio_base", text)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_the_model_reports_of_orders_and_the_base_import_back_as_they_are(cast, admin):
    factories.make_client(cast.project, document_type="CC", document_number="1020304050")
    for entity in ("payment_orders", "portfolio_base"):
        response = admin.get(url("integrations:model_file", cast, entity=entity))
        posted = admin.post(url("integrations:upload", cast), {
            "entity": entity, "mode": "update", "scope": "",
            "file": SimpleUploadedFile(f"{entity}.xlsx", response.content)})
        job = job_after_upload(posted)
        assert "" not in job.mapping.values(), job.mapping
