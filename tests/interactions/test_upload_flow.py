"""Crear comunicaciones masivas end to end in this process: the model report, a CSV and an
XLSX through upload, mapping, preview and confirmation, counts, rows and the error report."""

import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interactions.models import Interaction
from moonflow.imports.models import StagedRow
from moonflow.imports.tasks import import_task
from moonflow.jobs.models import JobKind, JobStatus, ProcessJob
from tests import factories
from tests.conftest import login
from tests.imports.helpers import job_after_upload, write_xlsx

BOGOTA = ZoneInfo("America/Bogota")


def url(name, cast, **kwargs):
    return reverse(name, kwargs={"project": cast.project.slug, **kwargs})


def run(job_id) -> ProcessJob:
    import_task(job_id)
    return ProcessJob.objects.get(pk=job_id)


def upload(browser, cast, content, *, name="comunicaciones.csv", **form):
    if isinstance(content, str):
        content = content.encode("utf-8")
    data = {"entity": "interactions", "mode": "update", "scope": "",
            "file": SimpleUploadedFile(name, content), **form}
    return job_after_upload(browser.post(url("integrations:upload", cast), data))


def map_and_analyze(browser, cast, job, **extra):
    page = browser.get(url("integrations:mapping", cast, pk=job.pk))
    form = page.context["form"]
    data = {f"col_{i}": form[f"col_{i}"].value() or "" for i in range(len(form.headers))}
    data.update(extra)
    response = browser.post(url("integrations:mapping", cast, pk=job.pk), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return run(job.pk)


def confirm(browser, cast, job) -> ProcessJob:
    response = browser.post(url("integrations:confirm", cast, pk=job.pk))
    assert response.status_code == 302
    return run(job.pk)


def import_file(browser, cast, content, **kwargs) -> ProcessJob:
    job = map_and_analyze(browser, cast, upload(browser, cast, content, **kwargs))
    assert job.options["phase"] == "preview", job.message
    return confirm(browser, cast, job)


@pytest.fixture
def admin(cast):
    return login(cast.admin)


@pytest.fixture
def ana(cast):
    return factories.make_client(cast.project, document_number="1020304050", name="Ana Ríos",
                                 adviser=cast.adviser)


FILE = (
    "Tipo de documento;Número de documento;Canal;Fecha de envío;Destinatarios;Estado;"
    "Plantilla;Asesor ID;Resultado de pago;Monto prometido;Fecha de la promesa\n"
    "CC;1.020.304.050;WhatsApp;15/03/2026 10:30;+57 300 123 4567;Entregada;Recordatorio;;"
    "Promesa de pago;250.000,00;31/03/2026\n"
    "cc;1020304050;sms;2026-03-16;3001234567;enviada;;{supervisor};;;\n"
    "CC;99999999;Email;16/03/2026 09:00;x@example.com;Leída;;;;;\n"
    "CC;1020304050;Fax;16/03/2026 09:00;x@example.com;Leída;;;;;\n"
)


def test_the_upload_page_reached_from_crear_has_interactions_chosen(cast, admin):
    page = admin.get(url("integrations:upload", cast) + "?que=interactions")
    assert page.status_code == 200
    assert page.context["form"]["entity"].value() == "interactions"
    body = page.content.decode()
    assert 'value="interactions" selected' in body
    # The seed's advice: download the template first; it is linked from the upload itself.
    model = url("integrations:model_file", cast, entity="interactions")
    assert f'href="{model}" data-testid="model-report"' in body
    assert "Descargue el reporte modelo de Comunicaciones masivas" in body
    # Records are only added: the mode that sends absent clients to the bin is not offered.
    assert "Actualizar incluyendo eliminación" not in body
    assert '<input type="hidden" name="mode" value="update">' in body
    clients_page = admin.get(url("integrations:upload", cast) + "?que=clients").content.decode()
    assert "Actualizar incluyendo eliminación" in clients_page


def test_a_file_goes_from_upload_to_interactions_with_the_bad_rows_reported(cast, admin, ana):
    job = upload(admin, cast, FILE.format(supervisor=cast.supervisor.code.lower()))
    assert job.kind == JobKind.INTERACTION_IMPORT and job.status == JobStatus.AWAITING
    assert job.mapping == {
        "Tipo de documento": "document_type", "Número de documento": "document_number",
        "Canal": "channel", "Fecha de envío": "scheduled_at", "Destinatarios": "recipients",
        "Estado": "status", "Plantilla": "template", "Asesor ID": "adviser_code",
        "Resultado de pago": "outcome", "Monto prometido": "promise_amount",
        "Fecha de la promesa": "promise_date"}
    body = admin.get(url("integrations:mapping", cast, pk=job.pk)).content.decode()
    assert "Canal «Fax»: no es una opción válida." in body

    job = map_and_analyze(admin, cast, job)
    plan = job.options["plan"]
    assert (plan["read"], plan["failed"]) == (4, 2)
    creates = {g["adviser"]: g["count"] for g in plan["actions"] if g["action"] == "create"}
    assert creates == {f"{cast.adviser.display_name} ({cast.adviser.code})": 1,
                       f"{cast.supervisor.display_name} ({cast.supervisor.code})": 1}
    samples = [s for g in plan["actions"] for s in g["samples"]]
    assert {"row": 2, "key": "CC 1020304050", "name": "WhatsApp · 15/03/2026 10:30"} in samples
    assert not Interaction.objects.exists()  # nothing before confirming
    preview = admin.get(url("integrations:detail", cast, pk=job.pk)).content.decode()
    assert "Confirmar importación" in preview
    assert "No existe el cliente CC 99999999 en el proyecto" in preview

    job = confirm(admin, cast, job)
    assert job.status == JobStatus.PARTIAL
    assert (job.read, job.created, job.unchanged, job.failed) == (4, 2, 0, 2)
    assert "No se envió ningún mensaje" in job.shown_message
    first, second = Interaction.objects.filter(project=cast.project).order_by("scheduled_at")
    assert (first.client, first.channel, first.status, first.source) == (
        ana, "whatsapp", "delivered", "uploaded")
    assert first.scheduled_at == datetime(2026, 3, 15, 10, 30, tzinfo=BOGOTA)
    assert (first.recipients, first.template, first.adviser_id) == (
        "+573001234567", "Recordatorio", cast.adviser.pk)
    assert (first.outcome, first.promise_amount, str(first.promise_date)) == (
        "promise", Decimal("250000.00"), "2026-03-31")
    assert (first.direction, first.recipient_kind, first.sent_at) == ("outbound", "client", None)
    assert len(first.import_key) == 64
    assert (second.channel, second.status, second.adviser_id) == ("sms", "sent",
                                                                  cast.supervisor.pk)
    assert second.scheduled_at == datetime(2026, 3, 16, tzinfo=BOGOTA)
    assert not StagedRow.objects.filter(job_id=job.pk).exists()

    report = openpyxl.load_workbook(io.BytesIO(job.error_file.read()))
    rows = list(report["Errores"].iter_rows(values_only=True))
    assert rows[0] == ("Fila", "Columna", "Valor", "Detalle del error")
    assert rows[1] == (4, "Número de documento", "99999999",
                       "No existe el cliente CC 99999999 en el proyecto: créelo antes de "
                       "cargarle comunicaciones.")
    assert rows[2][:3] == (5, "Canal", "Fax")
    assert rows[2][3].startswith("Canal «Fax»: no es una opción válida. Use una de: WhatsApp")
    assert len(rows) == 3


def test_the_same_file_again_registers_nothing_new(cast, admin, ana):
    text = FILE.format(supervisor=cast.supervisor.code)
    import_file(admin, cast, text)
    job = map_and_analyze(admin, cast, upload(admin, cast, text))
    actions = [(g["action"], g["count"]) for g in job.options["plan"]["actions"]]
    assert sorted(actions) == [("unchanged", 1), ("unchanged", 1)]  # one per adviser
    preview = admin.get(url("integrations:detail", cast, pk=job.pk)).content.decode()
    assert "Sin cambios: ya registrado" in preview
    job = confirm(admin, cast, job)
    assert (job.created, job.unchanged, job.failed) == (0, 2, 2)
    assert Interaction.objects.filter(project=cast.project).count() == 2


def test_a_spreadsheet_with_real_date_cells_is_read_in_the_projects_time(cast, admin, ana,
                                                                          tmp_path):
    path = write_xlsx(tmp_path / "comunicaciones.xlsx", [
        ["Tipo de documento del cliente", "Número identificador", "Canal", "Fecha de envío",
         "Destinatarios", "Estado", "Fecha de envío real"],
        ["CC", 1020304050, "Llamada / voz", datetime(2026, 3, 15, 10, 30), "3001234567",
         "Respondida", datetime(2026, 3, 15, 10, 31)],
        ["CC", 1020304050, "email", datetime(2026, 3, 16), "ANA@Example.com", "Rebotada", None],
    ])
    job = upload(admin, cast, path.read_bytes(), name="comunicaciones.xlsx")
    assert job.mapping["Tipo de documento del cliente"] == "document_type"
    assert job.mapping["Número identificador"] == "document_number"
    job = map_and_analyze(admin, cast, job)
    assert job.options["plan"]["failed"] == 0, job.options["plan"]["errors"]
    job = confirm(admin, cast, job)
    assert (job.created, job.failed) == (2, 0)
    call, email = Interaction.objects.filter(project=cast.project).order_by("scheduled_at")
    assert (call.channel, call.status) == ("voice", "answered")
    assert call.scheduled_at == datetime(2026, 3, 15, 10, 30, tzinfo=BOGOTA)
    assert call.sent_at == datetime(2026, 3, 15, 10, 31, tzinfo=BOGOTA)
    assert (email.recipients, email.status) == ("ana@example.com", "bounced")
    assert email.scheduled_at == datetime(2026, 3, 16, 0, 0, tzinfo=BOGOTA)


def test_the_model_report_has_every_field_and_imports_back_as_it_is(cast, admin):
    response = admin.get(url("integrations:model_file", cast, entity="interactions"))
    assert response.status_code == 200
    assert (response["Content-Disposition"]
            == 'attachment; filename="reporte_modelo_comunicaciones.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    data, instructions = book.worksheets
    headers = [c.value for c in data[1]]
    assert [h for h in headers if h.endswith(" *")] == [
        "Tipo de documento *", "Número de documento *", "Canal *", "Fecha de envío *",
        "Destinatarios *", "Estado *"]
    assert {"Tipo de comunicación", "Fecha de envío real", "Tipo de flujo",
            "Flujo, evento o campaña", "Plantilla", "Tipo de destinatario", "Asesor ID",
            "Mensaje de error", "Resultado de pago", "Monto prometido",
            "Fecha de la promesa"} <= set(headers)
    example = dict(zip(headers, (c.value for c in data[2])))
    assert example["Canal *"] == "WhatsApp" and example["Fecha de envío *"] == "15/03/2026 10:30"
    explained = {row[0]: row for row in instructions.iter_rows(min_row=2, values_only=True)
                 if row[0]}
    assert explained["Canal"][1] == "Sí" and "Visita al portal" in explained["Canal"][2]
    assert "America/Bogota" in explained["Fecha de envío"][2]

    # The example row's client exists: the report uploaded as it is registers its row.
    factories.make_client(cast.project, document_number="1020304050")
    job = upload(admin, cast, response.content, name="reporte_modelo_comunicaciones.xlsx")
    assert "" not in job.mapping.values()
    job = map_and_analyze(admin, cast, job)
    assert job.options["plan"]["failed"] == 0, job.options["plan"]["errors"]
    job = confirm(admin, cast, job)
    assert (job.created, job.failed) == (1, 0)
    record = Interaction.objects.get(project=cast.project)
    assert (record.campaign_kind, record.campaign, record.outcome) == (
        "campaign", "Cobranza marzo", "promise")


def test_a_file_without_channel_or_state_columns_takes_one_for_every_row(cast, admin, ana):
    job = upload(admin, cast, "Tipo de documento;Documento;Fecha;Para\n"
                              "CC;1020304050;01/03/2026 08:00;3001234567\n")
    job = map_and_analyze(admin, cast, job, default_channel="sms", default_status="delivered")
    job = confirm(admin, cast, job)
    assert job.created == 1
    record = Interaction.objects.get(project=cast.project)
    assert (record.channel, record.status) == ("sms", "delivered")


def test_an_adviser_may_not_upload_communications(cast):
    page = login(cast.adviser).get(url("integrations:upload", cast) + "?que=interactions")
    assert page.status_code == 403


def test_the_deleting_mode_is_refused_for_communications_on_upload_and_sftp(cast):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from moonflow.imports.models import SftpSource
    from moonflow.jobs.models import ProcessJob
    from tests.conftest import login

    browser = login(cast.admin)
    message = ("«Comunicaciones masivas (historial de interacciones)» solo agrega registros: use "
               "el modo «Actualizar».")
    response = browser.post(reverse("integrations:upload", kwargs={"project": "demo"}), {
        "entity": "interactions", "mode": "update_delete", "scope": "",
        "file": SimpleUploadedFile("comunicaciones.csv", b"Canal\nsms\n")})
    assert response.status_code == 200 and message in response.content.decode()
    assert not ProcessJob.objects.exists()
    response = browser.post(reverse("integrations:sftp_create", kwargs={"project": "demo"}), {
        "name": "Histórico", "entity": "interactions", "host": "127.0.0.1", "port": 22,
        "username": "u", "password": "p", "private_key": "", "folder": "/", "pattern": "*.csv",
        "template": "", "mode": "update_delete", "scope": "", "every_minutes": 30,
        "is_active": "on"})
    assert response.status_code == 200 and message in response.content.decode()
    assert not SftpSource.objects.exists()
