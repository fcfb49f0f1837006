"""Ajustes → Segmentos, Variables adicionales, Equipos: Exportar, and Importar with a preview,
through django-import-export and the screens' own services."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clients.models import CustomVariable, Segment
from moonflow.audit.models import AuditEvent
from moonflow.jobs.models import JobStatus, ProcessJob
from moonflow.tenancy.models import Team
from tests import factories
from tests.conftest import login


def url(name, **kwargs):
    return reverse(name, kwargs={"project": "demo", **kwargs})


def upload(browser, table, text, name="tabla.csv"):
    response = browser.post(url("integrations:table_import", table=table),
                            {"file": SimpleUploadedFile(name, text.encode())})
    assert response.status_code == 302, response.content.decode()[:1500]
    return ProcessJob.objects.latest("pk")


@pytest.fixture
def admin(cast):
    return login(cast.admin)


def test_segments_export_then_import_with_a_preview_and_nothing_written_before_confirming(
        cast, admin):
    factories.make_segment(cast.project, "Premium")
    exported = admin.get(url("integrations:table_export", table="segmentos"))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(exported.streaming_content)))
    assert [tuple(r) for r in book.active.iter_rows(values_only=True)] == [
        ("Segmento",), ("Premium",)]

    long_name = "x" * 81
    job = upload(admin, "segmentos",
                 f"Segmento\npremium\nPyme\npyme\n{long_name}\n=HYPERLINK(\"x\")\n")
    preview = admin.get(url("integrations:table_preview", pk=job.pk)).content.decode()
    import re
    summary = re.search(r"«tabla.csv»:[^<]*", preview).group(0)
    assert summary.startswith("«tabla.csv»: 2 por crear, 0 por actualizar, 2 sin cambios, 1 con "
                              "errores."), summary
    assert Segment.objects.filter(project=cast.project).count() == 1

    response = admin.post(url("integrations:table_confirm", pk=job.pk))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.PARTIAL
    names = set(Segment.objects.filter(project=cast.project).values_list("name", flat=True))
    assert names == {"Premium", "Pyme", '=HYPERLINK("x")'}
    assert (job.created, job.unchanged, job.failed) == (2, 2, 1)
    report = openpyxl.load_workbook(io.BytesIO(job.error_file.read()))
    rows = list(report.active.iter_rows(values_only=True))
    assert rows[1][:3] == (5, "Segmento", long_name)
    assert "80" in rows[1][3]
    assert AuditEvent.objects.filter(resource_type="segment", event="created").count() == 2


def test_variables_are_created_and_renamed_but_their_type_never_changes(cast, admin):
    from clients.services.settings import custom_variable_create

    custom_variable_create(project=cast.project, actor=cast.admin.user, label="Producto",
                           key="producto", type="text")
    job = upload(admin, "variables",
                 "Clave;Nombre;Tipo;Opciones\n"
                 "producto;Producto financiero;Texto;\n"
                 "canal;Canal;Lista de opciones;WhatsApp | SMS | Llamada\n"
                 "producto2;Monto;número;\n"
                 "monto_x;Otro;Fecha;\n"
                 "producto;Producto;Número;\n")
    preview = admin.get(url("integrations:table_preview", pk=job.pk)).content.decode()
    assert "Tipo: el de la variable «producto» no se puede cambiar" in preview
    assert CustomVariable.objects.filter(project=cast.project).count() == 1
    admin.post(url("integrations:table_confirm", pk=job.pk))
    job.refresh_from_db()
    variables = {v.key: (v.label, v.type, v.choices)
                 for v in CustomVariable.objects.filter(project=cast.project)}
    assert variables["producto"] == ("Producto financiero", "text", [])
    assert variables["canal"] == ("Canal", "choice", ["WhatsApp", "SMS", "Llamada"])
    assert variables["producto2"][1] == "number"
    assert (job.created, job.updated, job.failed) == (3, 1, 1)


def test_teams_take_their_supervisor_by_asesor_id(cast, admin):
    job = upload(admin, "equipos", f"Equipo;Supervisor (ID)\nEquipo Sur;{cast.supervisor.code.lower()}\n"
                                   f"Equipo Oeste;{cast.adviser.code}\n")
    admin.post(url("integrations:table_confirm", pk=job.pk))
    job.refresh_from_db()
    assert Team.objects.get(project=cast.project, name="Equipo Sur").supervisor == cast.supervisor
    assert not Team.objects.filter(name="Equipo Oeste").exists()  # an adviser is no supervisor
    assert (job.created, job.failed) == (1, 1)


@pytest.mark.parametrize("member", ["supervisor", "adviser", "restricted"])
def test_only_admins_reach_the_settings_tables(cast, member):
    browser = login(getattr(cast, member))
    assert browser.get(url("integrations:table_export", table="segmentos")).status_code == 403
    assert browser.get(url("integrations:table_import", table="equipos")).status_code == 403


def test_usuarios_change_ids_roles_teams_and_permission_in_bulk_but_are_invited_on_screen(
        cast, admin):
    exported = admin.get(url("integrations:table_export", table="usuarios"))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(exported.streaming_content)))
    headers = [c.value for c in book.active[1]]
    assert headers == ["Correo", "Nombre", "Rol", "ID", "Equipo", "Asignación de asesor",
                       "Activo"]
    email = cast.adviser.user.email
    job = upload(admin, "usuarios",
                 "Correo;Rol;ID;Equipo;Asignación de asesor;Activo\n"
                 f"{email.upper()};Asesor;HV-777;;Sí;Sí\n"
                 "nadie@example.com;Asesor;X-1;;No;Sí\n")
    preview = admin.get(url("integrations:table_preview", pk=job.pk)).content.decode()
    assert "no es usuario del proyecto. Invítelo desde Ajustes → Usuarios" in preview
    admin.post(url("integrations:table_confirm", pk=job.pk))
    job.refresh_from_db()
    cast.adviser.refresh_from_db()
    assert (cast.adviser.code, cast.adviser.team, cast.adviser.restricted_to_assigned) == (
        "HV-777", None, True)
    assert (job.updated, job.failed) == (1, 1)
    assert AuditEvent.objects.filter(resource_type="member", resource_id=str(cast.adviser.pk),
                                     event="updated").exists()
