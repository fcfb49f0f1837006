"""Clients through the import engine: cleaning with `clean_client_row`, resolving with the
resolution table, writing each chunk with a few set-based statements.

Decisions (docs/imports.md has the user's version):
- A blank cell never overwrites a stored value: a file's column left empty for
  a client keeps what Moonflow has (nothing is lost by a half-filled file).
  Creating needs the required fields (tipo y número de documento, nombre).
- With an adviser's scope, rows without an Asesor ID go to that adviser, and a
  row naming another adviser is rejected: the scope is that adviser's book.
- Last writer: a client changed after the file was uploaded (on screen, by the
  API or another import) is not overwritten by this file's older row; the row
  is reported, and re-importing it applies it.
- Transfer mode (option "Modo transferencia"): a row whose client belongs to
  another adviser (or lies in another adviser's bin) passes to the row's adviser
  with everything linked, through `transfers` (the one rule), set-based over the
  chunk; the preview shows the transfers per source → target adviser.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from moonflow.db.streaming import stream_rows
from moonflow.imports.engine import CellError, ChunkOutcome, CleanRow, Importer
from moonflow.jobs.models import JobKind
from moonflow.jobs.runner import job_message
from moonflow.text import shorten
from transfers.selectors import open_followups_by_route
from transfers.services import transfer_pairs

from ..choices import (
    AssignmentSource,
    ClaimCategory,
    ClientStatus,
    Contactability,
    ContactAlert,
    PortfolioType,
    Situation,
)
from ..recycle_bin import send_absent_to_bin
from ..situation import recompute_situations
from ..validation import ProjectRules, clean_client_row
from .fields import REQUIRED, client_fields
from .resolution import TRANSFERS, Action, Holder, resolve

# Cleaned value's name → the clients_client column and its SQL type.
COLUMNS = {
    "name": ("name", "text"),
    "email": ("email", "text"),
    "phone": ("phone", "text"),
    "city": ("city", "text"),
    "segment_id": ("segment_id", "bigint"),
    "status": ("status", "text"),
    "portfolio_type": ("portfolio_type", "text"),
    "claim_category": ("claim_category", "text"),
    "contactability": ("contactability", "text"),
    "contact_alert": ("contact_alert", "text"),
    "adviser_id": ("adviser_id", "bigint"),
    "supervisor_id": ("supervisor_id", "bigint"),
}

DEFAULTS = {
    "email": "", "phone": "", "city": "", "segment_id": None,
    "status": ClientStatus.ACTIVE.value, "portfolio_type": PortfolioType.CURRENT.value,
    "claim_category": ClaimCategory.NONE.value,
    "contactability": Contactability.CONTACTABLE.value,
    "contact_alert": ContactAlert.NONE.value, "adviser_id": None, "supervisor_id": None,
}


@dataclass
class Context:
    rules: ProjectRules
    scope_adviser_id: int | None
    since: object  # the upload's instant: later changes win over the file
    actor_id: int | None
    source: str
    members: dict  # id → Member
    transfer: bool = False  # "Modo transferencia"
    actor: object = None  # the requester's user (who the transfers name)


def _split_key(key: str) -> tuple[str, str]:
    document_type, _sep, number = key.partition(" ")
    return document_type, number


class ClientImporter(Importer):
    written_tables = ("clients_client",)
    transfers_clients = True
    entity = "clients"
    job_kind = JobKind.CLIENT_IMPORT
    model_file_name = "reporte_modelo_clientes.xlsx"

    @property
    def label(self):
        return _("Clientes")

    @property
    def key_label(self):
        return _("documento")

    def fields(self, project):
        return client_fields(project)

    def context(self, job) -> Context:
        rules = ProjectRules.load(job.project)
        options = job.options or {}
        return Context(
            rules=rules,
            scope_adviser_id=options.get("scope_adviser_id"),
            since=job.created_at,
            actor_id=job.requested_by.user_id if job.requested_by_id else None,
            source=options.get("source") or AssignmentSource.FILE,
            members={m.pk: m for m in rules.members.values()},
            transfer=bool(options.get("transfer_mode")),
            actor=job.requested_by.user if job.requested_by_id else None,
        )

    # --- cleaning ---------------------------------------------------------------------------

    def for_file(self, context: Context, *, decimal_mark: str | None) -> None:
        context.rules.from_file = True
        context.rules.decimal_mark = decimal_mark

    def clean(self, raw: dict, context: Context) -> CleanRow:
        return clean_client(raw, context)

    # --- preview ----------------------------------------------------------------------------

    def plan(self, job, context: Context) -> dict:
        to_delete, scope_size = absent_clients(job, context, count_only=True)
        routes: dict = {}
        plan = {
            "actions": client_groups(job, context, routes=routes),
            "to_delete": to_delete if job.options.get("mode") == "update_delete" else 0,
            "scope_size": scope_size,
        }
        if context.transfer:
            plan["transfer_mode"] = True
            plan["transfers"] = transfer_routes(job, context, routes)
        return plan

    # --- writing ----------------------------------------------------------------------------

    def write_chunk(self, job, rows, context: Context) -> ChunkOutcome:
        return write_clients(job, rows, context)

    def delete_absent(self, job, context: Context) -> int:
        return absent_clients(job, context, count_only=False)

    def model_example(self, project) -> dict:
        return {f.key: f.example for f in self.fields(project)}

    def summary(self, counts: dict):
        if not counts.get("transferred"):
            return super().summary(counts)
        return job_message(
            gettext_lazy("Importación terminada: %(created)s creados, %(updated)s actualizados, "
                         "%(restored)s recuperados, %(transferred)s transferidos con todo lo "
                         "vinculado (%(transferred_restored)s de ellos desde la papelera de "
                         "otro asesor), %(deleted)s eliminados, %(unchanged)s sin cambios, "
                         "%(failed)s con errores."),
            **{name: counts.get(name, 0) for name in (
                "created", "updated", "restored", "transferred", "transferred_restored",
                "deleted", "unchanged", "failed")},
        )


def clean_client(raw: dict, context: Context) -> CleanRow:
    """A file row's client fields (field key → text) cleaned by `clean_client_row`, with the
    scope's rule for the Asesor ID; the key is the external ID ("CC 123")."""
    row = {k: v for k, v in raw.items() if not k.startswith("extra.")}
    extra = {k.removeprefix("extra."): v for k, v in raw.items() if k.startswith("extra.")}
    if extra:
        row["extra"] = extra
    # The key is always cleaned (blank gives "obligatorio"), the rest only when given.
    row.setdefault("document_type", "")
    row.setdefault("document_number", "")
    cleaned = clean_client_row(row, rules=context.rules, partial=True)
    errors = [CellError(e.field, e.value, e.text) for e in cleaned.errors]
    values = cleaned.values
    key = None
    if "document_type" in values and "document_number" in values:
        key = f"{values['document_type']} {values['document_number']}"
    out = {}
    for name, value in values.items():
        if name == "segment":
            out["segment_id"] = value.pk if value is not None else None
        elif name == "adviser_code":
            out["adviser_id"] = value.pk if value is not None else None
        elif name == "supervisor_code":
            out["supervisor_id"] = value.pk if value is not None else None
        elif name == "extra":
            if value:
                out["extra"] = value
        elif name not in ("document_type", "document_number"):
            out[name] = value
    scope = context.scope_adviser_id
    if scope is not None and out.get("adviser_id") not in (None, scope):
        errors.append(CellError("adviser_code", raw.get("adviser_code", ""), _(
            "Asesor ID «%(code)s»: esta importación es solo para la cartera de %(scope)s; "
            "el cliente no puede quedar con otro asesor.") % {
            "code": shorten(raw.get("adviser_code", "")),
            "scope": member_label(context.members.get(scope)),
        }))
    if scope is not None and "adviser_id" not in out:
        out["adviser_id"] = scope
    return CleanRow(key=key, values=out, errors=errors)


def absent_clients(job, context: Context, *, count_only: bool):
    """Clients in scope that the file does not name: (count, scope size) or deleted count."""
    scope = "AND c.adviser_id = %s" if context.scope_adviser_id is not None else ""
    params = [job.project_id]
    if context.scope_adviser_id is not None:
        params.append(context.scope_adviser_id)
    # A client created or changed after the upload is not "absent from" the older file.
    absent_params = [*params, context.since]
    absent = f"""
        FROM clients_client c
        WHERE c.project_id = %s AND c.deleted_at IS NULL {scope}
          AND c.updated_at <= %s
          AND NOT EXISTS (
            SELECT 1 FROM imports_stagedrow s
            WHERE s.project_id = c.project_id AND s.job_id = %s
              AND s.key = c.document_type || ' ' || c.document_number)
    """
    with connection.cursor() as cursor:
        if count_only:
            cursor.execute(f"SELECT count(*) {absent}", [*absent_params, job.pk])
            count = cursor.fetchone()[0]
            cursor.execute(
                f"SELECT count(*) FROM clients_client c WHERE c.project_id = %s "
                f"AND c.deleted_at IS NULL {scope}", params)
            return count, cursor.fetchone()[0]
    return send_absent_to_bin(
        project_id=job.project_id, client_sql=f"SELECT c.id {absent}",
        params=[*absent_params, job.pk], actor_id=context.actor_id,
        reason=_("Ausente del archivo %(file)s (importación #%(id)s)") % {
            "file": job.input_name, "id": job.pk},
        source=context.source, job_id=job.pk)


def client_groups(job, context: Context, *, values_sql: str = 's."values"',
                  key_sql: str = "s.key", only_sql: str = "", routes: dict | None = None
                  ) -> list[dict]:
    """What the staged client rows would do, per action and target adviser (and, for a
    transfer, source adviser), with samples.

    `values_sql` and `key_sql` say where a staged row keeps the client's values and
    key (a base de cartera nests them beside the order's); `only_sql` narrows the rows.
    `routes`, when given, receives the clients each transfer would move:
    (source adviser, target adviser) → [client ids].
    """
    groups: dict[tuple[str, int | None, int | None], dict] = {}
    rows = stream_rows(
        f"""
        SELECT s.row_number, {key_sql}, {values_sql}, c.adviser_id,
               c.deleted_at IS NOT NULL, c.id
        FROM imports_stagedrow s
        LEFT JOIN clients_client c
          ON c.project_id = s.project_id
         AND c.document_type = split_part({key_sql}, ' ', 1)
         AND c.document_number = substr({key_sql}, strpos({key_sql}, ' ') + 1)
        WHERE s.project_id = %s AND s.job_id = %s AND NOT s.failed {only_sql}
        ORDER BY s.row_number
        """,
        [job.project_id, job.pk],
    )
    for number, key, values, adviser_id, deleted, client_id in rows:
        if isinstance(values, str):
            values = json.loads(values)
        holder = Holder(adviser_id, deleted) if client_id is not None else None
        action = resolve(holder, scope_adviser_id=context.scope_adviser_id,
                         transfer=context.transfer, row_adviser_id=values.get("adviser_id"))
        if action == Action.CREATE and _missing_for_create(values):
            action = "incomplete"
        target = values.get("adviser_id", adviser_id)
        source = None
        if action in (Action.OTHER_ADVISER, Action.OTHER_BIN):
            target = adviser_id
        elif action in TRANSFERS:
            source = adviser_id
            if routes is not None:
                routes.setdefault((source, target), []).append(client_id)
        group = groups.setdefault((str(action), target, source), {"count": 0, "samples": []})
        group["count"] += 1
        if len(group["samples"]) < 3:
            group["samples"].append({"row": number, "key": key,
                                     "name": values.get("name", "")})
    out = []
    for (action, adviser_id, source), group in sorted(
            groups.items(), key=lambda item: (item[0][0], -item[1]["count"])):
        entry = {"action": action, "adviser_id": adviser_id,
                 "adviser": member_label(context.members.get(adviser_id)), **group}
        if action in TRANSFERS:
            entry.update(from_adviser_id=source,
                         from_adviser=member_label(context.members.get(source)))
        out.append(entry)
    return out


def transfer_routes(job, context: Context, routes: dict) -> list[dict]:
    """The transfers a file would make, per source → target adviser, with the open gestiones
    that would follow the clients (one query)."""
    if not routes:
        return []
    moving = open_followups_by_route(project_id=job.project_id, routes=routes)
    out = [{"from_adviser_id": source, "from_adviser": member_label(context.members.get(source)),
            "adviser_id": target, "adviser": member_label(context.members.get(target)),
            "clients": len(clients), "followups": moving.get((source, target), 0)}
           for (source, target), clients in routes.items()]
    return sorted(out, key=lambda r: -r["clients"])


def write_clients(job, rows, context: Context) -> ChunkOutcome:
    """Write a chunk of staged client rows: (row number, key, cleaned values)."""
    outcome = ChunkOutcome(counts={"created": 0, "updated": 0, "restored": 0,
                                   "unchanged": 0, "failed": 0})
    if context.transfer:
        outcome.counts.update(transferred=0, transferred_restored=0)
    holders = _lock_holders(job.project_id, [key for _n, key, _v in rows])
    creates, updates, assignments, transfers = [], [], [], []
    restored_ids = []
    for number, key, values in rows:
        holder = holders.get(key)
        action = resolve(
            Holder(holder["adviser_id"], holder["deleted_at"] is not None) if holder else None,
            scope_adviser_id=context.scope_adviser_id, transfer=context.transfer,
            row_adviser_id=values.get("adviser_id"),
        )
        if action == Action.CREATE:
            missing = _missing_for_create(values)
            if missing:
                outcome.counts["failed"] += 1
                outcome.errors.append((number, CellError(missing, "", _(
                    "%(label)s: es obligatorio para crear el cliente %(key)s.") % {
                    "label": str(_label(missing)), "key": key})))
                continue
            creates.append((key, values))
            continue
        if action in (Action.OTHER_ADVISER, Action.OTHER_BIN):
            outcome.counts["failed"] += 1
            outcome.errors.append((number, CellError("", key, _other_adviser_message(
                key, holder, context, in_bin=action == Action.OTHER_BIN))))
            continue
        transfer = action in TRANSFERS
        if transfer:
            # The adviser changes through the transfer rule, not as a plain value.
            target = values.get("adviser_id")
            values = {name: value for name, value in values.items() if name != "adviser_id"}
        changes = _changes(holder, values)
        restore = action in (Action.RESTORE, Action.RESTORE_TRANSFER)
        if not changes and not restore and not transfer:
            outcome.counts["unchanged"] += 1
            continue
        # A later change (an edit, a deletion on screen) wins over this older file.
        if holder["updated_at"] > context.since:
            outcome.counts["failed"] += 1
            outcome.errors.append((number, CellError("", key, _(
                "El cliente %(key)s se modificó el %(when)s, después de cargar este archivo: "
                "no se sobrescribe con la fila del archivo. Si la fila es la correcta, "
                "vuelva a importarla.") % {
                "key": key,
                "when": timezone.localtime(holder["updated_at"]).strftime("%d/%m/%Y %H:%M"),
            })))
            continue
        if changes or restore:
            updates.append({"id": holder["id"], "restore": restore, **changes})
        if transfer:
            transfers.append((holder["id"], target))
            outcome.counts["transferred"] += 1
            if restore:
                outcome.counts["transferred_restored"] += 1
                restored_ids.append(holder["id"])
            continue
        if restore:
            restored_ids.append(holder["id"])
            outcome.counts["restored"] += 1
        else:
            outcome.counts["updated"] += 1
        if "adviser_id" in changes:
            assignments.append((holder["id"], changes["adviser_id"]))
    now = timezone.now()
    created = _insert(job.project_id, creates, now)
    outcome.counts["created"] += len(created)
    # Transfers first: a supervisor the file names then wins over the new team's.
    if transfers:
        transfer_pairs(project=job.project, actor=context.actor, pairs=transfers,
                       through=context.source, job=job)
    _update(job.project_id, updates, now)
    _record_assignments(job, context, assignments, now, close_open=True)
    _record_assignments(job, context, [(pk, adviser) for pk, adviser in created if adviser],
                        now, close_open=False)
    if restored_ids:
        recompute_situations(project=job.project, client_ids=restored_ids)
    return outcome


def _label(key: str):
    from ..validation import LABELS

    return LABELS.get(key, key)


def _missing_for_create(values: dict) -> str:
    """The first required field a new client lacks ("" when none)."""
    for key in REQUIRED:
        if key in ("document_type", "document_number"):
            continue
        if not values.get(key):
            return key
    return ""


def member_label(member) -> str:
    if member is None:
        return ""
    return f"{member.display_name} ({member.code})"


def _other_adviser_message(key, holder, context: Context, *, in_bin: bool) -> str:
    member = context.members.get(holder["adviser_id"])
    who = member_label(member) if member else _("sin asesor asignado")
    if in_bin:
        return _("El cliente %(key)s está en la papelera de %(who)s, fuera del alcance de esta "
                 "importación: no se modifica. Para pasarlo a este asesor, use el modo "
                 "transferencia.") % {"key": key, "who": who}
    return _("El cliente %(key)s pertenece a %(who)s, fuera del alcance de esta importación: "
             "no se modifica ni se vuelve a crear. Para pasarlo a este asesor, use el modo "
             "transferencia.") % {"key": key, "who": who}


def _lock_holders(project_id: int, keys: list[str]) -> dict[str, dict]:
    """The clients holding these keys, locked until the chunk commits (a screen edit waits)."""
    types, numbers = zip(*(_split_key(k) for k in keys)) if keys else ((), ())
    columns = ", ".join(column for column, _type in COLUMNS.values())
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT c.id, c.document_type, c.document_number, c.deleted_at, c.updated_at,
                   c.extra, {columns}
            FROM clients_client c
            JOIN unnest(%s::text[], %s::text[]) AS k(document_type, document_number)
              ON c.document_type = k.document_type AND c.document_number = k.document_number
            WHERE c.project_id = %s
            ORDER BY c.id
            FOR UPDATE OF c
            """,
            [list(types), list(numbers), project_id],
        )
        names = [d.name for d in cursor.description]
        holders = {}
        for record in cursor.fetchall():
            row = dict(zip(names, record))
            holders[f"{row['document_type']} {row['document_number']}"] = row
    return holders


def _changes(holder: dict, values: dict) -> dict:
    """The values that differ from what the client has (custom variables key by key)."""
    changes = {}
    for name, value in values.items():
        if name == "extra":
            current = holder["extra"] or {}
            if isinstance(current, str):
                current = json.loads(current)
            differing = {k: v for k, v in value.items() if current.get(k) != v}
            if differing:
                changes["extra"] = differing
        elif name in COLUMNS and holder[COLUMNS[name][0]] != value:
            changes[name] = value
    return changes


def _insert(project_id: int, creates: list, now) -> list[tuple[int, int | None]]:
    if not creates:
        return []
    records = []
    for key, values in creates:
        document_type, number = _split_key(key)
        record = {**DEFAULTS, **{k: v for k, v in values.items() if k in COLUMNS}}
        record.update(document_type=document_type, document_number=number,
                      extra=values.get("extra") or {})
        records.append(record)
    names = list(COLUMNS)
    typed = ", ".join(f"{name} {sql_type}" for name, (_c, sql_type) in COLUMNS.items())
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO clients_client (project_id, document_type, document_number, extra,
                situation, balance, deletion_reason, created_at, updated_at, {", ".join(names)})
            SELECT %s, x.document_type, x.document_number, x.extra, %s, 0, '', %s, %s,
                   {", ".join("x." + n for n in names)}
            FROM jsonb_to_recordset(%s::jsonb) AS x(document_type text, document_number text,
                 extra jsonb, {typed})
            ON CONFLICT (project_id, document_type, document_number) DO NOTHING
            RETURNING id, adviser_id
            """,
            [project_id, Situation.FINISHED.value, now, now, json.dumps(records)],
        )
        return cursor.fetchall()


def _update(project_id: int, updates: list, now) -> None:
    if not updates:
        return
    typed = ", ".join(f"{name} {sql_type}" for name, (_c, sql_type) in COLUMNS.items())
    sets = ", ".join(f"{column} = COALESCE(x.{name}, c.{column})"
                     for name, (column, _t) in COLUMNS.items())
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE clients_client c SET {sets},
                extra = CASE WHEN x.extra IS NULL THEN c.extra ELSE c.extra || x.extra END,
                deleted_at = CASE WHEN x.restore THEN NULL ELSE c.deleted_at END,
                deleted_by_id = CASE WHEN x.restore THEN NULL ELSE c.deleted_by_id END,
                deletion_reason = CASE WHEN x.restore THEN '' ELSE c.deletion_reason END,
                updated_at = %s
            FROM jsonb_to_recordset(%s::jsonb) AS x(id bigint, restore boolean, extra jsonb,
                 {typed})
            WHERE c.project_id = %s AND c.id = x.id
            """,
            [now, json.dumps(updates), project_id],
        )


def _record_assignments(job, context: Context, assignments: list, now, *,
                        close_open: bool) -> None:
    """Close each client's open history row (a new client has none) and open one for its new
    adviser (source: the import)."""
    if not assignments:
        return
    ids = [pk for pk, _a in assignments]
    with connection.cursor() as cursor:
        if close_open:
            cursor.execute(
                """
                UPDATE clients_clientassignment a SET ended_at = %s
                FROM unnest(%s::bigint[]) AS k(client_id)
                WHERE a.project_id = %s AND a.client_id = k.client_id AND a.ended_at IS NULL
                """,
                [now, ids, job.project_id],
            )
        cursor.execute(
            """
            INSERT INTO clients_clientassignment (project_id, client_id, adviser_id, started_at,
                changed_by_id, source, job_id)
            SELECT %s, a.client_id, a.adviser_id, %s, %s, %s, %s
            FROM unnest(%s::bigint[], %s::bigint[]) AS a(client_id, adviser_id)
            """,
            [job.project_id, now, context.actor_id, context.source, job.pk, ids,
             [adviser for _pk, adviser in assignments]],
        )
