"""The Descargar job of the clients tray (routed to the "exports" queue by name).

Celery discovers tasks in `clients.tasks`, which imports this module.
"""

import tempfile

from django.core.files import File
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from moonflow.audit.models import AuditEventKind
from moonflow.audit.services import audit_record
from moonflow.jobs.runner import JobFailed, job_task

from .exports import (
    FORMATS,
    export_clients,
    export_file_name,
    filters_for_audit,
    options_to_params,
    resolve_export_columns,
)
from .selectors import client_list


@job_task("clients.tasks.export_clients")
def export_clients_task(run):
    """Write the file of a CLIENT_EXPORT job, attach it to the job and audit it.

    Visibility is applied now, through the member as they are today: a member
    who lost access to some clients since asking does not get them.
    """
    job = run.job
    member = run.member
    if member is None or not member.is_active or member.project_id != job.project_id:
        raise JobFailed(_("Quien pidió la descarga ya no tiene acceso al proyecto."))
    options = job.options or {}
    fmt = options.get("format")
    if fmt not in FORMATS:
        raise JobFailed(_("Formato de descarga no válido: %(format)s.") % {"format": fmt})
    params = options_to_params(options.get("params") or {})
    columns = resolve_export_columns(member, options.get("columns") or [])

    total = client_list(member=member, params=params).count()
    run.set_total(total)

    def progress(rows: int) -> None:
        run.progress(rows)

    name = export_file_name(job.project, fmt)
    with tempfile.TemporaryFile(suffix=f".{fmt}") as handle:
        # Not in a transaction: the progress written meanwhile must be seen.
        rows = export_clients(
            member=member, params=params, columns=columns, fmt=fmt, out=handle,
            progress=progress, expected_rows=total,
        )
        handle.seek(0)
        run.save_result(name, File(handle, name=name))
    run.progress(rows, force=True)

    run.on_success(lambda: audit_record(
        project=job.project,
        actor=member.user,
        event=AuditEventKind.EXPORTED,
        resource_type="client_export",
        resource_id=job.pk,
        resource_label=name,
        changes={
            "filters": filters_for_audit(options.get("params") or {}),
            "columns": [c.key for c in columns],
            "format": fmt,
            "rows": rows,
        },
    ))
    return ngettext(
        "Descarga lista: %(rows)s cliente en %(format)s.",
        "Descarga lista: %(rows)s clientes en %(format)s.",
        rows,
    ) % {
        "rows": formats.number_format(rows, use_l10n=True, force_grouping=True),
        "format": fmt.upper(),
    }
