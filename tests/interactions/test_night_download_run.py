"""The night run: only due requests of projects inside their window, each run exactly once,
and the file it writes (the tray's filters, columns and visibility), cell by cell."""

import csv
import io
import threading
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from interactions.download_models import NightDownload, NightDownloadStatus
from interactions.models import Channel, InteractionStatus
from interactions.night_downloads import (
    export_interactions_task,
    night_download_request,
    night_downloads_run,
    run_night_downloads,
)
from moonflow.jobs.models import JobKind, JobStatus, ProcessJob
from tests import factories
from tests.jobs.helpers import download_bytes

EVIL = '=HYPERLINK("http://x.example","y")'


def bogota(y, m, d, hh, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC) + timedelta(hours=5)


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        def set(self, when: datetime):
            monkeypatch.setattr(timezone, "now", lambda: when)

    return Clock()


def ask(member, *, first=date(2026, 11, 1), last=date(2026, 12, 1), fmt="xlsx", params=None,
        columns=None):
    return night_download_request(member=member, params=params or {}, date_from=first,
                                  date_to=last, fmt=fmt, columns=columns)


def run_job(job_id) -> ProcessJob:
    export_interactions_task(job_id)
    return ProcessJob.objects.get(pk=job_id)


# --- Which requests a run takes ---------------------------------------------------------------


def test_it_takes_only_due_requests_of_projects_inside_their_window(cast, clock):
    madrid = cast.other_project
    madrid.timezone = "Europe/Madrid"
    madrid.save(update_fields=["timezone"])
    clock.set(bogota(2026, 12, 1, 10))
    due_here = ask(cast.adviser)
    due_in_madrid = ask(cast.outsider)  # due at 02:00 in Madrid: 01:00 UTC
    clock.set(bogota(2026, 12, 2, 2, 30))
    not_yet = ask(cast.restricted)  # asked inside the window: due the next night

    clock.set(bogota(2026, 12, 2, 1, 55))  # before Bogotá's window: nothing
    assert night_downloads_run() == []

    clock.set(bogota(2026, 12, 2, 2, 30))  # Bogotá 02:30, Madrid 08:30: only Bogotá's
    [job_id] = night_downloads_run()

    due_here.refresh_from_db()
    assert due_here.status == NightDownloadStatus.CLAIMED and due_here.job_id == job_id
    assert due_here.claimed_at == bogota(2026, 12, 2, 2, 30)
    for untouched in (due_in_madrid, not_yet):
        untouched.refresh_from_db()
        assert untouched.status == NightDownloadStatus.PENDING and untouched.job is None

    job = ProcessJob.objects.get(pk=job_id)
    assert job.kind == JobKind.INTERACTION_EXPORT
    assert job.status == JobStatus.QUEUED
    assert job.requested_by == cast.adviser and job.project == cast.project
    assert job.task_name == "interactions.tasks.export_interactions"
    assert job.title == "Descarga de interacciones del 01/11/2026 al 01/12/2026 (XLSX)"
    assert job.options["params"] == {"envio_desde": ["2026-11-01"], "envio_hasta": ["2026-12-01"]}
    assert job.options["format"] == "xlsx"
    assert job.options["night_download"] == due_here.pk

    # Madrid's window (02:00–05:00 there) opens at 01:00 UTC the next day.
    clock.set(datetime(2026, 12, 3, 1, 10, tzinfo=UTC))
    [madrid_job] = night_downloads_run()
    assert ProcessJob.objects.get(pk=madrid_job).project == madrid


def test_a_request_missed_by_last_nights_window_runs_in_the_next_one(cast, clock):
    clock.set(bogota(2026, 12, 1, 10))
    request = ask(cast.adviser)
    clock.set(bogota(2026, 12, 2, 12))  # the beat was down all night
    assert night_downloads_run() == []
    clock.set(bogota(2026, 12, 3, 2, 5))
    assert len(night_downloads_run()) == 1
    request.refresh_from_db()
    assert request.status == NightDownloadStatus.CLAIMED


def test_a_second_run_takes_nothing_already_taken(cast, clock):
    clock.set(bogota(2026, 12, 1, 10))
    ask(cast.adviser)
    ask(cast.admin)
    clock.set(bogota(2026, 12, 2, 2, 5))
    first = night_downloads_run()
    assert len(first) == 2
    assert night_downloads_run() == []
    assert run_night_downloads() == 0  # the beat's task itself
    assert ProcessJob.objects.filter(kind=JobKind.INTERACTION_EXPORT).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_firing_at_once_run_each_request_once(cast, clock, monkeypatch):
    # Nothing reaches the broker: what counts is the jobs recorded.
    monkeypatch.setattr("moonflow.jobs.services.job_enqueue", lambda job_id, task_name: True)
    clock.set(bogota(2026, 12, 1, 10))
    for member in (cast.admin, cast.supervisor, cast.adviser, cast.restricted):
        ask(member)
    clock.set(bogota(2026, 12, 2, 2, 5))

    barrier = threading.Barrier(2)
    results, errors = [], []

    def beat():
        try:
            barrier.wait(timeout=10)
            results.append(night_downloads_run())
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    taken = sorted(job_id for result in results for job_id in result)
    assert len(taken) == 4 and len(set(taken)) == 4
    assert ProcessJob.objects.filter(kind=JobKind.INTERACTION_EXPORT).count() == 4
    assert not NightDownload.objects.filter(status=NightDownloadStatus.PENDING).exists()
    assert NightDownload.objects.filter(job__isnull=False).count() == 4


# --- The file ---------------------------------------------------------------------------------


@pytest.fixture
def book(cast):
    ana = factories.make_client(cast.project, name="Ana Ríos", adviser=cast.restricted)
    bruno = factories.make_client(cast.project, name="Bruno Díaz", adviser=cast.adviser)
    return {
        "evil": factories.make_interaction(
            ana, channel=Channel.WHATSAPP, status=InteractionStatus.READ, template=EVIL,
            scheduled_at=bogota(2026, 11, 30, 9, 15)),
        "ana_sms": factories.make_interaction(
            ana, channel=Channel.SMS, status=InteractionStatus.FAILED, template="Recordatorio",
            error_message="Número inválido", scheduled_at=bogota(2026, 11, 2, 8)),
        "bruno": factories.make_interaction(
            bruno, channel=Channel.EMAIL, status=InteractionStatus.DELIVERED,
            template="Aviso de mora", scheduled_at=bogota(2026, 11, 15, 17, 45)),
        # Outside the range: the day before and the day after.
        "before": factories.make_interaction(bruno, template="Antes",
                                             scheduled_at=bogota(2026, 10, 31, 23, 59)),
        "after": factories.make_interaction(ana, template="Después",
                                            scheduled_at=bogota(2026, 12, 2, 0, 0)),
    }


COLUMNS = ["client", "scheduled_at", "channel", "template", "status", "error_message"]
HEADER = ["Cliente", "Fecha de envío", "Canal", "Plantilla", "Estado", "Mensaje de error"]


def night_job(member, clock, **kwargs) -> int:
    clock.set(bogota(2026, 12, 1, 10))
    ask(member, columns=COLUMNS, **kwargs)
    clock.set(bogota(2026, 12, 2, 2, 5))
    [job_id] = night_downloads_run()
    return job_id


def test_the_xlsx_holds_the_chosen_columns_and_range_cell_by_cell(
        cast, book, clock, django_capture_on_commit_callbacks):
    job_id = night_job(cast.admin, clock)
    with django_capture_on_commit_callbacks(execute=True):
        job = run_job(job_id)

    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.message == "Descarga lista: 3 interacciones en XLSX."
    assert (job.total, job.done) == (3, 3)
    assert job.result_file.name.endswith(".xlsx")
    assert "/interacciones_demo_" in job.result_file.name
    with job.result_file.open("rb") as handle:
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read())).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        HEADER,
        # XLSX: a string cell is never evaluated, the template is kept as typed.
        ["Ana Ríos", datetime(2026, 11, 30, 9, 15), "WhatsApp", EVIL, "Leída", None],
        ["Bruno Díaz", datetime(2026, 11, 15, 17, 45), "Correo electrónico", "Aviso de mora",
         "Entregada", None],
        ["Ana Ríos", datetime(2026, 11, 2, 8, 0), "SMS", "Recordatorio", "Fallida",
         "Número inválido"],
    ]
    assert sheet["D2"].data_type == "s"  # text, not a formula

    # Announced in-app and by email, as every job.
    notification = cast.admin.notifications.get(job=job)
    assert notification.message == (
        "Descarga de interacciones del 01/11/2026 al 01/12/2026 (XLSX): Finalizado")
    [email] = mail.outbox
    assert email.to == [cast.admin.user.email]
    assert "Descarga lista: 3 interacciones en XLSX." in email.body


def test_the_csv_neutralises_the_formula_and_applies_the_trays_filters(cast, book, clock):
    job_id = night_job(cast.admin, clock, fmt="csv", params={"canal": ["whatsapp", "sms"]})
    job = run_job(job_id)

    assert job.status == JobStatus.SUCCEEDED, job.message
    with job.result_file.open("rb") as handle:
        content = handle.read().decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content[1:]), delimiter=";"))
    assert rows == [
        HEADER,
        ["Ana Ríos", "30/11/2026 09:15", "WhatsApp", "'" + EVIL, "Leída", ""],
        ["Ana Ríos", "02/11/2026 08:00", "SMS", "Recordatorio", "Fallida", "Número inválido"],
    ]


def test_a_restricted_advisers_file_holds_only_their_clients_rows(cast, book, clock):
    job_id = night_job(cast.restricted, clock, fmt="csv")
    job = run_job(job_id)

    with job.result_file.open("rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig")), delimiter=";"))
    assert [row[0] for row in rows[1:]] == ["Ana Ríos", "Ana Ríos"]
    assert [row[3] for row in rows[1:]] == ["'" + EVIL, "Recordatorio"]
    assert job.message == "Descarga lista: 2 interacciones en CSV."


@pytest.mark.parametrize("first, last", [
    (date(9999, 12, 1), date(9999, 12, 31)),
    (date(1, 1, 1), date(1, 1, 31)),
])
def test_a_range_at_the_calendars_ends_writes_an_empty_file(cast, book, clock, first, last):
    clock.set(bogota(2026, 12, 1, 10))
    ask(cast.admin, first=first, last=last, fmt="csv", columns=COLUMNS)
    clock.set(bogota(2026, 12, 2, 2, 5))
    [job_id] = night_downloads_run()
    job = run_job(job_id)
    assert job.status == JobStatus.SUCCEEDED, job.message
    with job.result_file.open("rb") as handle:
        assert handle.read().decode("utf-8-sig") == ";".join(HEADER) + "\n"


def test_the_visibility_is_the_members_when_the_job_runs(cast, book, clock):
    job_id = night_job(cast.adviser, clock, fmt="csv")
    cast.adviser.restricted_to_assigned = True  # since asking: only their own clients
    cast.adviser.save(update_fields=["restricted_to_assigned"])
    job = run_job(job_id)
    with job.result_file.open("rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig")), delimiter=";"))
    assert [row[0] for row in rows[1:]] == ["Bruno Díaz"]


def test_the_job_runs_once_even_if_its_task_is_delivered_twice(cast, book, clock):
    job_id = night_job(cast.admin, clock, fmt="csv")
    first = run_job(job_id).result_file.name
    assert run_job(job_id).result_file.name == first
    assert ProcessJob.objects.filter(kind=JobKind.INTERACTION_EXPORT).count() == 1


def test_the_job_and_its_file_are_in_the_log_de_procesos(cast, book, clock, as_member):
    job = run_job(night_job(cast.admin, clock, fmt="csv"))
    browser = as_member(cast.admin)

    log = browser.get(reverse("jobs:list", kwargs={"project": "demo"})).content.decode()
    assert "Descarga de interacciones del 01/11/2026 al 01/12/2026 (CSV)" in log

    detail = browser.get(reverse("jobs:detail", kwargs={"project": "demo", "pk": job.pk}))
    text = detail.content.decode()
    file_url = reverse("jobs:download", kwargs={"project": "demo", "pk": job.pk,
                                                "which": "resultado"})
    assert f'href="{file_url}"' in text
    assert "Descarga lista: 3 interacciones en CSV." in text
    response = browser.get(file_url)
    assert response.status_code == 200
    assert download_bytes(response).decode("utf-8-sig").splitlines()[0] == ";".join(HEADER)

    # Another member of the project cannot take it.
    assert as_member(cast.restricted).get(file_url).status_code == 404


def test_the_night_job_writes_at_once_and_records_its_total_at_the_end(
        cast, book, clock, django_capture_on_commit_callbacks):
    """Nobody watches a night job: it does not read the rows twice to count them first."""
    from django.test.utils import CaptureQueriesContext

    job_id = night_job(cast.admin, clock, fmt="csv")
    with django_capture_on_commit_callbacks(execute=True), \
            CaptureQueriesContext(connection) as captured:
        job = run_job(job_id)
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert (job.total, job.done) == (3, 3)
    counts = [q["sql"] for q in captured.captured_queries
              if "COUNT(" in q["sql"].upper() and "interactions_interaction" in q["sql"]]
    assert counts == []
