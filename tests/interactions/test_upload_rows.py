"""Crear comunicaciones masivas, row by row: each bad value its own message and nothing written
for its row, the client rules (unknown, in the recycle bin, outside the scope), dates in the
project's timezone, and the natural key (re-uploads and repeats within a file)."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from interactions.importing import natural_key
from interactions.models import Interaction
from tests import factories
from tests.conftest import login
from tests.interactions.test_upload_flow import confirm, import_file, map_and_analyze, upload

HEADER = ("Tipo de documento;Número de documento;Canal;Fecha de envío;Destinatarios;Estado;"
          "Tipo;Tipo de flujo;Flujo, evento o campaña;Tipo de destinatario;Asesor ID;"
          "Resultado de pago;Monto prometido;Fecha de la promesa;Plantilla\n")
GOOD = "CC;1020304050;WhatsApp;15/03/2026 10:30;3001234567;Enviada;;;;;;;;;"


def line(**changes) -> str:
    """The good row with some cells changed (by header)."""
    headers = HEADER.strip().split(";")
    cells = dict(zip(headers, GOOD.split(";")))
    cells.update(changes)
    return ";".join(cells[h] for h in headers)


@pytest.fixture
def admin(cast):
    return login(cast.admin)


@pytest.fixture
def ana(cast):
    return factories.make_client(cast.project, document_number="1020304050", name="Ana Ríos",
                                 adviser=cast.adviser)


def report_rows(job) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(job.error_file.read()))
    return list(book["Errores"].iter_rows(min_row=2, values_only=True))


BAD_ROWS = [
    # (cells changed, column, value, message)
    ({"Canal": "Fax"}, "Canal", "Fax",
     "Canal «Fax»: no es una opción válida. Use una de: WhatsApp, SMS, Correo electrónico, "
     "Llamada / voz, "
     "Push, IVR, Visita al portal."),
    ({"Canal": ""}, "Canal", "", "Canal: este campo es obligatorio."),
    ({"Estado": "Perdida"}, "Estado", "Perdida",
     "Estado «Perdida»: no es una opción válida. Use una de: Programada, Enviada, Entregada, "
     "Leída, No leída, Fallida, Rebotada, Respondida."),
    ({"Estado": ""}, "Estado", "", "Estado: este campo es obligatorio."),
    ({"Fecha de envío": "ayer"}, "Fecha de envío", "ayer",
     "Fecha de envío «ayer»: no es una fecha válida: use dd/mm/aaaa o dd/mm/aaaa hh:mm "
     "(31/12/2025 14:30), o aaaa-mm-dd hh:mm."),
    ({"Fecha de envío": "31/02/2026 10:00"}, "Fecha de envío", "31/02/2026 10:00",
     "Fecha de envío «31/02/2026 10:00»: esa fecha no existe: el día 31 no está en el mes 2 "
     "de 2026."),
    ({"Fecha de envío": "03/15/2026"}, "Fecha de envío", "03/15/2026",
     "Fecha de envío «03/15/2026»: el mes 15 no existe: la fecha se lee como día/mes/año "
     "(dd/mm/aaaa)."),
    ({"Fecha de envío": "15/03/2026 24:10"}, "Fecha de envío", "15/03/2026 24:10",
     "Fecha de envío «15/03/2026 24:10»: la hora 24:10 no existe: use hh:mm de 00:00 a 23:59."),
    ({"Fecha de envío": ""}, "Fecha de envío", "", "Fecha de envío: este campo es obligatorio."),
    ({"Destinatarios": ""}, "Destinatarios", "", "Destinatarios: este campo es obligatorio."),
    ({"Destinatarios": " ; , "}, "Destinatarios", "", "Destinatarios: este campo es obligatorio."),
    ({"Tipo": "Lateral"}, "Tipo", "Lateral",
     "Tipo de comunicación «Lateral»: no es una opción válida. Use una de: Saliente, Entrante."),
    ({"Tipo de flujo": "Campaña"}, "Flujo, evento o campaña", "",
     "Flujo, evento o campaña: falta el nombre (Tipo de flujo dice «Campaña»)."),
    ({"Tipo de destinatario": "Vecino"}, "Tipo de destinatario", "Vecino",
     "Tipo de destinatario «Vecino»: no es una opción válida. Use una de: Cliente, Referencia, "
     "Garante."),
    ({"Asesor ID": "ZZ-404"}, "Asesor ID", "ZZ-404", "No existe un asesor con el ID «ZZ-404»."),
    ({"Resultado de pago": "Promesa de pago", "Fecha de la promesa": "31/03/2026"},
     "Monto prometido", "", "Monto prometido: una promesa de pago necesita el monto prometido."),
    ({"Resultado de pago": "promesa de pago", "Monto prometido": "100000"},
     "Fecha de la promesa", "",
     "Fecha de la promesa: una promesa de pago necesita la fecha prometida."),
    ({"Resultado de pago": "Promesa de pago", "Monto prometido": "-5",
      "Fecha de la promesa": "31/03/2026"}, "Monto prometido", "-5",
     "Monto prometido «-5»: debe ser mayor que cero."),
    ({"Resultado de pago": "Promesa de pago", "Monto prometido": "100000",
      "Fecha de la promesa": "mañana"}, "Fecha de la promesa", "mañana",
     "Fecha de la promesa «mañana»: no es una fecha válida: use dd/mm/aaaa (31/12/2024) o "
     "aaaa-mm-dd (2024-12-31)."),
    ({"Monto prometido": "100000"}, "Monto prometido", "100000",
     "Monto prometido «100000»: solo se registra con Resultado de pago «Promesa de pago»."),
    ({"Resultado de pago": "Ganó"}, "Resultado de pago", "Ganó",
     "Resultado de pago «Ganó»: no es una opción válida. Use una de: Promesa de pago, Pago por "
     "verificar."),
    ({"Tipo de documento": "XX"}, "Tipo de documento", "XX",
     "Tipo de documento «XX»: no es un tipo de documento válido. Use uno de: CC, CE, NIT, "
     "DNI, RUT, CUIT, RFC, PAS."),
    ({"Número de documento": ""}, "Número de documento", "",
     "Número de documento: este campo es obligatorio."),
    ({"Plantilla": "x" * 121}, "Plantilla", "x" * 121,
     "Plantilla «" + "x" * 60),
]


def test_each_bad_value_fails_its_row_with_its_own_message_and_writes_nothing(cast, admin, ana):
    rows = [line(**{"Fecha de envío": "01/01/2026 08:00"})]  # the one good row
    rows += [line(**changes) for changes, *_expected in BAD_ROWS]
    job = import_file(admin, cast, HEADER + "\n".join(rows) + "\n")
    assert (job.read, job.created, job.failed) == (len(rows), 1, len(BAD_ROWS))
    assert Interaction.objects.filter(project=cast.project).count() == 1
    reported = {number: (column, value, message) for number, column, value, message
                in report_rows(job)}
    for number, (changes, column, value, message) in enumerate(BAD_ROWS, start=3):
        got = reported[number]
        assert got[:2] == (column, value or None), (changes, got)
        assert got[2].startswith(message), (changes, got)


def test_a_bad_value_repeated_on_several_rows_fails_each_of_them(cast, admin, ana):
    """A cell's text is cleaned once per file: every row holding it still fails, reported."""
    job = import_file(admin, cast, HEADER + "\n".join([
        line(**{"Canal": "Fax"}),
        line(**{"Canal": "Fax", "Fecha de envío": "16/03/2026 10:30"}),
        line(**{"Número de documento": "44444444"}),
        line(**{"Número de documento": "44444444", "Fecha de envío": "16/03/2026 10:30"}),
        line(**{"Fecha de envío": "31/02/2026 10:00"}),
        line(**{"Fecha de envío": "31/02/2026 10:00", "Canal": "SMS"}),
    ]) + "\n")
    assert (job.created, job.failed) == (0, 6)
    assert [row[:3] for row in report_rows(job)] == [
        (2, "Canal", "Fax"), (3, "Canal", "Fax"),
        (4, "Número de documento", "44444444"), (5, "Número de documento", "44444444"),
        (6, "Fecha de envío", "31/02/2026 10:00"), (7, "Fecha de envío", "31/02/2026 10:00"),
    ]


def test_an_unknown_client_and_one_in_the_recycle_bin_fail_with_their_own_message(
        cast, admin, ana):
    factories.make_client(cast.project, document_number="55555555", name="Beto Bin",
                          deleted_at=timezone.now())
    job = import_file(admin, cast, HEADER + "\n".join([
        line(**{"Número de documento": "44444444"}),
        line(**{"Número de documento": "55.555.555"}),
        line(),
    ]) + "\n")
    assert (job.created, job.failed) == (1, 2)
    assert report_rows(job) == [
        (2, "Número de documento", "44444444",
         "No existe el cliente CC 44444444 en el proyecto: créelo antes de cargarle "
         "comunicaciones."),
        (3, "Número de documento", "55555555",
         "El cliente CC 55555555 (Beto Bin) está en la papelera: recupérelo antes de cargarle "
         "comunicaciones."),
    ]
    assert list(Interaction.objects.values_list("client_id", flat=True)) == [ana.pk]


def test_a_client_of_another_project_is_unknown_here(cast, admin):
    factories.make_client(cast.other_project, document_number="1020304050")
    job = import_file(admin, cast, HEADER + line() + "\n")
    assert (job.created, job.failed) == (0, 1)
    assert not Interaction.objects.exists()


def test_a_client_sent_to_the_bin_after_the_preview_fails_when_writing(cast, admin, ana):
    job = map_and_analyze(admin, cast, upload(admin, cast, HEADER + line() + "\n"))
    assert job.options["plan"]["failed"] == 0
    ana.deleted_at = timezone.now()
    ana.save(update_fields=["deleted_at"])
    job = confirm(admin, cast, job)
    assert (job.created, job.failed) == (0, 1)
    assert "está en la papelera" in report_rows(job)[0][3]
    assert not Interaction.objects.exists()


def test_with_an_advisers_scope_only_their_clients_take_communications(cast, admin, ana):
    other = factories.make_client(cast.project, document_number="66666666",
                                  adviser=cast.restricted)
    job = upload(admin, cast, HEADER + "\n".join([
        line(), line(**{"Número de documento": other.document_number})]) + "\n",
        scope=str(cast.adviser.pk))
    job = confirm(admin, cast, map_and_analyze(admin, cast, job))
    assert (job.created, job.failed) == (1, 1)
    assert report_rows(job)[0][3].startswith(
        "El cliente CC 66666666 no es de la cartera de")


def test_the_adviser_is_the_rows_asesor_id_else_the_clients(cast, admin, ana):
    import_file(admin, cast, HEADER + "\n".join([
        line(**{"Asesor ID": cast.restricted.code.lower()}),
        line(**{"Fecha de envío": "16/03/2026 10:30"}),
    ]) + "\n")
    advisers = list(Interaction.objects.order_by("scheduled_at")
                    .values_list("adviser_id", flat=True))
    assert advisers == [cast.restricted.pk, cast.adviser.pk]


def test_an_inactive_adviser_is_refused(cast, admin, ana):
    cast.restricted.is_active = False
    cast.restricted.save(update_fields=["is_active"])
    job = import_file(admin, cast, HEADER + line(**{"Asesor ID": cast.restricted.code}) + "\n")
    assert job.failed == 1
    assert "está inactivo" in report_rows(job)[0][3]


def test_dates_are_read_in_the_projects_timezone_unless_they_carry_an_offset(cast, admin, ana):
    cast.project.timezone = "America/Santiago"
    cast.project.save(update_fields=["timezone"])
    import_file(admin, cast, HEADER + "\n".join([
        line(**{"Fecha de envío": "15/01/2026 10:30"}),
        line(**{"Fecha de envío": "2026-07-15 10:30:15"}),
        line(**{"Fecha de envío": "2026-03-20T10:30:00Z"}),
        line(**{"Fecha de envío": "2026-03-21T10:30:00-03:00"}),
        line(**{"Fecha de envío": "22/03/2026"}),
    ]) + "\n")
    santiago = ZoneInfo("America/Santiago")
    got = list(Interaction.objects.order_by("scheduled_at")
               .values_list("scheduled_at", flat=True))
    assert got == [
        datetime(2026, 1, 15, 10, 30, tzinfo=santiago),  # summer: UTC-3
        datetime(2026, 3, 20, 10, 30, tzinfo=ZoneInfo("UTC")),
        datetime(2026, 3, 21, 13, 30, tzinfo=ZoneInfo("UTC")),
        datetime(2026, 3, 22, 0, 0, tzinfo=santiago),
        datetime(2026, 7, 15, 10, 30, 15, tzinfo=santiago),  # winter: UTC-4
    ]
    assert got[0] == datetime(2026, 1, 15, 13, 30, tzinfo=ZoneInfo("UTC"))
    assert got[-1] == datetime(2026, 7, 15, 14, 30, 15, tzinfo=ZoneInfo("UTC"))


def test_the_same_record_in_another_file_written_otherwise_is_not_registered_twice(
        cast, admin, ana):
    first = import_file(admin, cast, HEADER + line(**{
        "Destinatarios": "+57 300-123-4567, ana@example.com", "Plantilla": "Recordatorio",
        "Estado": "Enviada"}) + "\n")
    assert first.created == 1
    # Other columns' order, the date in ISO, the recipients in another order and spelling,
    # the template in another case, a later state: the same communication.
    again = import_file(admin, cast, (
        "Estado;Destinatarios;Fecha de envío;Canal;Número de documento;Tipo de documento;"
        "Plantilla\n"
        "Leída;ANA@example.com | +573001234567;2026-03-15 10:30:00;whatsapp;1.020.304.050;cc;"
        "recordatorio\n"
        "Leída;ANA@example.com, +573001234567;2026-03-15 10:31:00;whatsapp;1020304050;CC;"
        "recordatorio\n"), name="otra_carga.csv")
    assert (again.created, again.unchanged, again.failed) == (1, 1, 0)
    kept = Interaction.objects.get(project=cast.project, scheduled_at__minute=30)
    # The record already registered is left as it was.
    assert (kept.status, kept.recipients) == ("sent", "+573001234567, ana@example.com")


def test_a_record_repeated_in_one_file_fails_naming_its_first_row(cast, admin, ana):
    job = import_file(admin, cast, HEADER + "\n".join([
        line(), line(**{"Canal": "SMS"}), line(**{"Estado": "Leída"})]) + "\n")
    assert (job.created, job.failed) == (2, 1)
    assert report_rows(job) == [(
        4, None, "CC 1020304050",
        "Esta comunicación del cliente CC 1020304050 ya aparece en la fila 2 del archivo (mismo "
        "cliente, canal, fecha de envío, destinatarios, plantilla, flujo y tipo): cada "
        "comunicación va una sola vez.")]


def test_an_inbound_record_is_not_the_outbound_one(cast, admin, ana):
    job = import_file(admin, cast, HEADER + "\n".join([
        line(), line(**{"Tipo": "Entrante"})]) + "\n")
    assert (job.created, job.failed) == (2, 0)
    assert sorted(Interaction.objects.values_list("direction", flat=True)) == [
        "inbound", "outbound"]


def test_the_natural_key_ignores_the_recipients_order_and_the_templates_case():
    values = {"document_type": "CC", "document_number": "1", "channel": "sms",
              "scheduled_at": "2026-03-15T15:30:00Z", "recipients": "+571, b@x.co",
              "template": "Aviso  Uno", "campaign": "", "direction": "outbound"}
    same = {**values, "recipients": "b@x.co, +571", "template": "aviso uno"}
    assert natural_key(values) == natural_key(same)
    assert len(natural_key(values)) == 64
    for name, other in (("channel", "email"), ("scheduled_at", "2026-03-15T15:30:01Z"),
                        ("direction", "inbound"), ("campaign", "Marzo"),
                        ("document_number", "2")):
        assert natural_key({**values, name: other}) != natural_key(values), name


def test_all_or_nothing_with_a_bad_row_registers_nothing(cast, admin, ana):
    job = upload(admin, cast, HEADER + "\n".join([line(), line(**{"Canal": "Fax"})]) + "\n",
                 all_or_nothing="on")
    job = map_and_analyze(admin, cast, job)
    response = admin.post(reverse("integrations:confirm",
                                  kwargs={"project": cast.project.slug, "pk": job.pk}))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.options["phase"] == "preview"  # refused: the bad row must be fixed first
    assert not Interaction.objects.exists()



def test_the_stored_natural_keys_stay_the_same(cast, admin, ana):
    """Records already registered are found by their stored key: its definition never changes
    (a new one needs a new KEY_VERSION)."""
    job = import_file(admin, cast, HEADER + "\n".join([
        line(),
        line(**{"Destinatarios": "ANA@Example.com | +57 (300) 123-4567", "Tipo": "Entrante",
                "Plantilla": "  Aviso   de Pago ", "Tipo de flujo": "Campaña",
                "Flujo, evento o campaña": "Cobranza  Marzo"}),
        line(**{"Fecha de envío": "2026-03-21T10:30:15-03:00", "Canal": "Email",
                "Destinatarios": "ana@example.com"}),
    ]) + "\n")
    assert job.created == 3
    assert list(Interaction.objects.order_by("scheduled_at", "direction")
                .values_list("import_key", flat=True)) == [
        "92beb4da7f973944954a1b8fb0bc430974d19dc4c0cbbe84647133312d44b37a",  # row 3, inbound
        "a2eda6c55c9387d3f4527b0685a090c5dfeb3e4d19060d0610a1d1ad40c54d26",  # row 2
        "31b38a56be9ee2f3f90fb308c227404c841f50e30b5ba21322c9601795c3c7f3",  # row 4
    ]
    values = {"document_type": "CC", "document_number": "1020304050", "channel": "whatsapp",
              "scheduled_at": "2026-03-15T15:30:00Z", "recipients": "3001234567",
              "direction": "outbound"}
    assert natural_key(values) == (
        "a2eda6c55c9387d3f4527b0685a090c5dfeb3e4d19060d0610a1d1ad40c54d26")
