"""Descargar: the tray hands the download its cleaned filters; a NUL never reaches the job."""

import html

import pytest
from django.urls import reverse

from moonflow.jobs.models import ProcessJob
from tests import factories

from .test_tray_helpers import get_tray

pytestmark = pytest.mark.django_db


def test_it_offers_the_download_of_the_cleaned_search(cast, as_member):
    factories.make_client(cast.project, name="Carla")
    page = html.unescape(get_tray(as_member(cast.admin), cast.project, {"q": "Ca\x00rla"})
                         .content.decode())
    assert '<input type="hidden" name="query" value="q=Carla">' in page


def test_it_queues_a_hand_made_download_without_the_nul(cast, as_member):
    url = reverse("clients:download", kwargs={"project": cast.project.slug})
    response = as_member(cast.admin).post(url, {"formato": "xlsx", "query": "q=Ca%00rla"})
    assert response.status_code == 302
    assert ProcessJob.objects.get(project=cast.project).options["params"] == {"q": ["Carla"]}
