"""The Log de procesos page."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from moonflow.jobs.models import JobKind, JobStatus, ProcessJob

from .helpers import attach_file, make_job, num

pytestmark = pytest.mark.django_db


def url(project, **query):
    base = reverse("jobs:list", kwargs={"project": project.slug})
    if query:
        base += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return base


def test_it_lists_jobs_with_status_progress_and_counts(cast, as_member):
    make_job(cast.project, cast.admin, kind=JobKind.CLIENT_IMPORT, status=JobStatus.QUEUED)
    make_job(cast.project, cast.supervisor, kind=JobKind.TRANSFER, status=JobStatus.RUNNING,
             total=1000, done=500, read=500, started_at=timezone.now() - timedelta(seconds=20))
    done = make_job(cast.project, cast.admin, kind=JobKind.MEMBER_EXPORT,
                    status=JobStatus.SUCCEEDED, total=1234, done=1234, read=1234)
    attach_file(done, "result_file", "usuarios.xlsx", b"x")
    make_job(cast.project, cast.admin, status=JobStatus.PARTIAL, total=10, done=10, read=10,
             created=8, failed=2)
    make_job(cast.project, cast.admin, status=JobStatus.FAILED, message="Archivo ilegible")

    page = as_member(cast.admin).get(url(cast.project)).content.decode()

    assert "Log de procesos" in page
    assert "5 procesos" in page
    for label in ("En cola", "En proceso", "Finalizado", "Finalizado con errores", "Fallido"):
        assert f">{label}</span>" in page
    for kind in ("Importación de clientes", "Transferencia de clientes", "Descarga de usuarios"):
        assert kind in page
    assert "Supervisor" in page  # who asked
    assert f"500 / {num(1000)} filas" in page
    assert re.search(r"quedan ~2[01] s", page)  # 500 rows in 20 s, 500 to go
    assert f"{num(1234)} / {num(1234)} filas" in page
    assert f"Leídos: {num(1234)}" in page
    assert "Creados: 8" in page and "Fallidos: 2" in page
    download = reverse("jobs:download",
                       kwargs={"project": "demo", "pk": done.pk, "which": "resultado"})
    assert f'href="{download}"' in page
    assert 'aria-label="Descargar resultado"' in page


def test_it_polls_while_a_job_is_not_finished(cast, as_member):
    job = make_job(cast.project, cast.admin, status=JobStatus.RUNNING, total=10, done=1)
    browser = as_member(cast.admin)

    page = browser.get(url(cast.project)).content.decode()
    assert 'hx-trigger="every 2s"' in page

    # The htmx refresh answers only the table.
    partial = browser.get(url(cast.project), HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="tray"')
    assert "<html" not in partial

    ProcessJob.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, done=10)
    partial = browser.get(url(cast.project), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' not in partial
    assert ">Finalizado</span>" in partial


def test_it_pages_by_fifty_without_offsets(cast, as_member):
    jobs = ProcessJob.objects.bulk_create(
        [ProcessJob(project=cast.project, requested_by=cast.admin, kind=JobKind.CLIENT_EXPORT,
                    title=f"Descarga {n:03d}") for n in range(52)]
    )
    # Oldest first: "Descarga 000" is the oldest job.
    base = timezone.now() - timedelta(hours=1)
    for n, job in enumerate(jobs):
        ProcessJob.objects.filter(pk=job.pk).update(created_at=base + timedelta(seconds=n // 2))
    browser = as_member(cast.admin)

    first = browser.get(url(cast.project))
    html = first.content.decode()
    assert html.count("<tr data-job=") == 50
    assert "Descarga 051" in html and "Descarga 002" in html and "Descarga 001" not in html
    assert "52 procesos" in html
    log = first.context["tray"]
    assert log.previous_query is None and log.next_query

    second = browser.get(url(cast.project) + "?" + log.next_query)
    assert second.content.decode().count("<tr data-job=") == 2
    assert "Descarga 001" in second.content.decode() and "Descarga 000" in second.content.decode()
    assert 'rel="prev"' in second.content.decode()

    back = browser.get(url(cast.project) + "?" + second.context["tray"].previous_query)
    html = back.content.decode()
    assert html.count("<tr data-job=") == 50
    assert "Descarga 051" in html and "Descarga 002" in html


def test_it_keeps_its_query_count_flat(cast, as_member, django_assert_max_num_queries):
    for n in range(20):
        make_job(cast.project, cast.adviser if n % 2 else cast.admin, status=JobStatus.SUCCEEDED)
    browser = as_member(cast.admin)
    browser.get(url(cast.project))

    with django_assert_max_num_queries(10):
        browser.get(url(cast.project))


def test_it_shows_restricted_members_only_their_own_jobs(cast, as_member):
    make_job(cast.project, cast.restricted, title="Mi descarga")
    make_job(cast.project, cast.adviser, title="Descarga de otro asesor")

    page = as_member(cast.restricted).get(url(cast.project)).content.decode()

    assert "Mi descarga" in page
    assert "Descarga de otro asesor" not in page
    assert "1 proceso" in page


def test_it_shows_the_whole_project_to_admins_and_unrestricted_members(cast, as_member):
    make_job(cast.project, cast.restricted, title="Descarga del asesor")
    make_job(cast.project, cast.admin, kind=JobKind.MEMBER_EXPORT, title="Usuarios del proyecto")
    make_job(cast.other_project, cast.outsider, title="Descarga de otra empresa")

    admin_page = as_member(cast.admin).get(url(cast.project)).content.decode()
    adviser_page = as_member(cast.adviser).get(url(cast.project)).content.decode()

    assert "Descarga del asesor" in admin_page and "Usuarios del proyecto" in admin_page
    assert "Descarga del asesor" in adviser_page
    # The users spreadsheet holds admin-only data (Ajustes → Usuarios).
    assert "Usuarios del proyecto" not in adviser_page
    assert "Descarga de otra empresa" not in admin_page + adviser_page


def test_it_answers_404_to_outsiders(cast, as_member):
    assert as_member(cast.outsider).get(url(cast.project)).status_code == 404


def test_it_sends_anonymous_visitors_to_the_login(cast, client):
    response = client.get(url(cast.project))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
