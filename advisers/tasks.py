"""Background jobs of Ajustes → Usuarios."""

from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from moonflow.audit.models import AuditEventKind
from moonflow.audit.services import audit_record
from moonflow.jobs.runner import JobFailed, JobRun, job_message, job_task
from moonflow.spreadsheets import write_xlsx
from moonflow.tenancy.selectors import member_list


def _member_headers() -> list[str]:
    return [
        _("Nombre"),
        _("Usuario"),
        _("Correo"),
        _("Rol"),
        _("Equipo"),
        _("ID"),
        _("Asignación de asesor"),
        _("Estado"),
    ]


def _member_row(member) -> list:
    user = member.user
    return [
        user.get_full_name().strip(),
        user.get_username(),
        user.email,
        member.get_role_display(),
        member.team.name if member.team else "",
        member.code,
        _("Sí") if member.restricted_to_assigned else _("No"),
        _("Activo") if member.is_active else _("Inactivo"),
    ]


# Routed to the "exports" queue by its name (CELERY_TASK_ROUTES "*.tasks.export_*").
@job_task("advisers.tasks.export_members")
def export_members(run: JobRun) -> Promise:
    """Descargar usuarios: every member of the project in one XLSX.

    The rows come from the same selector as the Usuarios page, read in chunks
    by a server-side cursor and streamed to disk, so memory stays flat.
    """
    requester = run.member
    # Checked again here: the role may have changed since the job was queued.
    if requester is None or not requester.is_active or not requester.is_admin:
        raise JobFailed(
            gettext_lazy("Solo un administrador del proyecto puede descargar los usuarios.")
        )
    members = member_list(member=requester)
    total = members.count()
    run.set_total(total)

    def rows():
        done = 0
        for done, member in enumerate(members.iterator(chunk_size=500), start=1):
            yield _member_row(member)
            run.progress(done, read=done)
        run.progress(done, read=done, force=True)

    content = write_xlsx(rows(), headers=_member_headers(), sheet=_("Usuarios"))
    local_now = timezone.localtime(timezone.now(), ZoneInfo(run.project.timezone))
    stamp = local_now.strftime("%Y%m%d-%H%M")
    run.save_result(f"usuarios-{run.project.slug}-{stamp}.xlsx", content)
    run.on_success(lambda: audit_record(
        project=run.project,
        actor=requester.user,
        event=AuditEventKind.EXPORTED,
        resource_type="member",
        resource_id="*",
        resource_label=_("Descarga de usuarios"),
        changes={"rows": [None, run.job.read], "job": [None, run.job.pk]},
        source="screen",
    ))
    return job_message(
        ngettext_lazy(
            "%(count)s usuario descargado.", "%(count)s usuarios descargados.", run.job.read
        ),
        count=run.job.read,
    )
