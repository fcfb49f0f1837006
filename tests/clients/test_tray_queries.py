"""Clientes tray: a page's query count does not grow with its size (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.lists import CLIENTS
from clients.models import Client
from moonflow.lists.models import TrayPreference
from tests import factories

from .test_tray_helpers import get_tray, make_variable, put_in_portfolio, row_names

ALL_COLUMNS = ["document", "email", "phone", "segment", "status", "situation", "portfolio_type",
               "adviser", "supervisor", "contactability", "contact_alert", "claim_category",
               "balance", "city", "created_at", "var_puntaje"]


@pytest.fixture
def big_book(cast):
    """250 clients: more than one page of 100 for the admin and for the restricted adviser."""
    make_variable(cast.project, "puntaje", "Puntaje", "number")
    segments = [factories.make_segment(cast.project, f"Segmento {i}") for i in range(3)]
    advisers = [cast.adviser, cast.restricted]
    clients = Client.objects.bulk_create(
        Client(
            project=cast.project, document_type="CC", document_number=f"{9000 + i}",
            name=f"Cliente {i:03d}", segment=segments[i % 3], adviser=advisers[i % 2],
            supervisor=cast.supervisor, extra={"puntaje": i},
        )
        for i in range(250)
    )
    for client in clients[::10]:
        put_in_portfolio(client, f"Cartera {client.pk % 3}")
    TrayPreference.objects.create(project=cast.project, member=cast.admin, tray="clients",
                                  columns=ALL_COLUMNS)


def count_queries(browser, project, query):
    with CaptureQueriesContext(connection) as ctx:
        response = get_tray(browser, project, query)
    return len(ctx.captured_queries), response


def test_it_runs_as_many_queries_for_10_rows_as_for_100(
    cast, as_member, big_book, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr(CLIENTS, "page_sizes", (10, 25, 50, 100))
    browser = as_member(cast.admin)
    get_tray(browser, cast.project)  # warm the session
    small, response_small = count_queries(browser, cast.project, "por_pagina=10")
    large, response_large = count_queries(browser, cast.project, "por_pagina=100")
    assert len(row_names(response_small)) == 10 and len(row_names(response_large)) == 100
    assert small == large
    # A page in another order reads its rows within a time budget (moonflow.db.budget):
    # savepoint, set the timeout, put it back, release. Four statements, whatever the size.
    with django_assert_max_num_queries(small + 4):
        get_tray(browser, cast.project, "por_pagina=100&orden=-adviser")
    with django_assert_max_num_queries(small):
        get_tray(browser, cast.project, "por_pagina=100&pagina=ultima&q=cliente")


def test_a_restricted_adviser_page_does_not_grow_either(cast, as_member, big_book, monkeypatch):
    monkeypatch.setattr(CLIENTS, "page_sizes", (10, 25, 50, 100))
    browser = as_member(cast.restricted)
    get_tray(browser, cast.project)
    small, _ = count_queries(browser, cast.project, "por_pagina=10")
    large, response = count_queries(browser, cast.project, "por_pagina=100")
    assert len(row_names(response)) == 100
    assert small == large
