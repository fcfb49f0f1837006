"""The import engine: one path from an uploaded file to written records, whatever they are.

    upload (the view reads the headers) → mapping (the user, or a template)
    → analysis (job): read, clean, stage, find duplicates, plan → preview
    → confirmation → writing (job): chunks, each one transaction with its
      checkpoint → deletions (mode "actualizar incluyendo eliminación")
    → error report → counts, notification, audit

An entity (clients, payment orders, …) plugs in an `Importer`: its fields, how
a row is cleaned (its one validation module), how staged rows resolve against
the book and are written. Everything else is here, once.

Guarantees:
- Nothing is written before the user confirms what the preview says.
- Each chunk of rows commits with its checkpoint (`WriteCheckpoint`): a worker
  killed at any instant leaves whole chunks only, and the job's next run goes
  on after the last committed one with the counts it had.
- Chunks of imports into the same project never interleave within a chunk: each
  takes the project's import lock (`pg_advisory_xact_lock`); resolution happens
  under that lock against the book as it is then, not as the preview saw it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from moonflow.audit.models import AuditEventKind
from moonflow.audit.services import audit_record
from moonflow.db.plans import estimate
from moonflow.jobs.models import COUNT_FIELDS, ProcessJob
from moonflow.jobs.runner import AWAIT_USER, JobFailed, JobLost, JobRun, job_message
from moonflow.spreadsheets import write_import_report

from .guards import needs_a_person
from .models import RowError, StagedRow, WriteCheckpoint
from .proposals import read_proposal, source_mapping
from .reading import ImportFileError, open_converted, open_table
from .reading.sniff import detect_format

logger = logging.getLogger(__name__)

# Phases of an import job (job.options["phase"]).
READ = "read"  # a spreadsheet uploaded: converting it, then proposing a mapping
MAPPING = "mapping"  # uploaded; waiting for the user's mapping
ANALYZE = "analyze"  # queued or running: reading, cleaning, staging, planning
PREVIEW = "preview"  # analysed; waiting for the user's confirmation
WRITE = "write"  # confirmed: queued or writing

UPDATE = "update"  # mode "actualizar": clients absent from the file are untouched
UPDATE_DELETE = "update_delete"  # "actualizar incluyendo eliminación"

STAGE_BATCH = 5_000  # rows per COPY while staging
SAMPLES = 3  # example rows per action and adviser in the preview
ANALYZE_AFTER_ROWS = 10_000  # rows staged or written from which statistics are refreshed
FIX_ROWS_MAX = 100_000  # failed rows copied into the error report's "Filas para corregir"
# The staged rows' columns whose statistics the planner needs. Not "values": sampling a JSON
# document a row took most of the ANALYZE, and no plan reads its statistics.
STAGED_STATISTICS = ("project_id", "job_id", "row_number", "key", "failed")


@dataclass
class CellError:
    field: str  # the field key ("" for the whole row)
    value: str
    message: str


@dataclass
class CleanRow:
    key: str | None  # the external ID as compared; None when it could not be read
    values: dict  # JSON-ready cleaned values
    errors: list[CellError] = field(default_factory=list)


@dataclass
class ChunkOutcome:
    counts: dict = field(default_factory=dict)  # created, updated, restored, unchanged, failed…
    errors: list[tuple[int, CellError]] = field(default_factory=list)  # (row number, error)


class Importer:
    """What an entity supplies to the engine. Subclasses live in their app."""

    entity = ""  # registry name
    job_kind = ""  # moonflow.jobs.models.JobKind
    label = ""  # what the upload screen calls it ("Clientes")
    model_file_name = "reporte_modelo.xlsx"
    key_label = ""  # how a message names the external ID ("documento")
    unique_key = True  # each staged key once in a file (a base de cartera repeats clients)
    # Whether mode "actualizar incluyendo eliminación" means anything (the upload offers it).
    deletes_absent = True
    # Whether "Modo transferencia" means anything: the rows hold clients, which may pass from
    # another adviser with everything linked (the upload and SFTP forms offer it).
    transfers_clients = False
    # Whether write_chunk receives each staged row as (number, key, values); False: as
    # (number,) only, for an importer that writes a chunk set-based from imports_stagedrow.
    chunk_values = True

    def fields(self, project) -> list:
        raise NotImplementedError

    def context(self, job):
        """What cleaning and writing look up once per run (rules, members)."""
        return None

    def for_file(self, context, *, decimal_mark: str | None) -> None:
        """What the file itself tells cleaning (its decimal mark), once it is open."""

    def clean(self, raw: dict, context) -> CleanRow:
        """One file row cleaned. It must not query the database (a COPY is open on the
        connection meanwhile): what it looks up comes from its context, loaded before."""
        raise NotImplementedError

    def after_staging(self, job, context) -> list[tuple[int, str, str, str]]:
        """Checks across rows once all are staged: (row, field, value, message) of each row
        that must fail (the engine marks it failed and reports it)."""
        return []

    def plan(self, job, context) -> dict:
        """What writing would do now: {"actions": [...], "to_delete": n, "scope_size": n}."""
        raise NotImplementedError

    def write_chunk(self, job, rows: list[tuple], context) -> ChunkOutcome:
        """Write one chunk of staged rows (in file order, none failed): each row as
        (number, key, values), or as (number,) when `chunk_values` is False."""
        raise NotImplementedError

    def delete_absent(self, job, context) -> int:
        return 0

    # The tables a write changes: their statistics are refreshed after a large import.
    written_tables: tuple[str, ...] = ()

    def after_write(self, job, context) -> None:
        """Set-based work once every chunk is written (recomputations)."""

    def model_example(self, project) -> dict:
        return {}

    def summary(self, counts: dict):
        """The job's closing message."""
        return summary(counts)


# --- Reading the file ------------------------------------------------------------------------


def _file_name(job) -> str:
    return job.input_name or Path(job.input_file.name).name


def check_job_file(job) -> str:
    """The uploaded file's kind ("csv", "xlsx"…) after the cheap checks (size, type, safety)."""
    return detect_format(job.input_file.path, file_name=_file_name(job),
                         max_bytes=settings.IMPORT_MAX_BYTES)


def open_job_table(job):
    """The job's uploaded file as a Table, under the settings' limits; a spreadsheet already
    converted by the READ phase is not converted again, nor are rows the job counted when the
    file was first opened (its total) counted again."""
    converted = (job.options or {}).get("converted")
    if converted and Path(converted).exists():
        return open_converted(converted, file_name=_file_name(job),
                              max_rows=settings.IMPORT_MAX_ROWS, counted_rows=job.total)
    return open_table(
        job.input_file.path,
        file_name=_file_name(job),
        max_bytes=settings.IMPORT_MAX_BYTES,
        max_rows=settings.IMPORT_MAX_ROWS,
        work_dir=str(Path(job.input_file.path).parent),
        counted_rows=job.total,
    )


def drop_converted(job) -> None:
    converted = (job.options or {}).get("converted")
    if converted and Path(converted).exists():
        Path(converted).unlink()


def read(run: JobRun, importer: Importer) -> None:
    """A spreadsheet: convert it once (kept for the analysis), read its headers and first rows,
    propose a mapping; then the job waits for the user's."""
    job = run.job
    try:
        table = open_job_table(job)
    except ImportFileError as error:
        raise JobFailed(str(error)) from None
    with table:
        run.set_total(table.total_rows)
        converted = table.keep_converted()
        read_proposal(job, importer, table)
    job.options = {**job.options, "phase": MAPPING,
                   **({"converted": converted} if converted else {})}
    run.save_options()
    ProcessJob.objects.filter(project_id=job.project_id, pk=job.pk).update(
        mapping=job.mapping, total=job.total)


def header_of(mapping: dict) -> dict:
    """field key → the file's column that feeds it."""
    return {target: header for header, target in mapping.items() if target}


# --- Analysis --------------------------------------------------------------------------------


def analyze(run: JobRun, importer: Importer) -> None:
    """Read the whole file, clean each row, stage the valid ones, and plan."""
    job = run.job
    _clear_staging(job)
    WriteCheckpoint.objects.filter(project_id=job.project_id, job=job).delete()
    context = importer.context(job)
    mapping = job.mapping
    defaults = job.options.get("defaults") or {}
    columns = header_of(mapping)
    try:
        table = open_job_table(job)
    except ImportFileError as error:
        raise JobFailed(str(error)) from None
    with table:
        if set(h for h in mapping) - set(table.columns):
            raise JobFailed(_(
                "Las columnas del archivo «%(file)s» ya no coinciden con el mapeo guardado."
            ) % {"file": table.file_name})
        run.set_total(table.total_rows)
        importer.for_file(context, decimal_mark=table.decimal_mark)
        rows = iter(table.rows())
        read = failed = 0
        more = True
        while more:
            batch_read, batch_failed, more = _stage_batch(
                job, importer, context, rows, defaults, columns)
            read, failed = read + batch_read, failed + batch_failed
            run.progress(read, read=read, failed=failed)
    # The staged rows were just copied in: without fresh statistics the planner
    # takes the job's rows for a handful and joins them by nested loops (minutes).
    # Always, however few: the table holds only the jobs in flight, so it is cheap,
    # and 5,000 rows planned as one cost seconds per statement (an API batch).
    refresh_statistics(("imports_stagedrow",), rows=max(read, ANALYZE_AFTER_ROWS),
                       columns=STAGED_STATISTICS)
    refresh_stale_statistics(importer.written_tables, project_id=job.project_id, rows=read)
    if importer.unique_key:
        failed += _reject_duplicates(job, importer)
    failed += _reject_across_rows(job, importer, context)
    run.progress(read, force=True, read=read, failed=failed)
    plan = importer.plan(job, context)
    plan["errors"] = [
        {"row": e.row_number, "column": e.column, "value": e.value, "message": e.message}
        for e in RowError.objects.filter(project_id=job.project_id, job_id=job.pk)
        .order_by("row_number", "position")[:20]
    ]
    plan["failed"] = failed
    plan["read"] = read
    plan["analyzed_at"] = timezone.now().isoformat()
    job.options = {**job.options, "phase": PREVIEW, "plan": plan}
    run.save_options()


def _clear_staging(job) -> None:
    StagedRow.objects.filter(project_id=job.project_id, job_id=job.pk).delete()
    RowError.objects.filter(project_id=job.project_id, job_id=job.pk).delete()


def _stage_batch(job, importer: Importer, context, rows, defaults: dict,
                 columns: dict) -> tuple[int, int, bool]:
    """Clean and stage the next rows, up to STAGE_BATCH of them (or as many row errors), in
    one transaction: (rows read, rows failed, whether rows remain).

    The COPY into imports_stagedrow is open while the rows are cleaned, so PostgreSQL stores
    each row while the next ones are cleaned instead of waiting for the whole batch (hence
    `Importer.clean` never queries the database)."""
    read = failed = 0
    errors: list = []
    more = False
    fields = [(column, key) for column, key in job.mapping.items() if key]
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.copy(
            "COPY imports_stagedrow (project_id, job_id, row_number, key, \"values\", failed) "
            "FROM STDIN"
        ) as copy:
            for row in rows:
                read += 1
                staged, row_errors = _clean_row(importer, context, row, fields, defaults)
                if staged is not None:
                    copy.write_row((job.project_id, job.pk, *staged))
                if row_errors:
                    failed += 1
                    errors += [(row.number, position, columns.get(error.field, ""),
                                error.value, error.message)
                               for position, error in enumerate(row_errors)]
                if read >= STAGE_BATCH or len(errors) >= STAGE_BATCH:
                    more = True
                    break
        if errors:
            _copy_errors(cursor, job, errors, at_write=False)
    return read, failed, more


def _clean_row(importer: Importer, context, row, fields: list, defaults: dict):
    """A file row cleaned: ((row number, key, values JSON, failed) to stage, or None when the
    key could not be read; the row's errors). `fields`: (file column, field key) of each
    mapped column (a field is fed by one column); a blank cell takes the field's default."""
    cells = row.values
    raw = {key: text for column, key in fields if (text := cells.get(column, ""))}
    if defaults:
        raw = {**defaults, **raw}
    outcome = importer.clean(raw, context)
    errors = list(outcome.errors)
    for letter, value in row.extra.items():
        errors.append(CellError("", value, _(
            "La columna %(column)s no tiene encabezado: agregue un encabezado o borre "
            "el valor.") % {"column": letter}))
    if outcome.key is None:
        return None, errors or [CellError("", "", _("La fila no tiene identificador."))]
    if errors:
        return (row.number, outcome.key, "{}", True), errors
    return (row.number, outcome.key, json.dumps(outcome.values), False), []


def _copy_errors(cursor, job, errors: list, *, at_write: bool) -> None:
    with cursor.copy(
        "COPY imports_rowerror (project_id, job_id, row_number, position, \"column\", value, "
        "message, at_write) FROM STDIN"
    ) as copy:
        for number, position, column, value, message in errors:
            copy.write_row((job.project_id, job.pk, number, position, column[:255], value,
                            message, at_write))


def _reject_duplicates(job, importer: Importer) -> int:
    """A key repeated in the file: its later rows fail, naming the first one."""
    message = _("El %(what)s %(key)s ya aparece en la fila %(first)s del archivo; cada "
                "registro va una sola vez.")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            WITH repeated AS (
                SELECT row_number, first FROM (
                    SELECT row_number, min(row_number) OVER (PARTITION BY key) AS first
                    FROM imports_stagedrow WHERE project_id = %s AND job_id = %s
                ) AS w
                WHERE row_number > first
            )
            UPDATE imports_stagedrow s SET failed = true, "values" = '{}'
            FROM repeated r
            WHERE s.project_id = %s AND s.job_id = %s AND s.row_number = r.row_number
              AND NOT s.failed
            RETURNING s.row_number, s.key, r.first
            """,
            [job.project_id, job.pk, job.project_id, job.pk],
        )
        duplicates = cursor.fetchall()
        if duplicates:
            _copy_errors(cursor, job, [
                (number, 0, "", key, message % {"what": importer.key_label, "key": key,
                                                 "first": first})
                for number, key, first in duplicates
            ], at_write=False)
    return len(duplicates)


def _reject_across_rows(job, importer: Importer, context) -> int:
    rejected = importer.after_staging(job, context)
    if not rejected:
        return 0
    columns = header_of(job.mapping)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """UPDATE imports_stagedrow SET failed = true, "values" = '{}'
               WHERE project_id = %s AND job_id = %s AND row_number = ANY(%s) AND NOT failed""",
            [job.project_id, job.pk, [number for number, *_rest in rejected]],
        )
        _copy_errors(cursor, job, [(number, 0, columns.get(field_key, ""), value, message)
                                   for number, field_key, value, message in rejected],
                     at_write=False)
    return len(rejected)


# --- Writing ---------------------------------------------------------------------------------


def project_lock_sql() -> str:
    return "SELECT pg_advisory_xact_lock(hashtext('moonflow.import'), %s)"


def write(run: JobRun, importer: Importer):
    """Write the staged rows in chunks, each with its checkpoint; then deletions and the report."""
    job = run.job
    context = importer.context(job)
    plan = job.options.get("plan") or {}
    checkpoint, _created = WriteCheckpoint.objects.get_or_create(
        project_id=job.project_id, job=job,
        defaults={"counts": {"read": plan.get("read", 0), "failed": plan.get("failed", 0)}})
    counts = dict(checkpoint.counts)
    total = plan.get("read", 0)
    run.set_total(total)
    run.progress(_done(counts), **_job_counts(counts))
    all_or_nothing = bool(job.options.get("all_or_nothing"))
    chunk = max(1, int(settings.IMPORT_CHUNK_ROWS))
    refresh_stale_statistics(importer.written_tables, project_id=job.project_id, rows=total)
    if all_or_nothing:
        found = []  # the rows the book refused: the rollback takes their errors too
        with transaction.atomic():
            counts = _write_all(run, importer, context, checkpoint, counts, chunk, found)
            refused = counts.get("failed", 0)
            if refused:
                transaction.set_rollback(True)
        if refused:
            checkpoint.refresh_from_db()
            if found:
                with transaction.atomic(), connection.cursor() as cursor:
                    _copy_errors(cursor, job, found, at_write=True)
            _save_error_report(run)
            # Nothing was written: the job must not count what the rollback undid.
            run.progress(0, read=counts.get("read", 0), failed=refused,
                         **{name: 0 for name in ("created", "updated", "restored",
                                                 "unchanged", "deleted")})
            raise JobFailed(_(
                "No se escribió nada: %(failed)s filas tienen errores y pidió todo o nada. "
                "Corríjalas (vea el reporte de errores) y vuelva a cargar el archivo.")
                % {"failed": refused})
    else:
        counts = _write_all(run, importer, context, checkpoint, counts, chunk)
    if job.options.get("mode") == UPDATE_DELETE and not checkpoint.deletes_done:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(project_lock_sql(), [job.project_id])
            deleted = importer.delete_absent(job, context)
            counts["deleted"] = counts.get("deleted", 0) + deleted
            checkpoint.deletes_done = True
            checkpoint.counts = counts
            checkpoint.save(update_fields=["deletes_done", "counts"])
        run.progress(_done(counts), **_job_counts(counts))
    importer.after_write(job, context)
    refresh_statistics(importer.written_tables, rows=sum(
        counts.get(name, 0) for name in ("created", "updated", "restored", "deleted")))
    _save_error_report(run)
    run.on_success(lambda: _audit(job, counts))
    drop_staging(job)
    return importer.summary(counts)


def refresh_statistics(tables, *, rows: int, columns: tuple[str, ...] = ()) -> None:
    """ANALYZE what a large import changed (only `columns`, when given), before the
    set-based statements that follow (the planner would otherwise plan for the book as it
    was); a small one is left to autovacuum, so a source polled every minute does not sample
    the book every minute."""
    if rows < ANALYZE_AFTER_ROWS:
        return
    quote = connection.ops.quote_name
    only = f" ({', '.join(quote(c) for c in columns)})" if columns else ""
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {quote(table)}{only}")


# The planner may take a project's rows for this many times fewer than a job brings
# before its tables are analysed again (see refresh_stale_statistics).
STALE_ESTIMATE_FACTOR = 10


def project_rows_estimate(table: str, project_id: int) -> int:
    """How many rows of `project_id` the planner believes `table` holds (EXPLAIN only)."""
    quote = connection.ops.quote_name
    return estimate(f"SELECT 1 FROM {quote(table)} WHERE project_id = %s", [project_id]).rows


def refresh_stale_statistics(tables, *, project_id: int, rows: int) -> None:
    """ANALYZE a table the job's rows are joined with when the planner takes the project's
    rows there for far fewer than the job brings: a new project, or one that grew by
    batches each below ANALYZE_AFTER_ROWS (the API's). Planned as a handful, the joins
    of the job's rows with the project's run as nested loops over the whole project for
    every row: 5,000 rows against 5,000 clients took 7 to 12 s a statement. A project the
    statistics already know costs one EXPLAIN per table."""
    for table in tables:
        if project_rows_estimate(table, project_id) * STALE_ESTIMATE_FACTOR < rows:
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def drop_staging(job) -> None:
    """What the job kept between its phases: its staged rows, its row errors (the error
    report holds them once the job ends) and the spreadsheet's converted CSV."""
    with transaction.atomic():
        StagedRow.objects.filter(project_id=job.project_id, job_id=job.pk).delete()
        RowError.objects.filter(project_id=job.project_id, job_id=job.pk).delete()
    drop_converted(job)


def _write_all(run, importer, context, checkpoint, counts, chunk, found=None):
    job = run.job
    fields = ("row_number", "key", "values") if importer.chunk_values else ("row_number",)
    while True:
        rows = list(
            StagedRow.objects.filter(project_id=job.project_id, job_id=job.pk, failed=False,
                                     row_number__gt=checkpoint.last_row)
            .order_by("row_number").values_list(*fields)[:chunk]
        )
        if not rows:
            return counts
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(project_lock_sql(), [job.project_id])
            outcome = importer.write_chunk(job, rows, context)
            for name, value in outcome.counts.items():
                counts[name] = counts.get(name, 0) + value
            if outcome.errors:
                rows_out = [(number, 0, header_of(job.mapping).get(error.field, ""), error.value,
                             error.message) for number, error in outcome.errors]
                if found is not None:
                    found.extend(rows_out)
                with connection.cursor() as cursor:
                    _copy_errors(cursor, job, rows_out, at_write=True)
            checkpoint.last_row = rows[-1][0]
            checkpoint.counts = counts
            checkpoint.save(update_fields=["last_row", "counts"])
        run.progress(_done(counts), **_job_counts(counts))


def _job_counts(counts: dict) -> dict:
    """The counts the Log de procesos shows (an importer may keep more in its checkpoint:
    a base de cartera counts its clients beside its orders)."""
    return {name: value for name, value in counts.items() if name in COUNT_FIELDS}


def _done(counts: dict) -> int:
    return sum(counts.get(name, 0) for name in
               ("created", "updated", "restored", "transferred", "unchanged", "failed"))


def _save_error_report(run: JobRun) -> None:
    """The report: its errors, and the failed rows as they were in the file (read again)."""
    job = run.job
    errors = RowError.objects.filter(project_id=job.project_id, job_id=job.pk).order_by(
        "row_number", "position").values_list("row_number", "column", "value", "message")
    if not errors.exists():
        return
    messages: dict[int, list[str]] = {}
    for number, column, _value, message in errors.iterator(chunk_size=5000):
        if number not in messages and len(messages) >= FIX_ROWS_MAX:
            break  # a file that failed wholesale: its list of errors says enough
        messages.setdefault(number, []).append(f"{column}: {message}" if column else message)
    stem = Path(job.input_name or "archivo").stem
    with open_job_table(job) as table:
        headers = table.columns
        rows_to_fix = (
            (row.number, [row.values.get(h, "") for h in headers],
             " · ".join(messages[row.number]))
            for row in table.rows() if row.number in messages
        )
        report = write_import_report(errors.iterator(chunk_size=2000), headers=headers,
                                     rows_to_fix=rows_to_fix)
    run.save_errors(f"errores_{stem}.xlsx", report)


def _audit(job, counts: dict) -> None:
    """One event per import: who, which file, how it was mapped, the options and the counts."""
    options = job.options or {}
    audit_record(
        project=job.project,
        actor=job.requested_by.user if job.requested_by_id else None,
        event=AuditEventKind.IMPORTED,
        resource_type=f"{options.get('entity', '')}_import",
        resource_id=job.pk,
        resource_label=job.input_name,
        changes={
            "file": [None, job.input_name],
            "mapping": [None, {h: t for h, t in job.mapping.items() if t}],
            "mode": [None, options.get("mode")],
            "scope_adviser_id": [None, options.get("scope_adviser_id")],
            "transfer_mode": [None, bool(options.get("transfer_mode"))],
            "all_or_nothing": [None, bool(options.get("all_or_nothing"))],
            "counts": [None, {k: v for k, v in counts.items() if v}],
        },
        source=options.get("source", "file"),
    )


def summary(counts: dict):
    return job_message(
        gettext_lazy("Importación terminada: %(created)s creados, %(updated)s actualizados, "
                     "%(restored)s recuperados, %(deleted)s eliminados, %(unchanged)s sin "
                     "cambios, %(failed)s con errores."),
        **{name: counts.get(name, 0) for name in
           ("created", "updated", "restored", "deleted", "unchanged", "failed")},
    )


# --- The job ---------------------------------------------------------------------------------


def _map_from_source(run: JobRun, importer: Importer) -> None:
    from .models import SftpSource

    job = run.job
    source = SftpSource.objects.select_related("template", "project").get(
        pk=job.options["sftp_source_id"])
    mapping, defaults, problem = source_mapping(job, importer, source)
    if problem:
        raise JobFailed(problem)
    job.mapping = mapping
    job.options = {**job.options, "phase": ANALYZE, "defaults": defaults}
    run.save_options()
    ProcessJob.objects.filter(project_id=job.project_id, pk=job.pk).update(mapping=mapping)


def run_import(run: JobRun, importer: Importer):
    """The body of every import job: the phase in the job's options says what to do.

    A job that ends in failure leaves nothing staged behind; one taken over by another
    run (JobLost) leaves everything to that run."""
    try:
        return _run_phases(run, importer)
    except JobLost:
        raise
    except Exception:  # the job ends failed (JobFailed or not): see jobs.runner._run_body
        try:
            drop_staging(run.job)
        except Exception:  # the database itself may be what failed: the job's error stands
            logger.exception("Could not drop the staged rows of job %s", run.job.pk)
        raise


def _run_phases(run: JobRun, importer: Importer):
    phase = run.job.options.get("phase")
    if phase == READ:
        read(run, importer)
        if not run.job.options.get("auto_confirm"):
            return AWAIT_USER
        _map_from_source(run, importer)
        phase = ANALYZE
    if phase == ANALYZE:
        analyze(run, importer)
        if not run.job.options.get("auto_confirm") or needs_a_person(run.job):
            return AWAIT_USER
        # A file from an SFTP source: written without a person, unless the guard says.
        run.job.options = {**run.job.options, "phase": WRITE}
        run.save_options()
        phase = WRITE
    if phase == WRITE:
        return write(run, importer)
    raise JobFailed(_("La importación no está lista para ejecutarse (paso «%(phase)s»).")
                    % {"phase": phase})

