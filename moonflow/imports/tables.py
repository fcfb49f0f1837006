"""Ajustes' small tables (Segmentos, Variables adicionales, Equipos…) in and out of files,
through django-import-export: its row-by-row path is right for a few hundred rows.

An app registers a `SettingsTable` (its resource built for a project and an
actor; the resource saves through the app's services, so the same rules and
audit apply as on screen). The flow is the imports' own: upload → preview
(a dry run: what each row would do, and why a row fails) → confirm → counts
and an error report `Fila | Columna | Valor | Detalle del error`. Files are
read by the import reader (moonflow/imports/reading), so XLSX, XLS, ODS and
CSV work as everywhere; downloads are written by the product's XLSX writer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from moonflow.jobs.models import JobKind, JobStatus, ProcessJob
from moonflow.jobs.runner import job_message, notify_requester, stored_message
from moonflow.jobs.services import files_expiry_from
from moonflow.spreadsheets import write_error_report, write_xlsx

from .reading import open_table

TABLE_MAX_ROWS = 5_000  # a settings table is small; more is a mistake
_TABLES: dict[str, SettingsTable] = {}


@dataclass(frozen=True)
class SettingsTable:
    key: str  # URL slug: "segmentos"
    label: str  # "Segmentos"
    resource: Callable  # (project, actor) → an import_export Resource
    back: str  # the Ajustes page's URL name
    file_name: str  # of the download

    def build(self, project, actor):
        return self.resource(project=project, actor=actor)


def register_table(table: SettingsTable) -> None:
    _TABLES[table.key] = table


def get_table(key: str) -> SettingsTable:
    try:
        return _TABLES[key]
    except KeyError:
        raise LookupError(key) from None


# --- Export ----------------------------------------------------------------------------------


def export_table(table: SettingsTable, *, project, actor):
    """The table as the project has it, in the columns its import reads back."""
    data = table.build(project, actor).export()
    return write_xlsx(([_cell(v) for v in row] for row in data), headers=list(data.headers),
                      sheet=str(table.label))


def _cell(value):
    return "" if value is None else str(value)


# --- Import ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    rows: list[dict]  # per file row: number, action, values, errors
    counts: dict
    errors: list[tuple[int, str, str, str]]  # (row, column, value, message)


def table_start(table: SettingsTable, *, member, upload) -> ProcessJob:
    """Keep the upload as a waiting job; the file is checked by opening it (errors raise)."""
    with transaction.atomic():
        job = ProcessJob.objects.create(
            project=member.project, requested_by=member, kind=JobKind.SETTINGS_IMPORT,
            status=JobStatus.AWAITING, input_name=upload.name[:255],
            title=_("Importación de %(what)s: %(file)s") % {
                "what": str(table.label).lower(), "file": upload.name[:150]},
            options={"table": table.key})
        job.input_file.save(upload.name, upload, save=False)
        try:
            _dataset(job)
        except Exception:
            job.input_file.delete(save=False)
            raise
        job.save(update_fields=["input_file"])
    return job


def _dataset(job) -> tuple[tablib.Dataset, list[int]]:
    """The job's file as a tablib Dataset, and each dataset row's number in the file."""
    with open_table(job.input_file.path, file_name=job.input_name,
                    max_bytes=settings.IMPORT_MAX_BYTES, max_rows=TABLE_MAX_ROWS,
                    work_dir=str(Path(job.input_file.path).parent)) as table:
        data = tablib.Dataset(headers=table.columns)
        numbers = []
        for row in table.rows():
            data.append([row.values.get(h, "") for h in table.columns])
            numbers.append(row.number)
    return data, numbers


def table_run(table: SettingsTable, job, *, dry_run: bool) -> Outcome:
    """What the file does (dry run: the preview) or did; valid rows are written, invalid ones
    reported."""
    data, numbers = _dataset(job)
    resource = table.build(job.project, job.requested_by.user if job.requested_by_id else None)
    result = resource.import_data(data, dry_run=dry_run, raise_errors=False,
                                  use_transactions=True, rollback_on_validation_errors=False)
    rows, errors = [], []
    counts = {"read": len(numbers), "created": 0, "updated": 0, "unchanged": 0, "failed": 0}
    by_type = {"new": "created", "update": "updated", "skip": "unchanged",
               "invalid": "failed", "error": "failed"}
    for index, row_result in enumerate(result.rows):
        number = numbers[index] if index < len(numbers) else index + 1
        values = dict(zip(data.headers, data[index])) if index < len(data) else {}
        row_errors = []
        if row_result.validation_error is not None:
            row_errors = _validation_messages(row_result.validation_error, values)
        for error in row_result.errors:
            row_errors.append(("", "", _message(error.error)))
        kind = by_type.get(row_result.import_type, "failed")
        counts[kind] += 1
        rows.append({"number": number, "action": kind, "values": values,
                     "errors": [m for _c, _v, m in row_errors]})
        errors.extend((number, column, value, message) for column, value, message in row_errors)
    return Outcome(rows=rows, counts=counts, errors=errors)


def _validation_messages(error: ValidationError, values: dict) -> list[tuple[str, str, str]]:
    if hasattr(error, "error_dict"):
        out = []
        for field, problems in error.error_dict.items():
            column = field if field in values else ""
            for problem in problems:
                out.extend((column, str(values.get(column, "")), m) for m in problem.messages)
        return out
    return [("", "", m) for m in error.messages]


def _message(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or type(error).__name__


def table_confirm(table: SettingsTable, job) -> ProcessJob:
    """Write the file's valid rows; the job ends with its counts and error report."""
    if job.status != JobStatus.AWAITING:
        raise ValidationError(_("Esta importación ya se hizo."))
    outcome = table_run(table, job, dry_run=False)
    now = timezone.now()
    counts = outcome.counts
    status = JobStatus.PARTIAL if counts["failed"] else JobStatus.SUCCEEDED
    text, translations = stored_message(job_message(
        gettext_lazy("%(what)s: %(created)s creados, %(updated)s actualizados, %(unchanged)s sin "
                     "cambios, %(failed)s con errores."),
        what=table.label, **{k: counts[k] for k in ("created", "updated", "unchanged",
                                                      "failed")}))
    with transaction.atomic():
        if outcome.errors:
            job.error_file.save(f"errores_{Path(job.input_name).stem}.xlsx",
                                write_error_report(outcome.errors), save=False)
        job.status = status
        job.message, job.message_translations = text, translations
        job.finished_at = now
        job.files_expire_at = files_expiry_from(now)
        job.total = job.done = counts["read"]
        for name, value in counts.items():
            setattr(job, name, value)
        job.save()
        notify_requester(job)
    return job
