"""Descargar of a large tray, through the screen, the job and a real worker process.

A download reports its progress every few thousand rows while PostgreSQL
streams the COPY out: the progress must never wait on the COPY's connection.
"""

import csv
import io
import re
import zipfile

import pytest
from django.db import connection
from django.urls import reverse

from clients.models import Client
from moonflow.jobs.models import JobStatus, ProcessJob
from tests import factories
from tests.conftest import wait_for
from tests.jobs.helpers import align_media_with_worker, download_bytes, num

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

ROWS = 100_000


@pytest.fixture(autouse=True)
def media(settings):
    align_media_with_worker(settings)


def clone_clients(template: Client, n: int) -> None:
    """n copies of `template` with their own document numbers and names, in one statement."""
    columns = [
        f.column for f in Client._meta.concrete_fields
        if f.column not in ("id", "document_number", "name")
    ]
    listed = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO clients_client ({listed}, document_number, name) "
            f"SELECT {listed}, '9' || lpad(g::text, 9, '0'), 'Cliente masivo ' || g "
            f"FROM clients_client, generate_series(1, %s) AS g WHERE id = %s",
            [n, template.pk],
        )
        cursor.execute("ANALYZE clients_client")


@pytest.fixture
def big_book(cast):
    template = factories.make_client(cast.project, name="Ana Ríos", adviser=cast.adviser,
                                     phone="+57 300 1")
    clone_clients(template, ROWS - 1)
    return ROWS


def download(browser, fmt: str) -> tuple[ProcessJob, bytes]:
    response = browser.post(
        reverse("clients:download", kwargs={"project": "demo"}), {"formato": fmt, "query": ""}
    )
    assert response.status_code == 302
    job = ProcessJob.objects.latest("pk")
    job = wait_for(
        lambda: ProcessJob.objects.filter(
            pk=job.pk, status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED]
        ).first(),
        timeout=120,
        message=f"the {fmt} download of {ROWS} clients to finish",
    )
    assert job.status == JobStatus.SUCCEEDED, job.message
    file_url = reverse("jobs:download", kwargs={"project": "demo", "pk": job.pk,
                                                "which": "resultado"})
    return job, download_bytes(browser.get(file_url))


def test_it_downloads_a_hundred_thousand_clients_as_csv(cast, as_member, big_book,
                                                         celery_worker_process):
    job, content = download(as_member(cast.admin), "csv")

    assert (job.total, job.done) == (ROWS, ROWS)
    assert job.message == f"Descarga lista: {num(ROWS)} clientes en CSV."
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == ROWS + 1
    assert rows[0][0] == "Nombre"
    assert len({row[2] for row in rows[1:]}) == ROWS  # every document number once


def test_it_downloads_a_hundred_thousand_clients_as_xlsx(cast, as_member, big_book,
                                                          celery_worker_process):
    job, content = download(as_member(cast.admin), "xlsx")

    assert (job.total, job.done) == (ROWS, ROWS)
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml")
    assert len(re.findall(rb"<row ", sheet)) == ROWS + 1
    assert b"Cliente masivo 99999<" in sheet
