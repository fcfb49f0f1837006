"""One project's requests go to one shard: the real schema, distributed by project
(`manage.py distribute_tables`, run by tests/conftest.py on the cluster), and the SQL
of real requests captured and planned again on the coordinator. Citus's EXPLAIN says
`Task Count: 1` for a statement routed to one shard; a fan-out would say one task per
shard (docs/distribution.md)."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.models import PaymentOrder
from moonflow.imports.tasks import import_task
from moonflow.jobs.models import JobStatus, ProcessJob
from tests import factories
from tests.conftest import login
from tests.imports.helpers import job_after_upload

pytestmark = pytest.mark.django_db

PLANNED = ("SELECT", "WITH", "INSERT", "UPDATE", "DELETE")


def _fan_outs(queries) -> list[str]:
    """Every captured statement on a distributed table that Citus plans as more than one
    task, with its task counts."""
    found = []
    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(PLANNED):
                continue
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            counts = [int(n) for n in re.findall(r"Task Count: (\d+)", plan)]
            if any(n != 1 for n in counts):
                found.append(f"{counts}: {' '.join(sql.split())[:600]}")
    return found


def _distributed_statements(queries) -> int:
    tables = ("clients_client", "clients_paymentorder", "jobs_processjob")
    return sum(1 for query in queries if any(table in query["sql"] for table in tables))


@pytest.fixture
def book(cast):
    for n in range(30):
        client = factories.make_client(cast.project, name=f"Cliente {n:02}",
                                       adviser=cast.adviser)
        factories.make_payment_order(client, due_date=date.today() - timedelta(days=n))
    for n in range(5):
        factories.make_client(cast.other_project, name=f"Ajeno {n}")
    return cast


def test_the_tables_of_a_project_are_distributed_and_the_shared_ones_are_reference_tables(cast):
    with connection.cursor() as cursor:
        cursor.execute("SELECT logicalrelid::regclass::text, partmethod, "
                       "column_to_column_name(logicalrelid, partkey) FROM pg_dist_partition")
        kinds = {table: (method, column) for table, method, column in cursor.fetchall()}
    assert kinds["clients_client"] == ("h", "project_id")
    assert kinds["interactions_interaction"] == ("h", "project_id")
    assert kinds["clients_claim_payment_orders"] == ("h", "project_id")
    assert kinds["tenancy_project"][0] == "n"
    assert kinds["auth_user"][0] == "n"


def test_the_clients_tray_first_page_goes_to_one_shard(book):
    browser = login(book.admin)
    with CaptureQueriesContext(connection) as captured:
        page = browser.get(reverse("clients:list", kwargs={"project": book.project.slug}))
    assert page.status_code == 200
    assert "Cliente 00" in page.content.decode()
    assert _distributed_statements(captured.captured_queries)
    assert _fan_outs(captured.captured_queries) == []


def test_a_client_page_goes_to_one_shard(book):
    client = factories.make_client(book.project, name="Ana Ruiz")
    factories.make_payment_order(client, number="F-77")
    browser = login(book.admin)
    with CaptureQueriesContext(connection) as captured:
        page = browser.get(reverse("clients:detail", kwargs={"project": book.project.slug,
                                                             "pk": client.pk}))
    assert page.status_code == 200
    assert "F-77" in page.content.decode()
    assert _fan_outs(captured.captured_queries) == []


def test_an_import_chunk_goes_to_one_shard(book):
    factories.make_client(book.project, document_number="1020304050", name="Ana")
    text = ("Tipo de documento;Número de documento;Número de orden;Monto;Vencimiento\n"
            "CC;1020304050;F-1;1.000,00;01/01/2030\n"
            "CC;1020304050;F-2;2.500,50;01/01/2030\n")
    browser = login(book.admin)

    def url(name, **kwargs):
        return reverse(name, kwargs={"project": book.project.slug, **kwargs})

    job = job_after_upload(browser.post(url("integrations:upload"), {
        "entity": "payment_orders", "mode": "update", "scope": "",
        "file": SimpleUploadedFile("base.csv", text.encode())}))
    form = browser.get(url("integrations:mapping", pk=job.pk)).context["form"]
    mapping = {f"col_{i}": form[f"col_{i}"].value() or "" for i in range(len(form.headers))}
    assert browser.post(url("integrations:mapping", pk=job.pk), mapping).status_code == 302
    import_task(job.pk)
    browser.post(url("integrations:confirm", pk=job.pk))
    with CaptureQueriesContext(connection) as captured:
        import_task(job.pk)
    job = ProcessJob.objects.get(pk=job.pk)
    assert (job.status, job.created) == (JobStatus.SUCCEEDED, 2)
    assert PaymentOrder.objects.get(project=book.project, number="F-2").amount == Decimal(
        "2500.50")
    # The task carries the job's id alone: its project is looked up once, on every shard
    # (moonflow.jobs.runner.project_of); every other statement names the project.
    fan_outs = _fan_outs(captured.captured_queries)
    assert len(fan_outs) == 1
    assert re.match(r'\[\d+\]: SELECT "jobs_processjob"."project_id" AS "project_id" '
                    r'FROM "jobs_processjob" WHERE "jobs_processjob"."id" = \d+ ', fan_outs[0])
    assert len(captured.captured_queries) > 10
