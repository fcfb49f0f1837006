"""A project's downloads read one shard: each list's Descargar job (clients, payment
orders, interactions, the project's audit log) run in this process on the cluster, the
SELECT inside its `COPY (…) TO STDOUT` recorded and planned again on the coordinator
(docs/distribution.md)."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.http import QueryDict

from clients.lists import CLIENTS, export_clients_task
from clients.order_lists import PAYMENT_ORDERS, export_payment_orders_task
from interactions.night_downloads import (
    export_interactions_task,
    night_download_request,
    night_downloads_claim,
)
from moonflow.audit.lists import AUDIT_DOWNLOADS
from moonflow.audit.tasks import export_audit_task
from moonflow.jobs.models import JobStatus, ProcessJob
from moonflow.lists import exports
from moonflow.lists.downloads import request_download
from tests import factories

pytestmark = pytest.mark.django_db



def _list_download(spec, task):
    def queue(member):
        job = request_download(spec, member=member, params=QueryDict(""), fmt="csv", task=task)
        return job.pk, task

    return queue


def _night_download(member):
    """The interactions' download: asked for tonight, taken by the night run."""
    today = date.today()
    asked = night_download_request(member=member, params={}, fmt="csv",
                                   date_from=today - timedelta(days=30), date_to=today)
    [job_id] = night_downloads_claim(project=member.project, now=asked.due_at)
    return job_id, export_interactions_task


DOWNLOADS = {
    "clientes": _list_download(CLIENTS, export_clients_task),
    "ordenes-de-pago": _list_download(PAYMENT_ORDERS, export_payment_orders_task),
    "interacciones": _night_download,
    "auditoria": _list_download(AUDIT_DOWNLOADS, export_audit_task),
}


@pytest.fixture
def copies(monkeypatch):
    """The SELECT of every COPY a download runs."""
    seen = []
    copy_out = exports._copy_out

    def recording(raw, copy_sql, query, **kwargs):
        seen.append(query.sql)
        return copy_out(raw, copy_sql, query, **kwargs)

    monkeypatch.setattr(exports, "_copy_out", recording)
    return seen


@pytest.fixture
def book(cast):
    for n in range(12):
        client = factories.make_client(cast.project, name=f"Cliente {n:02}", adviser=cast.adviser)
        factories.make_payment_order(client, due_date=date.today() - timedelta(days=n))
        factories.make_interaction(client)
    for n in range(3):
        other = factories.make_client(cast.other_project, name=f"Ajeno {n}")
        factories.make_payment_order(other)
        factories.make_interaction(other)
    return cast


def _task_counts(sql: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return [int(n) for n in re.findall(r"Task Count: (\d+)", plan)]


@pytest.mark.parametrize("name", DOWNLOADS)
def test_a_download_reads_one_shard(name, book, copies, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job_id, task = DOWNLOADS[name](book.admin)
    task(job_id)
    job = ProcessJob.objects.get(pk=job_id)
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.total and job.total > 0
    assert copies, "the download ran no COPY"
    for sql in copies:
        assert _task_counts(sql) == [1], sql
