"""Descargar end to end: the tray's button, a real worker, the Log de procesos, the file, the email."""

import csv
import io

import pytest
from django.urls import reverse

from moonflow.audit.models import AuditEvent
from moonflow.jobs.models import JobStatus, ProcessJob
from tests import factories
from tests.conftest import wait_for
from tests.jobs.helpers import (
    align_media_with_worker,
    download_bytes,
    email_body,
    email_subject,
    read_xlsx,
    sent_emails,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

MESSAGE = "Descarga programada. Recibirás un correo y la encontrarás en el Log de procesos."


@pytest.fixture(autouse=True)
def media(settings):
    align_media_with_worker(settings)


@pytest.fixture
def book(cast):
    segment = factories.make_segment(cast.project, "Pyme")
    return {
        "ana": factories.make_client(cast.project, name="Ana Ríos", segment=segment,
                                     adviser=cast.restricted, phone="+57 300 1"),
        "evil": factories.make_client(cast.project, name='=HYPERLINK("http://x.example","y")',
                                      adviser=cast.restricted, status="inactive"),
        "other": factories.make_client(cast.project, name="Bruno Díaz", adviser=cast.adviser),
        "gone": factories.make_client(cast.project, name="Carla Borrada", adviser=cast.restricted,
                                      deleted_at="2024-01-01T00:00:00Z"),
    }


def finished(job_pk):
    return ProcessJob.objects.filter(
        pk=job_pk, status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.PARTIAL]
    ).first()


def download_through_the_tray(browser, query: str, fmt: str) -> ProcessJob:
    url = reverse("clients:download", kwargs={"project": "demo"})
    response = browser.post(url, {"formato": fmt, "query": query})
    job = ProcessJob.objects.latest("pk")
    assert response.status_code == 302
    assert response.url == reverse("jobs:detail", kwargs={"project": "demo", "pk": job.pk})
    assert MESSAGE in browser.get(response.url).content.decode()
    job = wait_for(lambda: finished(job.pk), timeout=60, message="the download job to finish")
    assert job.status == JobStatus.SUCCEEDED, job.message
    return job


def fetch_result(browser, job) -> bytes:
    detail = browser.get(reverse("jobs:detail", kwargs={"project": "demo", "pk": job.pk}))
    text = detail.content.decode()
    file_url = reverse("jobs:download", kwargs={"project": "demo", "pk": job.pk,
                                                "which": "resultado"})
    assert f'href="{file_url}"' in text and "Descargar resultado" in text
    assert "Descarga lista:" in text
    response = browser.get(file_url)
    assert response.status_code == 200
    return download_bytes(response)


def test_it_downloads_the_restricted_advisers_clients_as_csv(cast, as_member, book,
                                                             celery_worker_process):
    browser = as_member(cast.restricted)
    job = download_through_the_tray(browser, "orden=name", "csv")

    content = fetch_result(browser, job)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    # Only their clients (not Bruno's, not the recycle bin), formulas neutralised.
    assert rows[0][:3] == ["Nombre", "Tipo de documento", "Número de documento"]
    assert sorted(row[0] for row in rows[1:]) == sorted(["'=HYPERLINK(\"http://x.example\",\"y\")",
                                                         "Ana Ríos"])
    ana = next(row for row in rows if row[0] == "Ana Ríos")
    assert "'+57 300 1" in ana and "Pyme" in ana and "Activo" in ana

    event = AuditEvent.objects.get(resource_type="client_export", resource_id=str(job.pk))
    assert event.event == "exported" and event.actor == cast.restricted.user
    assert event.changes["rows"] == 2 and event.changes["filters"] == {"orden": "name"}

    def the_email():
        return next(
            (m for m in sent_emails(celery_worker_process.mail_dir)
             if f"/procesos/{job.pk}/" in email_body(m)),
            None,
        )

    message = wait_for(the_email, message="the notification email")
    assert message["To"] == cast.restricted.user.email
    assert email_subject(message) == "Moonflow · Demo Cobranzas · Descarga de clientes (CSV): Finalizado"
    body = email_body(message)
    assert "Filas procesadas: 2 de 2" in body
    assert "Descarga lista: 2 clientes en CSV." in body


def test_it_downloads_the_filtered_rows_as_xlsx(cast, as_member, book, celery_worker_process):
    browser = as_member(cast.admin)
    job = download_through_the_tray(browser, "estado=inactivo&estado=eliminado", "xlsx")

    rows = read_xlsx(fetch_result(browser, job))
    assert rows[0][:2] == ("Nombre", "Tipo de documento")
    names = sorted(row[0] for row in rows[1:])
    assert names == ["=HYPERLINK(\"http://x.example\",\"y\")", "Carla Borrada"]  # XLSX: raw
    status = rows[0].index("Estado")
    assert sorted(row[status] for row in rows[1:]) == ["Eliminado", "Inactivo"]
    assert job.result_file.name.endswith(".xlsx")
