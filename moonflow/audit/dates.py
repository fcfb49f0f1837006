"""The Fecha filter's presets, in the project's timezone.

Each preset is a half-open range of instants [start, end): from the first moment
of today, of this week (weeks start on Monday), of this month or of this year on
the project's clock, to the first moment of the next one. The bounds are computed
in the project's zone and compared in UTC by PostgreSQL, so an event at 23:59:59
on Sunday in Bogotá belongs to that week even though it is Monday in UTC.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TODAY, WEEK, MONTH, YEAR = "hoy", "semana", "mes", "anio"

PRESETS = [
    (TODAY, _("Hoy")),
    (WEEK, _("Esta semana")),
    (MONTH, _("Este mes")),
    (YEAR, _("Este año")),
]


@dataclass(frozen=True)
class Period:
    start: datetime  # inclusive, aware
    end: datetime  # exclusive, aware


def project_zone(project) -> ZoneInfo:
    try:
        return ZoneInfo(project.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _first_day(preset: str, today: date) -> tuple[date, date]:
    """(first day of the period, first day of the next one)."""
    if preset == TODAY:
        return today, today + timedelta(days=1)
    if preset == WEEK:
        monday = today - timedelta(days=today.weekday())
        return monday, monday + timedelta(days=7)
    if preset == MONTH:
        first = today.replace(day=1)
        following = (first.replace(year=first.year + 1, month=1) if first.month == 12
                     else first.replace(month=first.month + 1))
        return first, following
    if preset == YEAR:
        return today.replace(month=1, day=1), date(today.year + 1, 1, 1)
    raise ValueError(f"Unknown date preset: {preset!r}")


def preset_period(preset: str, project, *, now: datetime | None = None) -> Period:
    """The instants a preset covers for `project` at `now` (default: `timezone.now()`)."""
    zone = project_zone(project)
    local_now = timezone.localtime(now or timezone.now(), zone)
    first, following = _first_day(preset, local_now.date())
    # Midnight on the project's clock (a zone whose clocks skip midnight gets the first
    # instant after it, as zoneinfo folds it).
    return Period(datetime.combine(first, time.min, tzinfo=zone),
                  datetime.combine(following, time.min, tzinfo=zone))
