"""The Descargar job body (clients.tasks.export_clients), run in this process."""

import csv
import io

import openpyxl
import pytest
from django.core import mail

from clients.lists import export_clients_task
from clients.lists import client_export_request
from moonflow.audit.models import AuditEvent
from moonflow.jobs.models import JobStatus, ProcessJob
from tests import factories


@pytest.fixture
def clients(cast):
    return [
        factories.make_client(cast.project, name="Ana Ríos", adviser=cast.restricted),
        factories.make_client(cast.project, name="Bruno Díaz", adviser=cast.adviser),
        factories.make_client(cast.project, name="=1+1", adviser=cast.restricted),
    ]


def run(job) -> ProcessJob:
    export_clients_task(job.pk)
    return ProcessJob.objects.get(pk=job.pk)


def test_it_writes_the_file_attaches_it_audits_and_emails(cast, clients, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = client_export_request(member=cast.admin, params={"orden": "name", "q": ""},
                                    fmt="xlsx", columns=["name", "situation"])
    with django_capture_on_commit_callbacks(execute=True):
        job = run(job)

    assert job.status == JobStatus.SUCCEEDED
    assert job.message == "Descarga lista: 3 clientes en XLSX."
    assert (job.total, job.done) == (3, 3)
    assert job.result_file.name.startswith(f"jobs/{cast.project.pk}/{job.pk}/clientes_demo_")
    assert job.result_file.name.endswith(".xlsx")
    with job.result_file.open("rb") as handle:
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read())).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Nombre", "Situación"],
        ["=1+1", "Finalizado"],  # XLSX: a string cell never runs, kept as typed
        ["Ana Ríos", "Finalizado"],
        ["Bruno Díaz", "Finalizado"],
    ]

    event = AuditEvent.objects.get(resource_type="client_export")
    assert event.event == "exported"
    assert event.project == cast.project
    assert event.actor == cast.admin.user
    assert event.resource_id == str(job.pk)
    assert event.resource_label == job.result_file.name.rsplit("/", 1)[-1]
    assert event.changes == {"filters": {"orden": "name"}, "columns": ["name", "situation"],
                             "format": "xlsx", "rows": 3}

    [email] = mail.outbox
    assert email.to == [cast.admin.user.email]
    assert email.subject == "Moonflow · Demo Cobranzas · Descarga de clientes (XLSX): Finalizado"
    assert "Filas procesadas: 3 de 3" in email.body
    assert "Descarga lista: 3 clientes en XLSX." in email.body


def test_it_applies_the_members_visibility_when_it_runs(cast, clients):
    job = client_export_request(member=cast.adviser, params={}, fmt="csv", columns=["name"])
    # Since asking, the adviser got "Asignación de asesor": only their own clients now.
    cast.adviser.restricted_to_assigned = True
    cast.adviser.save(update_fields=["restricted_to_assigned"])

    job = run(job)

    assert job.status == JobStatus.SUCCEEDED
    with job.result_file.open("rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig")), delimiter=";"))
    assert rows == [["Nombre"], ["Bruno Díaz"]]
    assert job.message == "Descarga lista: 1 cliente en CSV."
    assert AuditEvent.objects.get(resource_type="client_export").changes["rows"] == 1


def test_it_fails_when_the_member_no_longer_belongs_to_the_project(cast, clients):
    job = client_export_request(member=cast.adviser, params={}, fmt="csv", columns=["name"])
    cast.adviser.is_active = False
    cast.adviser.save(update_fields=["is_active"])

    job = run(job)

    assert job.status == JobStatus.FAILED
    assert job.message == "Quien pidió la descarga ya no tiene acceso al proyecto."
    assert not job.result_file
    assert not AuditEvent.objects.filter(resource_type="client_export").exists()


def test_it_drops_columns_that_no_longer_exist(cast, clients):
    job = client_export_request(member=cast.admin, params={"q": "Bruno"}, fmt="csv",
                                columns=["name", "balance"])
    ProcessJob.objects.filter(pk=job.pk).update(
        options={**job.options, "columns": ["name", "var_borrada", "balance"]}
    )
    job = run(job)
    with job.result_file.open("rb") as handle:
        assert handle.read().decode("utf-8-sig") == "Nombre;Saldo\nBruno Díaz;0,00\n"


def test_it_does_not_run_a_finished_job_again(cast, clients):
    job = run(client_export_request(member=cast.admin, params={}, fmt="csv", columns=["name"]))
    first_file = job.result_file.name
    job = run(job)
    assert job.result_file.name == first_file
    assert AuditEvent.objects.filter(resource_type="client_export").count() == 1
