"""How a client file resolves against the book (product brief, "Import resolution"), through
the screens a user goes through: upload, mapping, preview, confirmation, counts, stored
clients and the error report.

Every test here is "transfer off"; transfer mode has its own file
(test_client_import_transfer_mode.py). The job bodies run in this process
(`import_task(job.pk)`), like tests/imports/test_client_import_flow.py.
"""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from clients.models import Client, ClientAssignment
from clients.services import client_delete
from moonflow.imports.models import StagedRow
from moonflow.imports.tasks import import_task
from moonflow.jobs.models import JobStatus, ProcessJob
from tests import factories
from tests.conftest import login
from tests.imports.helpers import job_after_upload

HEADER = "Tipo de documento;Número de documento;Nombre;Asesor ID\n"


# --- helpers -------------------------------------------------------------------------------------


def url(name, cast, project=None, **kwargs):
    slug = (project or cast.project).slug
    return reverse(name, kwargs={"project": slug, **kwargs})


def run(job_id) -> ProcessJob:
    import_task(job_id)
    return ProcessJob.objects.get(pk=job_id)


def post_upload(browser, cast, content, *, name="clientes.csv", mode="update", scope="",
                all_or_nothing=False):
    if isinstance(content, str):
        content = content.encode("utf-8")
    data = {"entity": "clients", "mode": mode, "scope": scope,
            "file": SimpleUploadedFile(name, content, content_type="text/csv")}
    if all_or_nothing:
        data["all_or_nothing"] = "on"
    return browser.post(url("integrations:upload", cast), data)


def upload(browser, cast, text, **options) -> ProcessJob:
    response = post_upload(browser, cast, text, **options)
    assert response.status_code == 302, response.content.decode()[:2000]
    return job_after_upload(response)


def map_and_analyze(browser, cast, job) -> ProcessJob:
    """Accept the proposed mapping and run the analysis: the job waits on its preview."""
    page = browser.get(url("integrations:mapping", cast, pk=job.pk))
    form = page.context["form"]
    data = {f"col_{i}": form[f"col_{i}"].value() or "" for i in range(len(form.headers))}
    response = browser.post(url("integrations:mapping", cast, pk=job.pk), data)
    assert response.status_code == 302
    job = run(job.pk)
    assert (job.status, job.options["phase"]) == (JobStatus.AWAITING, "preview"), job.message
    return job


def confirm(browser, cast, job, **data):
    return browser.post(url("integrations:confirm", cast, pk=job.pk), data)


def confirm_and_write(browser, cast, job, **data) -> ProcessJob:
    response = confirm(browser, cast, job, **data)
    assert response.status_code == 302
    assert response["Location"] == url("jobs:detail", cast, pk=job.pk), "confirmation refused"
    return run(job.pk)


def error_rows(job) -> list[tuple]:
    """The error report's data rows: (row, column, value, message)."""
    assert job.error_file, "the job has no error report"
    job.error_file.open("rb")
    try:
        book = openpyxl.load_workbook(io.BytesIO(job.error_file.read()))
    finally:
        job.error_file.close()
    rows = list(book["Errores"].iter_rows(values_only=True))
    assert rows[0] == ("Fila", "Columna", "Valor", "Detalle del error")
    return rows[1:]


def book_state() -> tuple[int, str]:
    """(number of clients, md5 of every client row in id order): any write changes it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), md5(coalesce(string_agg(c::text, E'\\n' ORDER BY c.id), '')) "
            "FROM clients_client c")
        return cursor.fetchone()


def label(member) -> str:
    return f"{member.display_name} ({member.code})"


def in_bin(client, **fields):
    """Send a client to the recycle bin without touching its updated_at (as before the upload)."""
    Client.objects.filter(pk=client.pk).update(
        deleted_at=timezone.now() - timedelta(days=1), deletion_reason="Papelera", **fields)
    client.refresh_from_db()
    return client


def row(client, name=None, code="") -> str:
    return f"{client.document_type};{client.document_number};{name or client.name};{code}\n"


def plan_actions(job) -> dict:
    return {(g["action"], g["adviser"]): g["count"] for g in job.options["plan"]["actions"]}


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def admin(cast):
    return login(cast.admin)


@pytest.fixture
def other_adviser(cast):
    return factories.make_member(cast.project, username="bertha", code="B-77")


# --- 1. The resolution table ---------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["update", "update_delete"])
@pytest.mark.parametrize("scoped", [False, True], ids=["project_scope", "adviser_scope"])
def test_the_resolution_table_row_by_row(cast, admin, other_adviser, mode, scoped):
    mine, theirs = cast.adviser, other_adviser
    active = factories.make_client(cast.project, name="Activo Viejo", adviser=mine)
    binned = in_bin(factories.make_client(cast.project, name="Papelera Viejo", adviser=mine))
    others = factories.make_client(cast.project, name="Ajeno Viejo", adviser=theirs)
    others_binned = in_bin(factories.make_client(cast.project, name="Ajeno Papelera",
                                                 adviser=theirs))
    absent_mine = factories.make_client(cast.project, name="Ausente Mío", adviser=mine)
    absent_theirs = factories.make_client(cast.project, name="Ausente Ajeno", adviser=theirs)
    text = (HEADER + row(active, "Activo Nuevo") + row(binned, "Papelera Nuevo")
            + row(others, "Ajeno Nuevo") + row(others_binned, "Ajeno Papelera Nuevo")
            + "CC;90000001;Cliente Nuevo;\n")

    job = upload(admin, cast, text, mode=mode, scope=str(mine.pk) if scoped else "")
    assert job.options["scope_adviser_id"] == (mine.pk if scoped else None)
    job = map_and_analyze(admin, cast, job)

    # The preview says what the writing will do, per adviser.
    plan = job.options["plan"]
    deleting = mode == "update_delete"
    if scoped:
        assert plan_actions(job) == {
            ("update", label(mine)): 1, ("restore", label(mine)): 1, ("create", label(mine)): 1,
            ("other_adviser", label(theirs)): 1, ("other_bin", label(theirs)): 1}
        assert (plan["to_delete"], plan["scope_size"]) == ((1 if deleting else 0), 2)
    else:
        assert plan_actions(job) == {
            ("update", label(mine)): 1, ("update", label(theirs)): 1,
            ("restore", label(mine)): 1, ("restore", label(theirs)): 1, ("create", ""): 1}
        assert (plan["to_delete"], plan["scope_size"]) == ((2 if deleting else 0), 4)
    assert (plan["read"], plan["failed"]) == (5, 0)
    assert Client.objects.get(pk=active.pk).name == "Activo Viejo"  # nothing before confirming

    job = confirm_and_write(admin, cast, job, confirmed_deletes=str(plan["to_delete"]))
    for client in (active, binned, others, others_binned, absent_mine, absent_theirs):
        client.refresh_from_db()
    created = Client.objects.get(project=cast.project, document_number="90000001")

    # An active client in scope: updated. In the scope's recycle bin: restored and updated.
    assert (active.name, active.deleted_at, active.adviser_id) == ("Activo Nuevo", None, mine.pk)
    assert (binned.name, binned.deleted_at, binned.deletion_reason) == ("Papelera Nuevo", None, "")
    # Unknown: created (an adviser's scope gives it that adviser).
    assert (created.name, created.deleted_at) == ("Cliente Nuevo", None)
    assert created.adviser_id == (mine.pk if scoped else None)

    if scoped:
        assert job.status == JobStatus.PARTIAL
        assert (job.read, job.created, job.updated, job.restored, job.failed) == (5, 1, 1, 1, 2)
        # Another adviser's clients, active or in their bin: rejected, untouched.
        assert (others.name, others.adviser_id, others.deleted_at) == ("Ajeno Viejo", theirs.pk,
                                                                       None)
        assert (others_binned.name, others_binned.adviser_id) == ("Ajeno Papelera", theirs.pk)
        assert others_binned.deleted_at is not None
        report = error_rows(job)
        assert [(r[0], r[2]) for r in report] == [
            (4, f"{others.document_type} {others.document_number}"),
            (5, f"{others_binned.document_type} {others_binned.document_number}")]
        assert report[0][3].startswith(
            f"El cliente {others.document_type} {others.document_number} pertenece a "
            f"{label(theirs)}, fuera del alcance de esta importación")
        assert report[1][3].startswith(
            f"El cliente {others_binned.document_type} {others_binned.document_number} está en "
            f"la papelera de {label(theirs)}, fuera del alcance de esta importación")
    else:
        assert job.status == JobStatus.SUCCEEDED, job.message
        assert (job.read, job.created, job.updated, job.restored, job.failed) == (5, 1, 2, 2, 0)
        assert (others.name, others.adviser_id, others.deleted_at) == ("Ajeno Nuevo", theirs.pk,
                                                                       None)
        assert (others_binned.name, others_binned.adviser_id, others_binned.deleted_at) == (
            "Ajeno Papelera Nuevo", theirs.pk, None)
        assert not job.error_file

    # In scope but absent from the file: untouched in "update", to the bin in "update_delete";
    # another adviser's client is never deleted by an adviser's scope.
    assert absent_mine.name == "Ausente Mío"
    assert (absent_mine.deleted_at is not None) == deleting
    assert (absent_theirs.deleted_at is not None) == (deleting and not scoped)
    assert job.deleted == (0 if not deleting else 1 if scoped else 2)
    if deleting:
        assert f"importación #{job.pk}" in absent_mine.deletion_reason
    assert not StagedRow.objects.filter(job_id=job.pk).exists()


def test_an_unknown_client_without_a_name_is_not_created_and_the_row_says_why(cast, admin):
    before = book_state()
    job = upload(admin, cast, "Tipo de documento;Número de documento;Nombre;Correo\n"
                              "CC;90000002;;sin.nombre@example.com\n")
    job = map_and_analyze(admin, cast, job)
    assert plan_actions(job) == {("incomplete", ""): 1}
    job = confirm_and_write(admin, cast, job)
    assert (job.status, job.created, job.failed) == (JobStatus.PARTIAL, 0, 1)
    assert book_state() == before
    assert error_rows(job) == [
        (2, "Nombre", None, "Nombre: es obligatorio para crear el cliente CC 90000002.")]


# --- 2. The truncated-file guard -----------------------------------------------------------------


def test_deleting_more_than_the_threshold_needs_the_number_typed(cast, admin):
    assert settings.IMPORT_DELETE_CONFIRM_PERCENT == 20
    clients = [factories.make_client(cast.project) for _ in range(10)]
    kept, dropped = clients[:7], clients[7:]  # 3 of 10 absent: 30 %
    job = upload(admin, cast, HEADER + "".join(row(c) for c in kept), mode="update_delete")
    job = map_and_analyze(admin, cast, job)
    assert (job.options["plan"]["to_delete"], job.options["plan"]["scope_size"]) == (3, 10)

    preview = admin.get(url("integrations:detail", cast, pk=job.pk)).content.decode()
    assert "Atención: esta importación enviará 3 de 10 clientes a la papelera." in preview
    assert 'name="confirmed_deletes"' in preview

    before = book_state()
    refusal = ("Esta importación enviaría 3 clientes a la papelera (30% del alcance): "
               "escriba 3 para confirmarlo.")
    for typed in (None, "", "2", "30"):
        data = {} if typed is None else {"confirmed_deletes": typed}
        response = admin.post(url("integrations:confirm", cast, pk=job.pk), data, follow=True)
        assert response.redirect_chain[-1][0] == url("integrations:detail", cast, pk=job.pk)
        assert refusal in messages_of(response)
        assert refusal in response.content.decode()
        job.refresh_from_db()
        assert (job.status, job.options["phase"]) == (JobStatus.AWAITING, "preview")
        assert book_state() == before
        assert Client.objects.filter(project=cast.project, deleted_at__isnull=True).count() == 10

    job = confirm_and_write(admin, cast, job, confirmed_deletes=" 3 ")
    assert (job.status, job.unchanged, job.deleted) == (JobStatus.SUCCEEDED, 7, 3)
    assert set(Client.objects.filter(project=cast.project, deleted_at__isnull=False)
               .values_list("pk", flat=True)) == {c.pk for c in dropped}


def test_deleting_up_to_the_threshold_needs_no_typed_number(cast, admin):
    clients = [factories.make_client(cast.project) for _ in range(10)]
    job = upload(admin, cast, HEADER + "".join(row(c) for c in clients[:8]), mode="update_delete")
    job = map_and_analyze(admin, cast, job)
    assert (job.options["plan"]["to_delete"], job.options["plan"]["scope_size"]) == (2, 10)
    preview = admin.get(url("integrations:detail", cast, pk=job.pk)).content.decode()
    assert 'name="confirmed_deletes"' not in preview
    job = confirm_and_write(admin, cast, job)
    assert (job.status, job.deleted) == (JobStatus.SUCCEEDED, 2)


def test_the_guard_counts_the_advisers_book_when_the_scope_is_one_adviser(
        cast, admin, other_adviser):
    mine = [factories.make_client(cast.project, adviser=cast.adviser) for _ in range(4)]
    theirs = [factories.make_client(cast.project, adviser=other_adviser) for _ in range(20)]
    # 1 of the adviser's 4 clients absent: 25 % of the scope (1 % of the project).
    job = upload(admin, cast, HEADER + "".join(row(c) for c in mine[:3]), mode="update_delete",
                 scope=str(cast.adviser.pk))
    job = map_and_analyze(admin, cast, job)
    assert (job.options["plan"]["to_delete"], job.options["plan"]["scope_size"]) == (1, 4)
    response = admin.post(url("integrations:confirm", cast, pk=job.pk), follow=True)
    assert ("Esta importación enviaría 1 clientes a la papelera (25% del alcance): escriba 1 "
            "para confirmarlo.") in messages_of(response)
    job = confirm_and_write(admin, cast, job, confirmed_deletes="1")
    assert job.deleted == 1
    assert Client.objects.get(pk=mine[3].pk).deleted_at is not None
    assert not Client.objects.filter(pk__in=[c.pk for c in theirs], deleted_at__isnull=False)


# --- 3. All or nothing ---------------------------------------------------------------------------


def test_all_or_nothing_with_a_bad_row_refuses_to_confirm_and_writes_nothing(cast, admin):
    existing = factories.make_client(cast.project, name="Existente")
    before = book_state()
    text = ("Tipo de documento;Número de documento;Nombre;Correo\n"
            f"{existing.document_type};{existing.document_number};Existente Nuevo;e@example.com\n"
            "CC;90000003;Nuevo Bien;nuevo@example.com\n"
            "CC;90000004;Nuevo Mal;esto-no-es-un-correo\n")
    job = map_and_analyze(admin, cast, upload(admin, cast, text, all_or_nothing=True))
    assert job.options["all_or_nothing"] is True
    assert (job.options["plan"]["read"], job.options["plan"]["failed"]) == (3, 1)

    response = admin.post(url("integrations:confirm", cast, pk=job.pk), follow=True)
    assert ("Pidió todo o nada y 1 filas tienen errores: corríjalas y vuelva a cargar el "
            "archivo.") in messages_of(response)
    job.refresh_from_db()
    assert (job.status, job.options["phase"]) == (JobStatus.AWAITING, "preview")
    assert (job.created, job.updated) == (0, 0)
    assert book_state() == before


def test_all_or_nothing_refuses_to_confirm_when_the_preview_already_rejects_a_row(
        cast, admin, other_adviser):
    theirs = factories.make_client(cast.project, name="Ajeno", adviser=other_adviser)
    before = book_state()
    text = HEADER + "CC;90000005;Nuevo Uno;\n" + row(theirs, "Ajeno Cambiado")
    job = upload(admin, cast, text, scope=str(cast.adviser.pk), all_or_nothing=True)
    job = map_and_analyze(admin, cast, job)
    assert plan_actions(job) == {("create", label(cast.adviser)): 1,
                                 ("other_adviser", label(other_adviser)): 1}
    response = confirm(admin, cast, job)
    assert response.status_code == 302
    page = admin.get(response["Location"]).content.decode()
    assert "Pidió todo o nada y 1 filas tienen errores" in page
    job.refresh_from_db()
    assert (job.status, job.options["phase"]) == (JobStatus.AWAITING, "preview")
    assert book_state() == before


def test_all_or_nothing_with_a_row_rejected_at_writing_writes_nothing_and_counts_nothing(
        cast, admin, other_adviser):
    """A row the book rejects only when it is written (the client changed hands after the
    preview): the job fails, nothing is written, and its counts claim nothing was created."""
    mine = factories.make_client(cast.project, name="Mío", adviser=cast.adviser)
    text = HEADER + "CC;90000005;Nuevo Uno;\n" + row(mine, "Mío Cambiado")
    job = upload(admin, cast, text, scope=str(cast.adviser.pk), all_or_nothing=True)
    job = map_and_analyze(admin, cast, job)
    assert plan_actions(job) == {("create", label(cast.adviser)): 1,
                                 ("update", label(cast.adviser)): 1}
    Client.objects.filter(pk=mine.pk).update(adviser=other_adviser)
    before = book_state()
    response = confirm(admin, cast, job)
    assert response.status_code == 302
    job = run(job.pk)
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("No se escribió nada: 1 filas tienen errores y pidió todo o "
                                  "nada.")
    assert book_state() == before
    assert not ClientAssignment.objects.filter(project=cast.project).exists()
    # What the Log de procesos shows for this job: nothing was created.
    assert (job.created, job.updated, job.restored, job.deleted) == (0, 0, 0, 0)
    # The report the message points to has the refused row.
    report = openpyxl.load_workbook(io.BytesIO(job.error_file.read()))
    rows = list(report["Errores"].iter_rows(values_only=True))
    assert len(rows) == 2 and "pertenece a" in rows[1][3]


# --- 4. The last writer wins ---------------------------------------------------------------------


def test_a_client_modified_after_the_upload_is_not_overwritten_by_the_file(cast, admin):
    edited = factories.make_client(cast.project, name="Original", city="Cali")
    other = factories.make_client(cast.project, name="Otro Original")
    text = ("Tipo de documento;Número de documento;Nombre;Ciudad\n"
            f"{edited.document_type};{edited.document_number};Del Archivo;Bogotá\n"
            f"{other.document_type};{other.document_number};Otro Del Archivo;Medellín\n")
    job = upload(admin, cast, text)
    later = timezone.now() + timedelta(minutes=1)
    Client.objects.filter(pk=edited.pk).update(name="Editado En Pantalla", updated_at=later)
    assert later > job.created_at

    job = confirm_and_write(admin, cast, map_and_analyze(admin, cast, job))
    assert job.status == JobStatus.PARTIAL
    assert (job.updated, job.failed) == (1, 1)
    edited.refresh_from_db()
    other.refresh_from_db()
    assert (edited.name, edited.city, edited.updated_at) == ("Editado En Pantalla", "Cali", later)
    assert (other.name, other.city) == ("Otro Del Archivo", "Medellín")

    [(number, _column, value, message)] = error_rows(job)
    key = f"{edited.document_type} {edited.document_number}"
    assert (number, value) == (2, key)
    when = timezone.localtime(later).strftime("%d/%m/%Y %H:%M")
    assert message == (
        f"El cliente {key} se modificó el {when}, después de cargar este archivo: no se "
        "sobrescribe con la fila del archivo. Si la fila es la correcta, vuelva a importarla.")


def test_a_client_sent_to_the_bin_after_the_upload_is_not_restored_by_the_file(cast, admin):
    """Sending a client to the recycle bin after the file was loaded is a change made after the
    upload: the older file's row must not bring it back (the last writer wins), even when the
    row's values are the ones the client already has."""
    client = factories.make_client(cast.project, name="Igual", city="Cali")
    text = "Tipo de documento;Número de documento;Nombre;Ciudad\n" + (
        f"{client.document_type};{client.document_number};Igual;Cali\n")
    job = upload(admin, cast, text)
    # On screen, after the upload: Papelera (clients.services.client_delete).
    client_delete(client=client, actor=cast.admin.user, reason="Duplicado")
    binned_at = client.deleted_at
    assert binned_at > job.created_at
    job = confirm_and_write(admin, cast, map_and_analyze(admin, cast, job))
    client.refresh_from_db()
    assert (client.deleted_at, client.deletion_reason) == (binned_at, "Duplicado")
    assert (job.restored, job.failed) == (0, 1)
    [(number, _column, _value, message)] = error_rows(job)
    assert number == 2 and "después de cargar este archivo" in message


def test_a_client_created_after_the_upload_is_not_sent_to_the_bin_by_the_older_file(cast, admin):
    """The file was loaded before this client existed, so it cannot be "absent from the file":
    deleting it breaks the last-writer rule, and the user typed 3 deletions, not 4."""
    clients = [factories.make_client(cast.project) for _ in range(10)]
    job = upload(admin, cast, HEADER + "".join(row(c) for c in clients[:7]), mode="update_delete")
    job = map_and_analyze(admin, cast, job)
    assert job.options["plan"]["to_delete"] == 3
    newcomer = factories.make_client(cast.project, name="Creado En Pantalla")  # after the upload
    assert newcomer.created_at > job.created_at
    job = confirm_and_write(admin, cast, job, confirmed_deletes="3")
    newcomer.refresh_from_db()
    assert newcomer.deleted_at is None
    assert job.deleted == 3
    assert Client.objects.filter(project=cast.project, deleted_at__isnull=False).count() == 3


# --- 5. Bad input leaves nothing changed ---------------------------------------------------------


@pytest.mark.parametrize("name, content, message", [
    ("clientes.csv", b"", "El archivo «clientes.csv» está vacío."),
    ("clientes.csv", HEADER.encode(),
     "El archivo «clientes.csv» solo tiene la fila de encabezados (fila 1), sin filas de datos."),
    ("clientes.xlsx", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n",
     "El archivo «clientes.xlsx» no es una hoja de cálculo ni un CSV (parece un archivo PDF). "
     "Suba un archivo XLSX, XLS, ODS o CSV."),
], ids=["empty", "header_only", "pdf_renamed_xlsx"])
def test_a_bad_file_is_refused_at_upload_and_the_book_is_unchanged(cast, admin, name, content,
                                                                   message):
    for _ in range(3):
        factories.make_client(cast.project)
    before = book_state()
    response = post_upload(admin, cast, content, name=name, mode="update_delete")
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert message in response.content.decode()
    assert not ProcessJob.objects.filter(project=cast.project).exists()
    assert book_state() == before
    assert before[0] == 3


def test_a_file_with_its_required_columns_unmapped_goes_no_further(cast, admin):
    for _ in range(3):
        factories.make_client(cast.project)
    before = book_state()
    job = upload(admin, cast, "Identificación;Razón social\n123456;Uno SA\n",
                 mode="update_delete")
    response = admin.post(url("integrations:mapping", cast, pk=job.pk),
                          {"col_0": "", "col_1": ""})
    assert response.status_code == 200
    assert ("Falta mapear campos obligatorios: Tipo de documento, Número de documento, "
            "Nombre.") in response.content.decode()
    job.refresh_from_db()
    assert (job.status, job.options["phase"]) == (JobStatus.AWAITING, "mapping")

    # Confirming it anyway (a forged POST) is refused: it never had a preview.
    response = admin.post(url("integrations:confirm", cast, pk=job.pk), follow=True)
    assert "Esta importación ya no espera confirmación." in messages_of(response)
    job.refresh_from_db()
    assert (job.status, job.options["phase"]) == (JobStatus.AWAITING, "mapping")
    assert book_state() == before


def test_a_file_whose_every_row_is_bad_writes_and_deletes_nothing(cast, admin):
    """Rows with errors are not written, and the clients they name are not "absent" either."""
    clients = [factories.make_client(cast.project) for _ in range(3)]
    before = book_state()
    text = ("Tipo de documento;Número de documento;Nombre;Correo\n"
            + "".join(f"{c.document_type};{c.document_number};Otro Nombre;no-es-correo\n"
                      for c in clients))
    job = map_and_analyze(admin, cast, upload(admin, cast, text, mode="update_delete"))
    plan = job.options["plan"]
    assert (plan["read"], plan["failed"], plan["to_delete"], plan["scope_size"]) == (3, 3, 0, 3)
    job = confirm_and_write(admin, cast, job)
    assert job.status == JobStatus.PARTIAL
    assert (job.created, job.updated, job.deleted, job.failed) == (0, 0, 0, 3)
    assert [(r[0], r[1], r[2]) for r in error_rows(job)] == [
        (n, "Correo", "no-es-correo") for n in (2, 3, 4)]
    assert book_state() == before


# --- 6. An adviser's scope -----------------------------------------------------------------------


def test_an_advisers_scope_gives_rows_that_adviser_and_rejects_rows_naming_another(
        cast, admin, other_adviser):
    mine = cast.adviser
    existing = factories.make_client(cast.project, name="Mío", adviser=mine)
    text = (HEADER
            + "CC;90000010;Sin Asesor;\n"
            + f"CC;90000011;Con Mi Código;{mine.code.lower()}\n"
            + f"CC;90000012;Con Otro Asesor;{other_adviser.code}\n"
            + row(existing, "Mío Con Otro", other_adviser.code))
    job = upload(admin, cast, text, scope=str(mine.pk))
    job = map_and_analyze(admin, cast, job)
    message = (f"Asesor ID «{other_adviser.code}»: esta importación es solo para la cartera de "
               f"{label(mine)}; el cliente no puede quedar con otro asesor.")
    plan = job.options["plan"]
    assert (plan["read"], plan["failed"]) == (4, 2)
    assert [(e["row"], e["column"], e["value"], e["message"]) for e in plan["errors"]] == [
        (4, "Asesor ID", other_adviser.code, message),
        (5, "Asesor ID", other_adviser.code, message)]
    preview = admin.get(url("integrations:detail", cast, pk=job.pk)).content.decode()
    assert message in preview

    job = confirm_and_write(admin, cast, job)
    assert (job.created, job.updated, job.failed) == (2, 0, 2)
    created = dict(Client.objects.filter(project=cast.project, document_number__in=[
        "90000010", "90000011"]).values_list("document_number", "adviser_id"))
    assert created == {"90000010": mine.pk, "90000011": mine.pk}
    assert set(ClientAssignment.objects.filter(project=cast.project, job_id=job.pk)
               .values_list("client__document_number", "adviser_id")) == {
        ("90000010", mine.pk), ("90000011", mine.pk)}
    assert not Client.objects.filter(project=cast.project, document_number="90000012").exists()
    existing.refresh_from_db()
    assert (existing.name, existing.adviser_id) == ("Mío", mine.pk)
    assert [(r[0], r[1], r[2], r[3]) for r in error_rows(job)] == [
        (4, "Asesor ID", other_adviser.code, message),
        (5, "Asesor ID", other_adviser.code, message)]


# --- 7. Tenant isolation and roles ---------------------------------------------------------------


def _import_pages(cast, job, project=None):
    return [
        ("get", url("integrations:mapping", cast, project, pk=job.pk)),
        ("post", url("integrations:mapping", cast, project, pk=job.pk)),
        ("get", url("integrations:detail", cast, project, pk=job.pk)),
        ("post", url("integrations:confirm", cast, project, pk=job.pk)),
        ("post", url("integrations:cancel", cast, project, pk=job.pk)),
    ]


def _job_state(job):
    job = ProcessJob.objects.get(pk=job.pk)
    return job.status, job.options.get("phase"), job.mapping


@pytest.fixture
def waiting_imports(cast, admin):
    """Project A's imports: one waiting on its mapping, one waiting on its preview."""
    factories.make_client(cast.project, name="Uno")
    at_mapping = upload(admin, cast, HEADER + "CC;90000020;Nuevo;\n", mode="update_delete")
    at_preview = map_and_analyze(admin, cast, upload(admin, cast, HEADER + "CC;90000021;Nuevo;\n",
                                                     mode="update_delete"))
    return at_mapping, at_preview


def test_the_other_projects_admin_gets_404_on_every_import_page(cast, waiting_imports):
    outsider = login(cast.outsider)
    before = book_state()
    for job in waiting_imports:
        state = _job_state(job)
        for project in (cast.project, cast.other_project):
            for method, address in _import_pages(cast, job, project):
                response = getattr(outsider, method)(address, {"confirmed_deletes": "1"}
                                                     if method == "post" else None)
                assert response.status_code == 404, (method, address)
        assert _job_state(job) == state
    assert book_state() == before


@pytest.mark.parametrize("who", ["restricted", "adviser"])
def test_advisers_get_403_on_every_import_page(cast, waiting_imports, who):
    browser = login(getattr(cast, who))
    before = book_state()
    for job in waiting_imports:
        state = _job_state(job)
        for method, address in _import_pages(cast, job):
            response = getattr(browser, method)(address, {"confirmed_deletes": "1"}
                                                if method == "post" else None)
            assert response.status_code == 403, (method, address)
        assert _job_state(job) == state
    for address in (url("integrations:index", cast), url("integrations:upload", cast)):
        assert browser.get(address).status_code == 403
    assert book_state() == before


def test_the_supervisor_reaches_the_same_pages(cast, waiting_imports):
    supervisor = login(cast.supervisor)
    at_mapping, at_preview = waiting_imports
    assert supervisor.get(url("integrations:mapping", cast, pk=at_mapping.pk)).status_code == 200
    assert supervisor.get(url("integrations:detail", cast, pk=at_preview.pk)).status_code == 200
