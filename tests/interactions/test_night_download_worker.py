"""The night download end to end: asked on the tray, taken by the night run, written by a real
worker, announced by email and downloaded from the Log de procesos."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from interactions.download_models import NightDownload, NightDownloadStatus
from interactions.night_downloads import night_downloads_run
from moonflow.jobs.models import JobStatus, ProcessJob
from tests import factories
from tests.conftest import wait_for
from tests.jobs.helpers import align_media_with_worker, download_bytes, email_body, sent_emails

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

EVIL = '=HYPERLINK("http://x.example","y")'


def bogota(y, m, d, hh, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC) + timedelta(hours=5)


@pytest.fixture(autouse=True)
def media(settings):
    align_media_with_worker(settings)


def test_a_restricted_advisers_night_download_reaches_the_log_de_procesos(
        cast, as_member, monkeypatch, celery_worker_process):
    ana = factories.make_client(cast.project, name="Ana Ríos", adviser=cast.restricted)
    bruno = factories.make_client(cast.project, name="Bruno Díaz", adviser=cast.adviser)
    factories.make_interaction(ana, template=EVIL, scheduled_at=bogota(2026, 11, 30, 9))
    factories.make_interaction(bruno, template="Aviso", scheduled_at=bogota(2026, 11, 29, 9))

    browser = as_member(cast.restricted)
    monkeypatch.setattr(timezone, "now", lambda: bogota(2026, 12, 1, 10))
    response = browser.post("/p/demo/interacciones/descargar/", {
        "desde": "2026-11-01", "hasta": "2026-12-01", "formato": "csv", "query": ""})
    assert response.status_code == 302
    assert NightDownload.objects.get().status == NightDownloadStatus.PENDING

    monkeypatch.setattr(timezone, "now", lambda: bogota(2026, 12, 2, 2, 5))  # the night
    [job_id] = night_downloads_run()
    monkeypatch.undo()

    job = wait_for(lambda: ProcessJob.objects.filter(
        pk=job_id, status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED]).first(),
        timeout=60, message="the night download's job to finish")
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.message == "Descarga lista: 1 interacción en CSV."

    file_url = reverse("jobs:download", kwargs={"project": "demo", "pk": job.pk,
                                                "which": "resultado"})
    detail = browser.get(reverse("jobs:detail", kwargs={"project": "demo", "pk": job.pk}))
    assert f'href="{file_url}"' in detail.content.decode()
    content = download_bytes(browser.get(file_url)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[0][:2] == ["Cliente", "Tipo de documento"]
    assert len(rows) == 2 and rows[1][0] == "Ana Ríos"
    assert "'" + EVIL in rows[1]  # neutralised in CSV

    message = wait_for(lambda: next(
        (m for m in sent_emails(celery_worker_process.mail_dir)
         if f"/procesos/{job.pk}/" in email_body(m)), None), message="the notification email")
    assert message["To"] == cast.restricted.user.email
    assert "Descarga lista: 1 interacción en CSV." in email_body(message)
