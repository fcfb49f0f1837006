"""The rules of the interactions tray's Descargar: 45 days, once a day, due at the night window."""

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from interactions.download_models import NightDownload, NightDownloadStatus
from interactions.night_downloads import (
    AlreadyDone,
    AlreadyRequested,
    NightDownloadRefused,
    in_night_window,
    next_window_start,
    night_download_request,
    night_downloads_run,
)
from moonflow.jobs.models import ProcessJob

BOGOTA_OFFSET = timedelta(hours=5)  # America/Bogota is UTC-5, without daylight saving


def bogota(y, m, d, hh, mm=0) -> datetime:
    """A Bogotá wall-clock time, as the aware UTC instant."""
    return datetime(y, m, d, hh, mm, tzinfo=UTC) + BOGOTA_OFFSET


@pytest.fixture
def clock(monkeypatch):
    """Set the time every `timezone.now()` reads (no time-machine in this venv)."""

    class Clock:
        def set(self, when: datetime):
            monkeypatch.setattr(timezone, "now", lambda: when)

    return Clock()


def ask(member, first: date, last: date, *, fmt="xlsx", replace=False, params=None):
    return night_download_request(member=member, params=params or {}, date_from=first,
                                  date_to=last, fmt=fmt, replace=replace)


def test_it_accepts_a_range_of_45_days(cast, clock):
    clock.set(bogota(2026, 12, 1, 10))
    request = ask(cast.admin, date(2026, 10, 18), date(2026, 12, 1))  # 45 days, both counted
    assert (request.date_to - request.date_from).days + 1 == 45
    assert request.status == NightDownloadStatus.PENDING


def test_it_refuses_a_range_of_46_days(cast, clock):
    clock.set(bogota(2026, 12, 1, 10))
    with pytest.raises(NightDownloadRefused) as refused:
        ask(cast.admin, date(2026, 10, 17), date(2026, 12, 1))
    assert refused.value.message == "El rango de fechas puede ser de hasta 45 días."
    assert not NightDownload.objects.exists()


@pytest.mark.parametrize("first, last, message", [
    (None, date(2026, 12, 1), "Elige el rango de fechas de envío (hasta 45 días)."),
    (date(2026, 12, 1), None, "Elige el rango de fechas de envío (hasta 45 días)."),
    (date(2026, 12, 2), date(2026, 12, 1), "La fecha final del rango es anterior a la inicial."),
])
def test_it_requires_a_range(cast, clock, first, last, message):
    clock.set(bogota(2026, 12, 1, 10))
    with pytest.raises(NightDownloadRefused) as refused:
        ask(cast.admin, first, last)
    assert refused.value.message == message


def test_it_is_due_at_the_start_of_the_next_night_window(cast, clock):
    clock.set(bogota(2026, 12, 1, 10))
    request = ask(cast.admin, date(2026, 11, 25), date(2026, 12, 1))
    assert request.due_at == bogota(2026, 12, 2, 2)
    assert request.local_day == date(2026, 12, 1)


def test_it_is_due_the_same_night_when_asked_after_midnight(cast, clock):
    clock.set(bogota(2026, 12, 2, 0, 30))
    assert ask(cast.admin, date(2026, 11, 25), date(2026, 12, 1)).due_at == bogota(2026, 12, 2, 2)


def test_it_waits_for_the_next_night_when_asked_inside_the_window(cast, clock):
    clock.set(bogota(2026, 12, 2, 3))
    assert ask(cast.admin, date(2026, 11, 25), date(2026, 12, 1)).due_at == bogota(2026, 12, 3, 2)


def test_it_uses_the_projects_own_window_and_timezone(cast, clock):
    project = cast.project
    project.timezone = "Europe/Madrid"
    project.night_window_start, project.night_window_end = time(23, 30), time(1, 0)
    project.save(update_fields=["timezone", "night_window_start", "night_window_end"])
    clock.set(datetime(2026, 12, 1, 12, tzinfo=UTC))  # 13:00 in Madrid
    request = ask(cast.admin, date(2026, 11, 25), date(2026, 12, 1))
    assert request.due_at == datetime(2026, 12, 1, 22, 30, tzinfo=UTC)  # 23:30 in Madrid
    # A window across midnight: open from 23:30 to 01:00.
    assert in_night_window(project, datetime(2026, 12, 1, 22, 30, tzinfo=UTC))
    assert in_night_window(project, datetime(2026, 12, 1, 23, 59, tzinfo=UTC))
    assert not in_night_window(project, datetime(2026, 12, 2, 0, 0, tzinfo=UTC))
    assert not in_night_window(project, datetime(2026, 12, 1, 22, 29, tzinfo=UTC))


def test_the_default_window_is_two_to_five_in_the_projects_time(cast):
    assert (cast.project.night_window_start, cast.project.night_window_end) == (time(2), time(5))
    assert not in_night_window(cast.project, bogota(2026, 12, 2, 1, 59))
    assert in_night_window(cast.project, bogota(2026, 12, 2, 2))
    assert in_night_window(cast.project, bogota(2026, 12, 2, 4, 59))
    assert not in_night_window(cast.project, bogota(2026, 12, 2, 5))
    assert next_window_start(cast.project, bogota(2026, 12, 2, 5)) == bogota(2026, 12, 3, 2)


def test_it_refuses_a_second_request_the_same_day_with_the_time_it_will_be_ready(cast, clock):
    clock.set(bogota(2026, 12, 1, 9))
    first = ask(cast.adviser, date(2026, 11, 25), date(2026, 12, 1))
    clock.set(bogota(2026, 12, 1, 23, 50))
    with pytest.raises(AlreadyRequested) as refused:
        ask(cast.adviser, date(2026, 11, 1), date(2026, 11, 30), fmt="csv")
    assert refused.value.message == (
        "Ya programaste una descarga hoy; estará lista el 02/12/2026 a las 02:00 (hora de "
        "America/Bogota). Solo se permite una descarga al día: puedes reemplazarla por esta."
    )
    assert refused.value.pending == first
    assert NightDownload.objects.get().format == "xlsx"  # unchanged


def test_once_a_day_counts_the_projects_day_not_utcs(cast, clock):
    # 18:50 and 19:10 in Bogotá are two UTC days (23:50 and 00:10 UTC) but one project day.
    clock.set(bogota(2026, 12, 1, 18, 50))
    ask(cast.adviser, date(2026, 11, 25), date(2026, 12, 1))
    clock.set(bogota(2026, 12, 1, 19, 10))
    with pytest.raises(AlreadyRequested):
        ask(cast.adviser, date(2026, 11, 25), date(2026, 12, 1))


def test_a_new_day_in_the_projects_timezone_allows_another_request(cast, clock):
    clock.set(bogota(2026, 12, 1, 23, 50))
    ask(cast.adviser, date(2026, 11, 25), date(2026, 12, 1))
    clock.set(bogota(2026, 12, 2, 0, 5))  # past Bogotá's midnight, the same UTC day
    second = ask(cast.adviser, date(2026, 11, 26), date(2026, 12, 2))
    assert second.local_day == date(2026, 12, 2)
    assert list(NightDownload.objects.order_by("local_day").values_list("local_day", flat=True)) \
        == [date(2026, 12, 1), date(2026, 12, 2)]


def test_once_a_day_is_per_member(cast, clock):
    clock.set(bogota(2026, 12, 1, 9))
    ask(cast.adviser, date(2026, 11, 25), date(2026, 12, 1))
    ask(cast.restricted, date(2026, 11, 25), date(2026, 12, 1))
    ask(cast.outsider, date(2026, 11, 25), date(2026, 12, 1))
    assert NightDownload.objects.count() == 3


def test_it_replaces_the_pending_request_when_confirmed(cast, clock):
    clock.set(bogota(2026, 12, 1, 9))
    first = ask(cast.adviser, date(2026, 11, 25), date(2026, 12, 1), params={"canal": "sms"})
    clock.set(bogota(2026, 12, 1, 15))
    replaced = ask(cast.adviser, date(2026, 11, 1), date(2026, 11, 30), fmt="csv",
                   params={"canal": "email", "envio_desde": "01/01/2020"}, replace=True)
    assert replaced.pk == first.pk
    assert NightDownload.objects.count() == 1
    assert (replaced.date_from, replaced.date_to, replaced.format) == (
        date(2026, 11, 1), date(2026, 11, 30), "csv")
    # The tray's own dates give way to the request's range.
    assert replaced.params == {"canal": ["email"]}
    assert replaced.due_at == bogota(2026, 12, 2, 2)


def test_replacing_still_checks_the_range(cast, clock):
    clock.set(bogota(2026, 12, 1, 9))
    ask(cast.adviser, date(2026, 11, 25), date(2026, 12, 1))
    with pytest.raises(NightDownloadRefused):
        ask(cast.adviser, date(2026, 10, 1), date(2026, 12, 1), replace=True)


def test_a_request_already_processed_today_is_refused_until_tomorrow(cast, clock):
    clock.set(bogota(2026, 12, 2, 0, 30))
    ask(cast.adviser, date(2026, 11, 25), date(2026, 12, 1))
    clock.set(bogota(2026, 12, 2, 2, 5))
    [job_id] = night_downloads_run()
    clock.set(bogota(2026, 12, 2, 9))
    for replace in (False, True):
        with pytest.raises(AlreadyDone) as refused:
            ask(cast.adviser, date(2026, 11, 25), date(2026, 12, 1), replace=replace)
        assert refused.value.message == (
            "Ya se procesó tu descarga de hoy. Podrás pedir otra mañana.")
    clock.set(bogota(2026, 12, 3, 0, 1))
    assert ask(cast.adviser, date(2026, 11, 25), date(2026, 12, 1)).local_day == date(2026, 12, 3)
    assert ProcessJob.objects.filter(pk=job_id).exists()


def test_it_refuses_an_unknown_format(cast, clock):
    clock.set(bogota(2026, 12, 1, 9))
    with pytest.raises(NightDownloadRefused):
        ask(cast.admin, date(2026, 11, 25), date(2026, 12, 1), fmt="pdf")


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_leave_one_and_refuse_the_other(cast, clock):
    clock.set(bogota(2026, 12, 1, 9))
    barrier = threading.Barrier(2)
    outcomes = []

    def request(fmt):
        try:
            barrier.wait(timeout=10)
            ask(cast.adviser, date(2026, 11, 25), date(2026, 12, 1), fmt=fmt)
            outcomes.append("scheduled")
        except AlreadyRequested:
            outcomes.append("refused")
        except Exception as exc:  # reported below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=request, args=(fmt,)) for fmt in ("xlsx", "csv")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["refused", "scheduled"]
    assert NightDownload.objects.count() == 1
