"""Agregar desde archivo: the page, the job, and a file with bad rows and its error report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from clients.validation.fields import nit_check_digit
from moonflow.audit.models import AuditEventKind
from moonflow.jobs.models import JobKind, JobStatus, ProcessJob
from portfolios.services import portfolio_create
from portfolios.tasks import add_contacts
from tests import factories
from tests.jobs.helpers import read_xlsx

from .helpers import events, members_of, put_in, text, url

pytestmark = pytest.mark.django_db

NIT_BODY = "900123456"
NIT_SHOWN = f"900.123.456-{nit_check_digit(NIT_BODY)}"


@pytest.fixture
def portfolio(cast):
    return portfolio_create(member=cast.admin, name="Recuperación Julio", team=cast.adviser.team)


@pytest.fixture
def book(cast, portfolio):
    make = factories.make_client
    already = make(cast.project, name="Pedro Páramo", document_number="79111222")
    put_in(portfolio, already)
    return {
        "cc": make(cast.project, name="Lucía Méndez", document_number="1020304050"),
        "nit": make(cast.project, name="Agro SAS", document_type="NIT", document_number=NIT_BODY),
        "already": already,
        "gone": make(cast.project, name="Beto Papelera", document_number="11122233",
                     deleted_at=timezone.now()),
        "twin_cc": make(cast.project, name="Gemelo Persona", document_number="88877766"),
        "twin_nit": make(cast.project, name="Gemelo Empresa", document_type="NIT",
                         document_number="88877766"),
        "foreign": make(cast.other_project, name="Carla Ajena", document_number="44433322"),
    }


BAD_FILE = (
    "Documento;Tipo de documento\n"
    "1020304050;CC\n"          # 2: added
    f"{NIT_SHOWN};\n"          # 3: the NIT, written with its verification digit: added
    "79111222;\n"              # 4: already in the portfolio
    "55555555;\n"              # 5: nobody
    ";CC\n"                    # 6: no number
    "12345;XX\n"               # 7: not a type
    "11122233;\n"              # 8: in the Papelera
    "88877766;\n"              # 9: two clients share it
    "88877766;NIT\n"           # 10: the type says which: added
    "1020304050;\n"            # 11: repeated
    "44433322;\n"              # 12: another project's
)


def _upload(browser, portfolio, content: str, name="contactos.csv"):
    return browser.post(url("portfolios:add_from_file", pk=portfolio.pk), {
        "archivo": SimpleUploadedFile(name, content.encode("utf-8"), content_type="text/csv"),
    })


def test_it_shows_the_page_with_what_the_file_needs(cast, as_member, portfolio):
    body = text(as_member(cast.supervisor).get(url("portfolios:add_from_file", pk=portfolio.pk)))

    assert "Agregar desde archivo a «Recuperación Julio»" in body
    assert "una columna «Documento»" in body
    assert 'enctype="multipart/form-data"' in body


def test_it_asks_for_the_file(cast, as_member, portfolio):
    response = as_member(cast.admin).post(url("portfolios:add_from_file", pk=portfolio.pk), {})

    assert response.status_code == 400
    assert "Elija el archivo que quiere cargar." in text(response)
    assert not ProcessJob.objects.exists()


def test_it_queues_one_job_with_the_file(cast, as_member, portfolio, book):
    response = _upload(as_member(cast.supervisor), portfolio, BAD_FILE)

    job = ProcessJob.objects.get()
    assert response.status_code == 302 and response.url == url("jobs:detail", pk=job.pk)
    assert (job.kind, job.input_name) == (JobKind.PORTFOLIO_CONTACTS_ADD, "contactos.csv")
    assert job.title == "Carga de contactos a «Recuperación Julio» desde «contactos.csv»"
    assert job.options == {"portfolio": portfolio.pk, "source": "file", "file": "contactos.csv"}


def test_a_file_with_bad_rows_adds_the_good_ones_and_reports_the_others(cast, as_member,
                                                                        portfolio, book):
    _upload(as_member(cast.admin), portfolio, BAD_FILE)
    job = ProcessJob.objects.get()

    add_contacts(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.PARTIAL, job.message
    assert (job.read, job.created, job.unchanged, job.failed) == (11, 3, 2, 6)
    assert members_of(portfolio) == {"Pedro Páramo", "Lucía Méndez", "Agro SAS",
                                     "Gemelo Empresa"}
    rows = read_xlsx(job.error_file.read())
    assert rows[0] == ("Fila", "Columna", "Valor", "Detalle del error")
    assert rows[1:] == [
        (5, "Documento", "55555555",
         "No hay un cliente con el documento «55555555» entre los clientes que usted ve."),
        (6, "Documento", None, "Falta el número de documento."),
        (7, "Tipo de documento", "XX",
         "Tipo de documento «XX»: no es un tipo de documento válido. Use uno de: CC, CE, NIT, "
         "DNI, RUT, CUIT, RFC, PAS."),
        (8, "Documento", "11122233", "El cliente con el documento «11122233» está en la "
                                     "Papelera: recupérelo antes de agregarlo a la cartera."),
        (9, "Documento", "88877766", "El documento «88877766» es de 2 clientes con distinto tipo "
                                     "de documento: indique el tipo en la columna «Tipo de "
                                     "documento»."),
        (12, "Documento", "44433322",
         "No hay un cliente con el documento «44433322» entre los clientes que usted ve."),
    ]
    event = events(portfolio, AuditEventKind.CONTACT_ADDED).get()
    assert event.changes["contactos"] == [None, 3]
    assert event.changes["origen"] == [None, "Archivo «contactos.csv»"]
    assert event.source == "file"


def test_a_file_without_a_document_column_fails_saying_what_it_has(cast, as_member, portfolio):
    _upload(as_member(cast.admin), portfolio, "Nombre;Ciudad\nAna;Cali\n", name="lista.csv")
    job = ProcessJob.objects.get()

    add_contacts(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == ("El archivo «lista.csv» no tiene una columna de documentos: sus "
                           "columnas son «Nombre», «Ciudad». Ponga los números de documento en "
                           "una columna titulada «Documento» (y, si quiere, el tipo en «Tipo de "
                           "documento»).")
    assert not events(portfolio, AuditEventKind.CONTACT_ADDED).exists()


def test_a_single_column_file_needs_no_particular_title(cast, as_member, portfolio, book):
    _upload(as_member(cast.admin), portfolio, "Cédulas\n1020304050\n")
    job = ProcessJob.objects.get()

    add_contacts(job.pk)

    job.refresh_from_db()
    assert (job.status, job.created) == (JobStatus.SUCCEEDED, 1)


@pytest.mark.parametrize("who", ["adviser", "restricted"])
def test_it_is_closed_to_advisers(cast, as_member, portfolio, who):
    browser = as_member(getattr(cast, who))

    assert browser.get(url("portfolios:add_from_file", pk=portfolio.pk)).status_code == 403
    assert _upload(browser, portfolio, "Documento\n1\n").status_code == 403


def test_it_answers_404_to_another_projects_member(cast, as_member, portfolio):
    response = as_member(cast.outsider).get(
        url("portfolios:add_from_file", project="otra", pk=portfolio.pk))

    assert response.status_code == 404
