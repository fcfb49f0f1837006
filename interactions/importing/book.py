"""A communications upload's staged rows against the project's book, set-based: the records
repeated in the file, the client each row names and whether it can take the record, the
preview's groups, and writing a chunk.

Whether a client can take an uploaded interaction is one rule, `CLIENT_TAKES` (in SQL: the
preview and the writer filter by it); `importer._client_problem` says why one cannot.

A staged row's values are the cleaned row (`cleaning.clean_interaction`) as JSON; each
statement reads what it needs of them in SQL, so no staged row comes to Python unless it is
reported or shown as a sample.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from moonflow.imports.engine import SAMPLES

from ..models import InteractionSource

# Staged value → interactions_interaction column's SQL type (each column named as the value).
COLUMNS = {
    "direction": "text", "channel": "text", "campaign_kind": "text", "campaign": "text",
    "template": "text", "recipient_kind": "text", "recipients": "text", "status": "text",
    "scheduled_at": "timestamptz", "sent_at": "timestamptz", "error_message": "text",
    "outcome": "text", "promise_amount": "numeric", "promise_date": "date",
}

# Whether the client `c` a staged row names can take an uploaded interaction, never NULL: it
# exists, is not in the recycle bin and, with an adviser's scope, is in that adviser's book.
CLIENT_TAKES = """(c.id IS NOT NULL AND c.deleted_at IS NULL
    AND (%(scope)s::bigint IS NULL OR c.adviser_id IS NOT DISTINCT FROM %(scope)s::bigint))"""

# The job's staged rows `s` that did not fail.
_JOB_ROWS = "s.project_id = %(project)s AND s.job_id = %(job)s AND NOT s.failed"

# The client `c` each staged row `s` names, if the project has it: for the whole file at once,
# one pass over the project's clients.
_CLIENT_OF_ROW = """
    LEFT JOIN clients_client c
      ON c.project_id = s.project_id
     AND c.document_type = s."values"->>'document_type'
     AND c.document_number = s."values"->>'document_number'
"""

# The record `i` each staged row's natural key names, if the project holds it.
_RECORD_OF_ROW = """
    LEFT JOIN interactions_interaction i
      ON i.project_id = s.project_id AND i.import_key = s.key AND i.import_key <> ''
"""

# The client the staged row `s` names, looked up by the project's unique document index (LIMIT
# 1 keeps it a lookup row by row: a chunk names a few thousand clients of a large book).
_NAMED_CLIENT = """
    SELECT c.id FROM clients_client c
    WHERE c.project_id = s.project_id
      AND c.document_type = s."values"->>'document_type'
      AND c.document_number = s."values"->>'document_number'
    LIMIT 1
"""


@dataclass
class Refused:
    """A staged row whose client cannot take its record, and that client (None: unknown)."""

    number: int
    client_key: str
    document_number: str
    client: dict | None


@dataclass
class Sample:
    number: int
    client_key: str
    channel: str
    scheduled_at: str


@dataclass
class Group:
    """The staged rows that would be registered (or found registered) for one adviser."""

    registered: bool
    adviser_id: int | None
    count: int
    samples: list[Sample] = field(default_factory=list)


def _params(job, **more) -> dict:
    return {"project": job.project_id, "job": job.pk, **more}


def repeated_records(job) -> list[tuple[int, str, int]]:
    """(row, client key, first row) of each row whose record (natural key) an earlier row of
    the file has. The keys are compared byte by byte (COLLATE "C": hex digests)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT row_number, first FROM (
                SELECT row_number, min(row_number) OVER (PARTITION BY key COLLATE "C") AS first
                FROM imports_stagedrow
                WHERE project_id = %(project)s AND job_id = %(job)s AND NOT failed
            ) AS w
            WHERE row_number > first
            """,
            _params(job),
        )
        firsts = dict(cursor.fetchall())
        if not firsts:
            return []
        cursor.execute(
            """
            SELECT row_number, "values"->>'client_key' FROM imports_stagedrow
            WHERE project_id = %(project)s AND job_id = %(job)s AND row_number = ANY(%(rows)s)
            ORDER BY row_number
            """,
            _params(job, rows=list(firsts)),
        )
        return [(number, client_key, firsts[number]) for number, client_key in cursor]


def clientless_rows(job, scope_adviser_id: int | None) -> list[Refused]:
    """The staged rows whose client cannot take their record (unknown, in the recycle bin or
    outside the import's scope), in file order."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT s.row_number, s."values"->>'client_key', s."values"->>'document_number',
                   c.id, c.name, c.adviser_id, c.deleted_at
            FROM imports_stagedrow s {_CLIENT_OF_ROW}
            WHERE {_JOB_ROWS} AND NOT {CLIENT_TAKES}
            ORDER BY s.row_number
            """,
            _params(job, scope=scope_adviser_id),
        )
        return [_refused(*record) for record in cursor]


def _refused(number, client_key, document_number, pk, name, adviser_id, deleted_at) -> Refused:
    client = None if pk is None else {"id": pk, "name": name, "adviser_id": adviser_id,
                                      "deleted_at": deleted_at}
    return Refused(number, client_key, document_number, client)


def groups(job) -> list[Group]:
    """The staged rows per (already registered?, adviser of the record: the row's Asesor ID,
    else its client's), counted in SQL, each group with its first SAMPLES rows; in the order
    the file first shows each group."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT registered, adviser, total, row_number FROM (
                SELECT registered, adviser, row_number,
                       count(*) OVER (PARTITION BY registered, adviser) AS total,
                       row_number() OVER (PARTITION BY registered, adviser
                                          ORDER BY row_number) AS nth
                FROM (
                    SELECT s.row_number,
                           coalesce((s."values"->>'adviser_id')::bigint, c.adviser_id)
                               AS adviser,
                           i.id IS NOT NULL AS registered
                    FROM imports_stagedrow s {_CLIENT_OF_ROW} {_RECORD_OF_ROW}
                    WHERE {_JOB_ROWS}
                ) AS staged
            ) AS ranked
            WHERE nth <= %(samples)s
            ORDER BY row_number
            """,
            _params(job, samples=SAMPLES),
        )
        found: dict[tuple, Group] = {}
        numbers = []
        for registered, adviser, total, number in cursor.fetchall():
            found.setdefault((registered, adviser), Group(registered, adviser, total))
            numbers.append((number, (registered, adviser)))
        samples = _samples(cursor, job, [number for number, _group in numbers])
    for number, group in numbers:
        found[group].samples.append(samples[number])
    return list(found.values())


def _samples(cursor, job, numbers: list[int]) -> dict[int, Sample]:
    cursor.execute(
        """
        SELECT row_number, "values"->>'client_key', "values"->>'channel',
               "values"->>'scheduled_at'
        FROM imports_stagedrow
        WHERE project_id = %(project)s AND job_id = %(job)s AND row_number = ANY(%(rows)s)
        """,
        _params(job, rows=numbers),
    )
    return {record[0]: Sample(*record) for record in cursor}


def write_staged(job, first: int, last: int, scope_adviser_id: int | None
                 ) -> tuple[int, list[Refused]]:
    """Write the chunk's staged rows (numbered first..last) in one statement: the clients they
    name share-locked in id order until the chunk commits (the Papelera's purge cannot delete
    one under a row being written), the rows whose client can take them inserted (the
    adviser: the row's Asesor ID, else the client's), a record whose natural key the project
    already holds left as it is (ON CONFLICT … DO NOTHING). Returns (how many were
    registered, the refused rows)."""
    with connection.cursor() as cursor:
        cursor.execute(_WRITE_SQL, _params(
            job, first=first, last=last, scope=scope_adviser_id, now=timezone.now(),
            source=InteractionSource.UPLOADED.value))
        _locked, created, refused = cursor.fetchone()
    if isinstance(refused, str):
        refused = json.loads(refused)
    return created, [_refused(*record) for record in refused or []]


# The chunk's rows `s` with the locked client `c` each names.
_CHUNK_WITH_CLIENT = "staged s LEFT JOIN locked AS c ON c.id = s.client_id"
# The staged values' SQL types, for jsonb_to_record (the row's Asesor ID too).
_VALUE_TYPES = ", ".join(["adviser_id bigint"] + [f"{name} {type_}"
                                                 for name, type_ in COLUMNS.items()])

_WRITE_SQL = f"""
WITH staged AS MATERIALIZED (
    SELECT s.row_number, s.key, s."values", named.id AS client_id
    FROM imports_stagedrow s
    LEFT JOIN LATERAL ({_NAMED_CLIENT}) AS named ON true
    WHERE {_JOB_ROWS} AND s.row_number BETWEEN %(first)s AND %(last)s
), locked AS MATERIALIZED (
    SELECT c.id, c.name, c.adviser_id, c.deleted_at FROM clients_client c
    WHERE c.project_id = %(project)s
      AND c.id = ANY(ARRAY(SELECT client_id FROM staged WHERE client_id IS NOT NULL))
    ORDER BY c.id
    FOR KEY SHARE OF c
), inserted AS (
    INSERT INTO interactions_interaction (project_id, client_id, adviser_id, import_key,
        source, created_at, {", ".join(COLUMNS)})
    SELECT %(project)s, c.id, coalesce(x.adviser_id, c.adviser_id), s.key, %(source)s,
           %(now)s, {", ".join("x." + name for name in COLUMNS)}
    FROM {_CHUNK_WITH_CLIENT}
    CROSS JOIN LATERAL jsonb_to_record(s."values") AS x({_VALUE_TYPES})
    WHERE {CLIENT_TAKES}
    ORDER BY s.row_number
    ON CONFLICT (project_id, import_key) WHERE import_key <> '' DO NOTHING
    RETURNING 1
)
SELECT (SELECT count(*) FROM locked),  -- every lock taken, whatever the plan reads of it
       (SELECT count(*) FROM inserted),
       (SELECT json_agg(json_build_array(
                   s.row_number, s."values"->>'client_key', s."values"->>'document_number',
                   c.id, c.name, c.adviser_id, c.deleted_at) ORDER BY s.row_number)
        FROM {_CHUNK_WITH_CLIENT} WHERE NOT {CLIENT_TAKES})
"""
