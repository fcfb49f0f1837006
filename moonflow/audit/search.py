"""Buscar ("Nombre de usuario o recurso"): the actor's name or username, or the resource's
label, by the beginning of a word, without accents or case — and without scanning the log.

**The words.** Every event stores, at insert, `search_vector` (a generated column,
migration 0004): one lexeme "<project id>:<word>" per folded word of its actor's
name, its actor's username and its resource's label. `fold` is the Python side of
`audit_fold()` (accents plain, lower case; tests compare them). What people type is
folded and split the same way; the event must have every word, the last one as a
beginning (the one being typed), in any order: "perez cartera vi" finds Pérez's events on
the portfolio "Cartera VIP" (as the clients' search box reads words).

**The query.** `'<project id>:<word>' & … & '<project id>:<last>':*` — a tsquery whose
lexemes carry the
project, so the GIN index on `search_vector` answers a beginning within one project
(core PostgreSQL: no pg_trgm, no btree_gin).

**How a page is read** (`AuditSearch.fetch`, the list kernel's search plan). Which way
is cheap depends on how many events match, which PostgreSQL cannot guess for a word's
beginning; so the page finds out:

1. *Walk*: the list's own order (the time index, or the Evento / resource-type one) is
   read after the page's cursor, at most WALK_ROWS rows, each tested against the query.
   A common name or word fills the page within a few hundred rows.
2. *Collect*: when the walk reads WALK_ROWS rows without filling the page, the matches
   are rare (under one in WALK_ROWS / page rows): they are collected from the GIN index
   (a bitmap, the list's filters applied) and the page is the newest of them. A search
   that finds nothing, or a typo, costs one index probe.

Either way the page's rows are then read by id, in the list's order.

**The total** is what the page learned, never a count of the matches (PostgreSQL does
not stop a GIN scan at a statement timeout: a common word's count took 40-60 ms on
10 M events whatever the kernel's 15 ms budget): the exact number when the walk read the
whole list from its start, or when the matches came from the index (it collected them
all); otherwise the walk's share of matches times the planner's estimate of the list's
rows ("≈").
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from moonflow.db.plans import queryset_estimate
from moonflow.lists.keyset import PageReader

ACCENTED = "ÁÀÂÄÃÅÉÈÊËÍÌÎÏÓÒÔÖÕÚÙÛÜÑÇáàâäãåéèêëíìîïóòôöõúùûüñç"
PLAIN = "aaaaaaeeeeiiiiooooouuuuncaaaaaaeeeeiiiiooooouuuunc"
_FOLD = str.maketrans(dict(zip(ACCENTED, PLAIN)))
_NOT_WORD = re.compile("[^0-9a-z\u0080-\U0010ffff]+")

MAX_WORDS = 6
WALK_ROWS = 4000  # rows the walk reads before it takes the matches from the index

TABLE = "audit_auditevent"


def fold(text: str) -> str:
    """audit_fold(): accents plain, lower case."""
    return (text or "").translate(_FOLD).lower()


def words(text: str) -> list[str]:
    """The words of `text` as audit_search_vector() splits them (in order, each once)."""
    return list(dict.fromkeys(w for w in _NOT_WORD.split(fold(text)) if w))


def search_query(project_id: int, text: str) -> str | None:
    """The tsquery text for what was typed, None when it holds no word."""
    typed = words(" ".join((text or "").split()))[:MAX_WORDS]
    if not typed:
        return None
    # Words hold no quote or backslash (see _NOT_WORD): each is one quoted lexeme. The last
    # is a beginning (what is being typed), the others whole words: a whole word is one
    # entry of the GIN index, which PostgreSQL skips through guided by the rarer ones,
    # where a beginning must first collect every entry it begins.
    *whole, last = typed
    return " & ".join([*(f"'{project_id}:{word}'" for word in whole),
                       f"'{project_id}:{last}':*"])


def matches(query: str) -> RawSQL:
    """The condition "the event has every word" (for a queryset of AuditEvent)."""
    return RawSQL(f'"{TABLE}"."search_vector" @@ %s::tsquery', [query],
                  output_field=BooleanField())


class AuditSearch:
    """The Buscar box as the list kernel's search plan (see the module's docstring)."""

    def __init__(self, query: str):
        self.query = query
        # What the last page read learned for the total: (exact, None), or (None, the share
        # of the list's rows that match).
        self.learned: tuple | None = None

    def restrict(self, queryset):
        return queryset.filter(matches(self.query))

    def total(self, queryset):
        """The exact number of matches when the page read them all (a walk to the end of the
        list, or the index's matches), else the walk's share of the list's estimated rows:
        never a count of a large search."""
        if self.learned is None:
            return None
        exact, share = self.learned
        if exact is not None:
            return exact, None
        return None, int(share * plan_rows(queryset))

    def fetch(self, reader) -> list[dict]:
        ids = self._walk(reader)
        if ids is None:
            ids = self._collect(reader)
        if not ids:
            return []
        return reader.read(reader.queryset.filter(Q(id__in=ids)))

    def _walk(self, reader) -> list[int] | None:
        """The page's ids among the next WALK_ROWS rows of the list's order, when they fill
        the page or those rows are all there is; None when the matches are rarer."""
        walked = reader.ordered().annotate(_hit=matches(self.query))
        sql, params = walked.values("id", "_hit")[:WALK_ROWS].query.sql_with_params()
        # One row: how many rows the walk read, how many matched, the first matches.
        statement = (
            "SELECT count(*), count(*) FILTER (WHERE w._hit), "
            "(array_agg(w.id ORDER BY w._n) FILTER (WHERE w._hit))[1:%s] "
            f"FROM (SELECT s.id, s._hit, row_number() OVER () AS _n FROM ({sql}) s) w"
        )
        with connection.cursor() as cursor:
            cursor.execute(statement, [reader.limit, *params])
            read, hits, ids = cursor.fetchone()
        if read < WALK_ROWS:
            # Every row after the cursor was read: from the start, that is every match.
            first = reader.after is None
            self.learned = (hits, None) if first else (None, hits / max(read, 1))
            return ids or []
        if hits >= reader.limit:
            self.learned = (None, hits / read)
            return ids
        return None

    def _collect(self, reader) -> list[int]:
        """The page's ids from the matches themselves (the GIN index, the list's filters),
        and how many there are."""
        names = reader.names
        every = PageReader(reader.queryset, sort_keys=reader.sort_keys,
                           descending=reader.descending, after=None, limit=reader.limit,
                           fields=()).ordered(reader.queryset.filter(matches(self.query)))
        sql, params = every.order_by().values("id", *names).query.sql_with_params()
        direction = " DESC" if reader.descending else ""
        order = ", ".join([*(f"m.{n}{direction}" for n in names), f"m.id{direction}"])
        after, after_params = "", []
        if reader.after is not None:
            columns = ", ".join([*(f"m.{n}" for n in names), "m.id"])
            marks = ", ".join(["%s"] * len(reader.after))
            after = f"WHERE ({columns}) {'<' if reader.descending else '>'} ({marks}) "
            after_params = list(reader.after)
        # MATERIALIZED: PostgreSQL must not merge the matches into a walk of the time
        # index (what a LIMIT over ORDER BY would make it prefer).
        statement = (f"WITH m AS MATERIALIZED ({sql}) SELECT (SELECT count(*) FROM m), "
                     f"ARRAY(SELECT m.id FROM m {after}ORDER BY {order} LIMIT %s)")
        with connection.cursor() as cursor:
            cursor.execute(statement, [*params, *after_params, reader.limit])
            count, ids = cursor.fetchone()
        self.learned = (count, None)
        return ids


def plan_rows(queryset) -> int:
    """The planner's estimate of a queryset's rows (EXPLAIN, nothing is read)."""
    return queryset_estimate(queryset).rows


def audit_search(project_id: int, text: str) -> AuditSearch | None:
    query = search_query(project_id, text)
    return AuditSearch(query) if query is not None else None

