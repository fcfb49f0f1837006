"""Keyset pagination: a page costs what the first does, at any depth.

A list is ordered by its sort keys (never-NULL expressions) and then `id`. The
page parameter is empty (first page), `sig.<t>` (after the row encoded in
`t`), `ant.<t>` (before it) or `ultima`. "After" is a row comparison
`(k1, …, id) > (v1, …, id)` that PostgreSQL answers from an index on
`(project, [filter,] k1, …, id)`; previous and last read the reversed order
and flip the rows back. One row more than the page size tells whether there
is more.

A cursor comes back from the URL, so anyone can write one: every value must
be what its column compares, or the whole cursor is refused and the list
shows its first page (saying so).

A page is read by a `PageReader`: the list's query in the page's order,
after its cursor, limited. Two things change how:

- a sort key with `groups` (`SortGroups`: a client's segment or adviser,
  sorted by the related row's name) cannot come from one index; the reader
  reads the page group by group in one statement, each group from an index
  on (project, group column, next keys…, id), and the rows by their ids;
- a list's search plan (`ListSpec.search_plan`, e.g. clients.search) reads
  the page itself (`plan.fetch(reader)`), narrowing the queryset before it
  hands it back to `reader.read`.
"""

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db.models import BooleanField, F, Func, QuerySet, Value
from django.db.models.expressions import RawSQL

LAST_PAGE = "ultima"
NEXT_PREFIX, PREVIOUS_PREFIX = "sig.", "ant."

# Sort-key value types, used to read a cursor back from the URL.
STR, INT, DEC, DT, DAY = "str", "int", "dec", "dt", "day"

CURSOR_MAX = 4000  # a real cursor is a few hundred characters
_BIGINT = 2**63
_DECIMAL_EXPONENT = 100  # far beyond any amount, far below numeric's limits


@dataclass(frozen=True)
class SortGroups:
    """A sort key with few values, read group by group: the name of a related row (a
    client's segment, its adviser) or a choice column.

    `values(member)` gives the groups: a queryset of (`field` value, sort
    value) rows, one per related row of the member's project, the sort value
    computed as the sort key computes it; or a list of such pairs. Rows whose
    `field` is NULL sort as `empty` (None: the column is never NULL). The list
    must have an index on (project, `field`, the next sort keys…, id).
    """

    field: str
    values: Callable
    empty: object = ""


@dataclass(frozen=True)
class SortKey:
    """One ORDER BY term: a never-NULL expression and the type of its values.

    `indexed=False` says no index holds the list in this order (a custom
    variable): a page sorts every row the filters let through.
    """

    expression: object
    type: str = STR
    groups: SortGroups | None = None
    indexed: bool = True


class RowCompare(Func):
    """(a, b, …) > (x, y, …): one btree range condition over the sort index."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, lhs, rhs, operator: str):
        if operator not in (">", "<"):
            raise ValueError(operator)
        self.operator = operator
        self.width = len(lhs)
        super().__init__(*lhs, *rhs)

    def as_sql(self, compiler, connection, **extra):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, p = compiler.compile(expression)
            parts.append(sql)
            params.extend(p)
        lhs, rhs = parts[: self.width], parts[self.width :]
        return f"({', '.join(lhs)}) {self.operator} ({', '.join(rhs)})", params


def order_terms(sort_keys, *, descending: bool) -> list:
    """ORDER BY of the keys, then id, all in one direction."""
    terms = [k.expression.desc() if descending else k.expression.asc() for k in sort_keys]
    terms.append("-id" if descending else "id")
    return terms


# --- Cursors ------------------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def encode_cursor(values) -> str:
    raw = json.dumps([_plain(v) for v in values], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _refuse_constant(name):
    raise ValueError(f"not a cursor value: {name}")


def _storable(text: str) -> bool:
    """Text PostgreSQL can compare: no NUL, no lone surrogate."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _cursor_value(value, kind: str):
    """One sort-key value of a cursor as its column compares it, or ValueError."""
    if kind == INT:
        if type(value) is not int or not -_BIGINT <= value < _BIGINT:
            raise ValueError(value)
        return value
    if kind == DEC:
        if isinstance(value, bool) or not isinstance(value, (int, str, Decimal)):
            raise ValueError(value)
        number = Decimal(value) if isinstance(value, (int, Decimal)) else Decimal(value.strip())
        if not number.is_finite() or abs(number.adjusted()) > _DECIMAL_EXPONENT:
            raise ValueError(value)
        return number
    if not isinstance(value, str) or not _storable(value):
        raise ValueError(value)
    if kind == DAY:
        return date.fromisoformat(value)
    if kind == DT:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError(value)
        # In UTC: PostgreSQL takes offsets up to 15:59 only (and year 1 at +23:59 overflows).
        return moment.astimezone(UTC)
    return value


def decode_cursor(token: str, types: list[str]) -> list | None:
    """The sort-key values (then the id) of a cursor, or None when it is not one of ours."""
    if len(token) > CURSOR_MAX:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw.decode(), parse_float=Decimal, parse_constant=_refuse_constant)
        if not isinstance(values, list) or len(values) != len(types) + 1:
            return None
        return [_cursor_value(value, kind) for value, kind in zip(values, [*types, INT])]
    except (ValueError, TypeError, ArithmeticError, RecursionError, binascii.Error):
        return None


# --- Pages --------------------------------------------------------------------------------------


@dataclass
class Page:
    rows: list[dict]
    has_previous: bool
    has_next: bool
    first_cursor: str | None
    last_cursor: str | None
    refused: bool = False  # the page asked for was not a page link of ours: first page shown

    @property
    def whole(self) -> bool:
        """This one page holds every row."""
        return not self.has_previous and not self.has_next

    def query(self, link: str) -> str | None:
        """The page parameter of the "previous" / "next" link, None when there is none."""
        if link == "previous" and self.has_previous and self.first_cursor:
            return PREVIOUS_PREFIX + self.first_cursor
        if link == "next" and self.has_next and self.last_cursor:
            return NEXT_PREFIX + self.last_cursor
        return None


class PageReader:
    """Reads one page of a list: its rows in the page's order after the cursor, limited.

    `queryset` is the list's (filters, visibility), unordered and without the
    cursor; `descending` is the direction the page is read in (a "previous"
    page reads backwards); `after` holds the cursor's sort-key values then
    the id, None on a first or last page; `limit` is the page size plus one;
    `fields` are the `.values()` of each row (the sort keys as `names` first).
    """

    def __init__(self, queryset: QuerySet, *, sort_keys, descending: bool, after, limit: int,
                 fields, member=None):
        self.queryset = queryset
        self.sort_keys = list(sort_keys)
        self.names = [f"_k{i}" for i in range(len(self.sort_keys))]
        self.descending = descending
        self.after = after
        self.limit = limit
        self.fields = ["id", *self.names, *(f for f in fields if f not in ("id", *self.names))]
        self.member = member

    @property
    def grouped(self) -> bool:
        """The first sort key is read group by group (see `SortGroups`)."""
        return (bool(self.sort_keys) and self.sort_keys[0].groups is not None
                and self.member is not None)

    def sorted_by(self, expression) -> bool:
        """The list is sorted by this one expression (then id)."""
        return len(self.sort_keys) == 1 and self.sort_keys[0].expression == expression

    @property
    def indexed(self) -> bool:
        """An index holds the list in the page's order."""
        return all(k.indexed for k in self.sort_keys)

    def _annotated(self, queryset, keys=None, names=None) -> QuerySet:
        keys = self.sort_keys if keys is None else keys
        names = self.names if names is None else names
        return queryset.annotate(**{n: k.expression for n, k in zip(names, keys)})

    def ordered(self, queryset: QuerySet | None = None) -> QuerySet:
        """`queryset` with the sort keys annotated, after the cursor, in the page's order."""
        qs = self._annotated(self.queryset if queryset is None else queryset)
        if self.after is not None:
            lhs = [F(n) for n in self.names] + [F("id")]
            qs = qs.filter(RowCompare(lhs, [Value(v) for v in self.after],
                                      "<" if self.descending else ">"))
        return qs.order_by(*order_terms(self.sort_keys, descending=self.descending))

    def read(self, queryset: QuerySet | None = None, *, by_groups: bool = True,
             span=None) -> list[dict]:
        """The page's rows of `queryset` (the list's own, or a narrowed one).

        `by_groups=False` sorts a grouped key's rows as they are (a narrowed
        queryset of a few rows). `span`, for a grouped key, is (first, last):
        the values of the second sort key, in the reading direction, between
        which every row of `queryset` lies; each group is read only there.
        """
        qs = self.queryset if queryset is None else queryset
        if self.grouped and by_groups:
            sql, params = self._group_ids(qs, span)
            # The ids are the page: the rows are read from the list's own queryset (a
            # narrowing condition is not evaluated twice).
            qs = self._annotated(self.queryset.filter(id__in_array=RawSQL(sql, params)))
            qs = qs.order_by(*order_terms(self.sort_keys, descending=self.descending))
            return list(qs.values(*self.fields)[: self.limit])
        return list(self.ordered(qs).values(*self.fields)[: self.limit])

    def _group_ids(self, queryset: QuerySet, span=None) -> tuple[str, list]:
        """One statement: the page's ids, the first `limit` of each group after the cursor
        (each group an index range on its column), merged in the sort's order."""
        groups = self.sort_keys[0].groups
        keys, names = self.sort_keys[1:], self.names[1:]
        base = self._annotated(queryset, keys, names)
        if span is not None and names:
            low, high = span[::-1] if self.descending else span
            base = base.filter(**{f"{names[0]}__gte": low, f"{names[0]}__lte": high})
        op = "<" if self.descending else ">"
        direction = " DESC" if self.descending else ""

        def leg(qs, *, at_cursor: bool) -> tuple[str, list]:
            if at_cursor:
                lhs = [F(n) for n in names] + [F("id")]
                qs = qs.filter(RowCompare(lhs, [Value(v) for v in self.after[1:]], op))
            # The group's column leads the order (a constant within a group): PostgreSQL then
            # reads the group's index range in order, also for `field IS NULL`.
            group = F(groups.field).desc() if self.descending else F(groups.field).asc()
            qs = qs.order_by(group, *order_terms(keys, descending=self.descending))
            return qs.values("id", *names)[: self.limit].query.sql_with_params()

        in_group = base.filter(**{groups.field: RawSQL("g.v", ())})
        without = base.filter(**{f"{groups.field}__isnull": True})
        values = groups.values(self.member)
        if hasattr(values, "query"):
            values_sql, values_params = values.query.sql_with_params()
        else:
            pairs = list(values) or [(None, None)]
            values_sql = "VALUES " + ", ".join("(%s, %s)" for _ in pairs)
            values_params = [x for pair in pairs for x in pair]
        each = f"FROM ({values_sql}) g(v, s) CROSS JOIN LATERAL"
        nullable = groups.empty is not None
        parts, params = [], []
        if self.after is None:
            sql, p = leg(in_group, at_cursor=False)
            parts.append(f"SELECT g.s AS _g, x.* {each} ({sql}) x")
            params += [*values_params, *p]
            if nullable:
                sql, p = leg(without, at_cursor=False)
                parts.append(f"SELECT %s AS _g, x.* FROM ({sql}) x")
                params += [groups.empty, *p]
        else:
            first = self.after[0]
            for at_cursor, compare in ((False, op), (True, "=")):
                sql, p = leg(in_group, at_cursor=at_cursor)
                parts.append(f"SELECT g.s AS _g, x.* {each} ({sql}) x WHERE g.s {compare} %s")
                params += [*values_params, *p, first]
                if nullable:
                    sql, p = leg(without, at_cursor=at_cursor)
                    parts.append(f"SELECT %s AS _g, x.* FROM ({sql}) x WHERE %s {compare} %s")
                    params += [groups.empty, *p, groups.empty, first]
        order = ", ".join([f"u._g{direction}", *(f"u.{n}{direction}" for n in names),
                           f"u.id{direction}"])
        return (f"SELECT u.id FROM ({' UNION ALL '.join(parts)}) u ORDER BY {order} LIMIT %s",
                [*params, self.limit])


def paginate(queryset: QuerySet, *, sort_keys, descending: bool, page: str, size: int,
             fields, plan=None, member=None) -> Page:
    """One page of `queryset` in the order of `sort_keys` (then id), as `.values(*fields)` rows.

    `plan` (a list's search plan) reads the page itself from a `PageReader`;
    `member` lets grouped sort keys list their groups (see `SortGroups`).
    """
    sort_keys = list(sort_keys)
    names = [f"_k{i}" for i in range(len(sort_keys))]
    mode, values = "first", None
    page = (page or "").strip()
    if page == LAST_PAGE:
        mode = "last"
    elif page.startswith((NEXT_PREFIX, PREVIOUS_PREFIX)):
        values = decode_cursor(page[len(NEXT_PREFIX):], [k.type for k in sort_keys])
        if values is not None:
            mode = "next" if page.startswith(NEXT_PREFIX) else "previous"
    refused = bool(page) and mode == "first"
    backwards = mode in ("previous", "last")
    reader = PageReader(queryset, sort_keys=sort_keys, descending=descending != backwards,
                        after=values, limit=size + 1, fields=fields, member=member)
    fetched = plan.fetch(reader) if plan is not None else reader.read()
    more = len(fetched) > size
    rows = fetched[:size]
    if backwards:
        rows.reverse()
    if mode == "previous" and not more:
        # Back at the start: show a full first page rather than a short one.
        return paginate(queryset, sort_keys=sort_keys, descending=descending, page="",
                        size=size, fields=fields, plan=plan, member=member)
    has_previous = {"first": False, "next": True, "previous": more, "last": more}[mode]
    has_next = {"first": more, "next": more, "previous": True, "last": False}[mode]

    def cursor(row):
        return encode_cursor([row[n] for n in names] + [row["id"]])

    return Page(
        rows=rows,
        has_previous=has_previous,
        has_next=has_next,
        first_cursor=cursor(rows[0]) if rows else None,
        last_cursor=cursor(rows[-1]) if rows else None,
        refused=refused,
    )
