"""Crear cliente masivo end to end in this process: model report, upload, mapping, preview,
confirmation, counts and error report (the job bodies run here; the worker tests run them in a
real worker)."""

import io
import os

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clients.models import Client, ClientAssignment
from moonflow.imports.models import MappingTemplate, StagedRow
from moonflow.imports.tasks import import_task
from moonflow.jobs.models import JobStatus, ProcessJob
from tests import factories
from tests.conftest import login
from tests.imports.helpers import job_after_upload


def url(name, cast, **kwargs):
    return reverse(name, kwargs={"project": cast.project.slug, **kwargs})


def csv_upload(text: str, name="clientes.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def run(job_id) -> ProcessJob:
    import_task(job_id)
    return ProcessJob.objects.get(pk=job_id)


def upload(browser, cast, text, *, name="clientes.csv", **form):
    data = {"entity": "clients", "mode": "update", "scope": "", "file": csv_upload(text, name),
            **form}
    response = browser.post(url("integrations:upload", cast), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return job_after_upload(response)


def confirm_mapping(browser, cast, job, **extra):
    page = browser.get(url("integrations:mapping", cast, pk=job.pk))
    form = page.context["form"]
    data = {f"col_{i}": form[f"col_{i}"].value() or "" for i in range(len(form.headers))}
    data.update(extra)
    response = browser.post(url("integrations:mapping", cast, pk=job.pk), data)
    assert response.status_code == 302
    return run(job.pk)


FILE = (
    "Tipo de documento;Número de documento;Nombre;Asesor ID;Correo\n"
    "CC;1.020.304.050;Ana Ríos;{code_lower};ana@example.com\n"
    "CC;80123456;Bruno Díaz;ZZ-404;bruno@example.com\n"
    "CE;ab12345;Carla Gómez;;carla@example.com\n"
)


@pytest.fixture
def admin(cast):
    return login(cast.admin)


def test_the_crear_menu_leads_to_the_upload_with_clients_chosen(cast, admin):
    response = admin.get(url("clients:import", cast))
    assert response.status_code == 302
    assert response["Location"].endswith("/ajustes/integraciones/importar/?que=clients")


def test_a_file_goes_from_upload_to_clients_with_the_bad_row_reported(
        cast, admin, django_capture_on_commit_callbacks):
    text = FILE.format(code_lower=cast.adviser.code.lower())
    job = upload(admin, cast, text)
    assert job.status == JobStatus.AWAITING
    assert job.mapping == {"Tipo de documento": "document_type",
                           "Número de documento": "document_number", "Nombre": "name",
                           "Asesor ID": "adviser_code", "Correo": "email"}

    page = admin.get(url("integrations:mapping", cast, pk=job.pk))
    body = page.content.decode()
    assert "Vista previa de las primeras filas" in body
    # The unknown Asesor ID is marked in the preview with its reason.
    assert "No existe un asesor con el ID «ZZ-404»." in body
    assert Client.objects.filter(project=cast.project).count() == 0

    job = confirm_mapping(admin, cast, job)
    assert job.status == JobStatus.AWAITING and job.options["phase"] == "preview"
    plan = job.options["plan"]
    assert (plan["read"], plan["failed"]) == (3, 1)
    creates = {g["adviser"]: g["count"] for g in plan["actions"] if g["action"] == "create"}
    assert creates == {f"{cast.adviser.display_name} ({cast.adviser.code})": 1, "": 1}
    assert Client.objects.filter(project=cast.project).count() == 0  # nothing before confirming

    preview = admin.get(url("integrations:detail", cast, pk=job.pk)).content.decode()
    assert "Confirmar importación" in preview and "ZZ-404" in preview

    response = admin.post(url("integrations:confirm", cast, pk=job.pk))
    assert response.status_code == 302
    job = run(job.pk)
    assert job.status == JobStatus.PARTIAL
    assert (job.read, job.created, job.updated, job.failed) == (3, 2, 0, 1)

    ana = Client.objects.get(project=cast.project, document_number="1020304050")
    assert (ana.name, ana.email, ana.adviser_id) == ("Ana Ríos", "ana@example.com", cast.adviser.pk)
    carla = Client.objects.get(project=cast.project, document_type="CE")
    assert (carla.document_number, carla.adviser_id) == ("AB12345", None)
    history = ClientAssignment.objects.get(client=ana)
    assert (history.adviser_id, history.source, history.job_id) == (cast.adviser.pk, "file", job.pk)
    assert not StagedRow.objects.filter(job_id=job.pk).exists()

    report = openpyxl.load_workbook(io.BytesIO(job.error_file.read()))
    rows = list(report["Errores"].iter_rows(values_only=True))
    assert rows[0] == ("Fila", "Columna", "Valor", "Detalle del error")
    assert rows[1] == (3, "Asesor ID", "ZZ-404", "No existe un asesor con el ID «ZZ-404».")
    assert len(rows) == 2


def test_the_same_file_twice_changes_nothing_the_second_time(cast, admin):
    text = FILE.format(code_lower=cast.adviser.code)
    for _ in range(2):
        job = upload(admin, cast, text)
        confirm_mapping(admin, cast, job)
        admin.post(url("integrations:confirm", cast, pk=job.pk))
        job = run(job.pk)
    assert (job.created, job.updated, job.unchanged, job.failed) == (0, 0, 2, 1)
    assert Client.objects.filter(project=cast.project).count() == 2


def test_an_update_changes_only_the_given_values_and_a_blank_cell_keeps_the_stored_one(cast, admin):
    client = factories.make_client(cast.project, document_number="80123456", name="Viejo",
                                   email="keep@example.com", city="Cali")
    job = upload(admin, cast, "Tipo de documento;Número de documento;Nombre;Correo;Ciudad\n"
                              "CC;80.123.456;Nuevo Nombre;;Bogotá\n")
    confirm_mapping(admin, cast, job)
    admin.post(url("integrations:confirm", cast, pk=job.pk))
    job = run(job.pk)
    assert (job.updated, job.created) == (1, 0)
    client.refresh_from_db()
    assert (client.name, client.email, client.city) == ("Nuevo Nombre", "keep@example.com", "Bogotá")


def test_a_saved_template_is_offered_again_for_the_same_headers(cast, admin):
    text = "Clase de ID;Identificación;Razón social\nCC;123456;Uno SA\n"
    job = upload(admin, cast, text)
    page = admin.get(url("integrations:mapping", cast, pk=job.pk))
    assert page.context["form"]["col_0"].value() == ""  # "Clase de ID" is not a known name
    admin.post(url("integrations:mapping", cast, pk=job.pk), {
        "col_0": "document_type", "col_1": "document_number", "col_2": "name",
        "template_name": "Banco del Norte"})
    assert MappingTemplate.objects.get(project=cast.project).name == "Banco del Norte"
    again = upload(admin, cast, "razon social;identificacion;CLASE DE ID\nDos SA;654321;CC\n")
    assert again.mapping == {"razon social": "name", "identificacion": "document_number",
                             "CLASE DE ID": "document_type"}


def test_required_fields_must_be_mapped_before_going_on(cast, admin):
    job = upload(admin, cast, "Número de documento;Nombre\n123456;Uno\n")
    response = admin.post(url("integrations:mapping", cast, pk=job.pk),
                          {"col_0": "document_number", "col_1": "name"})
    assert response.status_code == 200
    assert "Falta mapear campos obligatorios: Tipo de documento." in response.content.decode()
    job.refresh_from_db()
    assert job.options["phase"] == "mapping"


def test_a_bad_file_is_refused_at_upload_with_its_name_and_nothing_is_kept(cast, admin):
    response = admin.post(url("integrations:upload", cast), {
        "entity": "clients", "mode": "update", "scope": "",
        "file": SimpleUploadedFile("clientes.xlsx", b"%PDF-1.4 not a workbook")})
    assert response.status_code == 200
    assert "clientes.xlsx" in response.content.decode()
    assert not ProcessJob.objects.filter(project=cast.project).exists()


def test_the_model_report_has_every_field_and_imports_back_as_it_is(cast, admin):
    factories.make_segment(cast.project, "Premium")
    response = admin.get(url("integrations:model_file", cast, entity="clients"))
    assert response["Content-Disposition"] == 'attachment; filename="reporte_modelo_clientes.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    data, instructions = book.worksheets
    headers = [c.value for c in data[1]]
    assert headers[:3] == ["Tipo de documento *", "Número de documento *", "Nombre *"]
    assert "Asesor ID" in headers
    assert [c.value for c in instructions[1]][:2] == ["Campo", "Obligatorio"]

    model = SimpleUploadedFile("reporte_modelo_clientes.xlsx", response.content)
    posted = admin.post(url("integrations:upload", cast),
                        {"entity": "clients", "mode": "update", "scope": "", "file": model})
    job = job_after_upload(posted)
    assert set(job.mapping.values()) >= {"document_type", "document_number", "name",
                                         "adviser_code", "segment"}
    assert "" not in job.mapping.values()
    job = confirm_mapping(admin, cast, job)
    assert job.options["plan"]["failed"] == 0, job.options["plan"]["errors"]


def test_a_file_without_a_type_column_takes_one_type_for_every_row(cast, admin):
    job = upload(admin, cast, "Documento;Nombre\n00123;Ana\n456;Bruno\n")
    response = admin.post(url("integrations:mapping", cast, pk=job.pk),
                          {"col_0": "document_number", "col_1": "name"})
    body = response.content.decode()
    assert "Falta mapear campos obligatorios: Tipo de documento." in body
    assert "Tipo de documento para todas las filas" in body
    admin.post(url("integrations:mapping", cast, pk=job.pk),
               {"col_0": "document_number", "col_1": "name", "default_document_type": "CE"})
    job = run(job.pk)
    admin.post(url("integrations:confirm", cast, pk=job.pk))
    job = run(job.pk)
    assert job.created == 2
    assert sorted(Client.objects.values_list("document_type", "document_number")) == [
        ("CE", "00123"), ("CE", "456")]


def test_the_import_is_audited_once_with_its_file_mapping_options_and_counts(cast, admin):
    from moonflow.audit.models import AuditEvent

    job = upload(admin, cast, FILE.format(code_lower=cast.adviser.code))
    confirm_mapping(admin, cast, job)
    admin.post(url("integrations:confirm", cast, pk=job.pk))
    job = run(job.pk)
    event = AuditEvent.objects.get(resource_type="clients_import", resource_id=str(job.pk))
    assert (event.event, event.actor_id, event.resource_label) == (
        "imported", cast.admin.user_id, "clientes.csv")
    assert event.changes["mode"] == [None, "update"]
    assert event.changes["counts"][1] == {"read": 3, "created": 2, "failed": 1}
    assert event.changes["mapping"][1]["Asesor ID"] == "adviser_code"


def test_a_spreadsheet_is_read_by_the_job_while_the_page_waits_then_mapped(cast, admin):
    model = admin.get(url("integrations:model_file", cast, entity="clients")).content
    response = admin.post(url("integrations:upload", cast), {
        "entity": "clients", "mode": "update", "scope": "",
        "file": SimpleUploadedFile("cartera.xlsx", model)})
    job = ProcessJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-2]))
    assert (job.status, job.options["phase"]) == (JobStatus.QUEUED, "read")
    waiting = admin.get(response["Location"]).content.decode()
    assert "Leyendo el archivo «cartera.xlsx»" in waiting
    poll = admin.get(response["Location"] + "?leyendo=1", HTTP_HX_REQUEST="true")
    assert "Leyendo el archivo" in poll.content.decode()

    job = run(job.pk)  # the worker converts it once and proposes the mapping
    assert (job.status, job.options["phase"]) == (JobStatus.AWAITING, "mapping")
    assert job.options["converted"].endswith(".csv")
    poll = admin.get(response["Location"] + "?leyendo=1", HTTP_HX_REQUEST="true")
    assert poll["HX-Redirect"] == response["Location"]
    page = admin.get(response["Location"]).content.decode()
    assert "Mapear columnas" in page and "María Pérez Gómez" in page

    job = confirm_mapping(admin, cast, job)
    admin.post(url("integrations:confirm", cast, pk=job.pk))
    job = run(job.pk)
    assert job.created == 1
    assert not os.path.exists(job.options["converted"])  # the converted copy goes at the end


def test_the_error_report_lists_the_errors_and_imports_back_its_rows_to_fix(cast, admin):
    job = upload(admin, cast, FILE.format(code_lower=cast.adviser.code))
    confirm_mapping(admin, cast, job)
    admin.post(url("integrations:confirm", cast, pk=job.pk))
    job = run(job.pk)
    content = job.error_file.read()
    report = openpyxl.load_workbook(io.BytesIO(content))
    assert report.sheetnames == ["Errores", "Filas para corregir"]
    fix = list(report["Filas para corregir"].iter_rows(values_only=True))
    assert fix == [
        ("Tipo de documento", "Número de documento", "Nombre", "Asesor ID", "Correo",
         "Detalle del error"),
        ("CC", "80123456", "Bruno Díaz", "ZZ-404", "bruno@example.com",
         "Asesor ID: No existe un asesor con el ID «ZZ-404»."),
    ]
    # The user fixes the Asesor ID in the report and uploads the report itself.
    from openpyxl import Workbook  # noqa: F401 - the report is edited as a user would
    report["Filas para corregir"]["D2"] = cast.adviser.code
    edited = io.BytesIO()
    report.save(edited)
    response = admin.post(url("integrations:upload", cast), {
        "entity": "clients", "mode": "update", "scope": "",
        "file": SimpleUploadedFile("errores_clientes.xlsx", edited.getvalue())})
    again = job_after_upload(response)
    assert again.mapping["Detalle del error"] == ""  # not a field: ignored
    again = confirm_mapping(admin, cast, again)
    admin.post(url("integrations:confirm", cast, pk=again.pk))
    again = run(again.pk)
    assert (again.read, again.created, again.failed) == (1, 1, 0)
    assert Client.objects.get(document_number="80123456").adviser_id == cast.adviser.pk


def test_the_error_report_never_turns_a_value_into_a_formula(cast, admin):
    job = upload(admin, cast, "Tipo de documento;Número de documento;Nombre;Correo\n"
                              "CC;123456;=HYPERLINK(\"http://x\",\"y\");=1+1\n")
    confirm_mapping(admin, cast, job)
    admin.post(url("integrations:confirm", cast, pk=job.pk))
    job = run(job.pk)
    report = openpyxl.load_workbook(io.BytesIO(job.error_file.read()))
    value = report["Errores"]["C2"]
    assert (value.value, value.data_type) == ("=1+1", "s")
    name = report["Filas para corregir"]["C2"]
    assert (name.value, name.data_type) == ('=HYPERLINK("http://x","y")', "s")


def test_a_large_csv_is_read_by_the_job_too(cast, admin, monkeypatch):
    from moonflow.imports import services

    monkeypatch.setattr(services, "READ_IN_REQUEST_MAX_BYTES", 10)
    response = admin.post(url("integrations:upload", cast), {
        "entity": "clients", "mode": "update", "scope": "",
        "file": csv_upload(FILE.format(code_lower=cast.adviser.code))})
    job = ProcessJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-2]))
    assert (job.status, job.options["phase"]) == (JobStatus.QUEUED, "read")
    job = run(job.pk)
    assert job.options["phase"] == "mapping" and "converted" not in job.options
    assert job.mapping["Asesor ID"] == "adviser_code" and job.total == 3
