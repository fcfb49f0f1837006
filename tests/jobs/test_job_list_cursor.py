"""The Log de procesos: a hand-made page cursor shows the newest jobs and says so."""

import html

import pytest
from django.urls import reverse

from .helpers import make_job

pytestmark = pytest.mark.django_db

NOTICE = "El enlace de página no es válido: se muestran los procesos más recientes."


def shown(job) -> str:
    return 'href="%s"' % reverse("jobs:detail", kwargs={"project": job.project.slug, "pk": job.pk})


@pytest.mark.parametrize("cursor", ["9" * 5000, "²", "-1", "1e309", "12\x00"])
@pytest.mark.parametrize("name", ["anteriores", "recientes"])
def test_it_shows_the_newest_jobs_for_a_cursor_that_is_not_a_job(cast, as_member, name, cursor):
    job = make_job(cast.project, cast.admin)
    url = reverse("jobs:list", kwargs={"project": cast.project.slug})
    response = as_member(cast.admin).get(url, {name: cursor})
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert NOTICE in page
    assert shown(job) in page


def test_it_follows_a_real_cursor_without_a_notice(cast, as_member):
    older = make_job(cast.project, cast.admin)
    newer = make_job(cast.project, cast.admin)
    url = reverse("jobs:list", kwargs={"project": cast.project.slug})
    page = as_member(cast.admin).get(url, {"anteriores": newer.pk}).content.decode()
    assert NOTICE not in html.unescape(page)
    assert shown(older) in page and shown(newer) not in page


def test_it_links_the_next_page_with_the_plain_job_id(cast, as_member):
    from moonflow.jobs.models import ProcessJob

    from moonflow.jobs.views import PAGE_SIZE

    jobs = [make_job(cast.project, cast.admin) for _ in range(PAGE_SIZE + 1)]
    ProcessJob.objects.filter(pk=jobs[1].pk).update(id=1234567)
    url = reverse("jobs:list", kwargs={"project": cast.project.slug})

    page = as_member(cast.admin).get(url).content.decode()

    assert "?anteriores=1234567" in page
    older = as_member(cast.admin).get(url, {"anteriores": 1234567}).content.decode()
    assert NOTICE not in html.unescape(older)
    assert shown(jobs[0]) in older
