"""The one access path to jobs and notifications."""

from dataclasses import dataclass

from django.db import connection
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


def notification_list(*, member):
    return Notification.objects.filter(project=member.project, member=member).select_related("job")


def unread_notification_count(*, member) -> int:
    """The member's unread notifications (in `notification_list`'s scope), as every page's header shows.

    One plain statement on the (project, member, read_at) index: on every page,
    the ORM's COUNT machinery cost ten times the query itself.
    """
    table = connection.ops.quote_name(Notification._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} "
            "WHERE project_id = %s AND member_id = %s AND read_at IS NULL",
            [member.project_id, member.pk],
        )
        return cursor.fetchone()[0]


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
