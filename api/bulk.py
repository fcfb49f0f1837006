"""Bulk upserts: one more way into the import engine (moonflow/imports), for every resource
that has an importer (clients, payment orders, interactions).

A batch becomes an import job of the resource's importer, exactly like a mapped file: its
rows are written as a CSV whose columns are the importer's own field keys (so the mapping is
the identity), the job is created by `import_start` with the API as its source, and
`import_map` queues its analysis; `auto_confirm` writes it without a person (like an SFTP
drop), unless the engine's guard asks for one (a batch that would send an unusual share of
the scope to the recycle bin waits in the Log de procesos). Cleaning, the resolution table,
the transfer rule, the natural keys, the assignment history and the audit are the
importer's.

A small batch is run by the request itself (the job's claim makes a copy delivered to a
worker harmless) and answered row by row (api.bulk_importer); a larger one, or one asked
`async`, is answered 202 with the job's URL.
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils import timezone

from moonflow.imports.registry import get_importer
from moonflow.imports.services import import_map, import_start
from moonflow.jobs.models import JobStatus, ProcessJob

from .bulk_importer import BULK_TASK, bulk_upsert_task
from .models import BulkRowResult

FIRST_ROW = 2  # the CSV's header is row 1
WAIT_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class BulkTarget:
    """Where a batch of one resource goes: its importer (by entity) and the importer's field
    keys, each one a column of the batch's CSV (a blank cell never overwrites, and a field's
    error then names its column)."""

    entity: str
    columns: tuple[str, ...]


def batch_csv(rows: list[dict], columns: tuple[str, ...]) -> tuple[bytes, list[str]]:
    """The rows as a UTF-8 CSV with the importer's field keys as headers: the target's
    columns, then any other key the rows send (a client's custom variables)."""
    header: list[str] = list(columns)
    for row in rows:
        header += [name for name in row if name not in header]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return out.getvalue().encode("utf-8"), header


def bulk_upsert_start(*, member, target: BulkTarget, rows: list[dict], mode: str = "update",
                      scope_adviser=None, transfer: bool = False,
                      row_results: bool) -> ProcessJob:
    """Record the batch as a queued import job of the target's importer (run by the API's
    job task)."""
    content, columns = batch_csv(rows, target.columns)
    name = f"api_{target.entity}_{timezone.now():%Y%m%d_%H%M%S}_{len(rows)}.csv"
    job = import_start(
        member=member, importer=get_importer(target.entity),
        upload=ContentFile(content, name=name), mode=mode,
        scope_adviser_id=scope_adviser.pk if scope_adviser else None, source="api",
        transfer_mode=transfer,
        extra_options={"auto_confirm": True, "row_results": row_results})
    ProcessJob.objects.filter(project_id=job.project_id, pk=job.pk).update(task_name=BULK_TASK)
    job.task_name = BULK_TASK
    import_map(job=job, member=member, mapping={column: column for column in columns})
    return job


def bulk_upsert_run(job: ProcessJob, *, wait_seconds: float = 0) -> ProcessJob:
    """Run the job here and now; when a worker claimed it first (its copy is queued on
    commit), wait up to `wait_seconds` for the worker to end it, so a small batch is still
    answered row by row. The job as it ends or, if it is still elsewhere or waits for a
    person, as it is."""
    bulk_upsert_task(job.pk)
    job.refresh_from_db()
    deadline = time.monotonic() + wait_seconds
    while job.status in (JobStatus.QUEUED, JobStatus.RUNNING) and time.monotonic() < deadline:
        time.sleep(WAIT_POLL_SECONDS)
        job.refresh_from_db()
    return job


def bulk_row_results(job: ProcessJob, rows: list[dict]) -> list[dict]:
    """Each row of the batch, in order, with its cells, what it did (`result`), its client
    and errors as {column: the importer's field key, message}."""
    found = {r.row_number: r for r in BulkRowResult.objects.filter(
        project_id=job.project_id, job_id=job.pk)}
    out = []
    for index, row in enumerate(rows):
        result = found.get(index + FIRST_ROW)
        out.append({
            "index": index,
            "cells": row,
            "result": result.result if result else "failed",
            "client_id": result.client_id if result else None,
            "errors": result.errors if result else [],
        })
    return out


def bulk_results_drop(job: ProcessJob) -> None:
    BulkRowResult.objects.filter(project_id=job.project_id, job_id=job.pk).delete()
