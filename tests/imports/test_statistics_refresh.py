"""Imports keep the planner's picture of the rows they join: the staged rows are analysed
however few they are, and a table the job joins with is analysed when the planner takes the
project's rows there for far fewer than the job brings (a new project fed by batches)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.models import Client
from moonflow.imports.engine import (
    STALE_ESTIMATE_FACTOR,
    project_rows_estimate,
    refresh_stale_statistics,
)
from tests import factories

from tests.conftest import login

from .test_client_import_flow import confirm_mapping, upload

pytestmark = pytest.mark.django_db


def _analysed(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("ANALYZE")]


def test_a_project_the_statistics_do_not_know_is_analysed_before_its_rows_are_joined():
    project = factories.make_project()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE clients_client")  # the book as it was: nothing of this project
    Client.objects.bulk_create(
        Client(project=project, document_type="CC", document_number=str(10_000 + i),
               name=f"Cliente {i}") for i in range(500))
    assert project_rows_estimate("clients_client", project.pk) * STALE_ESTIMATE_FACTOR < 500

    with CaptureQueriesContext(connection) as ctx:
        refresh_stale_statistics(("clients_client",), project_id=project.pk, rows=500)
    assert _analysed(ctx) == ['ANALYZE "clients_client"']
    assert project_rows_estimate("clients_client", project.pk) >= 100

    with CaptureQueriesContext(connection) as ctx:  # now it knows: one EXPLAIN, no ANALYZE
        refresh_stale_statistics(("clients_client",), project_id=project.pk, rows=500)
    assert _analysed(ctx) == []


def test_a_small_import_analyses_its_staged_rows(cast, django_capture_on_commit_callbacks):
    browser = login(cast.admin)
    job = upload(browser, cast, "Tipo de documento;Número de documento;Nombre\n"
                                "CC;123456;Ana Ríos\nCC;654321;Bruno Díaz\n")
    with CaptureQueriesContext(connection) as ctx:
        job = confirm_mapping(browser, cast, job)
    assert job.options["plan"]["read"] == 2
    assert any(sql.startswith('ANALYZE "imports_stagedrow"') for sql in _analysed(ctx))
