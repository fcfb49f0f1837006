"""Descargar of the interactions tray: an offline download, once a day, run at night.

The clients tray's download runs at once; this one cannot: a 45-day range of
interactions is millions of rows, so it is asked for during the day and
written during the project's night window (`Project.night_window_start` /
`night_window_end`, in the project's time zone, 02:00–05:00 by default).

The rules a member can rely on:
- the range of send dates ("Fecha de envío") is required and spans at most
  MAX_RANGE_DAYS days, both ends counted;
- once a day per member, the day being the project's local date: a second
  request the same day is refused with the time the first one will be ready,
  or replaces it when the member confirms (while it is still pending); once
  the night run has taken it, nothing more until the next day;
- the request is due at the start of the next night window; the beat task
  (`run_night_downloads`, every few minutes) takes the due requests of the
  projects whose window is open and turns each into a ProcessJob of the Log de
  procesos (kind INTERACTION_EXPORT), exactly once.

The job is any list download's (`moonflow.lists.downloads.run_download`): the
tray's ListSpec, the member's visibility as it is when the job runs, the
chosen filters and columns, one COPY streamed into the CSV or XLSX writer
with formulas neutralised, then the in-app notification and the email.
"""

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from moonflow.jobs.models import JobKind
from moonflow.jobs.runner import job_task
from moonflow.jobs.services import job_create
from moonflow.lists.downloads import resolve_export_columns, run_download
from moonflow.lists.exports import FORMATS, params_to_options
from moonflow.lists.listing import list_query
from moonflow.tenancy.models import Project

from .download_models import NightDownload, NightDownloadStatus
from .lists import DEFAULT_DAYS, FROM_PARAM, INTERACTIONS, TO_PARAM

logger = logging.getLogger(__name__)

MAX_RANGE_DAYS = 45


class NightDownloadRefused(Exception):
    """A request the rules refuse; `message` is for the member."""

    def __init__(self, message: str, *, pending: NightDownload | None = None):
        super().__init__(message)
        self.message = message
        self.pending = pending


class AlreadyRequested(NightDownloadRefused):
    """A pending request of the same day: it may be replaced if the member confirms."""


class AlreadyDone(NightDownloadRefused):
    """Today's request was already taken by the night run: nothing more until tomorrow."""


# The project's clock -----------------------------------------------------------------------

def project_zone(project) -> ZoneInfo:
    try:
        return ZoneInfo(project.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def project_local_now(project, now: datetime | None = None) -> datetime:
    return timezone.localtime(now or timezone.now(), project_zone(project))


def project_today(project, now: datetime | None = None) -> date:
    return project_local_now(project, now).date()


def in_night_window(project, now: datetime | None = None) -> bool:
    """Whether the project's local time is inside its night window (start included, end
    excluded; an end before the start crosses midnight)."""
    local = project_local_now(project, now).time()
    start, end = project.night_window_start, project.night_window_end
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def next_window_start(project, now: datetime | None = None) -> datetime:
    """The next start of the project's night window after `now` (aware, in the project's
    zone). A request made while the window is open waits for the next night: the run
    that is going on may already have passed."""
    local = project_local_now(project, now)
    zone = project_zone(project)
    start = datetime.combine(local.date(), project.night_window_start, tzinfo=zone)
    if start <= local:
        start = datetime.combine(local.date() + timedelta(days=1), project.night_window_start,
                                 tzinfo=zone)
    return start


def default_range(project, now: datetime | None = None) -> tuple[date, date]:
    """The tray's default send-date range: the last DEFAULT_DAYS days, today included."""
    today = project_today(project, now)
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def ready_text(project, when: datetime) -> str:
    """When a request will be ready, as the member reads it (the project's zone named)."""
    local = timezone.localtime(when, project_zone(project))
    return _("el %(date)s a las %(time)s (hora de %(zone)s)") % {
        "date": local.strftime("%d/%m/%Y"), "time": local.strftime("%H:%M"),
        "zone": project.timezone,
    }


# Requests --------------------------------------------------------------------------------

def range_error(date_from: date | None, date_to: date | None) -> str | None:
    """Why a send-date range is refused, None when it is valid."""
    if date_from is None or date_to is None:
        return _("Elige el rango de fechas de envío (hasta %(days)s días).") % {
            "days": MAX_RANGE_DAYS}
    if date_to < date_from:
        return _("La fecha final del rango es anterior a la inicial.")
    if (date_to - date_from).days + 1 > MAX_RANGE_DAYS:
        return _("El rango de fechas puede ser de hasta %(days)s días.") % {
            "days": MAX_RANGE_DAYS}
    return None


def filter_labels(member, params) -> list[str]:
    """The tray's filters and search as the member reads them (its chips), but for the
    send dates: the request's range replaces them."""
    query = list_query(INTERACTIONS, member=member, params=params)
    return [str(chip.label) for chip in query.filterset.chips(query.search)
            if chip.param not in (FROM_PARAM, TO_PARAM)]


def todays_request(member, now: datetime | None = None) -> NightDownload | None:
    """The member's request of the project's current day, if any."""
    return NightDownload.objects.filter(
        project_id=member.project_id, member=member,
        local_day=project_today(member.project, now),
    ).first()


def refusal_for(existing: NightDownload) -> NightDownloadRefused:
    project = existing.project
    if existing.status == NightDownloadStatus.PENDING:
        return AlreadyRequested(
            _("Ya programaste una descarga hoy; estará lista %(ready)s. Solo se permite una "
              "descarga al día: puedes reemplazarla por esta.")
            % {"ready": ready_text(project, existing.due_at)},
            pending=existing,
        )
    return AlreadyDone(_("Ya se procesó tu descarga de hoy. Podrás pedir otra mañana."))


def night_download_request(
    *,
    member,
    params,
    date_from: date | None,
    date_to: date | None,
    fmt: str,
    columns=None,
    replace: bool = False,
    now: datetime | None = None,
) -> NightDownload:
    """Schedule the member's download for the next night window, or refuse it.

    1. The range and the format are checked (NightDownloadRefused).
    2. The tray's filters are cleaned as any download's (the tray's own send-date
       parameters dropped: the range is the request's), the columns resolved now.
    3. With no request today the new one is recorded; the unique (project, member,
       local_day) makes a concurrent second one fail, and it is answered as the
       refusal of the request that won.
    4. A pending request today is refused (AlreadyRequested), or with `replace`
       updated in place, only while still pending (the night run takes rows under
       a lock, so a replace and a claim never both happen).
    5. A request already taken today is refused (AlreadyDone).
    """
    error = range_error(date_from, date_to)
    if error:
        raise NightDownloadRefused(error)
    if fmt not in FORMATS:
        raise NightDownloadRefused(_("Formato de descarga no válido."))
    project = member.project
    now = now or timezone.now()
    options = params_to_options(params)
    options.pop(FROM_PARAM, None)
    options.pop(TO_PARAM, None)
    wanted = {
        "params": options, "date_from": date_from, "date_to": date_to, "format": fmt,
        "columns": [c.key for c in resolve_export_columns(INTERACTIONS, member, columns)],
    }
    day = project_today(project, now)
    due_at = next_window_start(project, now)

    with transaction.atomic():
        existing = (NightDownload.objects.select_for_update()
                    .filter(project_id=project.pk, member=member, local_day=day).first())
        if existing is None:
            try:
                with transaction.atomic():
                    return NightDownload.objects.create(
                        project=project, member=member, local_day=day, due_at=due_at, **wanted)
            except IntegrityError:
                existing = (NightDownload.objects.select_for_update()
                            .filter(project_id=project.pk, member=member, local_day=day).get())
                raise refusal_for(existing) from None
        if existing.status != NightDownloadStatus.PENDING or not replace:
            raise refusal_for(existing)
        changed = NightDownload.objects.filter(
            pk=existing.pk, status=NightDownloadStatus.PENDING
        ).update(updated_at=now, **wanted)
        if not changed:
            existing.refresh_from_db()
            raise refusal_for(existing)
        existing.refresh_from_db()
        return existing


def request_params(request: NightDownload) -> dict:
    """The list parameters the job reads: the tray's filters and the request's send dates."""
    # ISO dates: one of the filter's formats that keeps every year's four digits.
    return {
        **request.params,
        FROM_PARAM: [request.date_from.isoformat()],
        TO_PARAM: [request.date_to.isoformat()],
    }


# The night run -----------------------------------------------------------------------------

@job_task("interactions.tasks.export_interactions")
def export_interactions_task(run):
    """A night download's job: the list download of the interactions tray."""
    return run_download(INTERACTIONS, run)


def job_title(request: NightDownload) -> str:
    return _("Descarga de interacciones del %(from)s al %(to)s (%(format)s)") % {
        "from": request.date_from.strftime("%d/%m/%Y"),
        "to": request.date_to.strftime("%d/%m/%Y"),
        "format": request.format.upper(),
    }


def projects_in_window(now: datetime) -> list[Project]:
    """The projects with due requests whose night window is open now."""
    project_ids = (NightDownload.objects.filter(status=NightDownloadStatus.PENDING,
                                                due_at__lte=now)
                   .values_list("project_id", flat=True).distinct())
    return [p for p in Project.objects.filter(pk__in=project_ids) if in_night_window(p, now)]


def night_downloads_claim(*, project, now: datetime | None = None) -> list[int]:
    """Turn the project's due requests into queued jobs; returns the jobs' ids.

    The due rows are locked with SELECT … FOR UPDATE SKIP LOCKED and marked
    claimed in the transaction that records their jobs, so a second run at
    the same moment skips them (and finds them claimed once this one commits),
    and a run that dies half-way leaves them pending, not lost. Jobs are sent
    to the broker when the transaction commits (job_create).
    """
    now = now or timezone.now()
    job_ids = []
    with transaction.atomic(), translation.override(project.language or settings.LANGUAGE_CODE):
        due = list(
            NightDownload.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(project_id=project.pk, status=NightDownloadStatus.PENDING, due_at__lte=now)
            .select_related("member__user", "project")
            .order_by("due_at", "pk")
        )
        for request in due:
            job = job_create(
                member=request.member,
                kind=JobKind.INTERACTION_EXPORT,
                task=export_interactions_task,
                title=job_title(request),
                options={"params": request_params(request), "columns": request.columns,
                         "format": request.format, "night_download": request.pk},
            )
            NightDownload.objects.filter(pk=request.pk).update(
                status=NightDownloadStatus.CLAIMED, claimed_at=now, job=job)
            job_ids.append(job.pk)
    if job_ids:
        logger.info("Night downloads of project %s queued as jobs %s", project.pk, job_ids)
    return job_ids


def night_downloads_run(*, now: datetime | None = None) -> list[int]:
    """The beat's work: claim the due requests of every project in its night window."""
    now = now or timezone.now()
    job_ids = []
    for project in projects_in_window(now):
        job_ids += night_downloads_claim(project=project, now=now)
    return job_ids


@shared_task(name="interactions.tasks.run_night_downloads")
def run_night_downloads():
    """Every few minutes (CELERY_BEAT_SCHEDULE): thin, ids only, safe to run twice."""
    return len(night_downloads_run())
