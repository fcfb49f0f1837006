"""The Descargar usuarios job body, run in-process."""

import pytest

from advisers.tasks import export_members
from moonflow.audit.models import AuditEvent
from moonflow.jobs.models import JobKind, JobStatus, ProcessJob
from moonflow.jobs.services import job_create
from tests import factories

from .helpers import first_sheet, read_xlsx

pytestmark = pytest.mark.django_db

HEADERS = ("Nombre", "Usuario", "Correo", "Rol", "Equipo", "ID", "Asignación de asesor", "Estado")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def run_export(member) -> ProcessJob:
    job = job_create(member=member, kind=JobKind.MEMBER_EXPORT, task=export_members)
    export_members(job.pk)
    job.refresh_from_db()
    return job


def test_it_writes_every_member_of_the_project(cast):
    cast.restricted.user.first_name, cast.restricted.user.last_name = "Ana", "Pérez"
    cast.restricted.user.save(update_fields=["first_name", "last_name"])
    inactive = factories.make_member(cast.project, username="antiguo")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])

    job = run_export(cast.admin)

    assert job.status == JobStatus.SUCCEEDED
    assert (job.total, job.done, job.read) == (5, 5, 5)
    assert job.message == "5 usuarios descargados."
    rows = read_xlsx(job.result_file.read())
    assert rows[0] == HEADERS
    by_user = {row[1]: row for row in rows[1:]}
    assert set(by_user) == {"admin", "supervisor", "asesor1", "asesor2", "antiguo"}
    assert by_user["asesor2"] == (
        "Ana Pérez", "asesor2", "asesor2@example.com", "Asesor", "Equipo Norte",
        cast.restricted.code, "Sí", "Activo",
    )
    assert by_user["admin"][3] == "Administrador"
    assert by_user["admin"][6] == "No"
    assert by_user["antiguo"][7] == "Inactivo"
    assert by_user["supervisor"][4] is None  # no team: an empty cell


def test_it_never_exports_another_projects_members(cast):
    job = run_export(cast.admin)

    users = {row[1] for row in read_xlsx(job.result_file.read())[1:]}
    assert "outsider" not in users


def test_it_writes_formula_looking_text_as_a_plain_string_cell(cast):
    # A string cell of an XLSX never runs: the name is kept as typed, with no apostrophe.
    evil = factories.make_member(cast.project, username="evil")
    evil.user.first_name, evil.user.last_name = '=HYPERLINK("http://x.example","clic")', ""
    evil.user.save(update_fields=["first_name", "last_name"])

    job = run_export(cast.admin)

    sheet = first_sheet(job.result_file.read())
    cell = next(row[0] for row in sheet.iter_rows(min_row=2) if row[1].value == "evil")
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x.example","clic")'


def test_it_is_audited(cast):
    job = run_export(cast.admin)

    event = AuditEvent.objects.get(project=cast.project, event="exported")
    assert event.actor == cast.admin.user
    assert event.changes == {"rows": [None, 4], "job": [None, job.pk]}
