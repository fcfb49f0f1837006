"""The one access path to jobs and notifications."""

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from .models import JobKind, Notification, ProcessJob

# Jobs whose files hold admin-only data (Ajustes → Usuarios): other members
# never see them, even when they see the rest of the project's jobs.
ADMIN_ONLY_KINDS = (JobKind.MEMBER_EXPORT,)


def job_list(*, member):
    """Jobs a member may see.

    Admins see every job of the project; unrestricted members every job but
    the admin-only kinds; members with "Asignación de asesor" only their own.
    """
    qs = ProcessJob.objects.filter(project=member.project).select_related("requested_by__user")
    if member.is_admin:
        return qs
    if member.restricted_to_assigned:
        return qs.filter(requested_by=member)
    return qs.filter(~Q(kind__in=ADMIN_ONLY_KINDS) | Q(requested_by=member))


def get_job_for_member(member, pk) -> ProcessJob:
    """Another project's job, or one the member may not see, answers 404 like a missing one."""
    job = job_list(member=member).filter(pk=pk).first()
    if job is None:
        raise Http404("No such job")
    return job


@dataclass
class JobPage:
    jobs: list[ProcessJob]
    newer: int | None  # cursor for the page of more recent jobs, if any
    older: int | None  # cursor for the page of older jobs, if any
    total: int


def job_page(*, member, older_than: int | None = None, newer_than: int | None = None,
             size: int = 50) -> JobPage:
    """One page of the log, newest first, by keyset on (created_at, id).

    The cursor is a job id the member can see; its creation time is read back
    so the page starts right after it, whatever the depth.
    """
    base = job_list(member=member)
    cursor_id = older_than if older_than is not None else newer_than
    cursor = (
        base.filter(pk=cursor_id).values("created_at", "pk").first()
        if cursor_id is not None
        else None
    )
    if cursor is None:
        rows = list(base.order_by("-created_at", "-id")[: size + 1])
        newer = None
        older = rows[size - 1].pk if len(rows) > size else None
        rows = rows[:size]
    elif older_than is not None:
        after = Q(created_at__lt=cursor["created_at"]) | Q(
            created_at=cursor["created_at"], id__lt=cursor["pk"]
        )
        rows = list(base.filter(after).order_by("-created_at", "-id")[: size + 1])
        newer = rows[0].pk if rows else None
        older = rows[size - 1].pk if len(rows) > size else None
        rows = rows[:size]
    else:
        before = Q(created_at__gt=cursor["created_at"]) | Q(
            created_at=cursor["created_at"], id__gt=cursor["pk"]
        )
        rows = list(base.filter(before).order_by("created_at", "id")[: size + 1])
        has_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        newer = rows[0].pk if has_newer else None
        older = rows[-1].pk if rows else None
    return JobPage(jobs=rows, newer=newer, older=older, total=base.count())


def notification_list(*, member):
    return Notification.objects.filter(project=member.project, member=member).select_related("job")


def unread_notification_count(*, member) -> int:
    return notification_list(member=member).filter(read_at__isnull=True).count()


# The URL word for each file of a job, and the field that holds it.
JOB_FILE_FIELDS = {"resultado": "result_file", "errores": "error_file", "entrada": "input_file"}


@dataclass
class JobFile:
    job: ProcessJob
    file: object  # the FieldFile
    filename: str  # the name the download is saved as


def get_job_file_for_member(member, pk, which: str) -> JobFile:
    """A file of a job the member sees ("resultado", "errores", "entrada"); 404 otherwise.

    The uploaded input may hold the whole book: only managers and the member
    who uploaded it get it. A purged or missing file answers 404 as well.
    """
    job = get_job_for_member(member, pk)
    field_name = JOB_FILE_FIELDS.get(which)
    if field_name is None or job.files_purged:
        raise Http404("No such file")
    file = getattr(job, field_name)
    if not file:
        raise Http404("No such file")
    if which == "entrada" and not (member.can_manage or job.requested_by_id == member.pk):
        raise Http404("No such file")
    filename = file.name.rsplit("/", 1)[-1]
    if which == "entrada" and job.input_name:
        filename = job.input_name.rsplit("/", 1)[-1]
    return JobFile(job=job, file=file, filename=filename)
