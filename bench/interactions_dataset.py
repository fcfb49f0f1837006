"""The interactions benchmark's data: the big project grown to 20 M interactions over 18 months.

seed_demo writes about three interactions per client over the last 90 days
(office hours, the demo's channels, statuses, campaigns and templates). Here
the big project's sent interactions are copied back in time, slice after
slice, until the project holds TARGET interactions spread over SPAN_DAYS:
each copy keeps its client, channel, status, campaign, template, adviser and
recipients, and moves its dates back by the slice's whole number of days (so
office hours stay office hours). The last slice takes a share of the rows
(by id) to land on the target.

The copy is one transaction: the table's secondary indexes are dropped, the
rows inserted (foreign-key triggers off: the copies point at the rows their
originals point at), and the indexes created again from their own
definitions, so an interrupted build leaves the table as it was. A row in
META_TABLE records a finished build; the base dataset's `--rebuild` drops the
database and so this record with it.
"""

import math
import time
from dataclasses import dataclass
from datetime import date

from .dataset import Dataset, raw_connect
from .report import num, say

TARGET = 20_000_000
SPAN_DAYS = 548  # 18 months
SEED_DAYS = 90  # what seed_demo writes: the last 90 days
META_TABLE = "bench_interactions_dataset"
TABLE = "interactions_interaction"

COPIED = (
    "project_id, client_id, direction, channel, campaign_kind, campaign, template, "
    "recipient_kind, recipients, status, adviser_id, error_message, source, outcome, "
    "promise_amount"
)


@dataclass
class InteractionSet:
    project_id: int
    interactions: int  # in the big project
    first_day: date
    last_day: date
    per_day: float  # interactions a day, over the span
    build_seconds: float | None
    all_projects: int


def _recorded(conn) -> tuple | None:
    if conn.execute("SELECT to_regclass(%s)", [META_TABLE]).fetchone()[0] is None:
        return None
    return conn.execute(
        f"SELECT seconds, target FROM {META_TABLE} ORDER BY built_at DESC LIMIT 1"
    ).fetchone()


def describe(project_id: int, build_seconds: float | None = None) -> InteractionSet:
    with raw_connect(autocommit=True) as conn:
        total, first, last = conn.execute(
            f"SELECT count(*), min(scheduled_at)::date, max(scheduled_at)::date FROM {TABLE} "
            "WHERE project_id = %s",
            [project_id],
        ).fetchone()
        all_projects = conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]
        if build_seconds is None:
            recorded = _recorded(conn)
            build_seconds = recorded[0] if recorded else None
    days = max(1, (last - first).days + 1)
    return InteractionSet(project_id, total, first, last, total / days, build_seconds,
                          all_projects)


def ensure(data: Dataset, *, target: int = TARGET) -> InteractionSet:
    """Grow the big project's interactions to `target` unless a finished build is recorded."""
    with raw_connect(autocommit=True) as conn:
        recorded = _recorded(conn)
    if recorded is not None and recorded[1] == target:
        found = describe(data.project_id)
        say(f"Interactions present: {num(found.interactions)} in the big project, "
            f"{found.first_day} → {found.last_day}")
        return found
    started = time.perf_counter()
    _grow(data.project_id, target)
    seconds = time.perf_counter() - started
    with raw_connect(autocommit=True) as conn:
        conn.execute(
            f"""CREATE TABLE IF NOT EXISTS {META_TABLE} (
                   built_at timestamptz NOT NULL DEFAULT now(),
                   seconds double precision NOT NULL,
                   target bigint NOT NULL)"""
        )
        conn.execute(f"INSERT INTO {META_TABLE} (seconds, target) VALUES (%s, %s)",
                     [seconds, target])
    return describe(data.project_id, seconds)


def _grow(project_id: int, target: int) -> None:
    with raw_connect() as conn:
        total = conn.execute(f"SELECT count(*) FROM {TABLE} WHERE project_id = %s",
                             [project_id]).fetchone()[0]
        if total >= target:
            return
        top, originals = conn.execute(
            f"SELECT max(id), count(*) FILTER (WHERE sent_at IS NOT NULL "
            f"AND scheduled_at IS NOT NULL) FROM {TABLE} WHERE project_id = %s",
            [project_id],
        ).fetchone()
        needed = target - total
        whole, rest = divmod(needed, originals)
        slices = whole + (1 if rest else 0)
        step_days = (SPAN_DAYS - SEED_DAYS) / slices
        say(f"Growing the big project's interactions from {num(total)} to {num(target)}: "
            f"{whole} whole copies of its {num(originals)} sent ones"
            + (f" and {rest / originals:.1%} of them once more" if rest else "")
            + f", each {math.floor(step_days)}+ days further back")
        conn.execute("SET LOCAL maintenance_work_mem = '1GB'")
        conn.execute("SET LOCAL session_replication_role = replica")  # no FK triggers
        indexes = conn.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary",
            [TABLE],
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        for n in range(1, slices + 1):
            shift = round(n * step_days)
            share = "" if n <= whole else f"AND id %% 1000000 < {round(rest / originals * 1e6)}"
            started = time.perf_counter()
            cursor = conn.execute(
                f"""INSERT INTO {TABLE} ({COPIED}, scheduled_at, sent_at, promise_date,
                                        created_at, import_key)
                    SELECT {COPIED}, scheduled_at - %(shift)s * interval '1 day',
                           sent_at - %(shift)s * interval '1 day',
                           promise_date - %(shift)s, created_at - %(shift)s * interval '1 day', ''
                      FROM {TABLE}
                     WHERE project_id = %(project)s AND id <= %(top)s
                       AND sent_at IS NOT NULL AND scheduled_at IS NOT NULL {share}""",
                {"shift": shift, "project": project_id, "top": top},
            )
            say(f"  slice {n}/{slices}: {num(cursor.rowcount)} rows {shift} days back "
                f"({time.perf_counter() - started:,.0f} s)")
        for name, definition in indexes:
            started = time.perf_counter()
            conn.execute(definition)
            say(f"  index {name} built ({time.perf_counter() - started:,.0f} s)")
        conn.commit()
    with raw_connect(autocommit=True) as conn:
        started = time.perf_counter()
        conn.execute(f"VACUUM ANALYZE {TABLE}")
        say(f"  VACUUM ANALYZE {TABLE} ({time.perf_counter() - started:,.0f} s)")
