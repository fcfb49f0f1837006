"""The transfer rule, once: clients pass to another adviser with everything linked.

Every path that changes who holds a client *with* their work calls this
module: Acciones → Transferir cliente, a new Asesor ID saved in Editar,
Cambio de gestor (a selection, the tray's filter, a split among several
advisers), the import in transfer mode (file, SFTP, later the API).
docs/transfers.md is the user's version.

What a transfer does, for every client of the batch whose adviser changes:

- the client's adviser becomes the new one; its supervisor becomes the new
  adviser's team supervisor (kept as it was when that team has none);
- the assignment history closes the open row and opens one for the new
  adviser: who changed it, when, through what (`through`), and the job;
- open gestiones (tasks, pending promises, scheduled contacts) pass to the
  new adviser; closed ones, interactions, payment orders, claims and notes
  stay attributed to whoever did them (they hang from the client, so the new
  adviser sees them all at once, and a restricted former adviser no longer
  does);
- an optional hand-off note is added to each client;
- one audit event records the batch (resource type "transfer"): how many
  clients, from whom to whom, the gestiones that moved, through what.

Set-based: a batch of any size costs the same few statements (one lock, one
statement of data-modifying CTEs, one audit insert, one read of the members
involved). Locking: the batch's client rows are locked FOR UPDATE in id order
(as the import's chunks lock them) before anything is read for writing, and
the writes run as a later statement, so they see every change committed by
whoever held a lock first (an edit, a gestión created on the client); a
writer that comes later waits for the transfer to commit.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.choices import AssignmentSource
from clients.models import Client, ClientAssignment
from clients.visibility import OTHER_ADVISER, may_read_adviser, readable_adviser_ids
from followups.choices import FollowUpKind, FollowUpStatus, NoteKind
from followups.models import ClientNote, FollowUp
from moonflow.audit.models import AuditEventKind
from moonflow.audit.services import audit_record
from moonflow.tenancy.models import Member

# What the caller says the transfer came through → the assignment history's "Origen".
# A transfer made on screen, one client or a bulk Cambio de gestor, reads "Transferencia";
# a new Asesor ID saved in Editar reads "Pantalla", as it always has; one made by a file, an SFTP drop or the API names that channel (and its job).
THROUGH = {
    "screen": AssignmentSource.TRANSFER,
    "bulk": AssignmentSource.TRANSFER,
    "edit": AssignmentSource.SCREEN,  # a new Asesor ID saved in the client's edit dialog
    "file": AssignmentSource.FILE,
    "sftp": AssignmentSource.SFTP,
    "api": AssignmentSource.API,
}
NOTE_MAX_CHARS = 2_000


class TransferError(ValueError):
    """A transfer that cannot be made as asked; the message says why, in Spanish."""


@dataclass
class TransferResult:
    clients: int = 0  # clients whose adviser changed
    unchanged: int = 0  # asked for, but already held by their target
    routes: dict = field(default_factory=dict)  # (from adviser id, to adviser id) → clients
    followups: dict = field(default_factory=dict)  # kind → open gestiones handed over
    notes: int = 0  # hand-off notes added

    def as_dict(self) -> dict:
        """JSON-ready (a job keeps its result in its options)."""
        return {"clients": self.clients, "unchanged": self.unchanged,
                "routes": [[a, b, n] for (a, b), n in sorted(
                    self.routes.items(), key=lambda item: (str(item[0]), -item[1]))],
                "followups": self.followups, "notes": self.notes}

    @classmethod
    def from_dict(cls, data: dict) -> TransferResult:
        return cls(clients=data["clients"], unchanged=data["unchanged"],
                   routes={(a, b): n for a, b, n in data["routes"]},
                   followups=dict(data["followups"]), notes=data["notes"])


def member_label(member: Member | None) -> str:
    if member is None:
        return str(_("Sin asesor"))
    return f"{member.display_name} ({member.code})"


def adviser_label_for(member: Member, client) -> str:
    """The client's adviser as `member` may read it: "Otro asesor" for one they may not."""
    if client.adviser_id is not None and not may_read_adviser(
            readable_adviser_ids(member), client.adviser_id):
        return str(OTHER_ADVISER)
    return member_label(client.adviser if client.adviser_id else None)


def check_targets(project, advisers) -> dict[int, Member]:
    """The target advisers by id, loaded once; each must be an active member of the project."""
    ids = {a.pk if isinstance(a, Member) else int(a) for a in advisers}
    found = {m.pk: m for m in Member.objects.filter(project_id=project.pk, pk__in=ids)
             .select_related("user", "team")}
    for pk in ids:
        member = found.get(pk)
        if member is None:
            raise TransferError(_("El asesor elegido no existe en este proyecto."))
        if not member.is_active:
            raise TransferError(_("%(who)s está inactivo: elija un asesor activo para "
                                  "recibir los clientes.") % {"who": member_label(member)})
    return found


def _through(through: str) -> str:
    try:
        return THROUGH[through]
    except KeyError:
        raise ValueError(f"Unknown transfer channel: {through!r}") from None


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX_CHARS:
        raise TransferError(_("Nota de traspaso: máximo %(n)s caracteres (tiene %(len)s).")
                            % {"n": NOTE_MAX_CHARS, "len": len(note)})
    return note


def selection_sql(project, clients) -> tuple[str, list]:
    """`clients` (ids, or a queryset of Client) as SQL for `c.id IN (…)`, within the project."""
    if isinstance(clients, QuerySet):
        if clients.model is not Client:
            raise TypeError("A transfer takes a queryset of Client")
        sql, params = (clients.filter(project_id=project.pk).order_by()
                       .values("id").query.sql_with_params())
        return sql, list(params)
    ids = sorted({int(pk) for pk in clients})
    return "SELECT unnest(%s::bigint[])", [ids]


# --- The statements ------------------------------------------------------------------------


def _lock_single(project, clients, target_id: int) -> list[tuple]:
    """Lock the selection's clients in id order: (id, adviser, target) of each."""
    sql, params = selection_sql(project, clients)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT c.id, c.adviser_id, %s::bigint
            FROM clients_client c
            WHERE c.project_id = %s AND c.id IN ({sql})
            ORDER BY c.id
            FOR UPDATE OF c
            """,
            [target_id, project.pk, *params],
        )
        return cursor.fetchall()


def _lock_pairs(project, pairs) -> list[tuple]:
    """Lock the clients of (client id, target id) pairs in id order: (id, adviser, target)."""
    ids = [int(c) for c, _t in pairs]
    targets = [int(t) for _c, t in pairs]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.id, c.adviser_id, k.to_id
            FROM clients_client c
            JOIN unnest(%s::bigint[], %s::bigint[]) AS k(client_id, to_id) ON c.id = k.client_id
            WHERE c.project_id = %s
            ORDER BY c.id
            FOR UPDATE OF c
            """,
            [ids, targets, project.pk],
        )
        return cursor.fetchall()


MOVES_FROM_ARRAYS = """
    SELECT m.client_id, m.from_id, m.to_id, m.supervisor_id
    FROM unnest(%(ids)s::bigint[], %(froms)s::bigint[], %(tos)s::bigint[],
                %(supervisors)s::bigint[]) AS m(client_id, from_id, to_id, supervisor_id)
"""


def move_sql(moves: str = MOVES_FROM_ARRAYS) -> str:
    """The one statement of a transfer's writes; `moves` yields (client_id, from_id, to_id,
    supervisor_id) for each client whose adviser changes (already locked)."""
    assignment = ClientAssignment._meta.db_table
    followup = FollowUp._meta.db_table
    note = ClientNote._meta.db_table
    return f"""
        WITH moves AS ({moves}),
        moved AS (
            UPDATE clients_client c
            SET adviser_id = m.to_id,
                supervisor_id = COALESCE(m.supervisor_id, c.supervisor_id),
                updated_at = %(now)s
            FROM moves m
            WHERE c.project_id = %(project)s AND c.id = m.client_id
            RETURNING c.id
        ),
        closed AS (
            UPDATE {assignment} a SET ended_at = %(now)s
            FROM moves m
            WHERE a.project_id = %(project)s AND a.client_id = m.client_id
              AND a.ended_at IS NULL
            RETURNING a.id
        ),
        opened AS (
            INSERT INTO {assignment} (project_id, client_id, adviser_id, started_at, ended_at,
                                      changed_by_id, source, job_id)
            SELECT %(project)s, m.client_id, m.to_id, %(now)s, NULL, %(actor)s, %(source)s,
                   %(job)s
            FROM moves m
            RETURNING id
        ),
        handed AS (
            UPDATE {followup} f SET adviser_id = m.to_id, updated_at = %(now)s
            FROM moves m
            WHERE f.project_id = %(project)s AND f.client_id = m.client_id
              AND f.status = %(open)s AND f.adviser_id IS DISTINCT FROM m.to_id
            RETURNING f.kind
        ),
        noted AS (
            INSERT INTO {note} (project_id, client_id, kind, text, author_id, from_adviser_id,
                                to_adviser_id, created_at)
            SELECT %(project)s, m.client_id, %(note_kind)s, %(note)s, %(actor)s, m.from_id,
                   m.to_id, %(now)s
            FROM moves m
            WHERE %(note)s <> ''
            RETURNING id
        )
        SELECT (SELECT count(*) FROM moved),
               (SELECT count(*) FROM opened),
               (SELECT coalesce(jsonb_object_agg(kind, n), '{{}}'::jsonb)
                FROM (SELECT kind, count(*) AS n FROM handed GROUP BY kind) AS k),
               (SELECT count(*) FROM noted),
               (SELECT count(*) FROM closed)
    """


def _move(project, *, actor, rows: list[tuple], targets: dict[int, Member], through: str,
          note: str, job) -> TransferResult:
    """Write the moves of locked `rows` (id, adviser, target); one statement."""
    result = TransferResult()
    moves = [(pk, old, new) for pk, old, new in rows if old != new]
    result.unchanged = len(rows) - len(moves)
    if not moves:
        return result
    supervisor_of = {pk: (m.team.supervisor_id if m.team_id else None)
                     for pk, m in targets.items()}
    params = {
        "ids": [pk for pk, _o, _n in moves],
        "froms": [old for _p, old, _n in moves],
        "tos": [new for _p, _o, new in moves],
        "supervisors": [supervisor_of.get(new) for _p, _o, new in moves],
        "project": project.pk,
        "now": timezone.now(),
        "actor": actor.pk if actor is not None else None,
        "source": _through(through),
        "job": job.pk if job is not None else None,
        "open": FollowUpStatus.PENDING.value,
        "note_kind": NoteKind.HANDOFF.value,
        "note": note,
    }
    with connection.cursor() as cursor:
        cursor.execute(move_sql(), params)
        moved, opened, handed, noted, _closed = cursor.fetchone()
    if moved != len(moves) or opened != len(moves):
        raise RuntimeError(f"Transfer wrote {moved} clients and {opened} history rows "
                           f"for {len(moves)} moves")
    result.clients = moved
    result.routes = dict(Counter((old, new) for _p, old, new in moves))
    if isinstance(handed, str):
        handed = json.loads(handed)
    result.followups = {kind: int(handed.get(kind, 0)) for kind in FollowUpKind.values}
    result.notes = noted
    return result


def _audit(project, *, actor, result: TransferResult, targets: dict[int, Member], through: str,
           note: str, job, single_client: int | None) -> None:
    """One event for the batch: counts, and from whom to whom."""
    if not result.clients:
        return
    froms = {old for old, _new in result.routes if old is not None}
    people = {**targets, **{m.pk: m for m in Member.objects.filter(
        project_id=project.pk, pk__in=froms - set(targets)).select_related("user")}}
    tos = sorted({new for _old, new in result.routes})
    routes = [{"from": member_label(people.get(old)), "to": member_label(people.get(new)),
               "clients": n}
              for (old, new), n in sorted(result.routes.items(), key=lambda r: -r[1])]
    if single_client is not None:
        client = Client.objects.filter(project_id=project.pk, pk=single_client).first()
        resource_id = single_client
        label = f"{client.name} ({client.external_id})" if client else str(single_client)
    else:
        resource_id = job.pk if job is not None else tos[0]
        label = _("%(n)s clientes a %(to)s") % {
            "n": result.clients, "to": ", ".join(member_label(people[t]) for t in tos)}
    changes = {
        "adviser": [sorted({r["from"] for r in routes}), [member_label(people[t]) for t in tos]],
        "clients": [None, result.clients],
        "routes": [None, routes],
        "followups": [None, result.followups],
        "through": [None, through],
    }
    if note:
        changes["note"] = [None, note]
    if job is not None:
        changes["job"] = [None, job.pk]
    audit_record(project=project, actor=actor, event=AuditEventKind.TRANSFERRED,
                 resource_type="transfer", resource_id=resource_id, resource_label=label,
                 changes=changes, source=_through(through))


# --- The rule --------------------------------------------------------------------------------


@transaction.atomic
def transfer_clients(*, project, actor, clients, to_adviser: Member, through: str,
                     note: str = "", job=None) -> TransferResult:
    """Hand `clients` (ids, or a queryset of Client; only the project's count) to `to_adviser`
    with everything linked. Clients already held by `to_adviser` are left as they are
    (counted as unchanged): running the same transfer twice changes nothing the second time.
    """
    _through(through)
    note = _clean_note(note)
    targets = check_targets(project, [to_adviser])
    rows = _lock_single(project, clients, to_adviser.pk)
    result = _move(project, actor=actor, rows=rows, targets=targets, through=through,
                   note=note, job=job)
    _audit(project, actor=actor, result=result, targets=targets, through=through, note=note,
           job=job, single_client=rows[0][0] if len(rows) == 1 else None)
    return result


class AdviserChanged(TransferError):
    """The client's adviser is no longer the one the person confirming was shown."""

    def __init__(self, message, *, current_id: int | None = None):
        super().__init__(message)
        self.current_id = current_id  # the adviser the client has now (None: unassigned)


def lock_as_shown(*, project, client_id: int, shown_adviser: str) -> int | None:
    """Lock the client and check it still has the adviser a dialog showed (`shown_adviser`: its
    id as text, "" for none); returns that adviser's id. Raises AdviserChanged, naming the
    adviser it has now, so a dialog opened before another change never hands it back."""
    current = (Client.objects.select_for_update().filter(project_id=project.pk, pk=client_id)
               .values_list("adviser_id", flat=True).first())
    if str(current or "") != shown_adviser:
        raise AdviserChanged(_("El cliente cambió de asesor."), current_id=current)
    return current


@transaction.atomic
def transfer_client_as_shown(*, project, actor, client_id: int, shown_adviser: str,
                             to_adviser: Member, note: str = "",
                             through: str = "screen") -> TransferResult:
    """Transferir cliente (and a new Asesor ID saved in Editar, `through="edit"`): the client
    must still have the adviser the dialog showed (`lock_as_shown`), then `transfer_clients`."""
    lock_as_shown(project=project, client_id=client_id, shown_adviser=shown_adviser)
    return transfer_clients(project=project, actor=actor, clients=[client_id],
                            to_adviser=to_adviser, through=through, note=note)


@transaction.atomic
def transfer_pairs(*, project, actor, pairs, through: str, note: str = "",
                   job=None) -> TransferResult:
    """Hand each client of `pairs` ((client id, adviser id)) to its adviser; the same rule
    and statements as `transfer_clients` (a split, an import chunk)."""
    _through(through)
    note = _clean_note(note)
    pairs = list(pairs)
    if not pairs:
        return TransferResult()
    targets = check_targets(project, {t for _c, t in pairs})
    rows = _lock_pairs(project, pairs)
    result = _move(project, actor=actor, rows=rows, targets=targets, through=through,
                   note=note, job=job)
    _audit(project, actor=actor, result=result, targets=targets, through=through, note=note,
           job=job, single_client=rows[0][0] if len(rows) == 1 else None)
    return result
