"""Downloading a job's result, error report and input files."""

import pytest
from django.urls import reverse

from moonflow.jobs.models import JobKind, JobStatus
from tests import factories

from .helpers import attach_file, download_bytes, make_job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def url(job, which="resultado", project="demo"):
    return reverse("jobs:download", kwargs={"project": project, "pk": job.pk, "which": which})


def finished_job(project, member, **fields):
    job = make_job(project, member, status=JobStatus.SUCCEEDED, **fields)
    attach_file(job, "result_file", "resultado.csv", b"uno;dos\n")
    attach_file(job, "error_file", "errores.csv", b"Fila;Columna\n")
    return job


def test_it_downloads_the_result_and_the_errors(cast, as_member):
    job = finished_job(cast.project, cast.admin)
    browser = as_member(cast.admin)

    result = browser.get(url(job))
    errors = browser.get(url(job, "errores"))

    assert result.status_code == 200
    assert download_bytes(result) == b"uno;dos\n"
    assert 'attachment; filename="resultado' in result["Content-Disposition"]
    assert download_bytes(errors) == b"Fila;Columna\n"


def test_it_answers_404_for_a_file_the_job_does_not_have(cast, as_member):
    job = make_job(cast.project, cast.admin, status=JobStatus.SUCCEEDED)
    browser = as_member(cast.admin)

    assert browser.get(url(job)).status_code == 404
    assert browser.get(url(job, "otro")).status_code == 404


def test_it_gives_the_input_file_only_to_managers_and_its_uploader(cast, as_member):
    job = make_job(cast.project, cast.adviser, kind=JobKind.CLIENT_IMPORT,
                   status=JobStatus.SUCCEEDED, input_name="mis clientes.csv")
    attach_file(job, "input_file", "subida.csv", b"a;b\n")

    uploader = as_member(cast.adviser).get(url(job, "entrada"))
    assert download_bytes(uploader) == b"a;b\n"
    assert 'filename="mis clientes.csv"' in uploader["Content-Disposition"]
    assert as_member(cast.supervisor).get(url(job, "entrada")).status_code == 200
    other = factories.make_member(cast.project)
    assert as_member(other).get(url(job, "entrada")).status_code == 404


def test_it_lets_a_restricted_member_download_only_their_own_files(cast, as_member):
    own = finished_job(cast.project, cast.restricted)
    others = finished_job(cast.project, cast.adviser)
    browser = as_member(cast.restricted)

    assert browser.get(url(own)).status_code == 200
    assert browser.get(url(others)).status_code == 404
    assert browser.get(url(others, "errores")).status_code == 404


def test_it_answers_404_to_outsiders(cast, as_member):
    job = finished_job(cast.project, cast.admin)
    outsider = as_member(cast.outsider)

    for which in ("resultado", "errores", "entrada"):
        assert outsider.get(url(job, which)).status_code == 404
    # Through their own project, my job's id is a missing one.
    assert outsider.get(url(job, project="otra")).status_code == 404


def test_it_sends_anonymous_visitors_to_the_login(cast, client):
    job = finished_job(cast.project, cast.admin)
    response = client.get(url(job))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
