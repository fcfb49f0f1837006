"""The clients importer as a bulk upsert runs it: the same importer (clean, resolve, write
— clients.importing), which also notes what each row did when the job asks
(`options["row_results"]`), so the API can answer row by row.

What a row did is read with the resolution table's own function (`resolve`) against
the book as the chunk finds it, in the chunk's transaction under the project's import
lock, before the importer writes; an update that changed nothing is told apart by the
client's `updated_at`, which the writer sets on every row it changes.
"""

from __future__ import annotations

from django.db import connection

from clients.importing.clients import ClientImporter
from clients.importing.resolution import Action, Holder, resolve
from moonflow.imports.engine import run_import
from moonflow.imports.models import RowError
from moonflow.jobs.runner import job_task

from .models import BulkRowResult

BULK_TASK = "api.tasks.bulk_upsert"

WORDS = {
    Action.CREATE: "created",
    Action.UPDATE: "updated",
    Action.RESTORE: "restored",
    Action.TRANSFER: "transferred",
    Action.RESTORE_TRANSFER: "transferred",
}


def _clients_by_key(project_id: int, keys: list[str]) -> dict[str, tuple]:
    """key → (id, adviser id, deleted, updated_at) of the clients holding these keys."""
    pairs = [key.partition(" ")[::2] for key in keys]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.document_type || ' ' || c.document_number, c.id, c.adviser_id,
                   c.deleted_at IS NOT NULL, c.updated_at
            FROM clients_client c
            JOIN unnest(%s::text[], %s::text[]) AS k(document_type, document_number)
              ON c.document_type = k.document_type AND c.document_number = k.document_number
            WHERE c.project_id = %s
            """,
            [[t for t, _n in pairs], [n for _t, n in pairs], project_id],
        )
        return {key: rest for key, *rest in cursor.fetchall()}


class BulkClientImporter(ClientImporter):
    def write_chunk(self, job, rows, context):
        if not job.options.get("row_results"):
            return super().write_chunk(job, rows, context)
        keys = [key for _number, key, _values in rows]
        before = _clients_by_key(job.project_id, keys)
        outcome = super().write_chunk(job, rows, context)
        failed = {number for number, _error in outcome.errors}
        after = _clients_by_key(job.project_id, keys)
        results = []
        for number, key, values in rows:
            if number in failed:
                continue
            held = before.get(key)
            action = resolve(Holder(held[1], held[2]) if held else None,
                             scope_adviser_id=context.scope_adviser_id,
                             transfer=context.transfer, row_adviser_id=values.get("adviser_id"))
            word = WORDS.get(action, "failed")
            now = after.get(key)
            if word == "updated" and held and now and now[3] == held[3]:
                word = "unchanged"
            results.append(BulkRowResult(project_id=job.project_id, job_id=job.pk,
                                         row_number=number, result=word,
                                         client_id=now[0] if now else None))
        BulkRowResult.objects.bulk_create(results)
        return outcome

    def after_write(self, job, context):
        super().after_write(job, context)
        if job.options.get("row_results"):
            note_failed_rows(job)


def note_failed_rows(job) -> None:
    """The rows the job refused (at analysis or at write), with each error's column and
    message, from the engine's row errors (read before the engine drops them)."""
    failed: dict[int, list] = {}
    for number, column, message in (
            RowError.objects.filter(project_id=job.project_id, job_id=job.pk)
            .order_by("row_number", "position").values_list("row_number", "column", "message")):
        failed.setdefault(number, []).append({"column": column, "message": message})
    BulkRowResult.objects.bulk_create(
        [BulkRowResult(project_id=job.project_id, job_id=job.pk, row_number=number,
                       result="failed", errors=errors) for number, errors in failed.items()],
        ignore_conflicts=True)


@job_task(BULK_TASK)
def bulk_upsert_task(run):
    """A bulk upsert's import job: the import engine with the clients importer."""
    return run_import(run, BulkClientImporter())
