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
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db.models import BooleanField, F, Func, QuerySet, Value

LAST_PAGE = "ultima"
NEXT_PREFIX, PREVIOUS_PREFIX = "sig.", "ant."

# Sort-key value types, used to read a cursor back from the URL.
STR, INT, DEC, DT = "str", "int", "dec", "dt"

CURSOR_MAX = 4000  # a real cursor is a few hundred characters
_BIGINT = 2**63
_DECIMAL_EXPONENT = 100  # far beyond any amount, far below numeric's limits


@dataclass(frozen=True)
class SortKey:
    """One ORDER BY term: a never-NULL expression and the type of its values."""

    expression: object
    type: str = STR


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


def paginate(queryset: QuerySet, *, sort_keys, descending: bool, page: str, size: int,
             fields) -> Page:
    """One page of `queryset` in the order of `sort_keys` (then id), as `.values(*fields)` rows."""
    sort_keys = list(sort_keys)
    names = [f"_k{i}" for i in range(len(sort_keys))]
    qs = queryset.annotate(**{n: k.expression for n, k in zip(names, sort_keys)})
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
    if values is not None:
        ascending = (not descending) != (mode == "previous")
        lhs = [F(n) for n in names] + [F("id")]
        qs = qs.filter(RowCompare(lhs, [Value(v) for v in values], ">" if ascending else "<"))
    qs = qs.order_by(*order_terms(sort_keys, descending=descending != backwards))
    wanted = ["id", *names, *(f for f in fields if f not in ("id", *names))]
    fetched = list(qs.values(*wanted)[: size + 1])
    more = len(fetched) > size
    rows = fetched[:size]
    if backwards:
        rows.reverse()
    if mode == "previous" and not more:
        # Back at the start: show a full first page rather than a short one.
        return paginate(queryset, sort_keys=sort_keys, descending=descending, page="",
                        size=size, fields=fields)
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
