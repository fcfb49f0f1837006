"""The import resolution table with "Modo transferencia" on and off, for both scopes, through the
screens (upload, mapping, preview, confirmation), the job's counts, the stored book and the
linked records that follow a transferred client."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clients.models import Client, ClientAssignment
from followups.models import FollowUp
from moonflow.audit.models import AuditEvent
from moonflow.imports.models import MappingTemplate, SftpSource
from moonflow.imports.registry import get_importer
from moonflow.imports.secrets import encrypt
from moonflow.imports.services import import_from_source
from moonflow.jobs.models import JobStatus
from tests import factories
from tests.conftest import login
from tests.imports.helpers import job_after_upload
from tests.imports.test_client_import_resolution import (
    HEADER,
    confirm_and_write,
    error_rows,
    in_bin,
    label,
    map_and_analyze,
    post_upload,
    row,
    run,
    url,
)
from tests.transfers.helpers import make_held_client


@pytest.fixture
def admin(cast):
    return login(cast.admin)


@pytest.fixture
def other_adviser(cast):
    return factories.make_member(cast.project, username="bertha", code="B-77")


def upload(browser, cast, text, *, transfer=False, **options):
    response = post_upload_with(browser, cast, text, transfer=transfer, **options)
    assert response.status_code == 302, response.content.decode()[:3000]
    return job_after_upload(response)


def post_upload_with(browser, cast, text, *, transfer=False, entity="clients", **options):
    if not transfer:
        return post_upload(browser, cast, text, **options)
    data = {"entity": entity, "mode": options.get("mode", "update"),
            "scope": options.get("scope", ""), "transfer_mode": "on",
            "file": SimpleUploadedFile("clientes.csv", text.encode(), content_type="text/csv")}
    return browser.post(url("integrations:upload", cast), data)


def groups(job) -> dict:
    return {(g["action"], g.get("from_adviser"), g["adviser"]): g["count"]
            for g in job.options["plan"]["actions"]}


def open_followups(client) -> set:
    return set(FollowUp.objects.filter(client=client, status="pending")
               .values_list("adviser_id", flat=True))


@pytest.mark.parametrize("mode", ["update", "update_delete"])
@pytest.mark.parametrize("scoped", [False, True], ids=["project_scope", "adviser_scope"])
@pytest.mark.parametrize("transfer", [False, True], ids=["transfer_off", "transfer_on"])
def test_the_resolution_table_row_by_row(cast, admin, other_adviser, mode, scoped, transfer):
    mine, theirs = cast.adviser, other_adviser
    active = make_held_client(cast.project, mine, name="Activo Viejo")
    binned = in_bin(make_held_client(cast.project, mine, name="Papelera Viejo"))
    others = make_held_client(cast.project, theirs, name="Ajeno Viejo")
    others_binned = in_bin(make_held_client(cast.project, theirs, name="Ajeno Papelera"))
    absent_mine = factories.make_client(cast.project, name="Ausente Mío", adviser=mine)
    # The file names the adviser: in the whole project's scope, a row naming another Asesor ID
    # than the client's is "a client of another adviser".
    text = (HEADER + row(active, "Activo Nuevo", mine.code) + row(binned, "Papelera Nuevo")
            + row(others, "Ajeno Nuevo", mine.code)
            + row(others_binned, "Ajeno Papelera Nuevo", mine.code)
            + "CC;90000001;Cliente Nuevo;\n")
    job = upload(admin, cast, text, transfer=transfer, mode=mode,
                 scope=str(mine.pk) if scoped else "")
    assert job.options["transfer_mode"] is transfer
    job = map_and_analyze(admin, cast, job)
    plan = job.options["plan"]
    me, them = label(mine), label(theirs)

    # The preview: per action and adviser, and the transfers per source → target.
    expected = {("update", None, me): 1, ("restore", None, me): 1}
    if transfer:
        expected.update({("transfer", them, me): 1, ("restore_transfer", them, me): 1})
        assert plan["transfers"] == [{"from_adviser_id": theirs.pk, "from_adviser": them,
                                      "adviser_id": mine.pk, "adviser": me, "clients": 2,
                                      "followups": 6}]
    elif scoped:
        expected.update({("other_adviser", None, them): 1, ("other_bin", None, them): 1})
        assert "transfers" not in plan
    else:
        expected.update({("update", None, me): 2, ("restore", None, me): 2})
    expected[("create", None, me if scoped else "")] = 1
    assert groups(job) == expected
    preview = admin.get(url("integrations:detail", cast, pk=job.pk)).content.decode()
    if transfer:
        assert 'data-testid="plan-transfers"' in preview
        assert f"<td>{them}</td><td>{me}</td>" in preview
    before = {c.pk: open_followups(c) for c in (others, others_binned)}
    assert before == {others.pk: {theirs.pk}, others_binned.pk: {theirs.pk}}  # nothing yet

    job = confirm_and_write(admin, cast, job, confirmed_deletes=str(plan["to_delete"]))
    for client in (active, binned, others, others_binned, absent_mine):
        client.refresh_from_db()
    assert (active.name, active.adviser_id) == ("Activo Nuevo", mine.pk)
    assert (binned.name, binned.deleted_at) == ("Papelera Nuevo", None)
    assert Client.objects.get(project=cast.project, document_number="90000001").name == (
        "Cliente Nuevo")
    assert (absent_mine.deleted_at is not None) == (mode == "update_delete")

    if transfer:
        # Transferred with everything linked: the clients, their open gestiones; the closed
        # ones stay with whoever closed them; the history says the file and the job.
        assert job.status == JobStatus.SUCCEEDED, job.message
        assert (job.created, job.updated, job.restored, job.transferred, job.failed) == (
            1, 1, 1, 2, 0)
        assert "2 transferidos con todo lo vinculado (1 de ellos desde la papelera de otro " \
               "asesor)" in job.message
        for client, name in ((others, "Ajeno Nuevo"), (others_binned, "Ajeno Papelera Nuevo")):
            assert (client.name, client.adviser_id, client.deleted_at) == (name, mine.pk, None)
            assert open_followups(client) == {mine.pk}
            assert set(FollowUp.objects.filter(client=client).exclude(status="pending")
                       .values_list("adviser_id", flat=True)) == {theirs.pk}
            latest = ClientAssignment.objects.filter(client=client).order_by("-started_at")[0]
            assert (latest.adviser_id, latest.source, latest.job_id, latest.changed_by) == (
                mine.pk, "file", job.pk, cast.admin.user)
        event = AuditEvent.objects.get(resource_type="transfer")
        assert event.changes["clients"] == [None, 2]
        assert event.changes["job"] == [None, job.pk]
    elif scoped:
        # Rejected, naming the current adviser and how to transfer; nothing touched.
        assert (job.updated, job.restored, job.transferred, job.failed) == (1, 1, 0, 2)
        assert (others.name, others.adviser_id) == ("Ajeno Viejo", theirs.pk)
        assert others_binned.deleted_at is not None
        messages = [r[3] for r in error_rows(job)]
        assert messages[0].startswith(f"El cliente {others.external_id} pertenece a {them}")
        assert messages[1].startswith(f"El cliente {others_binned.external_id} está en la "
                                      f"papelera de {them}")
        assert all(m.endswith("use el modo transferencia.") for m in messages)
        assert open_followups(others) == {theirs.pk}
    else:
        # The whole project's scope without transfer mode: the adviser is an updated value;
        # the open gestiones stay with whoever holds them.
        assert (job.updated, job.restored, job.transferred, job.failed) == (2, 2, 0, 0)
        assert (others.adviser_id, others_binned.adviser_id, others_binned.deleted_at) == (
            mine.pk, mine.pk, None)
        assert open_followups(others) == {theirs.pk}
        assert not AuditEvent.objects.filter(resource_type="transfer").exists()


def test_a_transfer_in_an_advisers_scope_goes_to_that_adviser_without_an_asesor_id(
        cast, admin, other_adviser):
    theirs = make_held_client(cast.project, other_adviser, name="De Bertha")
    job = upload(admin, cast, HEADER + row(theirs), transfer=True, scope=str(cast.adviser.pk))
    job = confirm_and_write(admin, cast, map_and_analyze(admin, cast, job))
    theirs.refresh_from_db()
    assert (job.transferred, theirs.adviser_id) == (1, cast.adviser.pk)
    assert open_followups(theirs) == {cast.adviser.pk}


def test_a_transfer_keeps_the_last_writer_rule(cast, admin, other_adviser):
    from datetime import timedelta

    from django.utils import timezone

    theirs = make_held_client(cast.project, other_adviser)
    job = upload(admin, cast, HEADER + row(theirs), transfer=True, scope=str(cast.adviser.pk))
    Client.objects.filter(pk=theirs.pk).update(updated_at=timezone.now() + timedelta(minutes=1))
    job = confirm_and_write(admin, cast, map_and_analyze(admin, cast, job))
    theirs.refresh_from_db()
    assert (job.transferred, job.failed, theirs.adviser_id) == (0, 1, other_adviser.pk)
    assert "después de cargar este archivo" in error_rows(job)[0][3]


def test_the_same_file_twice_transfers_once(cast, admin, other_adviser):
    theirs = make_held_client(cast.project, other_adviser)
    text = HEADER + row(theirs)
    first = confirm_and_write(admin, cast, map_and_analyze(admin, cast, upload(
        admin, cast, text, transfer=True, scope=str(cast.adviser.pk))))
    history = ClientAssignment.objects.filter(client=theirs).count()
    second = confirm_and_write(admin, cast, map_and_analyze(admin, cast, upload(
        admin, cast, text, transfer=True, scope=str(cast.adviser.pk))))
    assert (first.transferred, second.transferred, second.unchanged) == (1, 0, 1)
    assert ClientAssignment.objects.filter(client=theirs).count() == history


def test_a_base_de_cartera_transfers_its_clients_too(cast, admin, other_adviser):
    theirs = make_held_client(cast.project, other_adviser, name="Base Ajena")
    text = ("Tipo de documento;Número de documento;Nombre;Asesor ID;Número de orden;Monto;"
            "Vencimiento\n"
            f"{theirs.document_type};{theirs.document_number};Base Ajena;{cast.adviser.code};"
            "OP-TR-1;1000;31/12/2030\n")
    job = upload(admin, cast, text, transfer=True, entity="portfolio_base",
                 scope=str(cast.adviser.pk))
    job = map_and_analyze(admin, cast, job)
    assert [(r["from_adviser"], r["adviser"], r["clients"]) for r in
            job.options["plan"]["transfers"]] == [(label(other_adviser), label(cast.adviser), 1)]
    job = confirm_and_write(admin, cast, job)
    theirs.refresh_from_db()
    assert theirs.adviser_id == cast.adviser.pk
    assert theirs.payment_orders.filter(number="OP-TR-1").exists()
    assert "1 transferidos con todo lo vinculado" in job.message


def test_transfer_mode_is_refused_for_an_import_that_moves_no_clients(cast, admin):
    response = post_upload_with(admin, cast, "Número de orden;Monto\nOP-1;100\n", transfer=True,
                                entity="payment_orders")
    assert response.status_code == 200
    assert ("«Órdenes de pago» no mueve clientes: el modo transferencia es para importaciones "
            "de clientes (Clientes o Base de cartera).") in response.content.decode()


def test_the_upload_offers_transfer_mode_off_by_default(cast, admin):
    page = admin.get(url("integrations:upload", cast) + "?que=clients").content.decode()
    assert "Modo transferencia" in page
    assert 'name="transfer_mode" id="id_transfer_mode" aria-describedby' in page
    assert 'name="transfer_mode" id="id_transfer_mode" aria-describedby="transfer_mode_help">' \
        in page  # not checked


def test_an_sftp_source_in_transfer_mode_transfers_without_a_person(cast, other_adviser):
    theirs = make_held_client(cast.project, other_adviser, name="Por SFTP")
    template = MappingTemplate.objects.create(
        project=cast.project, entity="clients", name="Cartera", signature="",
        mapping={"Tipo de documento": "document_type", "Número de documento": "document_number",
                 "Nombre": "name", "Asesor ID": "adviser_code"})
    source = SftpSource.objects.create(
        project=cast.project, name="Cartera", entity="clients", host="127.0.0.1", port=22,
        username="u", password_encrypted=encrypt("p"), template=template,
        scope_adviser=cast.adviser, transfer_mode=True)
    upload = SimpleUploadedFile("clientes.csv", (HEADER + row(theirs)).encode())
    job = import_from_source(source, get_importer("clients"), upload)
    assert job.options["transfer_mode"] is True
    job = run(job.pk)
    assert (job.status, job.transferred) == (JobStatus.SUCCEEDED, 1), job.message
    latest = ClientAssignment.objects.filter(client=theirs).order_by("-started_at")[0]
    assert (latest.adviser_id, latest.source) == (cast.adviser.pk, "sftp")


def test_an_sftp_source_is_saved_with_its_transfer_mode(cast, admin):
    response = admin.post(url("integrations:sftp_create", cast), {
        "name": "Cartera Sur", "entity": "clients", "host": "127.0.0.1", "port": 22,
        "username": "u", "password": "p", "private_key": "", "folder": "/entrada",
        "pattern": "*.csv", "template": "", "mode": "update", "scope": "",
        "transfer_mode": "on", "every_minutes": 30, "is_active": "on"})
    assert response.status_code == 302
    assert SftpSource.objects.get(name="Cartera Sur").transfer_mode is True
