"""SFTP sources against a real SFTP server on 127.0.0.1: poll, import with the template, move
the file to procesados/, never twice; a wrong password shown on the source and in the Log."""

import pytest
from django.urls import reverse

from clients.models import Client
from moonflow.imports import sftp
from moonflow.imports.models import MappingTemplate, SftpFile, SftpSource
from moonflow.imports.secrets import encrypt
from moonflow.imports.tasks import import_task, poll_sftp_sources
from moonflow.jobs.models import JobStatus, ProcessJob
from tests.conftest import login

from .sftp_server import PASSWORD, USER, SftpServer


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "sftp"
    (root / "entrada").mkdir(parents=True)
    server = SftpServer(root).start()
    yield server
    server.stop()


@pytest.fixture
def source(cast, server):
    template = MappingTemplate.objects.create(
        project=cast.project, entity="clients", name="Banco del Norte", signature="",
        mapping={"Documento": "document_number", "Razón social": "name", "Gestor": "adviser_code"},
        defaults={"document_type": "NIT"})
    return SftpSource.objects.create(
        project=cast.project, name="Banco del Norte", entity="clients", host="127.0.0.1",
        port=server.port, username=USER, password_encrypted=encrypt(PASSWORD),
        folder="/entrada", pattern="clientes_*.csv", template=template, every_minutes=60)


def drop(server, name, text):
    (server.root / "entrada" / name).write_text(text, encoding="utf-8")


def test_a_polled_file_is_imported_with_the_template_moved_and_never_taken_twice(
        cast, server, source, django_capture_on_commit_callbacks):
    drop(server, "clientes_marzo.csv",
         f"Documento;Razón social;Gestor\n900.123.456;Uno SA;{cast.adviser.code}\n"
         f"800.555.111;Dos SAS;{cast.adviser.code}\n")
    drop(server, "otra_cosa.txt", "no se importa")
    with django_capture_on_commit_callbacks(execute=False):
        started = poll_sftp_sources()
    source.refresh_from_db()
    assert started == 1, source.last_message
    job = ProcessJob.objects.get(options__sftp_source_id=source.pk)
    assert (job.status, job.options["phase"], job.requested_by) == (JobStatus.QUEUED, "analyze",
                                                                     None)
    import_task(job.pk)  # analysed and, from SFTP, written without a person
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert (job.created, job.options["source"]) == (2, "sftp")
    uno = Client.objects.get(project=cast.project, name="Uno SA")
    assert (uno.document_type, uno.document_number, uno.adviser_id) == (
        "NIT", "900123456", cast.adviser.pk)
    assert uno.assignments.get().source == "sftp"
    assert sorted(p.name for p in (server.root / "entrada").iterdir()) == [
        "otra_cosa.txt", "procesados"]
    assert (server.root / "entrada" / "procesados" / "clientes_marzo.csv").exists()
    source.refresh_from_db()
    assert source.last_ok is True and source.host_key.startswith("ssh-ed25519 ")

    # The same file dropped again (name, size and content): not imported twice.
    drop(server, "clientes_marzo.csv",
         f"Documento;Razón social;Gestor\n900.123.456;Uno SA;{cast.adviser.code}\n"
         f"800.555.111;Dos SAS;{cast.adviser.code}\n")
    SftpSource.objects.filter(pk=source.pk).update(last_polled_at=None)
    with django_capture_on_commit_callbacks(execute=False):
        assert poll_sftp_sources() == 0
    assert ProcessJob.objects.filter(options__sftp_source_id=source.pk).count() == 1
    assert SftpFile.objects.filter(source=source).count() == 1
    assert not (server.root / "entrada" / "clientes_marzo.csv").exists()


def test_a_file_that_does_not_match_the_template_goes_to_errores_with_the_reason(
        cast, server, source, django_capture_on_commit_callbacks):
    drop(server, "clientes_abril.csv", "Cédula;Nombre completo\n123;Ana\n")
    with django_capture_on_commit_callbacks(execute=False):
        sftp.poll(source)
    job = ProcessJob.objects.get(options__sftp_source_id=source.pk)
    assert job.status == JobStatus.FAILED
    assert job.message == ("El archivo «clientes_abril.csv» no coincide con la plantilla «Banco "
                           "del Norte»: faltan las columnas Documento, Razón social, Gestor.")
    assert (server.root / "entrada" / "errores" / "clientes_abril.csv").exists()
    assert not Client.objects.filter(project=cast.project).exists()


def test_a_wrong_password_shows_on_the_source_and_once_in_the_log(cast, server, source):
    SftpSource.objects.filter(pk=source.pk).update(password_encrypted=encrypt("mala"))
    source.refresh_from_db()
    for _ in range(2):
        sftp.poll(source)
    source.refresh_from_db()
    expected = f"El servidor 127.0.0.1 rechazó el usuario o la contraseña/clave de «{USER}»."
    assert (source.last_ok, source.last_message) == (False, expected)
    failed = ProcessJob.objects.filter(project=cast.project, status=JobStatus.FAILED)
    assert [j.message for j in failed] == [f"Fuente SFTP «Banco del Norte»: {expected}"]

    page = login(cast.admin).get(reverse("integrations:index", kwargs={"project": "demo"}))
    assert expected in page.content.decode()


def test_probar_conexion_says_what_it_found_and_secrets_are_never_shown(cast, server, source):
    drop(server, "clientes_1.csv", "Documento;Razón social\n1;A\n")
    browser = login(cast.admin)
    response = browser.post(reverse("integrations:sftp_check",
                                    kwargs={"project": "demo", "pk": source.pk}), follow=True)
    assert ("Conexión correcta: 1 archivos con el patrón «clientes_*.csv» en «/entrada»."
            in response.content.decode())
    edit = browser.get(reverse("integrations:sftp_edit", kwargs={"project": "demo",
                                                                 "pk": source.pk}))
    body = edit.content.decode()
    assert PASSWORD not in body and source.password_encrypted not in body
    assert "Guardada. Déjela vacía para conservarla." in body


def test_a_source_is_created_from_ajustes_with_its_secret_encrypted(cast, server):
    browser = login(cast.admin)
    response = browser.post(reverse("integrations:sftp_create", kwargs={"project": "demo"}), {
        "name": "Cartera Sur", "entity": "clients", "host": "127.0.0.1", "port": server.port,
        "username": USER, "password": PASSWORD, "private_key": "", "folder": "/entrada",
        "pattern": "*.csv", "template": "", "mode": "update", "scope": "",
        "every_minutes": 30, "is_active": "on"})
    assert response.status_code == 302
    source = SftpSource.objects.get(name="Cartera Sur")
    assert source.password_encrypted and PASSWORD not in source.password_encrypted
    assert sftp.check_connection(source)[0] is True


def test_a_polled_spreadsheet_is_converted_mapped_and_written_by_one_job(
        cast, server, source, django_capture_on_commit_callbacks):
    import xlsxwriter

    SftpSource.objects.filter(pk=source.pk).update(pattern="*.xlsx")
    source.refresh_from_db()
    book = xlsxwriter.Workbook(str(server.root / "entrada" / "clientes_mayo.xlsx"))
    sheet = book.add_worksheet()
    for r, row in enumerate([["Documento", "Razón social", "Gestor"],
                             ["900.123.456", "Uno SA", cast.adviser.code.lower()]]):
        sheet.write_row(r, 0, row)
    book.close()
    with django_capture_on_commit_callbacks(execute=False):
        assert len(sftp.poll(source)) == 1
    job = ProcessJob.objects.get(options__sftp_source_id=source.pk)
    assert job.options["phase"] == "read"
    import_task(job.pk)
    job.refresh_from_db()
    assert (job.status, job.created) == (JobStatus.SUCCEEDED, 1), job.message
    assert Client.objects.get(project=cast.project).adviser_id == cast.adviser.pk
    assert (server.root / "entrada" / "procesados" / "clientes_mayo.xlsx").exists()
