"""get_job_file_for_member: the job's files, and who may have the uploaded input."""

import pytest
from django.http import Http404

from moonflow.jobs.models import JobStatus
from moonflow.jobs.selectors import get_job_file_for_member

from .helpers import attach_file, make_job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def job(cast):
    job = make_job(cast.project, cast.adviser, status=JobStatus.SUCCEEDED,
                   input_name="cartera julio.xlsx")
    attach_file(job, "input_file", "entrada.xlsx", b"libro")
    attach_file(job, "result_file", "resultado.csv", b"uno;dos\n")
    return job


def test_the_uploader_and_managers_get_the_input_under_its_own_name(cast, job):
    for member in (cast.adviser, cast.admin, cast.supervisor):
        found = get_job_file_for_member(member, job.pk, "entrada")
        assert found.filename == "cartera julio.xlsx" and found.job == job


def test_another_adviser_gets_the_result_but_not_the_input(cast, job):
    cast.restricted.restricted_to_assigned = False
    cast.restricted.save(update_fields=["restricted_to_assigned"])
    assert get_job_file_for_member(cast.restricted, job.pk, "resultado").filename.startswith(
        "resultado"
    )
    with pytest.raises(Http404):
        get_job_file_for_member(cast.restricted, job.pk, "entrada")


@pytest.mark.parametrize("which", ["errores", "otro"])
def test_a_file_the_job_does_not_have_answers_404(cast, job, which):
    with pytest.raises(Http404):
        get_job_file_for_member(cast.admin, job.pk, which)


def test_another_projects_job_answers_404(cast, job):
    with pytest.raises(Http404):
        get_job_file_for_member(cast.outsider, job.pk, "resultado")
