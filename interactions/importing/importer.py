"""Crear comunicaciones masivas: a file of communications made outside Moonflow, registered
through the import engine. Nothing is sent: each row becomes an interaction with the source
"Carga masiva".

- Each row names an existing client of the project by its document (tipo + número); an
  unknown client, or one in the recycle bin, fails the row with its own message (and, with an
  adviser's scope, a client outside that adviser's book).
- The adviser of a record is the row's Asesor ID, else the client's adviser.
- Re-uploading creates no duplicates: a row's natural key (`cleaning.natural_key`) is written
  into `Interaction.import_key`, unique per project; a record already registered by any
  earlier file is left as it is and counted "sin cambios". The same record twice in one
  file: the later rows fail, naming the first.
- Writing a chunk is one INSERT … ON CONFLICT DO NOTHING of its rows.
"""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.importing.clients import member_label
from clients.validation import ProjectRules
from moonflow.db.streaming import stream_rows
from moonflow.imports.engine import CellError, ChunkOutcome, CleanRow, Importer
from moonflow.jobs.models import JobKind
from moonflow.jobs.runner import job_message

from ..models import Channel, InteractionSource
from .cleaning import Context, clean_interaction
from .fields import interaction_fields

CREATE = "create"
REGISTERED = "unchanged"  # already registered by an earlier file: left as it is

# Staged value → interactions_interaction column's SQL type (each column named as the value).
COLUMNS = {
    "direction": "text", "channel": "text", "campaign_kind": "text", "campaign": "text",
    "template": "text", "recipient_kind": "text", "recipients": "text", "status": "text",
    "scheduled_at": "timestamptz", "sent_at": "timestamptz", "error_message": "text",
    "outcome": "text", "promise_amount": "numeric", "promise_date": "date",
}


class InteractionImporter(Importer):
    entity = "interactions"
    job_kind = JobKind.INTERACTION_IMPORT
    model_file_name = "reporte_modelo_comunicaciones.xlsx"
    # The natural key is a hash: a repeated record is reported by after_staging, in words.
    unique_key = False
    deletes_absent = False  # records are only added: nothing absent from a file goes anywhere
    written_tables = ("interactions_interaction",)

    @property
    def label(self):
        return _("Comunicaciones masivas (historial de interacciones)")

    @property
    def key_label(self):
        return _("comunicación")

    def fields(self, project):
        return interaction_fields(project)

    def context(self, job) -> Context:
        rules = ProjectRules.load(job.project)
        try:
            tz = ZoneInfo(job.project.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            tz = timezone.get_default_timezone()
        return Context(rules=rules, tz=tz,
                       scope_adviser_id=(job.options or {}).get("scope_adviser_id"),
                       members={m.pk: m for m in rules.members.values()})

    def for_file(self, context: Context, *, decimal_mark) -> None:
        context.rules.from_file = True
        context.rules.decimal_mark = decimal_mark

    def clean(self, raw: dict, context: Context) -> CleanRow:
        return clean_interaction(raw, context)

    def model_example(self, project) -> dict:
        return {f.key: f.example for f in self.fields(project)}

    # --- across rows ------------------------------------------------------------------------

    def after_staging(self, job, context: Context) -> list:
        """The same record twice in the file, then rows whose client cannot take it."""
        repeated = _repeated_records(job)
        skip = {number for number, *_rest in repeated}
        return repeated + [r for r in _clientless_rows(job, context) if r[0] not in skip]

    # --- preview ----------------------------------------------------------------------------

    def plan(self, job, context: Context) -> dict:
        return {"actions": _groups(job, context), "to_delete": 0, "scope_size": 0}

    # --- writing ----------------------------------------------------------------------------

    def write_chunk(self, job, rows, context: Context) -> ChunkOutcome:
        outcome = ChunkOutcome(counts={"created": 0, "unchanged": 0, "failed": 0})
        clients = _lock_clients(job.project_id, {v["client_key"] for _n, _k, v in rows})
        records = []
        for number, key, values in rows:
            client = clients.get(values["client_key"])
            message = _client_problem(values["client_key"], client, context)
            if message:
                outcome.counts["failed"] += 1
                outcome.errors.append((number, CellError(
                    "document_number", values["document_number"], message)))
                continue
            adviser_id = values.get("adviser_id")
            records.append({
                **{name: values.get(name) for name in COLUMNS},
                "client_id": client["id"], "import_key": key,
                "adviser_id": adviser_id if adviser_id is not None else client["adviser_id"],
            })
        created = _insert(job.project_id, records)
        outcome.counts["created"] += created
        outcome.counts["unchanged"] += len(records) - created
        return outcome

    def summary(self, counts: dict):
        return job_message(
            gettext_lazy("Carga de comunicaciones terminada: %(created)s registradas, "
                         "%(unchanged)s ya registradas (sin cambios), %(failed)s con errores. "
                         "No se envió ningún mensaje."),
            **{n: counts.get(n, 0) for n in ("created", "unchanged", "failed")})


def _client_problem(client_key: str, client: dict | None, context: Context) -> str:
    """Why this client cannot take an uploaded interaction ("" when it can)."""
    if client is None:
        return _("No existe el cliente %(key)s en el proyecto: créelo antes de cargarle "
                 "comunicaciones.") % {"key": client_key}
    if client["deleted_at"] is not None:
        return _("El cliente %(key)s (%(name)s) está en la papelera: recupérelo antes de "
                 "cargarle comunicaciones.") % {"key": client_key, "name": client["name"]}
    scope = context.scope_adviser_id
    if scope is not None and client["adviser_id"] != scope:
        return _("El cliente %(key)s no es de la cartera de %(scope)s, el alcance de esta "
                 "importación.") % {"key": client_key,
                                    "scope": member_label(context.members.get(scope))}
    return ""


def _repeated_records(job) -> list:
    """A record twice in the file (same natural key): its later rows fail, naming the first."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT row_number, "values"->>'client_key', first FROM (
                SELECT row_number, "values",
                       min(row_number) OVER (PARTITION BY key) AS first
                FROM imports_stagedrow
                WHERE project_id = %s AND job_id = %s AND NOT failed
            ) AS w WHERE row_number > first
            ORDER BY row_number
            """,
            [job.project_id, job.pk],
        )
        return [(number, "", client_key, _(
            "Esta comunicación del cliente %(key)s ya aparece en la fila %(first)s del archivo "
            "(mismo cliente, canal, fecha de envío, destinatarios, plantilla, flujo y tipo): "
            "cada comunicación va una sola vez.") % {"key": client_key, "first": first})
            for number, client_key, first in cursor.fetchall()]


def _clientless_rows(job, context: Context) -> list:
    """Rows whose client is unknown, in the recycle bin or outside the import's scope."""
    rows = stream_rows(
        """
        SELECT s.row_number, s."values"->>'client_key', s."values"->>'document_number',
               c.id, c.name, c.adviser_id, c.deleted_at
        FROM imports_stagedrow s
        LEFT JOIN clients_client c
          ON c.project_id = s.project_id
         AND c.document_type = s."values"->>'document_type'
         AND c.document_number = s."values"->>'document_number'
        WHERE s.project_id = %s AND s.job_id = %s AND NOT s.failed
          AND (c.id IS NULL OR c.deleted_at IS NOT NULL
               OR (%s::bigint IS NOT NULL AND c.adviser_id IS DISTINCT FROM %s::bigint))
        ORDER BY s.row_number
        """,
        [job.project_id, job.pk, context.scope_adviser_id, context.scope_adviser_id],
    )
    rejected = []
    for number, client_key, document_number, pk, name, adviser_id, deleted_at in rows:
        client = None if pk is None else {"id": pk, "name": name, "adviser_id": adviser_id,
                                          "deleted_at": deleted_at}
        rejected.append((number, "document_number", document_number,
                         _client_problem(client_key, client, context)))
    return rejected


def _groups(job, context: Context) -> list[dict]:
    """What each staged row would do (register it, or find it already registered), per
    adviser of the record, with samples."""
    groups: dict[tuple[str, int | None], dict] = {}
    rows = stream_rows(
        """
        SELECT s.row_number, s."values", c.adviser_id, i.id IS NOT NULL
        FROM imports_stagedrow s
        LEFT JOIN clients_client c
          ON c.project_id = s.project_id
         AND c.document_type = s."values"->>'document_type'
         AND c.document_number = s."values"->>'document_number'
        LEFT JOIN interactions_interaction i
          ON i.project_id = s.project_id AND i.import_key = s.key AND i.import_key <> ''
        WHERE s.project_id = %s AND s.job_id = %s AND NOT s.failed
        ORDER BY s.row_number
        """,
        [job.project_id, job.pk],
    )
    for number, values, client_adviser, registered in rows:
        if isinstance(values, str):
            values = json.loads(values)
        adviser = values.get("adviser_id")
        adviser = adviser if adviser is not None else client_adviser
        group = groups.setdefault((REGISTERED if registered else CREATE, adviser),
                                  {"count": 0, "samples": []})
        group["count"] += 1
        if len(group["samples"]) < 3:
            group["samples"].append({"row": number, "key": values["client_key"],
                                     "name": _sample_name(values, context)})
    return [
        {"action": action, "adviser_id": adviser_id,
         "adviser": member_label(context.members.get(adviser_id)), **group}
        for (action, adviser_id), group in sorted(
            groups.items(), key=lambda item: (item[0][0], -item[1]["count"]))
    ]


def _sample_name(values: dict, context: Context) -> str:
    """"WhatsApp · 15/03/2026 10:30" (the project's time)."""
    moment = parse_datetime(values["scheduled_at"])
    when = moment.astimezone(context.tz).strftime("%d/%m/%Y %H:%M") if moment else ""
    return f"{Channel(values['channel']).label} · {when}"


def _lock_clients(project_id: int, keys) -> dict:
    """The chunk's clients by "TYPE NUMBER", share-locked until the chunk commits (the
    Papelera's purge cannot delete one under a row being written)."""
    keys = sorted(k for k in keys if k)
    types = [k.partition(" ")[0] for k in keys]
    numbers = [k.partition(" ")[2] for k in keys]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.document_type || ' ' || c.document_number, c.id, c.name, c.adviser_id,
                   c.deleted_at
            FROM clients_client c
            JOIN unnest(%s::text[], %s::text[]) AS k(document_type, document_number)
              ON c.document_type = k.document_type AND c.document_number = k.document_number
            WHERE c.project_id = %s
            ORDER BY c.id
            FOR KEY SHARE OF c
            """,
            [types, numbers, project_id],
        )
        return {key: {"id": pk, "name": name, "adviser_id": adviser, "deleted_at": deleted}
                for key, pk, name, adviser, deleted in cursor.fetchall()}


def _insert(project_id: int, records: list[dict]) -> int:
    """One statement for the chunk; a record whose natural key the project already holds is
    left as it is (ON CONFLICT … DO NOTHING). Returns how many were registered."""
    if not records:
        return 0
    typed = ", ".join(f"{name} {sql_type}" for name, sql_type in COLUMNS.items())
    names = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO interactions_interaction (project_id, client_id, adviser_id, import_key,
                source, created_at, {names})
            SELECT %s, x.client_id, x.adviser_id, x.import_key, %s, %s,
                   {", ".join("x." + n for n in COLUMNS)}
            FROM jsonb_to_recordset(%s::jsonb) AS x(client_id bigint, adviser_id bigint,
                 import_key text, {typed})
            ON CONFLICT (project_id, import_key) WHERE import_key <> '' DO NOTHING
            """,
            [project_id, InteractionSource.UPLOADED.value, timezone.now(), json.dumps(records)],
        )
        return cursor.rowcount
