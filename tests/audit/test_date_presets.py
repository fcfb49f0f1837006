"""Fecha: Hoy, Esta semana (from Monday), Este mes, Este año, on the project's clock.

The project is in Bogotá (UTC−5): 23:59:59 there is already the next day in UTC, so
every edge below would fall on the wrong side if the presets were computed in UTC.
"""

from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from moonflow.audit.dates import MONTH, TODAY, WEEK, YEAR, preset_period

from .helpers import record

pytestmark = pytest.mark.django_db

BOGOTA = ZoneInfo("America/Bogota")
TOKYO = ZoneInfo("Asia/Tokyo")


def bogota(*args):
    return datetime(*args, tzinfo=BOGOTA)


@pytest.fixture
def project(cast):
    cast.project.timezone = "America/Bogota"
    cast.project.save(update_fields=["timezone"])
    return cast.project


def labels_shown(browser, fecha, now):
    """The resources of the events Ajustes → Auditoría lists for `fecha` at `now`."""
    with mock.patch.object(timezone, "now", lambda: now):
        response = browser.get(reverse("audit:project", kwargs={"project": "demo"}),
                               {"fecha": fecha, "tipo": "portfolio"})
    assert response.status_code == 200
    rows = response.context["tray"].rows
    return [row.resource for row in rows]


# --- the periods ------------------------------------------------------------------------------


@pytest.mark.parametrize("preset, now, start, end", [
    (TODAY, bogota(2026, 3, 15, 0, 0, 0), bogota(2026, 3, 15), bogota(2026, 3, 16)),
    (TODAY, bogota(2026, 3, 15, 23, 59, 59), bogota(2026, 3, 15), bogota(2026, 3, 16)),
    # Sunday is the week's last day; Monday starts the next one.
    (WEEK, bogota(2026, 3, 15, 23, 59, 59), bogota(2026, 3, 9), bogota(2026, 3, 16)),
    (WEEK, bogota(2026, 3, 16, 0, 0, 0), bogota(2026, 3, 16), bogota(2026, 3, 23)),
    (MONTH, bogota(2026, 2, 28, 23, 59, 59), bogota(2026, 2, 1), bogota(2026, 3, 1)),
    (MONTH, bogota(2026, 12, 31, 12, 0), bogota(2026, 12, 1), bogota(2027, 1, 1)),
    (YEAR, bogota(2026, 12, 31, 23, 59, 59), bogota(2026, 1, 1), bogota(2027, 1, 1)),
    (YEAR, bogota(2027, 1, 1, 0, 0, 0), bogota(2027, 1, 1), bogota(2028, 1, 1)),
])
def test_it_bounds_each_preset_on_the_projects_clock(project, preset, now, start, end):
    period = preset_period(preset, project, now=now)
    assert (period.start, period.end) == (start, end)


def test_it_reads_the_clock_of_the_project_not_of_utc(project):
    """At 20:00 on Dec 31 in Bogotá it is already Jan 1 in UTC (and in Tokyo)."""
    now = bogota(2026, 12, 31, 20, 0)
    assert preset_period(YEAR, project, now=now).start == bogota(2026, 1, 1)
    project.timezone = "Asia/Tokyo"
    tokyo = preset_period(YEAR, project, now=now)
    assert tokyo.start == datetime(2027, 1, 1, tzinfo=TOKYO)
    assert preset_period(TODAY, project, now=now).start == datetime(2027, 1, 1, tzinfo=TOKYO)


# --- the list, as an admin sees it ------------------------------------------------------------


def test_it_shows_today_from_midnight_to_the_last_second(project, cast, as_member):
    record(project, cast.admin, label="Ayer, último segundo", at=bogota(2026, 3, 14, 23, 59, 59))
    record(project, cast.admin, label="Hoy, medianoche", at=bogota(2026, 3, 15, 0, 0, 0))
    record(project, cast.admin, label="Hoy, último segundo", at=bogota(2026, 3, 15, 23, 59, 59))
    record(project, cast.admin, label="Mañana, medianoche", at=bogota(2026, 3, 16, 0, 0, 0))
    browser = as_member(cast.admin)

    assert labels_shown(browser, "hoy", bogota(2026, 3, 15, 0, 0, 0)) == [
        "Hoy, último segundo", "Hoy, medianoche"]
    assert labels_shown(browser, "hoy", bogota(2026, 3, 15, 23, 59, 59)) == [
        "Hoy, último segundo", "Hoy, medianoche"]
    assert labels_shown(browser, "hoy", bogota(2026, 3, 16, 0, 0, 0)) == ["Mañana, medianoche"]


def test_it_starts_the_week_on_monday(project, cast, as_member):
    record(project, cast.admin, label="Domingo anterior", at=bogota(2026, 3, 8, 23, 59, 59))
    record(project, cast.admin, label="Lunes", at=bogota(2026, 3, 9, 0, 0, 0))
    record(project, cast.admin, label="Domingo", at=bogota(2026, 3, 15, 23, 59, 59))
    record(project, cast.admin, label="Lunes siguiente", at=bogota(2026, 3, 16, 0, 0, 0))
    browser = as_member(cast.admin)

    # Sunday night still belongs to the week that began on Monday the 9th.
    assert labels_shown(browser, "semana", bogota(2026, 3, 15, 23, 59, 59)) == ["Domingo", "Lunes"]
    # One second later, a new week: only its Monday.
    assert labels_shown(browser, "semana", bogota(2026, 3, 16, 0, 0, 0)) == ["Lunes siguiente"]


def test_it_turns_the_year_at_midnight_of_january_first(project, cast, as_member):
    record(project, cast.admin, label="Primero de enero", at=bogota(2025, 1, 1, 0, 0, 0))
    record(project, cast.admin, label="Fin de año", at=bogota(2025, 12, 31, 23, 59, 59))
    record(project, cast.admin, label="Año nuevo", at=bogota(2026, 1, 1, 0, 0, 0))
    browser = as_member(cast.admin)

    assert labels_shown(browser, "anio", bogota(2025, 12, 31, 23, 59, 59)) == [
        "Fin de año", "Primero de enero"]
    assert labels_shown(browser, "anio", bogota(2026, 1, 1, 0, 0, 0)) == ["Año nuevo"]
    assert labels_shown(browser, "mes", bogota(2026, 1, 1, 0, 0, 0)) == ["Año nuevo"]
    assert labels_shown(browser, "mes", bogota(2025, 12, 31, 23, 59, 59)) == ["Fin de año"]


def test_it_shows_every_date_without_a_preset_and_names_a_preset_it_does_not_know(
        project, cast, as_member):
    record(project, cast.admin, label="Hace dos años", at=bogota(2024, 3, 1, 12, 0))
    record(project, cast.admin, label="Hoy", at=bogota(2026, 3, 15, 9, 0))
    browser = as_member(cast.admin)
    assert labels_shown(browser, "", bogota(2026, 3, 15, 10, 0)) == ["Hoy", "Hace dos años"]

    with mock.patch.object(timezone, "now", lambda: bogota(2026, 3, 15, 10, 0)):
        response = browser.get(reverse("audit:project", kwargs={"project": "demo"}),
                               {"fecha": "ayer", "tipo": "portfolio"})
    text = response.content.decode()
    assert "Se ignoró el filtro «Fecha»: su valor no es válido." in text
    assert [row.resource for row in response.context["tray"].rows] == ["Hoy", "Hace dos años"]
