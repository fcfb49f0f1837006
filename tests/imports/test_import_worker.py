"""Imports through a real worker and a real broker: a worker killed mid-write, and two imports
into the same project at once."""

import signal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clients.models import Client, ClientAssignment
from moonflow.imports.models import WriteCheckpoint
from moonflow.jobs.models import JobStatus, ProcessJob
from moonflow.jobs.sweeper import sweep_jobs
from tests.conftest import start_worker, stop_worker, wait_for
from tests.jobs.brokers import PrivateBroker, SendingTo
from tests.jobs.helpers import TableWriteLock, align_media_with_worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

ROWS = 3_000
CHUNK = "150"


@pytest.fixture(autouse=True)
def media(settings):
    align_media_with_worker(settings)


@pytest.fixture
def broker(tmp_path):
    broker = PrivateBroker(tmp_path).start()
    yield broker
    broker.stop()


def url(name, **kwargs):
    return reverse(name, kwargs={"project": "demo", **kwargs})


def client_file(code: str, start: int, count: int, *, name_prefix="Cliente") -> bytes:
    lines = ["Tipo de documento;Número de documento;Nombre;Asesor ID"]
    lines += [f"CC;{10_000_000 + n};{name_prefix} {n};{code}" for n in range(start, start + count)]
    return ("\n".join(lines) + "\n").encode()


def upload_and_map(browser, content: bytes, name: str) -> ProcessJob:
    response = browser.post(url("integrations:upload"), {
        "entity": "clients", "mode": "update", "scope": "",
        "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content.decode()[:500]
    job = ProcessJob.objects.filter(input_name=name).latest("pk")
    response = browser.post(url("integrations:mapping", pk=job.pk), {
        "col_0": "document_type", "col_1": "document_number", "col_2": "name",
        "col_3": "adviser_code"})
    assert response.status_code == 302
    return job


def awaiting_preview(job_id):
    return ProcessJob.objects.filter(pk=job_id, status=JobStatus.AWAITING,
                                     options__phase="preview").first()


def finished(job_id):
    return ProcessJob.objects.filter(
        pk=job_id, status__in=[JobStatus.SUCCEEDED, JobStatus.PARTIAL, JobStatus.FAILED]).first()


def test_a_worker_killed_mid_write_resumes_after_its_last_chunk_with_exact_counts(
        cast, as_member, broker, settings, tmp_path):
    timings = {"JOB_HEARTBEAT_SECONDS": "1", "JOB_STALE_AFTER_SECONDS": "3",
               "IMPORT_CHUNK_ROWS": CHUNK}
    settings.JOB_STALE_AFTER_SECONDS = 3
    browser = as_member(cast.admin)
    worker = start_worker(tmp_path / "first.log", REDIS_URL=broker.redis_url, **timings)
    try:
        with SendingTo(broker.url):
            job = upload_and_map(browser, client_file(cast.adviser.code, 0, ROWS), "grande.csv")
            wait_for(lambda: awaiting_preview(job.pk), timeout=60, message="the preview")
            browser.post(url("integrations:confirm", pk=job.pk))
            wait_for(lambda: WriteCheckpoint.objects.filter(job_id=job.pk, last_row__gt=0)
                     .exists(), timeout=60, message="a first chunk to commit")
            # Hold the next chunk open (its assignments wait for this lock), then kill it.
            with TableWriteLock("clients_clientassignment"):
                wait_for(lambda: _waiting_on("clients_clientassignment"), timeout=20,
                         message="the worker to be inside a chunk")
                stop_worker(worker, sig=signal.SIGKILL)
            broker.stop()  # the unacknowledged message goes with it
            broker.start()
        written = WriteCheckpoint.objects.get(job_id=job.pk)
        assert 0 < written.last_row < ROWS + 1  # killed part way: whole chunks only
        assert Client.objects.filter(project=cast.project).count() == written.counts["created"]

        worker = start_worker(tmp_path / "second.log", REDIS_URL=broker.redis_url, **timings)
        with SendingTo(broker.url):
            wait_for(lambda: sweep_jobs().resent, timeout=20,
                     message="the sweeper to send the abandoned import again")
        job = wait_for(lambda: finished(job.pk), timeout=120, message="the second run to finish")
    finally:
        stop_worker(worker)

    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.attempts == 2
    assert (job.read, job.created, job.updated, job.unchanged, job.failed) == (ROWS, ROWS, 0, 0, 0)
    assert Client.objects.filter(project=cast.project).count() == ROWS
    assert ClientAssignment.objects.filter(project=cast.project).count() == ROWS
    assert ClientAssignment.objects.filter(project=cast.project, ended_at__isnull=True,
                                           adviser=cast.adviser, job=job).count() == ROWS


def _waiting_on(table: str) -> bool:
    """Whether a session waits for a lock on `table` (the worker, inside a chunk)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = %s::regclass",
                       [table])
        return cursor.fetchone()[0] > 0


def test_two_imports_into_one_project_at_once_finish_without_a_lost_or_doubled_row(
        cast, as_member, broker, settings, tmp_path):
    timings = {"IMPORT_CHUNK_ROWS": CHUNK}
    browser = as_member(cast.admin)
    workers = [start_worker(tmp_path / f"w{n}.log", REDIS_URL=broker.redis_url, **timings)
               for n in range(2)]
    try:
        with SendingTo(broker.url):
            # Overlapping books: rows 1000-1999 are in both files, with different names.
            first = upload_and_map(browser, client_file(cast.adviser.code, 0, 2_000), "a.csv")
            second = upload_and_map(
                browser, client_file(cast.supervisor.code, 1_000, 2_000, name_prefix="Otro"),
                "b.csv")
            for job in (first, second):
                wait_for(lambda: awaiting_preview(job.pk), timeout=60, message="the preview")
            browser.post(url("integrations:confirm", pk=first.pk))
            browser.post(url("integrations:confirm", pk=second.pk))
            first = wait_for(lambda: finished(first.pk), timeout=120, message="the first import")
            second = wait_for(lambda: finished(second.pk), timeout=120, message="the second")
    finally:
        for worker in workers:
            stop_worker(worker)

    assert first.status in (JobStatus.SUCCEEDED, JobStatus.PARTIAL), first.message
    assert second.status in (JobStatus.SUCCEEDED, JobStatus.PARTIAL), second.message
    clients = Client.objects.filter(project=cast.project)
    assert clients.count() == 3_000  # 0-2999: nothing doubled, nothing lost
    # Every overlapping row was either written by one import and updated by the other, or the
    # later one's older row was refused and reported (last-writer rule): never silently lost.
    for job in (first, second):
        assert job.created + job.updated + job.unchanged + job.failed == 2_000
    assert first.created + second.created == 3_000
    overlap_reported = first.failed + second.failed
    overlap_updated = first.updated + second.updated
    assert overlap_reported + overlap_updated == 1_000
    # One open assignment per client, whoever holds it now.
    open_rows = ClientAssignment.objects.filter(project=cast.project, ended_at__isnull=True)
    assert open_rows.count() == 3_000
    assert open_rows.values("client").distinct().count() == 3_000
