"""The Papelera: each client labelled with how it got there and when it goes for good; the nightly
purge at 13 and 15 days, with every linked record (gestiones and notes too), run twice."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from clients import services
from clients.models import Client
from clients.recycle_bin import bin_details, purge_date, purge_expired
from clients.tasks import purge_project_recycle_bin, purge_recycle_bins
from moonflow.jobs.models import JobKind, JobStatus, ProcessJob
from tests import factories
from tests.conftest import login
from tests.imports.test_client_import_resolution import (
    HEADER,
    confirm_and_write,
    map_and_analyze,
    row,
    upload,
)
from tests.imports.test_client_import_transfer_mode import upload as upload_transfer

from .helpers import make_held_client, totals


def _binned(cast, days, **fields):
    client = make_held_client(cast.project, cast.adviser, **fields)
    Client.objects.filter(pk=client.pk).update(deleted_at=timezone.now() - timedelta(days=days))
    client.refresh_from_db()
    return client


def test_the_purge_keeps_13_days_and_removes_15_days_with_everything_linked_run_twice(
        cast, settings, django_capture_on_commit_callbacks):
    settings.RECYCLE_BIN_DAYS = 14
    kept = _binned(cast, 13, name="Trece días")
    _binned(cast, 15, name="Quince días")
    alive = make_held_client(cast.project, cast.adviser, name="Vivo")
    before = totals(cast.project)

    with django_capture_on_commit_callbacks(execute=False):
        assert purge_recycle_bins() == 1
    job = ProcessJob.objects.get(kind=JobKind.RECYCLE_BIN_PURGE)
    purge_project_recycle_bin(job.pk)
    job.refresh_from_db()
    assert (job.status, job.deleted) == (JobStatus.SUCCEEDED, 1)
    assert job.message.startswith("Papelera vaciada: 1 clientes")

    assert set(Client.objects.filter(project=cast.project).values_list("pk", flat=True)) == {
        kept.pk, alive.pk}
    # Every linked table lost exactly what hung from the purged client (one client's share).
    share = {table: n // 3 for table, n in before.items()}
    assert totals(cast.project) == {table: n - share[table] for table, n in before.items()}
    assert share["followups_followup"] == 5 and share["followups_clientnote"] == 1

    # Run again (tonight, or a purge started twice): nothing more goes.
    after = totals(cast.project)
    with django_capture_on_commit_callbacks(execute=False):
        assert purge_recycle_bins() == 0
    assert purge_expired(cast.project) == 0
    assert totals(cast.project) == after


def test_the_purge_says_how_many_linked_rows_went(cast, settings):
    settings.RECYCLE_BIN_DAYS = 14
    _binned(cast, 15)
    _binned(cast, 20)
    linked = Counter()
    assert purge_expired(cast.project, linked=linked) == 2
    assert linked["followups.FollowUp"] == 10
    assert linked["followups.ClientNote"] == 2
    assert linked["clients.PaymentOrder"] == 4
    assert linked["interactions.Interaction"] == 4
    assert linked["clients.ClientAssignment"] == 2


def test_each_client_in_the_bin_says_how_it_got_there_and_when_it_goes(cast, settings):
    settings.RECYCLE_BIN_DAYS = 14
    admin = login(cast.admin)
    by_hand = factories.make_client(cast.project, name="A Mano")
    services.client_delete(client=by_hand, actor=cast.admin.user, reason="Duplicado")
    named = factories.make_client(cast.project, name="En El Archivo")
    absent = factories.make_client(cast.project, name="Ausente")
    job = upload(admin, cast, HEADER + row(named), mode="update_delete")
    job = confirm_and_write(admin, cast, map_and_analyze(admin, cast, job), confirmed_deletes="1")
    assert job.deleted == 1

    details = bin_details(project=cast.project, client_ids=[by_hand.pk, absent.pk, named.pk])
    assert set(details) == {by_hand.pk, absent.pk}
    assert (details[by_hand.pk].how, details[by_hand.pk].by_import) == ("A mano", False)
    assert (details[absent.pk].how, details[absent.pk].job_id) == (
        f"Importación #{job.pk} (Archivo)", job.pk)
    absent.refresh_from_db()
    assert details[absent.pk].purge_after == absent.deleted_at + timedelta(days=14)
    assert purge_date(absent.deleted_at, cast.project) == timezone.localtime(
        absent.deleted_at + timedelta(days=14)).date()

    # Restored, then deleted by hand: the import's old label no longer applies.
    services.client_restore(client=absent, actor=cast.admin.user)
    services.client_delete(client=absent, actor=cast.admin.user)
    assert bin_details(project=cast.project, client_ids=[absent.pk])[absent.pk].how == "A mano"


@pytest.mark.parametrize("days", [13, 15])
def test_a_client_restored_and_transferred_by_an_import_leaves_the_purge(cast, settings, days):
    """In transfer mode, a client in another adviser's bin comes back: it is no longer purged,
    whatever its days in the bin were (restored before the purge ran)."""
    settings.RECYCLE_BIN_DAYS = 14
    other = factories.make_member(cast.project, username="bertha", code="B-77")
    client = make_held_client(cast.project, other)
    Client.objects.filter(pk=client.pk).update(deleted_at=timezone.now() - timedelta(days=days))
    admin = login(cast.admin)
    job = upload_transfer(admin, cast, HEADER + row(client), transfer=True,
                          scope=str(cast.adviser.pk))
    job = confirm_and_write(admin, cast, map_and_analyze(admin, cast, job))
    assert job.transferred == 1
    assert purge_expired(cast.project) == 0
    client.refresh_from_db()
    assert (client.deleted_at, client.adviser_id) == (None, cast.adviser.pk)
