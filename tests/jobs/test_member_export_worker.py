"""Descargar usuarios end to end: the button, a real worker, the log, the file, the notices."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from moonflow.jobs.models import JobStatus, Notification, ProcessJob
from moonflow.tenancy.models import Member
from tests.conftest import wait_for

from .helpers import (
    TableWriteLock,
    align_media_with_worker,
    download_bytes,
    email_body,
    email_subject,
    read_xlsx,
    sent_emails,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

EXTRA_MEMBERS = 36


@pytest.fixture(autouse=True)
def media(settings):
    align_media_with_worker(settings)


def add_members(project, count):
    """Many members at once (no password hashing: they never log in)."""
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"gestor{n:03d}", first_name=f"Gestor {n:03d}", password="!",
              email=f"gestor{n:03d}@example.com") for n in range(count)]
    )
    Member.objects.bulk_create(
        [Member(project=project, user=user, code=f"G-{n:03d}") for n, user in enumerate(users)]
    )


def test_it_exports_the_members_through_the_process_log(cast, as_member, celery_worker_process):
    add_members(cast.project, EXTRA_MEMBERS)
    total = 4 + EXTRA_MEMBERS
    browser = as_member(cast.admin)
    list_url = reverse("jobs:list", kwargs={"project": "demo"})

    # Hold the worker just before the job commits its end (its notification
    # waits for the lock), so the page can be seen while the job is running.
    with TableWriteLock("jobs_notification") as lock:
        response = browser.post(reverse("advisers:export", kwargs={"project": "demo"}))
        job = ProcessJob.objects.get()
        detail_url = reverse("jobs:detail", kwargs={"project": "demo", "pk": job.pk})
        assert response.url == detail_url

        wait_for(
            lambda: ProcessJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING, done=total,
                                              total=total).exists(),
            message="the worker to report its progress",
        )
        running = browser.get(detail_url).content.decode()
        assert "En proceso" in running
        assert f"{total} / {total} filas" in running
        assert '<th scope="row">Leídos</th><td class="text-end">40</td>' in running
        assert 'hx-trigger="every 1s"' in running
        listing = browser.get(list_url).content.decode()
        assert "En proceso" in listing and 'hx-trigger="every 2s"' in listing
        lock.release()

        wait_for(lambda: ProcessJob.objects.filter(pk=job.pk, status=JobStatus.SUCCEEDED).exists(),
                 message="the export to finish")

    # The bell counts the notification until the job's page is seen.
    listing = browser.get(list_url).content.decode()
    assert '<span class="badge rounded-pill text-bg-danger">1</span>' in listing
    assert 'hx-trigger="every 2s"' not in listing  # nothing left to watch
    assert Notification.objects.get(member=cast.admin, job=job).message == (
        "Descarga de usuarios: Finalizado"
    )

    finished = browser.get(detail_url).content.decode()
    assert "Finalizado" in finished and "hx-trigger" not in finished
    assert f"{total} / {total} filas" in finished
    assert f"{total} usuarios descargados." in finished
    assert "Descargar resultado" in finished
    assert "text-bg-danger" not in finished  # seen: the bell is clear

    download = browser.get(reverse("jobs:download",
                                   kwargs={"project": "demo", "pk": job.pk, "which": "resultado"}))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="usuarios-demo-')
    rows = read_xlsx(download_bytes(download))
    assert rows[0] == ("Nombre", "Usuario", "Correo", "Rol", "Equipo", "ID",
                       "Asignación de asesor", "Estado")
    assert len(rows) == 1 + total
    by_user = {row[1]: row for row in rows[1:]}
    assert by_user["gestor007"] == ("Gestor 007", "gestor007", "gestor007@example.com", "Asesor",
                                    None, "G-007", "No", "Activo")
    assert by_user["asesor2"][4:7] == ("Equipo Norte", cast.restricted.code, "Sí")

    # The email is written by the worker process.
    def job_email():
        for message in sent_emails(celery_worker_process.mail_dir):
            if detail_url in email_body(message):
                return message
        return None

    message = wait_for(job_email, message="the notification email")
    assert message["To"] == "admin@example.com"
    assert email_subject(message) == "Moonflow · Demo Cobranzas · Descarga de usuarios: Finalizado"
    body = email_body(message)
    assert f"Filas procesadas: {total} de {total}" in body
    assert f"{total} usuarios descargados." in body
    assert "Los archivos se pueden descargar durante 7 días." in body
