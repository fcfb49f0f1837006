"""The clients tray's search box: name, document number, email and phone.

PostgreSQL here has no contrib extensions (no pg_trgm, no unaccent), so every
kind of term has its own core-PostgreSQL expression and an index on exactly
that expression (see `Client.Meta.indexes`); a search costs a few index
lookups at a million clients instead of a scan:

- **Name** — words, accents and case ignored, in any order: every word typed
  is a word of the name, the last one may be its beginning ("maria garc" and
  "garcía MARÍA" find "María García"; so does "garc").
  Full text search with the `simple` configuration (no stemming, no stop
  words) over `translate(lower(name), ACCENTED, PLAIN)`, the accent folding
  `unaccent` would do for Spanish (á é í ó ú ü ñ), on a GIN expression index
  (`client_name_search_idx`).
  The query is `to_tsquery('simple', 'maria & garc:*')`, built only from
  letters and digits so nothing the user types becomes tsquery syntax.
- **Document number** — exact or prefix (`document_number` from '1020' up to
  '1020' + U+10FFFF, byte-wise) on a btree
  `(project, document_number varchar_pattern_ops)`.
- **Email** — prefix, case-insensitive (`lower(email)`, the same range) on a
  btree `(project, lower(email) text_pattern_ops)`.
- **Phone** — the last digits (people read phone numbers from the end, and the
  country code / formatting varies): the digits of the phone, reversed, on a
  btree `(project, reverse(digits) text_pattern_ops)`, so a suffix becomes a
  prefix. At least 4 digits for the phone.

Prefixes are written as exact byte-wise ranges (`~>=~` / `~<~`, the operators
of the *_pattern_ops indexes), not `LIKE`, see `_PrefixRange`.

What the box tries depends on what was typed: an "@" → email; only digits
(spaces, dots, dashes, "+" and parentheses allowed) → document prefix or
phone suffix; a single word with digits → document prefix or name; words →
name, or email prefix when it is a single word. Each part is an OR branch the
planner can answer with a BitmapOr over the indexes above, or, when the name
word is very common, by walking the sort index and filtering.
"""

import re

from django.db.models import BooleanField, F, Func, Q, TextField, Value
from django.db.models.functions import Lower

# Spanish letters only: PostgreSQL's translate() costs in proportion to this map
# (27 letters made it ~4× slower per row than these 7), and it runs for every row
# a walking plan filters. Other marks are kept on both sides, so "ç" still finds "ç".
ACCENTED = "áéíóúüñ"
PLAIN = "aeiouun"
assert len(ACCENTED) == len(PLAIN)

MIN_PHONE_DIGITS = 4
MAX_WORDS = 6

_DIGITS_ONLY = re.compile(r"^[\d\s.\-()+/]+$")
_NOT_DIGIT = re.compile(r"\D")
_WORD_SPLIT = re.compile(r"[\W_]+", re.UNICODE)


class NameVector(Func):
    """The indexed full-text vector of a name (must stay identical to the index)."""

    template = (
        f"to_tsvector('simple'::regconfig, translate(lower(%(expressions)s::text), "
        f"'{ACCENTED}', '{PLAIN}'))"
    )
    output_field = TextField()


class PhoneDigitsReversed(Func):
    """The phone's digits, last first: a suffix search becomes an indexable prefix."""

    template = "reverse(regexp_replace(%(expressions)s::text, '[^0-9]', '', 'g'))"
    output_field = TextField()


class _PrefixRange(Func):
    """`expr ~>=~ 'abc' AND expr ~<~ 'abc\U0010FFFF'`: the prefix as an exact btree range.

    `LIKE 'abc%'` is answered from a *_pattern_ops index too, but as a lossy
    condition the planner re-checks the whole OR of the search box on every row
    it fetches — including the costly full-text expression. The range is exact.
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, expression, prefix: str):
        super().__init__(expression, Value(prefix), Value(prefix + "\U0010ffff"))

    def as_sql(self, compiler, connection, **extra):
        expression, low, high = self.get_source_expressions()
        expr_sql, expr_params = compiler.compile(expression)
        low_sql, low_params = compiler.compile(low)
        high_sql, high_params = compiler.compile(high)
        sql = f"({expr_sql} ~>=~ {low_sql} AND {expr_sql} ~<~ {high_sql})"
        return sql, (*expr_params, *low_params, *expr_params, *high_params)


class _TsMatch(Func):
    """vector @@ to_tsquery('simple', query)."""

    output_field = BooleanField()
    conditional = True

    def as_sql(self, compiler, connection, **extra):
        vector, query = self.get_source_expressions()
        vector_sql, vector_params = compiler.compile(vector)
        query_sql, query_params = compiler.compile(query)
        sql = f"({vector_sql} @@ to_tsquery('simple'::regconfig, {query_sql}))"
        return sql, (*vector_params, *query_params)


def fold(text: str) -> str:
    return text.lower().translate(str.maketrans(ACCENTED, PLAIN))


def name_words(text: str) -> list[str]:
    return [w for w in _WORD_SPLIT.split(fold(text)) if w][:MAX_WORDS]


def name_tsquery(words: list[str]) -> str:
    """'maria & garc:*' — only letters and digits reach the tsquery parser.

    Only the last word is a prefix: a GIN prefix match gathers every row of
    every matching word before combining them (a common surname is 3 % of a
    book), while whole words are intersected cheaply. Measured on a million
    clients: 'maria:* & garcia:*' 65 ms, 'maria & garcia:*' 29 ms.
    """
    return " & ".join([*words[:-1], f"{words[-1]}:*"])


def name_q(text: str) -> Q | None:
    words = name_words(text)
    if not words:
        return None
    return Q(_TsMatch(NameVector(F("name")), Value(name_tsquery(words))))


def document_q(text: str) -> Q:
    # Numbers are stored as typed in the import, letters in upper case (passports).
    return Q(_PrefixRange(F("document_number"), text.upper()))


def email_q(text: str) -> Q:
    return Q(_PrefixRange(Lower(F("email")), text.lower()))


def phone_q(digits: str) -> Q:
    return Q(_PrefixRange(PhoneDigitsReversed(F("phone")), digits[::-1]))


def search_q(query: str) -> Q | None:
    """The condition for the search box text, or None for a blank box."""
    text = (query or "").strip()[:100]
    if not text:
        return None
    if "@" in text:
        return email_q(text)
    if _DIGITS_ONLY.match(text):
        digits = _NOT_DIGIT.sub("", text)
        if not digits:
            return None
        q = document_q(digits)
        if len(digits) >= MIN_PHONE_DIGITS:
            q |= phone_q(digits)
        return q
    words = name_words(text)
    single = " " not in text
    q = name_q(text) or Q(pk__in=[])
    if single and any(ch.isdigit() for ch in text):
        q |= document_q(text)
    if single and len(words) >= 1:
        q |= email_q(text)
    return q

