"""Result and error files are kept 7 days, then the nightly task removes them."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from moonflow.jobs.models import JobStatus
from moonflow.jobs.tasks import purge_expired_files

from .helpers import attach_file, make_job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def job_with_files(project, member, *, expires_in: timedelta):
    job = make_job(project, member, status=JobStatus.PARTIAL,
                   files_expire_at=timezone.now() + expires_in)
    attach_file(job, "result_file", "resultado.xlsx", b"r")
    attach_file(job, "error_file", "errores.xlsx", b"e")
    return job


def test_it_removes_expired_files_and_says_so_on_the_page(cast, as_member):
    job = job_with_files(cast.project, cast.admin, expires_in=-timedelta(minutes=1))
    names = [job.result_file.name, job.error_file.name]

    assert purge_expired_files() == 1

    assert not any(default_storage.exists(name) for name in names)
    browser = as_member(cast.admin)
    detail = reverse("jobs:detail", kwargs={"project": "demo", "pk": job.pk})
    page = browser.get(detail).content.decode()
    assert "Los archivos de este proceso ya no están disponibles: se conservan 7 días." in page
    assert "Descargar resultado" not in page
    listing = browser.get(reverse("jobs:list", kwargs={"project": "demo"})).content.decode()
    assert "Archivos vencidos" in listing
    for which in ("resultado", "errores"):
        download = reverse("jobs:download",
                           kwargs={"project": "demo", "pk": job.pk, "which": which})
        assert browser.get(download).status_code == 404


def test_it_keeps_files_that_have_not_expired(cast, as_member):
    job = job_with_files(cast.project, cast.admin, expires_in=timedelta(days=1))

    assert purge_expired_files() == 0

    assert default_storage.exists(job.result_file.name)
    assert default_storage.exists(job.error_file.name)
    page = as_member(cast.admin).get(
        reverse("jobs:detail", kwargs={"project": "demo", "pk": job.pk})
    ).content.decode()
    assert "Descargar resultado" in page
    assert "ya no están disponibles" not in page


def test_it_purges_each_job_once(cast):
    job_with_files(cast.project, cast.admin, expires_in=-timedelta(days=1))
    job_with_files(cast.other_project, cast.outsider, expires_in=-timedelta(days=2))

    assert purge_expired_files() == 2
    assert purge_expired_files() == 0


def test_it_is_scheduled_every_night(settings):
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "moonflow.jobs.tasks.purge_expired_files" in schedule
