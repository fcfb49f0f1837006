"""Ajustes → Usuarios → Descargar (the view that schedules the job)."""

import pytest
from django.urls import reverse

from moonflow.jobs.models import JobKind, JobStatus, ProcessJob

pytestmark = pytest.mark.django_db


def url(project="demo"):
    return reverse("advisers:export", kwargs={"project": project})


def test_it_schedules_the_export_and_opens_the_job(cast, as_member):
    browser = as_member(cast.admin)
    users_page = browser.get(reverse("advisers:list", kwargs={"project": "demo"})).content.decode()
    assert f'action="{url()}"' in users_page and "Descargar" in users_page

    response = browser.post(url())

    job = ProcessJob.objects.get()
    assert (job.kind, job.status, job.requested_by) == (
        JobKind.MEMBER_EXPORT, JobStatus.QUEUED, cast.admin
    )
    assert response.status_code == 302
    assert response.url == reverse("jobs:detail", kwargs={"project": "demo", "pk": job.pk})
    page = browser.get(response.url).content.decode()
    assert "Descarga programada: la verás en el Log de procesos" in page
    assert "Descarga de usuarios" in page
    assert "En cola" in page


def test_it_only_accepts_post(cast, as_member):
    assert as_member(cast.admin).get(url()).status_code == 405
    assert not ProcessJob.objects.exists()


@pytest.mark.parametrize("who", ["supervisor", "adviser", "restricted"])
def test_it_is_for_admins_only(cast, as_member, who):
    assert as_member(getattr(cast, who)).post(url()).status_code == 403
    assert not ProcessJob.objects.exists()


def test_it_answers_404_to_outsiders(cast, as_member):
    assert as_member(cast.outsider).post(url()).status_code == 404
    assert not ProcessJob.objects.exists()


def test_it_sends_anonymous_visitors_to_the_login(cast, client):
    response = client.post(url())
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
