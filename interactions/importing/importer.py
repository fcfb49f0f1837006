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
- What is asked of the staged rows is asked in SQL (`book`): the repeated records, the
  clients that cannot take theirs, the preview's groups (only samples come to Python), and
  each chunk's writing, one statement: its clients share-locked, the rows whose client
  cannot take them reported, the others inserted with one INSERT … SELECT … ON CONFLICT
  DO NOTHING (all seen in one snapshot).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.importing.clients import member_label
from clients.validation import ProjectRules
from moonflow.imports.engine import CellError, ChunkOutcome, CleanRow, Importer
from moonflow.jobs.models import JobKind
from moonflow.jobs.runner import job_message

from ..models import Channel
from .book import clientless_rows, groups, repeated_records, write_staged
from .cleaning import Context, clean_interaction
from .fields import interaction_fields

CREATE = "create"
REGISTERED = "unchanged"  # already registered by an earlier file: left as it is


class InteractionImporter(Importer):
    entity = "interactions"
    job_kind = JobKind.INTERACTION_IMPORT
    model_file_name = "reporte_modelo_comunicaciones.xlsx"
    # The natural key is a hash: a repeated record is reported by after_staging, in words.
    unique_key = False
    deletes_absent = False  # records are only added: nothing absent from a file goes anywhere
    chunk_values = False  # write_chunk reads its rows' values in SQL, from the staging table
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
        context.memo.forget()  # cells are cleaned under these rules from now on

    def clean(self, raw: dict, context: Context) -> CleanRow:
        return clean_interaction(raw, context)

    def model_example(self, project) -> dict:
        return {f.key: f.example for f in self.fields(project)}

    # --- across rows ------------------------------------------------------------------------

    def after_staging(self, job, context: Context) -> list:
        """The same record twice in the file, then rows whose client cannot take it."""
        repeated = [(number, "", client_key, _repeated_message(client_key, first))
                    for number, client_key, first in repeated_records(job)]
        skip = {number for number, *_rest in repeated}
        clientless = clientless_rows(job, context.scope_adviser_id)
        return repeated + [_refusal(row, context) for row in clientless if row.number not in skip]

    # --- preview ----------------------------------------------------------------------------

    def plan(self, job, context: Context) -> dict:
        return {"actions": _actions(job, context), "to_delete": 0, "scope_size": 0}

    # --- writing ----------------------------------------------------------------------------

    def write_chunk(self, job, rows, context: Context) -> ChunkOutcome:
        """rows: the chunk's staged row numbers (each as a 1-tuple), in order."""
        first, last = rows[0][0], rows[-1][0]
        created, refused = write_staged(job, first, last, context.scope_adviser_id)
        outcome = ChunkOutcome(counts={"created": created, "failed": len(refused),
                                       "unchanged": len(rows) - len(refused) - created})
        for row in refused:
            number, field, value, message = _refusal(row, context)
            outcome.errors.append((number, CellError(field, value, message)))
        return outcome

    def summary(self, counts: dict):
        return job_message(
            gettext_lazy("Carga de comunicaciones terminada: %(created)s registradas, "
                         "%(unchanged)s ya registradas (sin cambios), %(failed)s con errores. "
                         "No se envió ningún mensaje."),
            **{n: counts.get(n, 0) for n in ("created", "unchanged", "failed")})


def _repeated_message(client_key: str, first: int) -> str:
    return _("Esta comunicación del cliente %(key)s ya aparece en la fila %(first)s del archivo "
             "(mismo cliente, canal, fecha de envío, destinatarios, plantilla, flujo y tipo): "
             "cada comunicación va una sola vez.") % {"key": client_key, "first": first}


def _refusal(row, context: Context) -> tuple[int, str, str, str]:
    """(row, field, value, message) of a staged row whose client cannot take its record."""
    return (row.number, "document_number", row.document_number,
            _client_problem(row.client_key, row.client, context))


def _client_problem(client_key: str, client: dict | None, context: Context) -> str:
    """Why this client cannot take an uploaded interaction (`book.CLIENT_TAKES` says whether,
    in SQL); "" when it can."""
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


def _actions(job, context: Context) -> list[dict]:
    """The preview's groups: register the record, or find it already registered, per adviser
    of the record, largest first, with samples."""
    return [
        {"action": REGISTERED if group.registered else CREATE, "adviser_id": group.adviser_id,
         "adviser": member_label(context.members.get(group.adviser_id)), "count": group.count,
         "samples": [{"row": sample.number, "key": sample.client_key,
                      "name": _sample_name(sample.channel, sample.scheduled_at, context)}
                     for sample in group.samples]}
        for group in sorted(groups(job),
                            key=lambda g: (REGISTERED if g.registered else CREATE, -g.count))
    ]


def _sample_name(channel: str, scheduled_at: str, context: Context) -> str:
    """"WhatsApp · 15/03/2026 10:30" (the project's time)."""
    moment = parse_datetime(scheduled_at)
    when = moment.astimezone(context.tz).strftime("%d/%m/%Y %H:%M") if moment else ""
    return f"{Channel(channel).label} · {when}"
