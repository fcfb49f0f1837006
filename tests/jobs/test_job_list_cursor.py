"""The Log de procesos: a hand-made page link shows the newest jobs and says so."""

import html

import pytest
from django.urls import reverse

from moonflow.jobs.lists import JOBS
from moonflow.jobs.models import ProcessJob

from .helpers import make_job

pytestmark = pytest.mark.django_db

NOTICE = "El enlace de página no es válido o caducó: se muestra la primera página."


def shown(job) -> str:
    return 'href="%s"' % reverse("jobs:detail", kwargs={"project": job.project.slug, "pk": job.pk})


@pytest.mark.parametrize("cursor", ["9" * 5000, "²", "-1", "1e309", "12\x00", "sig.", "ant.e30="])
def test_it_shows_the_newest_jobs_for_a_page_link_that_is_not_one(cast, as_member, cursor):
    job = make_job(cast.project, cast.admin)
    url = reverse("jobs:list", kwargs={"project": cast.project.slug})
    response = as_member(cast.admin).get(url, {"pagina": cursor})
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert NOTICE in page
    assert shown(job) in page


def test_it_follows_a_real_page_link_without_a_notice(cast, as_member, monkeypatch):
    monkeypatch.setattr(JOBS, "default_page_size", 1)
    monkeypatch.setattr(JOBS, "page_sizes", (1, 25, 50, 100))
    older = make_job(cast.project, cast.admin)
    newer = make_job(cast.project, cast.admin)
    url = reverse("jobs:list", kwargs={"project": cast.project.slug})
    first = as_member(cast.admin).get(url)
    assert shown(newer) in first.content.decode()

    second = as_member(cast.admin).get(f"{url}?{first.context['tray'].next_query}")

    page = second.content.decode()
    assert NOTICE not in html.unescape(page)
    assert shown(older) in page and shown(newer) not in page


def test_it_links_pages_with_plain_job_ids(cast, as_member):
    make_job(cast.project, cast.admin)
    ProcessJob.objects.update(id=1234567)
    url = reverse("jobs:list", kwargs={"project": cast.project.slug})

    page = as_member(cast.admin).get(url).content.decode()

    assert 'data-job="1234567"' in page and "<td>1234567</td>" in page
