"""A job's page: progress while it runs, then counts, message and files."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from moonflow.jobs.models import JobKind, JobStatus, Notification, ProcessJob

from .helpers import attach_file, make_job, num

pytestmark = pytest.mark.django_db


def url(job, project="demo"):
    return reverse("jobs:detail", kwargs={"project": project, "pk": job.pk})


def test_it_shows_progress_and_polls_while_running(cast, as_member):
    job = make_job(cast.project, cast.admin, kind=JobKind.CLIENT_IMPORT, status=JobStatus.RUNNING,
                   input_name="clientes.xlsx", total=2000, done=500, read=500,
                   started_at=timezone.now() - timedelta(minutes=1))
    browser = as_member(cast.admin)

    page = browser.get(url(job)).content.decode()

    assert "Importación de clientes" in page
    assert "En proceso" in page
    assert "clientes.xlsx" in page
    assert f"500 / {num(2000)} filas · quedan ~3 min" in page
    assert 'aria-valuenow="25"' in page
    assert 'hx-trigger="every 1s"' in page

    partial = browser.get(url(job), HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<section id="job-progress"')
    assert "<html" not in partial


def test_it_shows_counts_message_and_downloads_when_finished(cast, as_member):
    job = make_job(cast.project, cast.admin, kind=JobKind.CLIENT_IMPORT, status=JobStatus.PARTIAL,
                   total=12, done=12, read=12, created=9, updated=1, failed=2,
                   message="2 filas con errores.")
    attach_file(job, "result_file", "clientes.xlsx", b"r")
    attach_file(job, "error_file", "errores.xlsx", b"e")

    page = as_member(cast.admin).get(url(job)).content.decode()

    assert "Finalizado con errores" in page
    assert "hx-trigger" not in page
    for label, value in [("Leídos", 12), ("Creados", 9), ("Actualizados", 1), ("Fallidos", 2),
                         ("Transferidos", 0)]:
        assert f'<th scope="row">{label}</th><td class="text-end">{value}</td>' in page
    assert "2 filas con errores." in page
    assert "Descargar resultado" in page and "Descargar errores" in page
    assert "Disponible hasta el" in page


def test_it_shows_a_download_without_import_counters(cast, as_member):
    job = make_job(cast.project, cast.admin, status=JobStatus.SUCCEEDED, total=40, done=40)

    page = as_member(cast.admin).get(url(job)).content.decode()

    assert "40 / 40 filas" in page
    for label in ("Leídos", "Creados", "Actualizados", "Recuperados", "Transferidos",
                  "Eliminados", "Fallidos"):
        assert f'<th scope="row">{label}</th>' not in page


def test_it_says_a_job_waits_for_the_broker(cast, as_member):
    job = make_job(cast.project, cast.admin, enqueued_at=None)

    page = as_member(cast.admin).get(url(job)).content.decode()

    assert "El procesador de tareas no respondía cuando se pidió este proceso." in page


def test_it_marks_the_notification_of_a_finished_job_as_read(cast, as_member):
    job = make_job(cast.project, cast.admin, status=JobStatus.SUCCEEDED)
    other = make_job(cast.project, cast.admin, status=JobStatus.SUCCEEDED)
    for j in (job, other):
        Notification.objects.create(project=cast.project, member=cast.admin, job=j, message="Listo")

    as_member(cast.admin).get(url(job))

    assert Notification.objects.get(job=job).read_at is not None
    assert Notification.objects.get(job=other).read_at is None


def test_it_answers_404_for_another_members_job_to_a_restricted_member(cast, as_member):
    own = make_job(cast.project, cast.restricted)
    others = make_job(cast.project, cast.adviser)
    browser = as_member(cast.restricted)

    assert browser.get(url(own)).status_code == 200
    assert browser.get(url(others)).status_code == 404


def test_it_hides_admin_only_jobs_from_other_members(cast, as_member):
    job = make_job(cast.project, cast.admin, kind=JobKind.MEMBER_EXPORT)

    assert as_member(cast.adviser).get(url(job)).status_code == 404
    assert as_member(cast.supervisor).get(url(job)).status_code == 404
    assert as_member(cast.admin).get(url(job)).status_code == 200


def test_it_answers_404_to_outsiders_and_for_other_projects_ids(cast, as_member):
    job = make_job(cast.project, cast.admin)
    foreign = make_job(cast.other_project, cast.outsider)

    assert as_member(cast.outsider).get(url(job)).status_code == 404
    # Another project's id through my own project answers like a missing one.
    assert as_member(cast.admin).get(url(foreign)).status_code == 404
    missing = ProcessJob(pk=foreign.pk + 1000)
    assert as_member(cast.admin).get(url(missing)).status_code == 404


def test_it_sends_anonymous_visitors_to_the_login(cast, client):
    job = make_job(cast.project, cast.admin)
    response = client.get(url(job))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("zone", "shown"), [("America/Bogota", "14/03/2026 07:05:09"),
                                            ("Europe/Madrid", "14/03/2026 13:05:09")])
def test_it_shows_times_on_the_projects_clock(cast, as_member, zone, shown):
    cast.project.timezone = zone
    cast.project.save(update_fields=["timezone"])
    created = datetime(2026, 3, 14, 12, 5, 9, tzinfo=UTC)
    job = make_job(cast.project, cast.admin, kind=JobKind.CLIENT_IMPORT, status=JobStatus.QUEUED)
    ProcessJob.objects.filter(pk=job.pk).update(created_at=created)

    page = as_member(cast.admin).get(url(job)).content.decode()

    assert shown in page
