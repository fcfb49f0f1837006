"""Carga de contactos a cartera end to end: the request, a real Celery worker, the Log de
procesos with its counts and, for a file, its error report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from moonflow.jobs.models import JobStatus, ProcessJob
from portfolios.models import PortfolioClient
from portfolios.services import portfolio_create
from tests import factories
from tests.conftest import wait_for
from tests.jobs.helpers import align_media_with_worker, download_bytes, read_xlsx

from .helpers import members_of, put_in, text, url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture(autouse=True)
def media(settings):
    align_media_with_worker(settings)


def finished(job_pk):
    return ProcessJob.objects.filter(
        pk=job_pk, status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.PARTIAL]
    ).first()


@pytest.fixture
def portfolio(cast):
    return portfolio_create(member=cast.admin, name="Recuperación Julio", team=cast.adviser.team)


def test_it_adds_a_clients_tray_filter_through_the_worker(cast, as_member, portfolio,
                                                          celery_worker_process):
    pyme = factories.make_segment(cast.project, "Pyme")
    clients = [factories.make_client(cast.project, name=f"Pyme {n:03d}", segment=pyme)
               for n in range(120)]
    factories.make_client(cast.project, name="Fuera del filtro")
    put_in(portfolio, clients[0])
    browser = as_member(cast.supervisor)

    response = browser.post(url("portfolios:add_from_tray"), {
        "cartera": portfolio.pk, "clientes": "actual", "query": f"segmento={pyme.pk}"})

    job = ProcessJob.objects.get()
    assert response.url == url("jobs:detail", pk=job.pk)
    job = wait_for(lambda: finished(job.pk), timeout=60, message="the job to finish")
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert (job.total, job.read, job.created, job.unchanged, job.failed) == (120, 120, 119, 1, 0)
    assert PortfolioClient.objects.filter(portfolio=portfolio).count() == 120
    assert "Fuera del filtro" not in members_of(portfolio)
    detail = text(browser.get(response.url))
    assert ("Contactos agregados a «Recuperación Julio»: 119 agregados, 1 ya estaban en la "
            "cartera, 0 no agregados.") in detail


def test_it_adds_a_file_and_offers_the_report_of_its_bad_rows(cast, as_member, portfolio,
                                                              celery_worker_process):
    factories.make_client(cast.project, name="Lucía Méndez", document_number="1020304050")
    browser = as_member(cast.admin)
    content = "Documento\n1020304050\n99999999\n\n1.020.304.050\n"

    response = browser.post(url("portfolios:add_from_file", pk=portfolio.pk), {
        "archivo": SimpleUploadedFile("lista.csv", content.encode(), content_type="text/csv")})

    job = ProcessJob.objects.get()
    job = wait_for(lambda: finished(job.pk), timeout=60, message="the job to finish")
    assert job.status == JobStatus.PARTIAL, job.message
    assert (job.read, job.created, job.unchanged, job.failed) == (3, 1, 1, 1)
    assert members_of(portfolio) == {"Lucía Méndez"}
    report = browser.get(url("jobs:download", pk=job.pk, which="errores"))
    assert report.status_code == 200
    assert read_xlsx(download_bytes(report))[1:] == [
        (3, "Documento", "99999999",
         "No hay un cliente con el documento «99999999» entre los clientes que usted ve."),
    ]
    assert "Descargar" in text(browser.get(response.url))
