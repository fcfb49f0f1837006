"""The search boxes over clients: what people type, found without scanning the book.

Every client has **search terms** (`ClientSearchTerm`, table
`clients_clientsearchterm`, kept by PostgreSQL triggers, migration 0010):

- its name's words, folded: lower case, the Spanish accents and capitals
  plain ("Ñandú" → "nandu", also where PostgreSQL's "C" locale leaves "Á"
  upper case), dots dropped inside words ("S.A.S." → "sas"), split on
  anything that is not a letter or a digit;
- "@" + its e-mail, lower case;
- "#" + its document number in upper case without punctuation
  ("12345678-5" → "#123456785");
- "+" + its phone's digits, last first ("+573001234567" → "+765432100375"),
  so the last digits people read out are a beginning.

The primary key `(project, term, name, client)` is the only index: a typed
word is one byte range of it, within one project, and gives the matching
clients (and their names, the tray's default order) without touching the
clients table. `fold`, `name_terms`, `document_term` and `phone_term` are
the Python side of the SQL functions `search_fold`, `client_search_terms`,
`search_document` and `search_phone`; tests compare them.

What the box reads (`parse`):

- an "@" → an e-mail beginning;
- a document type first ("NIT 820.172.468-5", "CC 1020…", as the tray shows
  it) → the number after it (the type is accepted, not required);
- digits with spaces, dots, dashes, slashes, parentheses, "+" and a final K
  → a document beginning ("864.564.788-1", "20-19535413-9", "12345678-K");
  a NIT copied with its verification digit also finds the NIT stored without
  it; and, with 4 digits or more, a phone ending;
- words → clients having every word, the last one as a beginning, in any
  order ("garcía MARÍA", "Agroindustrial Arango S.A.S."); a single word with
  a digit, a dot, "_" or "-" is also an e-mail beginning, and with a digit a
  document beginning ("ab123" finds the passport "AB123456"). A plain word
  also finds the e-mail whose mailbox it is ("pagos" → pagos@…), but not
  every e-mail beginning with it: "juan" is not also every "juan.…@".

How a page is read (`ClientSearch`, the clients list's `search_plan`, see
moonflow/lists/keyset.py): one statement counts the matching terms (at
most N_COLLECT + 1) and lists the words a last-word beginning expands to;
then

1. **few matches** (≤ N_COLLECT): their ids, then the page is the list's own
   query over those ids (any filter, any sort);
2. **sorted by name**: the terms index is in (term, name, client) order, so
   the top of each matching word by name is read from it, merged, and the
   page is the list's query over those candidates (more candidates while the
   filters leave less than a page);
3. **any other sort**: the list's order is walked (its index) testing each
   row against the matches — a hashed set of their ids when there are up to
   N_HASHED, else the row's own words (dense matches: the walk is short) —
   reading at most WALK_ROWS rows, else every match is read and sorted; a
   sort read group by group (segment, adviser, a choice column) reads each
   group between the first and the last matching name;
4. **a sort no index holds** (a custom variable): every match is read and
   sorted — the cost of the matches, never of the book.

`client_ids_matching(project_id, text)` is the same search as a subquery of
client ids, for the other boxes that find a client (Órdenes de pago).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, TextField
from django.db.models.expressions import RawSQL

from moonflow.db.plans import estimate

# --- Normalisation: the Python side of migration 0010's SQL functions -------------------------

# translate(lower(t), FOLD_FROM, FOLD_TO): the capitals too, because under a "C" locale
# PostgreSQL's lower() leaves them as they are; the dot has no counterpart, so it is dropped.
ACCENTED = "ÁÉÍÓÚÜÑáéíóúüñ"
PLAIN = "aeiouunaeiouun"
_FOLD = str.maketrans({**{a: p for a, p in zip(ACCENTED, PLAIN)}, ".": None})
_NOT_WORD = re.compile("[^0-9a-z\u0080-\U0010ffff]+")
_NOT_DOCUMENT = re.compile("[^0-9A-Z]")
_NOT_DIGIT = re.compile("[^0-9]")

HIGHEST = "\U0010ffff"  # after every character: a prefix p is the range [p, p + HIGHEST)
EMAIL, DOCUMENT, PHONE = "@", "#", "+"

MAX_TEXT = 100
MAX_WORDS = 6
MIN_PHONE_DIGITS = 4


def fold(text: str) -> str:
    """search_fold(): lower case, Spanish accents plain, dots dropped."""
    return text.lower().translate(_FOLD)


def name_terms(name: str) -> list[str]:
    """A name's words as client_search_terms() stores them (in order, repeated ones once)."""
    return list(dict.fromkeys(w for w in _NOT_WORD.split(fold(name)) if w))


def document_term(number: str) -> str:
    """search_document(): upper case, letters and digits only."""
    return _NOT_DOCUMENT.sub("", number.upper())


def phone_term(phone: str) -> str:
    """search_phone(): the digits, last first."""
    return _NOT_DIGIT.sub("", phone)[::-1]


def client_terms(*, name: str, email: str, phone: str, document_number: str) -> set[str]:
    """Every term of one client, as the triggers write them."""
    terms = set(name_terms(name))
    terms.add(EMAIL + (email or "").lower())
    terms.add(DOCUMENT + document_term(document_number or ""))
    terms.add(PHONE + phone_term(phone or ""))
    return terms - {"", EMAIL, DOCUMENT, PHONE}


# --- What was typed ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One term condition: the term itself, or every term it begins."""

    text: str
    prefix: bool


@dataclass(frozen=True)
class Branch:
    """Clients having every one of these terms (a name's words; else a single term)."""

    terms: tuple[Term, ...]


@dataclass(frozen=True)
class ParsedSearch:
    branches: tuple[Branch, ...]  # any of them; none: nothing can match

    @property
    def empty(self) -> bool:
        return not self.branches


DOCUMENT_TYPES = ("PASAPORTE", "CUIT", "NIT", "DNI", "RUT", "RFC", "PAS", "CC", "CE")
_TYPED_DOCUMENT = re.compile(
    r"^(%s)\b[\s.:#º°-]*(?P<number>\S.*)$" % "|".join(DOCUMENT_TYPES), re.IGNORECASE
)
_DOCUMENT_LIKE = re.compile(r"^[\d\s.\-()+/]*\d[\d\s.\-()+/]*[kK]?$")
_EMAIL_HINT = re.compile(r"[0-9._\-]")


def _nit_without_check_digit(digits: str) -> str | None:
    """The NIT body when `digits` ends with its verification digit (a NIT as shown)."""
    from .validation.fields import nit_check_digit

    if len(digits) < 6 or not digits.isdigit():
        return None
    body = digits[:-1]
    return body if nit_check_digit(body) == digits[-1] else None


def _document_branches(text: str, *, phone: bool) -> list[Branch]:
    number = document_term(text)
    if not number:
        return []
    branches = [Branch((Term(DOCUMENT + number, True),))]
    body = _nit_without_check_digit(number)
    if body:
        branches.append(Branch((Term(DOCUMENT + body, False),)))
    digits = _NOT_DIGIT.sub("", text)
    if phone and len(digits) >= MIN_PHONE_DIGITS and digits == number:
        branches.append(Branch((Term(PHONE + digits[::-1], True),)))
    return branches


def parse(text: str) -> ParsedSearch | None:
    """What the box looks for; None for a blank box (see the module's docstring)."""
    text = " ".join((text or "").split())[:MAX_TEXT]
    if not text:
        return None
    if "@" in text:
        return ParsedSearch((Branch((Term(EMAIL + text.replace(" ", "").lower(), True),)),))
    typed = _TYPED_DOCUMENT.match(text)
    if typed and any(ch.isdigit() for ch in typed.group("number")):
        return ParsedSearch(tuple(_document_branches(typed.group("number"), phone=False)))
    if _DOCUMENT_LIKE.match(text):
        return ParsedSearch(tuple(_document_branches(text, phone=True)))
    branches = []
    words = [w for w in _NOT_WORD.split(fold(text)) if w][:MAX_WORDS]
    if words:
        *exact, last = words
        branches.append(Branch((*(Term(w, False) for w in exact), Term(last, True))))
    if " " not in text:
        if _EMAIL_HINT.search(text):
            branches.append(Branch((Term(EMAIL + text.lower(), True),)))
        elif words:
            # A plain word finds the mailbox of that name ("pagos" → pagos@…), not every
            # e-mail beginning with it ("juan" is not every juan.…@).
            branches.append(Branch((Term(EMAIL + text.lower() + "@", True),)))
        if any(ch.isdigit() for ch in text):
            branches += _document_branches(text, phone=False)
    return ParsedSearch(tuple(dict.fromkeys(branches)))


# --- SQL over the terms -----------------------------------------------------------------------

TERMS = "clients_clientsearchterm"


def _condition(alias: str, term: Term) -> tuple[str, list]:
    if term.prefix:
        return f"{alias}.term >= %s AND {alias}.term < %s", [term.text, term.text + HIGHEST]
    return f"{alias}.term = %s", [term.text]


@dataclass
class _Shape:
    """How one branch is read: the term that drives it, and what the others expand to."""

    driver: int  # index of the driving term in branch.terms
    # The words a driving beginning expands to (at most EXPANSION), None when not listed.
    expansion: list[str] | None = None


def _others_sql(project_id: int, branch: Branch, shape: _Shape, alias: str,
                expansions: dict[int, list[str] | None]) -> tuple[str, list]:
    """Each non-driving term of a name, as a condition on the driving row `alias`."""
    sql, params = "", []
    for i, term in enumerate(branch.terms):
        if i == shape.driver:
            continue
        listed = expansions.get(i) if term.prefix else None
        if not term.prefix or listed is not None:
            if term.prefix:
                match, extra = f"o{i}.term = ANY(%s)", [listed]
            else:
                match, extra = f"o{i}.term = %s", [term.text]
            sql += (f" AND EXISTS (SELECT 1 FROM {TERMS} o{i} WHERE o{i}.project_id = %s"
                    f" AND {match} AND o{i}.name = {alias}.name"
                    f" AND o{i}.client_id = {alias}.client_id)")
            params += [project_id, *extra]
        else:
            cond, extra = _condition(f"o{i}", term)
            sql += (f" AND {alias}.client_id IN (SELECT o{i}.client_id FROM {TERMS} o{i}"
                    f" WHERE o{i}.project_id = %s AND {cond})")
            params += [project_id, *extra]
    return sql, params


def _branch_sql(project_id: int, branch: Branch, shape: _Shape, expansions,
                columns: str = "t.client_id") -> tuple[str, list]:
    """SELECT `columns` FROM the terms of the clients matching `branch` (a client may repeat)."""
    cond, params = _condition("t", branch.terms[shape.driver])
    others, other_params = _others_sql(project_id, branch, shape, "t", expansions)
    return (f"SELECT {columns} FROM {TERMS} t WHERE t.project_id = %s AND {cond}{others}",
            [project_id, *params, *other_params])


def _bounded_count_sql(project_id: int, term: Term, limit: int) -> tuple[str, list]:
    cond, params = _condition("t", term)
    return (f"(SELECT count(*) FROM (SELECT 1 FROM {TERMS} t WHERE t.project_id = %s AND {cond}"
            f" LIMIT %s) s)", [project_id, *params, limit])


def _expansion_sql(project_id: int, prefix: str, limit: int) -> tuple[str, list]:
    """The distinct terms beginning with `prefix`, at most `limit` + 1 (one index descent each)."""
    high = prefix + HIGHEST
    return (
        f"(WITH RECURSIVE e(term, n) AS ("
        f" SELECT (SELECT min(term) FROM {TERMS} WHERE project_id = %s AND term >= %s"
        f" AND term < %s), 1"
        f" UNION ALL SELECT (SELECT min(term) FROM {TERMS} WHERE project_id = %s"
        f" AND term > e.term AND term < %s), e.n + 1 FROM e"
        f" WHERE e.term IS NOT NULL AND e.n <= %s)"
        f" SELECT array_agg(term) FROM e WHERE term IS NOT NULL)",
        [project_id, prefix, high, project_id, high, limit],
    )


# --- The row's own words: the same matches, tested on a clients row (dense matches) ---------

_WORD = "0-9a-z\u0080-\U0010ffff"


def _row_condition(branch: Branch, table: str) -> tuple[str, list]:
    """`branch` as a condition on a clients row (`table`: its alias), from its columns."""
    parts, params = [], []
    for term in branch.terms:
        kind = term.text[:1]
        if kind in (EMAIL, DOCUMENT, PHONE):
            expression = {
                EMAIL: f"lower({table}.email::text)",
                DOCUMENT: f"search_document({table}.document_number::text)",
                PHONE: f"search_phone({table}.phone::text)",
            }[kind]
            value = term.text[1:]
            if term.prefix:
                parts.append(f"starts_with({expression}, %s)")
            else:
                parts.append(f"{expression} = %s")
            params.append(value)
        else:
            # A name word: at the start of the folded name or after a non-word character.
            pattern = f"(^|[^{_WORD}]){re.escape(term.text)}"
            if not term.prefix:
                pattern += f"($|[^{_WORD}])"
            parts.append(f"search_fold({table}.name::text) ~ %s")
            params.append(pattern)
    return "(" + " AND ".join(parts) + ")", params


# --- The plan ---------------------------------------------------------------------------------

N_COLLECT = 2_000  # matching terms read as ids, the page sorted from their rows
N_HASHED = 25_000  # estimated matches hashed for a walk; more: each walked row's own words
WALK_ROWS = 50_000  # rows of the list's order a walk reads before the plain query takes over
EXPANSION = 32  # a beginning read word by word (each in name order) up to this many words
NAME_RANGE = 20_000  # a beginning with more words read whole and sorted, up to this many terms
CANDIDATES = (8, 64)  # candidates by name per page row, round by round, before walking


class ClientSearch:
    """A search box's text over one project's clients, planned (see the module's docstring).

    The kernel (moonflow.lists) asks it for the full condition (`restrict`),
    for a page (`fetch`, given the kernel's `PageReader`) and for the total
    (`total`). Nothing runs before it is asked.
    """

    def __init__(self, project_id: int, parsed: ParsedSearch):
        self.project_id = project_id
        self.parsed = parsed
        self._probed = False
        self.upper = 0  # matching terms counted, at most N_COLLECT + 1 per branch
        self.ids: list[int] | None = None  # the matches, when few
        self.shapes: list[_Shape] = []
        self.expansions: list[dict[int, list[str] | None]] = []
        self.counts: dict[tuple[int, int], int] = {}  # (branch, term) → terms, bounded
        self._estimate: int | None = None
        self.strategy = ""  # how the last page was read (for tests and the benchmark)

    # -- probing --

    def _probe(self) -> None:
        if self._probed:
            return
        self._probed = True
        if self.parsed.empty:
            self.ids = []
            return
        pid = self.project_id
        columns, params, slots = [], [], []
        for b, branch in enumerate(self.parsed.branches):
            for i, term in enumerate(branch.terms):
                sql, p = _bounded_count_sql(pid, term, N_COLLECT + 1)
                columns.append(sql)
                params += p
                slots.append(("count", b, i))
                if term.prefix and (len(branch.terms) > 1 or not term.text[:1] in
                                    (EMAIL, DOCUMENT, PHONE)):
                    sql, p = _expansion_sql(pid, term.text, EXPANSION)
                    columns.append(sql)
                    params += p
                    slots.append(("expansion", b, i))
        single = all(len(branch.terms) == 1 for branch in self.parsed.branches)
        if single:
            # One term per branch: no driver to choose, so the same statement brings the
            # matches too (used when they are few).
            self.shapes = [_Shape(0) for _ in self.parsed.branches]
            self.expansions = [{} for _ in self.parsed.branches]
            self._probed = True
            sql, p = self.matches_sql()
            columns.append("CASE WHEN (SELECT count(*) FROM m) <= %s"
                           " THEN (SELECT array_agg(client_id) FROM m) END")
            params = [*p, N_COLLECT + 1, *params, N_COLLECT]
            head = f"WITH m AS MATERIALIZED ({sql} LIMIT %s) "
        else:
            head = ""
        with connection.cursor() as cursor:
            cursor.execute(head + "SELECT " + ", ".join(columns), params)
            values = cursor.fetchone()
        ids = list(dict.fromkeys(values[-1] or [])) if single else None
        counts: dict[tuple[int, int], int] = {}
        expansions: list[dict[int, list[str] | None]] = [{} for _ in self.parsed.branches]
        for (kind, b, i), value in zip(slots, values[:len(slots)]):
            if kind == "count":
                counts[(b, i)] = value
            else:
                words = list(value or [])
                expansions[b][i] = words if len(words) <= EXPANSION else None
        self.expansions = expansions
        self.counts = counts
        self.shapes = []
        upper = 0
        for b, branch in enumerate(self.parsed.branches):
            driver = min(range(len(branch.terms)), key=lambda i: counts[(b, i)])
            self.shapes.append(_Shape(driver, expansions[b].get(driver)))
            upper += counts[(b, driver)]
        self.upper = upper
        if upper <= N_COLLECT and single:
            self.ids = ids
        elif upper <= N_COLLECT:
            sql, params = self.matches_sql()
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT DISTINCT client_id FROM ({sql}) m", params)
                self.ids = [row[0] for row in cursor.fetchall()]

    def collected(self) -> list[int] | None:
        """The matching clients' ids when they are few (collected), None when many."""
        self._probe()
        return self.ids

    def matches_sql(self, columns: str = "t.client_id") -> tuple[str, list]:
        """Every match's terms row (a client may repeat), as one UNION ALL."""
        self._probe()
        if self.parsed.empty:
            return "SELECT NULL::bigint AS client_id WHERE false", []
        parts, params = [], []
        for branch, shape, expansions in zip(self.parsed.branches, self.shapes, self.expansions):
            sql, p = _branch_sql(self.project_id, branch, shape, expansions, columns)
            parts.append(f"({sql})")
            params += p
        return " UNION ALL ".join(parts), params

    def estimate(self) -> int:
        """The planner's estimate of the matching terms (the statistics of `term`)."""
        if self._estimate is None:
            sql, params = self.matches_sql()
            self._estimate = plan_rows(sql, params)
        return self._estimate

    # -- the kernel's questions --

    def condition(self) -> Q:
        """The search as a condition on Client: every match (downloads, counts, client_list)."""
        self._probe()
        if self.ids is not None:
            return _among(self.ids)
        sql, params = self.matches_sql()
        return Q(id__in=RawSQL(sql, params))

    def restrict(self, queryset):
        return queryset.filter(self.condition())

    def total(self, queryset) -> tuple[int | None, int | None]:
        """(exact, estimate) of the filtered `queryset`'s matches: exact when few."""
        self._probe()
        if self.ids is not None:
            return queryset.filter(_among(self.ids)).count(), None
        sql, params = self.matches_sql()
        inner, inner_params = queryset.filter(id__in=RawSQL(sql, params)).values("pk") \
            .query.sql_with_params()
        return None, plan_rows(inner, inner_params)

    def fetch(self, reader) -> list[dict]:
        """The page `reader` asks for (moonflow.lists.keyset.PageReader)."""
        self._probe()
        if self.ids is not None:
            self.strategy = "collect"
            return reader.read(reader.queryset.filter(_among(self.ids)), by_groups=False)
        if not reader.indexed:
            # No index in this order: every match is read and sorted, never the whole list.
            self.strategy = "collect-all"
            sql, params = self.matches_sql()
            return reader.read(reader.queryset.filter(id__in_array=RawSQL(sql, params)))
        if reader.sorted_by(F("name")):
            rows = self._by_name(reader)
            if rows is not None:
                return rows
        return self._walk(reader)

    # -- sorted by name: candidates from the terms index --

    def _name_runs(self, reader, k: int, *, cursor: bool = True, descending: bool | None = None,
                   column: str = "client_id") -> tuple[str, list] | None:
        """The first `k` (name, client) of the matches in the page's order (after its cursor
        when `cursor`), as SELECT u.`column`; None when a beginning has too many words."""
        if descending is None:
            descending = reader.descending
        desc = " DESC" if descending else ""
        after, after_params = "", []
        if cursor and reader.after is not None:
            op = "<" if descending else ">"
            after = f" AND (t.name, t.client_id) {op} (%s, %s)"
            after_params = [reader.after[0], reader.after[-1]]
        runs, params = [], []
        for b, (branch, shape, expansions) in enumerate(
                zip(self.parsed.branches, self.shapes, self.expansions)):
            driving = branch.terms[shape.driver]
            if driving.prefix and shape.expansion is not None:
                words = [Term(w, False) for w in shape.expansion]
            else:
                words = [driving]
            if (driving.prefix and shape.expansion is None
                    and self.counts[(b, shape.driver)] > N_COLLECT):
                # One range read whole and sorted by name: only while it is not large.
                cond, p = _condition("t", driving)
                size = plan_rows(f"SELECT 1 FROM {TERMS} t WHERE t.project_id = %s AND {cond}",
                                  [self.project_id, *p])
                if size > NAME_RANGE:
                    return None
            for word in words:
                cond, p = _condition("t", word)
                others, other_params = _others_sql(self.project_id, branch, shape, "t",
                                                   expansions)
                runs.append(
                    f"(SELECT t.client_id, t.name FROM {TERMS} t WHERE t.project_id = %s"
                    f" AND {cond}{after}{others}"
                    f" ORDER BY t.name{desc}, t.client_id{desc} LIMIT %s)"
                )
                params += [self.project_id, *p, *after_params, *other_params, k]
        if not runs:
            return f"SELECT NULL AS {column} WHERE false", []
        return (f"SELECT u.{column} FROM ({' UNION ALL '.join(runs)}) u"
                f" ORDER BY u.name{desc}, u.client_id{desc} LIMIT %s", [*params, k])

    def _by_name(self, reader) -> list[dict] | None:
        limit = reader.limit
        for per_row in CANDIDATES:
            k = per_row * limit
            candidates = self._name_runs(reader, k)
            if candidates is None:
                return None
            sql, params = candidates
            rows = reader.read(reader.queryset.filter(id__in_array=RawSQL(sql, params)))
            if len(rows) >= limit:
                self.strategy = f"by-name({k})"
                return rows
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM ({sql}) c", params)
                if cursor.fetchone()[0] < k:  # every candidate was read: that is the page
                    self.strategy = f"by-name({k}, all)"
                    return rows
        return None

    # -- any order: the list's own order, each row tested --

    def _membership(self, table: str = '"clients_client"') -> tuple[str, list, str]:
        """(condition on a clients row, params, how): hashed ids, or the row's own words."""
        if self.estimate() <= N_HASHED:
            sql, params = self.matches_sql()
            # IS TRUE keeps a hashed subplan tested row by row along the walk: a semi-join
            # would give up the index order.
            return f"(({table}.id IN ({sql})) IS TRUE)", params, "hashed"
        parts, params = [], []
        for branch in self.parsed.branches:
            sql, p = _row_condition(branch, table)
            parts.append(sql)
            params += p
        return "(" + " OR ".join(parts) + ")", params, "words"

    def _name_span(self, reader):
        """(first, last) matching names in the page's direction, or None when unknown."""
        first = self._name_runs(reader, 1, cursor=False, column="name")
        last = self._name_runs(reader, 1, cursor=False, column="name",
                               descending=not reader.descending)
        if first is None or last is None:
            return None
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT ({first[0]}), ({last[0]})", [*first[1], *last[1]])
            row = cursor.fetchone()
        return None if row[0] is None else row

    def _walk(self, reader) -> list[dict]:
        if reader.grouped:
            membership, params, how = self._membership()
            matching = reader.queryset.filter(_Condition(RawSQL(membership, params)))
            # Each group is read in name order, only between the first and the last match
            # by name: names sharing a word cluster (every "Juan …" sits together in every
            # group), and a group with few matches is not read to its end.
            span = None
            if len(reader.sort_keys) > 1 and reader.sort_keys[1].expression == F("name"):
                span = self._name_span(reader)
            self.strategy = f"walk-groups({how}{', names spanned' if span else ''})"
            return reader.read(matching, span=span)
        membership, params, how = self._membership(table="w")
        columns = ["name", "email", "phone", "document_number"] if how == "words" else []
        listed = reader.queryset
        if reader.sorted_by(F("name")):
            span = self._name_span(reader)  # the walk starts at the first match by name
            if span is not None:
                low, high = span[::-1] if reader.descending else span
                listed = listed.filter(name__gte=low, name__lte=high)
        walked = reader.ordered(listed).values("id", *reader.names, *columns)[:WALK_ROWS]
        walk_sql, walk_params = walked.query.sql_with_params()
        order = ", ".join(f"w.{n}{' DESC' if reader.descending else ''}"
                          for n in [*reader.names, "id"])
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT w.id FROM ({walk_sql}) w WHERE {membership} ORDER BY {order} LIMIT %s",
                [*walk_params, *params, reader.limit])
            ids = [row[0] for row in cursor.fetchall()]
            if len(ids) < reader.limit:
                # Fewer than a page: did the walk read the whole list (the filters let few
                # rows through), or was it cut at WALK_ROWS?
                cursor.execute(f"SELECT count(*) FROM ({walk_sql}) w", walk_params)
                cut = cursor.fetchone()[0] >= WALK_ROWS
            else:
                cut = False
        if not cut:
            self.strategy = f"walk({how})"
            return reader.read(reader.queryset.filter(_among(ids)), by_groups=False)
        # The matches are late in the list's order (they cluster, as the e-mails of one first
        # name do): every match is read and sorted, a cost bounded by the matches, not the book.
        self.strategy = f"walk({how})→all"
        sql, params = self.matches_sql()
        return reader.read(reader.queryset.filter(id__in_array=RawSQL(sql, params)))


def _among(ids) -> Q:
    """id among `ids` (a condition that compiles to SQL even when there are none)."""
    if ids:
        return Q(id__in=ids)
    return Q(id__in=RawSQL("SELECT NULL::bigint WHERE false", ()))


class _Condition(Func):
    """A boolean RawSQL usable in filter()."""

    output_field = BooleanField()
    conditional = True
    template = "%(expressions)s"


def plan_rows(sql: str, params) -> int:
    return estimate(sql, params).rows


def client_search(project_id: int, text: str) -> ClientSearch | None:
    """The planned search of `text` over a project's clients; None for a blank box."""
    parsed = parse(text)
    return None if parsed is None else ClientSearch(project_id, parsed)


def client_ids_matching(project_id: int, text: str):
    """The ids of the project's clients the clients' search box finds for `text` (the
    recycle bin's too: a list keeps its own rule about deleted clients), as a subquery;
    None when the text looks for nothing (a blank box).

    For another list's box that finds a client, e.g. Órdenes de pago on the kernel:

        def search_plan(self, member, text):
            condition = Q(number__iexact=text)
            ids = client_ids_matching(member.project_id, text)
            if ids is not None:
                condition |= Q(client_id__in=ids)
            return SearchCondition(condition)  # moonflow.lists.listing

    `client_id__in` lets PostgreSQL hash the ids while it walks the list's own order;
    `client_id__in_array` (`= ANY(ARRAY(…))`) suits reading the few matches' rows by an
    index on the client.
    """
    search = client_search(project_id, text)
    if search is None:
        return None
    search._probe()
    if search.ids is not None:
        return RawSQL("SELECT unnest(%s::bigint[])", [search.ids])
    sql, params = search.matches_sql()
    return RawSQL(sql, params)


# --- Kept for the migration history (0003 built indexes on these expressions) ------------------


class NameVector(Func):
    template = (
        "to_tsvector('simple'::regconfig, translate(lower(%(expressions)s::text), "
        "'áéíóúüñ', 'aeiouun'))"
    )
    output_field = TextField()


class PhoneDigitsReversed(Func):
    template = "reverse(regexp_replace(%(expressions)s::text, '[^0-9]', '', 'g'))"
    output_field = TextField()
