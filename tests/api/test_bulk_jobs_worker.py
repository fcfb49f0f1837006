"""A batch sent as a job is written by a real worker, and read back from /api/v1/jobs/."""

import pytest
from django.test import override_settings

from clients.models import Client, ClientAssignment
from tests.conftest import wait_for
from tests.jobs.helpers import align_media_with_worker

from .helpers import Api, make_key

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture(autouse=True)
def media(settings):
    align_media_with_worker(settings)


@override_settings(API_BULK_SYNC_MAX=2)
def test_a_large_batch_is_written_by_the_worker_with_its_error_report(cast,
                                                                      celery_worker_process):
    api = Api(make_key(cast.admin)[1])
    clients = [{"documentType": "CC", "documentNumber": f"{700000 + n}", "name": f"C{n}",
                "adviserUserProjectId": cast.adviser.code} for n in range(3)]
    clients.append({"documentType": "CC", "documentNumber": "12AB", "name": "Mal"})
    accepted = api.post("/api/v1/clients/bulk/", {"clients": clients})
    assert accepted.status_code == 202
    url = accepted.json()["job"]["url"]
    job = wait_for(lambda: (j := api.get(url).json())["status"] in ("succeeded", "partial")
                   and j, timeout=60, message="the bulk job to finish")
    assert job["status"] == "partial"
    assert (job["counts"]["created"], job["counts"]["failed"]) == (3, 1)
    assert job["files"]["errors"] == f"{url}files/errors/"
    report = api.get(job["files"]["errors"])
    assert report.status_code == 200
    assert Client.objects.filter(adviser=cast.adviser).count() == 3
    assert ClientAssignment.objects.filter(source="api").count() == 3
