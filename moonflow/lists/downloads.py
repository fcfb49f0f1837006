"""Descargar of any list: the request that queues the job, and the job that writes the file.

`request_download` records a job with the list's cleaned filters, search,
order and columns; the job (`download_task(name, spec)`, one Celery task per
list so each is routed and named on its own) re-applies visibility through
the member as they are when it runs, writes the file with `export_list`,
attaches it to the job and audits it once, with the job's end.
"""

import tempfile

from django.core.files import File
from django.utils.translation import gettext_lazy

from moonflow.audit.models import AuditEventKind
from moonflow.audit.services import audit_record
from moonflow.jobs.runner import JobFailed, job_message, job_task
from moonflow.jobs.services import job_create

from .columns import Column, visible_columns
from .exports import (
    FORMATS,
    export_file_name,
    export_query,
    filters_for_audit,
    options_to_params,
    params_to_options,
    write_query,
)
from .listing import list_query


def resolve_export_columns(spec, member, keys) -> list[Column]:
    """The list's columns named by `keys`, in the list's order (required ones always).

    Keys of columns that no longer exist (a deleted custom variable) are
    dropped; with none left, the member's visible columns are used.
    """
    all_columns = spec.columns(member)
    if keys:
        wanted = {str(k) for k in keys}
        chosen = [c for c in all_columns if c.key in wanted or c.required]
        if any(c.key in wanted for c in chosen):
            return chosen
    return visible_columns(member, spec.tray, all_columns)


def export_list(spec, *, member, params, columns=None, fmt: str, out, progress=None,
                expected_rows=None) -> int:
    """Write the rows `member` sees of `spec`'s list for `params` into `out`; returns the rows.

    `columns`: column keys (or `Column`s); None means the member's visible
    columns. `out`: a path or a binary file object. `progress(rows)` is called
    every few thousand rows. `expected_rows` (a count, when the caller has
    one) lets a small XLSX skip Zip64.
    """
    fmt = str(fmt).lower()
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format: {fmt!r}")
    if columns and all(isinstance(c, Column) for c in columns):
        chosen = list(columns)
    else:
        chosen = resolve_export_columns(spec, member, columns)
    query = list_query(spec, member=member, params=params)
    fields = spec.export_fields(member, chosen)
    sql = export_query(query.ordered, fields, fmt=fmt, tz=member.project.timezone or "UTC")
    sheet = str(spec.noun_plural).capitalize()
    if isinstance(out, (str, bytes)) or hasattr(out, "__fspath__"):
        with open(out, "wb", buffering=1 << 20) as handle:
            return write_query(sql, fmt=fmt, out=handle, progress=progress,
                               expected_rows=expected_rows, sheet_name=sheet)
    return write_query(sql, fmt=fmt, out=out, progress=progress, expected_rows=expected_rows,
                       sheet_name=sheet)


def request_download(spec, *, member, params, fmt: str, columns=None, task):
    """Queue a download of the list's rows (the columns on screen) and return the job.

    Nothing is read here: the job applies visibility, filters and columns when it runs.
    """
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format: {fmt!r}")
    keys = [c.key for c in resolve_export_columns(spec, member, columns)]
    return job_create(
        member=member,
        kind=spec.export_kind,
        task=task,
        title=spec.download_title(fmt),
        options={"params": params_to_options(params), "columns": keys, "format": fmt},
    )


def run_download(spec, run) -> str:
    """The body of a list's download job."""
    job = run.job
    member = run.member
    if member is None or not member.is_active or member.project_id != job.project_id:
        raise JobFailed(gettext_lazy("Quien pidió la descarga ya no tiene acceso al proyecto."))
    options = job.options or {}
    fmt = options.get("format")
    if fmt not in FORMATS:
        raise JobFailed(job_message(gettext_lazy("Formato de descarga no válido: %(format)s."),
                                    format=str(fmt)))
    params = options_to_params(options.get("params") or {})
    columns = resolve_export_columns(spec, member, options.get("columns") or [])

    total = None
    if spec.download_counts_first:
        total = list_query(spec, member=member, params=params).queryset.count()
        run.set_total(total)
    name = export_file_name(job.project, spec.file_stem, fmt)
    with tempfile.TemporaryFile(suffix=f".{fmt}") as handle:
        rows = export_list(spec, member=member, params=params, columns=columns, fmt=fmt,
                           out=handle, progress=run.progress, expected_rows=total)
        handle.seek(0)
        run.save_result(name, File(handle, name=name))
    stored = job.result_file.name.rsplit("/", 1)[-1]  # the storage may have made it unique
    if total is None:
        run.set_total(rows)
    run.progress(rows, force=True)
    run.on_success(lambda: audit_record(
        project=job.project,
        actor=member.user,
        event=AuditEventKind.EXPORTED,
        resource_type=spec.export_resource,
        resource_id=job.pk,
        resource_label=stored,
        changes={
            "filters": filters_for_audit(options.get("params") or {}),
            "columns": [c.key for c in columns],
            "format": fmt,
            "rows": rows,
        },
    ))
    return spec.download_message(rows, fmt)


def download_task(name: str, spec):
    """The Celery task (a `job_task`) that runs `spec`'s downloads."""

    def body(run):
        return run_download(spec, run)

    body.__name__ = body.__qualname__ = name.rsplit(".", 1)[-1]
    return job_task(name)(body)
