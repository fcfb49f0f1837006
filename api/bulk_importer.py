"""The importers as a bulk upsert runs them: the same importers (clean, resolve, write —
clients.importing, interactions.importing), which also note what each row did when the
job asks (`options["row_results"]`), so the API can answer row by row.

- Clients: what a row did is read with the resolution table's own function (`resolve`)
  against the book as the chunk finds it, in the chunk's transaction under the project's
  import lock, before the importer writes; an update that changed nothing is told apart by
  the client's `updated_at`, which the writer sets on every row it changes.
- Payment orders: the order each row's number names, before and after the chunk: none
  before is "created", a new `updated_at` "updated", else "unchanged".
- Interactions: the record each staged row's natural key names, before and after the
  chunk: found before is "unchanged" (already registered), found after "created".

The rows a job refuses (at analysis or at write) are noted from the engine's row errors.
"""

from __future__ import annotations

from django.db import connection

from clients.importing.clients import ClientImporter
from clients.importing.orders import PaymentOrderImporter
from clients.importing.resolution import Action, Holder, resolve
from clients.models import PaymentOrder
from interactions.importing.importer import InteractionImporter
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


class RowResults:
    """After the writing, the rows the job refused, with their errors (when it notes rows)."""

    def after_write(self, job, context):
        super().after_write(job, context)
        if job.options.get("row_results"):
            note_failed_rows(job)


class BulkClientImporter(RowResults, ClientImporter):
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


def _orders_by_number(project_id: int, numbers: list[str]) -> dict[str, tuple]:
    """number → (id, client id, updated_at) of the project's orders with these numbers."""
    return {number: rest for number, *rest in PaymentOrder.objects.filter(
        project_id=project_id, number__in=[n for n in numbers if n]).values_list(
        "number", "id", "client_id", "updated_at")}


class BulkPaymentOrderImporter(RowResults, PaymentOrderImporter):
    def write_chunk(self, job, rows, context):
        if not job.options.get("row_results"):
            return super().write_chunk(job, rows, context)
        numbers = [values["number"] for _number, _key, values in rows]
        before = _orders_by_number(job.project_id, numbers)
        outcome = super().write_chunk(job, rows, context)
        failed = {number for number, _error in outcome.errors}
        after = _orders_by_number(job.project_id, numbers)
        results = []
        for number, _key, values in rows:
            now = after.get(values["number"])
            if number in failed or now is None:
                continue
            held = before.get(values["number"])
            word = ("created" if held is None else
                    "updated" if now[2] != held[2] else "unchanged")
            results.append(BulkRowResult(project_id=job.project_id, job_id=job.pk,
                                         row_number=number, result=word, client_id=now[1]))
        BulkRowResult.objects.bulk_create(results)
        return outcome


def _records_of_rows(job, numbers: list[int]) -> dict[int, tuple]:
    """staged row number → (interaction id, client id) of the record its natural key names,
    for the rows the project already holds."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.row_number, i.id, i.client_id
            FROM imports_stagedrow s
            JOIN interactions_interaction i
              ON i.project_id = s.project_id AND i.import_key = s.key AND i.import_key <> ''
            WHERE s.project_id = %s AND s.job_id = %s AND s.row_number = ANY(%s)
            """,
            [job.project_id, job.pk, numbers],
        )
        return {number: rest for number, *rest in cursor.fetchall()}


class BulkInteractionImporter(RowResults, InteractionImporter):
    def write_chunk(self, job, rows, context):
        if not job.options.get("row_results"):
            return super().write_chunk(job, rows, context)
        numbers = [row[0] for row in rows]
        before = _records_of_rows(job, numbers)
        outcome = super().write_chunk(job, rows, context)
        failed = {number for number, _error in outcome.errors}
        after = _records_of_rows(job, numbers)
        results = [
            BulkRowResult(project_id=job.project_id, job_id=job.pk, row_number=number,
                          result="unchanged" if number in before else "created",
                          client_id=after[number][1])
            for number in numbers if number not in failed and number in after]
        BulkRowResult.objects.bulk_create(results)
        return outcome


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


# The importer each bulk job runs, by the entity it was started for (job.options["entity"]).
BULK_IMPORTERS = {
    "clients": BulkClientImporter,
    "payment_orders": BulkPaymentOrderImporter,
    "interactions": BulkInteractionImporter,
}


@job_task(BULK_TASK)
def bulk_upsert_task(run):
    """A bulk upsert's import job: the import engine with the importer of its entity."""
    return run_import(run, BULK_IMPORTERS[run.job.options["entity"]]())
