"""What an import leaves behind when it ends: its staged rows, row errors and converted copy
go (the error report keeps the errors), whether it succeeded, failed or was cancelled; a run
that another run took over leaves them to that run. Statistics are refreshed only after a
large write."""

import io
import os

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.importing.clients import ClientImporter
from moonflow.imports import engine
from moonflow.imports.models import RowError, StagedRow
from moonflow.jobs.models import JobStatus
from moonflow.jobs.runner import JobLost
from tests.conftest import login
from tests.imports.test_client_import_flow import confirm_mapping, run, upload, url

FILE = (
    "Tipo de documento;Número de documento;Nombre;Correo\n"
    "CC;70000001;Ana Ríos;ana@example.com\n"
    "CC;70000002;Bruno Díaz;esto-no-es-un-correo\n"
    "CC;70000003;Carla Gómez;carla@example.com\n"
)


@pytest.fixture
def admin(cast):
    return login(cast.admin)


def staged(job) -> tuple[int, int]:
    return (StagedRow.objects.filter(job_id=job.pk).count(),
            RowError.objects.filter(job_id=job.pk).count())


def analyzed(admin, cast):
    job = confirm_mapping(admin, cast, upload(admin, cast, FILE))
    assert job.options["phase"] == "preview"
    assert staged(job) == (3, 1)  # kept between the analysis and the confirmation
    return job


def test_a_finished_import_keeps_only_its_error_report(cast, admin):
    job = analyzed(admin, cast)
    admin.post(url("integrations:confirm", cast, pk=job.pk))
    job = run(job.pk)
    assert (job.status, job.created, job.failed) == (JobStatus.PARTIAL, 2, 1)
    assert staged(job) == (0, 0)
    report = openpyxl.load_workbook(io.BytesIO(job.error_file.read()))
    rows = list(report["Errores"].iter_rows(values_only=True))
    assert rows[1][:3] == (3, "Correo", "esto-no-es-un-correo")


def test_an_import_that_fails_while_writing_leaves_nothing_staged(cast, admin, monkeypatch):
    job = analyzed(admin, cast)

    def broken(self, job, rows, context):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(ClientImporter, "write_chunk", broken)
    admin.post(url("integrations:confirm", cast, pk=job.pk))
    job = run(job.pk)
    assert job.status == JobStatus.FAILED
    assert f"Error inesperado en el proceso #{job.pk}" in job.shown_message
    assert staged(job) == (0, 0)


def test_an_all_or_nothing_import_refused_by_the_book_leaves_its_report_only(
        cast, admin, monkeypatch):
    job = confirm_mapping(admin, cast, upload(admin, cast, FILE.replace(
        "esto-no-es-un-correo", "bruno@example.com"), all_or_nothing="on"))
    assert job.options["plan"]["failed"] == 0
    from moonflow.imports.engine import CellError, ChunkOutcome

    def refuse_the_last(self, job, rows, context):
        *_rest, (number, key, _values) = rows
        return ChunkOutcome(counts={"failed": 1},
                            errors=[(number, CellError("", key, "Cambió mientras tanto."))])

    monkeypatch.setattr(ClientImporter, "write_chunk", refuse_the_last)
    admin.post(url("integrations:confirm", cast, pk=job.pk))
    job = run(job.pk)
    assert job.status == JobStatus.FAILED and "No se escribió nada" in job.shown_message
    assert staged(job) == (0, 0)
    report = openpyxl.load_workbook(io.BytesIO(job.error_file.read()))
    assert list(report["Errores"].iter_rows(values_only=True))[1][3] == "Cambió mientras tanto."


def test_a_cancelled_import_leaves_nothing_staged(cast, admin):
    job = analyzed(admin, cast)
    response = admin.post(url("integrations:cancel", cast, pk=job.pk))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert staged(job) == (0, 0)


def test_a_spreadsheet_import_that_fails_drops_its_converted_copy(cast, admin, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.imports.helpers import job_after_upload

    model = admin.get(url("integrations:model_file", cast, entity="clients")).content
    job = job_after_upload(admin.post(url("integrations:upload", cast), {
        "entity": "clients", "mode": "update", "scope": "",
        "file": SimpleUploadedFile("cartera.xlsx", model)}))
    converted = job.options["converted"]
    assert os.path.exists(converted)

    form = admin.get(url("integrations:mapping", cast, pk=job.pk)).context["form"]
    data = {f"col_{i}": form[f"col_{i}"].value() or "" for i in range(len(form.headers))}

    def broken(self, context, *, decimal_mark):
        raise RuntimeError("a bug in the analysis")

    monkeypatch.setattr(ClientImporter, "for_file", broken)
    admin.post(url("integrations:mapping", cast, pk=job.pk), data)
    job = run(job.pk)
    assert job.status == JobStatus.FAILED
    assert not os.path.exists(converted)


def test_a_run_taken_over_by_another_leaves_the_staged_rows_to_it(cast, admin, monkeypatch):
    job = analyzed(admin, cast)

    def taken_over(self, job, rows, context):
        raise JobLost("another run holds it")

    monkeypatch.setattr(ClientImporter, "write_chunk", taken_over)
    admin.post(url("integrations:confirm", cast, pk=job.pk))
    job = run(job.pk)
    assert job.status == JobStatus.RUNNING  # the other run finishes it
    assert staged(job) == (3, 1)


def _analyzes(queries, table: str) -> bool:
    return any(q["sql"].strip().upper().startswith("ANALYZE") and table in q["sql"]
               for q in queries)


def test_a_small_import_leaves_the_statistics_to_autovacuum(cast, admin):
    job = analyzed(admin, cast)
    admin.post(url("integrations:confirm", cast, pk=job.pk))
    with CaptureQueriesContext(connection) as queries:
        job = run(job.pk)
    assert job.created == 2
    assert not _analyzes(queries.captured_queries, "clients_client")


def test_a_large_import_refreshes_the_statistics_of_what_it_wrote(cast, admin, monkeypatch):
    monkeypatch.setattr(engine, "ANALYZE_AFTER_ROWS", 2)
    upload_job = upload(admin, cast, FILE)
    with CaptureQueriesContext(connection) as queries:
        job = confirm_mapping(admin, cast, upload_job)
    assert _analyzes(queries.captured_queries, "imports_stagedrow")
    admin.post(url("integrations:confirm", cast, pk=job.pk))
    with CaptureQueriesContext(connection) as queries:
        job = run(job.pk)
    assert job.created == 2
    assert _analyzes(queries.captured_queries, "clients_client")
