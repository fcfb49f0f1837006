"""Descargar of the Auditoría lists: the dialog, the job (run here, in this process), the file
and the "Exportado" event the download leaves in the log."""

import csv
import io

import pytest
from django.urls import reverse

from moonflow.audit.models import AuditEvent, AuditEventKind
from moonflow.audit.tasks import export_audit_task
from moonflow.jobs.models import JobKind, JobStatus, ProcessJob
from moonflow.tenancy.models import Role
from tests.jobs.helpers import read_xlsx

from .helpers import record

pytestmark = pytest.mark.django_db

MODULE_DOWNLOAD = "/p/demo/auditoria/carteras/descargar/"
PROJECT_DOWNLOAD = "/p/demo/ajustes/auditoria/descargar/"


@pytest.fixture
def events(cast):
    record(cast.project, cast.admin, event=AuditEventKind.CREATED, label="Clientes VIP",
           changes={"name": [None, "Clientes VIP"], "active": [None, True]})
    record(cast.project, cast.supervisor, event=AuditEventKind.UPDATED, label="=HYPERLINK(1)",
           changes={"name": ["Norte", "=HYPERLINK(1)"]})
    record(cast.project, cast.admin, resource_type="client", label="Ana Ríos (CC 1020)")


def run(job) -> ProcessJob:
    export_audit_task(job.pk)
    return ProcessJob.objects.get(pk=job.pk)


def read_csv(job) -> list[list[str]]:
    with job.result_file.open("rb") as handle:
        return list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig")), delimiter=";"))


def test_the_window_opens_the_download_dialog_with_its_columns(cast, as_member, events):
    response = as_member(cast.admin).post(MODULE_DOWNLOAD, {"query": "q=vip"},
                                          HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Descargar auditoría · Carteras" in text
    assert 'value="q=vip"' in text
    assert "Fecha · Usuario · Evento · Recurso · Cambios" in text


def test_the_window_downloads_its_events_through_the_log_de_procesos(cast, as_member, events):
    browser = as_member(cast.supervisor)
    response = browser.post(MODULE_DOWNLOAD, {"formato": "csv", "query": "orden=created_at"})

    job = ProcessJob.objects.get(kind=JobKind.AUDIT_EXPORT)
    assert response.status_code == 302
    assert response.url == reverse("jobs:detail", kwargs={"project": "demo", "pk": job.pk})
    assert job.options["params"] == {"orden": ["created_at"], "modulo": ["carteras"]}

    job = run(job)
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.message == "Descarga lista: 2 eventos en CSV."
    header, first, second = read_csv(job)
    assert header == ["Fecha", "Usuario", "Nombre de usuario", "Evento", "Tipo de recurso",
                      "Recurso", "ID del recurso", "Cambios"]
    assert first[1:] == ["Admin", "admin", "Creado", "Cartera", "Clientes VIP", "1",
                         "Nombre de cartera: — → Clientes VIP; Activa: — → Sí"]
    # Text a spreadsheet would run is neutralised.
    assert second[1:] == ["Supervisor", "supervisor", "Actualizado", "Cartera", "'=HYPERLINK(1)",
                          "1", "Nombre de cartera: Norte → =HYPERLINK(1)"]

    exported = AuditEvent.objects.get(resource_type="audit_export")
    assert exported.event == AuditEventKind.EXPORTED
    assert exported.actor == cast.supervisor.user
    assert exported.changes["filters"] == {"orden": "created_at", "modulo": "carteras"}
    assert exported.changes["rows"] == 2


def test_ajustes_downloads_every_event_as_a_spreadsheet(cast, as_member, events):
    response = as_member(cast.admin).post(PROJECT_DOWNLOAD,
                                          {"formato": "xlsx", "query": "tipo=client"})
    assert response.status_code == 302
    job = run(ProcessJob.objects.get(kind=JobKind.AUDIT_EXPORT))

    assert job.status == JobStatus.SUCCEEDED, job.message
    with job.result_file.open("rb") as handle:
        sheet = read_xlsx(handle.read())
    assert sheet[0] == ("Fecha", "Usuario", "Nombre de usuario", "Evento", "Tipo de recurso",
                        "Recurso", "ID del recurso", "Cambios")
    assert [row[1:7] for row in sheet[1:]] == [
        ("Admin", "admin", "Actualizado", "Cliente", "Ana Ríos (CC 1020)", "1")]
    assert job.result_file.name.rsplit("/", 1)[-1].startswith("auditoria_demo_")


def test_the_job_refuses_a_member_who_can_no_longer_read_the_events(cast, as_member, events):
    as_member(cast.supervisor).post(MODULE_DOWNLOAD, {"formato": "csv", "query": ""})
    cast.supervisor.role = Role.ADVISER
    cast.supervisor.save(update_fields=["role"])

    job = run(ProcessJob.objects.get(kind=JobKind.AUDIT_EXPORT))
    assert job.status == JobStatus.FAILED
    assert job.message == "Quien pidió la descarga ya no puede ver esta auditoría."
    assert not job.result_file
    assert not AuditEvent.objects.filter(resource_type="audit_export").exists()


@pytest.mark.parametrize("who, status", [("adviser", 403), ("restricted", 403), ("outsider", 404)])
def test_only_who_opens_the_window_downloads_it(cast, as_member, events, who, status):
    response = as_member(getattr(cast, who)).post(MODULE_DOWNLOAD, {"formato": "csv"})
    assert response.status_code == status
    assert not ProcessJob.objects.filter(kind=JobKind.AUDIT_EXPORT).exists()
