"""One row of a communications file, cleaned: the client's document, the interaction's values,
and its natural key.

Decisions:
- Choices (canal, estado, tipo, tipo de flujo, tipo de destinatario, resultado de pago) are
  read by their code or their label, in any case and either language, with the index the
  client fields use (`clients.validation.fields`).
- A send date is a date or a date and time: dd/mm/aaaa [hh:mm[:ss]], aaaa-mm-dd [hh:mm[:ss]],
  ISO 8601 (an explicit offset or "Z" is kept), or a real date cell. Without an offset it
  is a wall-clock time in the project's timezone; a date alone is its midnight there.
- Recipients: split on "," ";" "|" or line breaks; a phone loses what people type around its
  digits ("+57 300 123 4567" → "+573001234567"), an email is lower-cased, repeats go; stored
  joined by ", " in the file's order.
- A promise of payment needs its amount and its date; an amount or a date without a promise
  is refused rather than dropped.
- A cell's cleaning depends only on its text and the run (the project's rules and timezone):
  each distinct text of a column is cleaned once per file and its answer, value or error,
  reused (`CellMemo`); a file repeats its clients, channels, states, templates and campaigns
  on row after row.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone as dt_timezone
from decimal import Decimal
from functools import cached_property, lru_cache

from django.utils.translation import gettext as _

from clients.validation import FieldError, ProjectRules, clean_adviser_code, clean_money
from clients.validation import clean_document_number, clean_document_type
from clients.validation.fields import _choice_index, _fail, _text
from moonflow.imports.engine import CellError, CleanRow
from moonflow.imports.values import InvalidValue, parse_date

from ..models import (
    CampaignKind,
    Channel,
    Direction,
    InteractionStatus,
    Outcome,
    RecipientKind,
)
from .fields import LABELS

KEY_VERSION = "v1"  # part of every natural key: a new definition never meets an old key

TEXT_LIMITS = {"campaign": 120, "template": 120, "recipients": 500, "error_message": 500}

_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?$")
_OFFSET = re.compile(r"^(?:Z|([+-])(\d{2}):?(\d{2}))$")
_DATE_TIME = re.compile(r"^(\S+?)(?:[T ]+(\S+?)\s*(Z|[+-]\d{2}:?\d{2})?)?$")
# The usual shapes ("15/03/2026 10:30", "2026-03-15"), split as _DATE_TIME splits them, faster.
_PLAIN_DATE_TIME = re.compile(r"([\d/.\-]+)(?: ([\d:]+))?")
_DAY_SHAPE = re.compile(r"^\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}$")
_RECIPIENT_SPLIT = re.compile(r"[,;|\n\r]+")
_PHONE = re.compile(r"^\+?[\d\s.\-()/]+$")
_PHONE_NOISE = re.compile(r"[\s.\-()/]")
_SPACES = re.compile(r"\s+")
YEARS = (1900, 2100)
# The values the natural key needs: a row missing one has no key.
_KEY_PARTS = frozenset(("document_type", "document_number", "channel", "scheduled_at",
                        "recipients", "direction"))


class CellMemo:
    """Each field's cleaned cells by their text: (value, None) or (None, CellError).

    Bounded: a field holds LIMIT texts at most; past that, each new text takes the place of
    the one learnt last, so the first LIMIT keep helping (a book larger than LIMIT whose
    clients come back in turn) and so does a text repeated on consecutive rows."""

    LIMIT = 50_000

    def __init__(self):
        self._fields: dict[str, dict] = {}

    def of(self, key: str) -> dict:
        """The field's remembered answers by text (read them directly: a row reads a dozen)."""
        return self._fields.setdefault(key, {})

    def learn(self, cells: dict, text, clean) -> tuple:
        """clean(text), remembered in the field's `cells` (a text not hashable is not)."""
        answer = clean(text)
        try:
            if len(cells) >= self.LIMIT:
                cells.popitem()
            cells[text] = answer
        except TypeError:
            pass
        return answer

    def forget(self) -> None:
        for cells in self._fields.values():
            cells.clear()


@dataclass
class Context:
    rules: ProjectRules
    tz: object  # the project's ZoneInfo: dates without an offset are read in it
    scope_adviser_id: int | None
    members: dict  # id → Member
    memo: CellMemo = field(default_factory=CellMemo)

    @cached_property
    def cleaners(self) -> tuple:
        """(field key, file column, clean, remembered answers) of each single-cell field, in
        the order a row's errors are listed."""
        return tuple((key, column, clean, self.memo.of(key))
                     for key, column, clean in _cell_cleaners(self))


def label(key: str) -> str:
    return str(LABELS.get(key, key))


def _missing(key: str) -> FieldError:
    return FieldError(key, "", _("%(label)s: este campo es obligatorio.") % {
        "label": label(key)}, label=label(key))


def clean_choice(key: str, value, choices_enum, *, default=None):
    """A choice by its code or label, any case; blank gives `default` (None: required)."""
    text = _text(value)
    if not text:
        if default is None:
            raise _missing(key)
        return default
    code = _choice_index(choices_enum).get(text.casefold())
    if code is not None:
        return code
    options = ", ".join(str(name) for code, name in choices_enum.choices if code)
    _fail(key, text, _("no es una opción válida. Use una de: %(options)s.") % {
        "options": options}, label=label(key))


def clean_text(key: str, value) -> str:
    text = _SPACES.sub(" ", _text(value))
    limit = TEXT_LIMITS[key]
    if len(text) > limit:
        _fail(key, text, _("admite hasta %(limit)s caracteres.") % {"limit": limit},
              label=label(key))
    return text


def clean_moment(key: str, value, tz, *, required: bool) -> datetime | None:
    """A date or date-time as a file writes it, as an aware datetime (see the module)."""
    text = _text(value)
    if not text:
        if required:
            raise _missing(key)
        return None
    day_text, time_text, offset_text = _moment_parts(key, text)
    try:
        day = _calendar_day(day_text)
    except InvalidValue as error:
        _fail(key, text, error.reason, label=label(key))
    if day is None:
        _bad_moment(key, text)
    hour = minute = second = 0
    if time_text is not None:
        time_match = _TIME.match(time_text)
        if time_match is None:
            _bad_moment(key, text)
        hour, minute = int(time_match[1]), int(time_match[2])
        second = int(time_match[3] or 0)
        if hour > 23 or minute > 59 or second > 59:
            _fail(key, text, _("la hora %(time)s no existe: use hh:mm de 00:00 a 23:59.") % {
                "time": time_text}, label=label(key))
    if not YEARS[0] <= day.year <= YEARS[1]:
        _fail(key, text, _("el año %(year)s está fuera de rango (%(low)s a %(high)s).") % {
            "year": day.year, "low": YEARS[0], "high": YEARS[1]}, label=label(key))
    if offset_text is not None:
        tz = _offset_zone(key, text, offset_text)
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=tz)


def _moment_parts(key: str, text: str) -> tuple:
    """(day, time or None, offset or None) of a date as a file writes it."""
    plain = _PLAIN_DATE_TIME.fullmatch(text)
    if plain is not None:
        return plain[1], plain[2], None
    match = _DATE_TIME.match(text)
    if match is None:
        _bad_moment(key, text)
    return match.groups()


def _offset_zone(key: str, text: str, offset_text: str):
    """The fixed zone an explicit offset ("Z", "-03:00") names."""
    offset = _OFFSET.match(offset_text)
    if offset is None or offset_text == "Z":
        return dt_timezone.utc
    sign = -1 if offset[1] == "-" else 1
    delta = timedelta(hours=int(offset[2]), minutes=int(offset[3]))
    if delta >= timedelta(hours=24):
        _bad_moment(key, text)
    return dt_timezone(sign * delta)


@lru_cache(maxsize=4096)
def _calendar_day(text: str) -> date | None:
    """parse_date(text) for a day's shape, None for another shape (a file's dates share few
    days: each is parsed once; its InvalidValue is raised each time, in the active language)."""
    if not _DAY_SHAPE.match(text):
        return None
    return parse_date(text)


def _bad_moment(key: str, text: str):
    _fail(key, text, _("no es una fecha válida: use dd/mm/aaaa o dd/mm/aaaa hh:mm "
                       "(31/12/2025 14:30), o aaaa-mm-dd hh:mm."), label=label(key))


def clean_recipients(value) -> str:
    """The addresses or numbers used, normalised (see the module), joined by ", "."""
    text = _text(value)
    if not text:
        raise _missing("recipients")
    seen = []
    for part in _RECIPIENT_SPLIT.split(text):
        part = _SPACES.sub(" ", part).strip()
        if not part:
            continue
        if "@" in part:
            part = part.replace(" ", "").lower()
        elif _PHONE.match(part):
            digits = _PHONE_NOISE.sub("", part)
            if 7 <= len(digits.lstrip("+")) <= 15 and "+" not in digits[1:]:
                part = digits
        if part not in seen:
            seen.append(part)
    if not seen:
        raise _missing("recipients")
    return clean_text("recipients", ", ".join(seen))


def _utc_text(moment: datetime | None) -> str | None:
    """"2026-03-15T15:30:00Z": the instant in UTC, to the second (isoformat's first 19
    characters: the years read are four-digit ones)."""
    if moment is None:
        return None
    return moment.astimezone(dt_timezone.utc).isoformat()[:19] + "Z"


def natural_key(values: dict) -> str:
    """An uploaded interaction's identity, the same in any file: sha256 (hex) of its client's
    document (type and number), channel, send date to the second (UTC), recipients (each
    normalised, in any order), template and campaign (without case or repeated spaces) and
    direction. Status, dates sent, adviser and outcome are not part of it: the same message
    read later is the same record, not another one."""
    parts = [
        KEY_VERSION, values["document_type"], values["document_number"], values["channel"],
        values["scheduled_at"], _key_recipients(values["recipients"]),
        _key_text(values.get("template", "")), _key_text(values.get("campaign", "")),
        values.get("direction", Direction.OUTBOUND),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@lru_cache(maxsize=65536)
def _key_recipients(recipients: str) -> str:
    """The recipients as the key has them: each folded, sorted, joined by ","."""
    return ",".join(sorted(r.casefold() for r in recipients.split(", ") if r))


@lru_cache(maxsize=4096)
def _key_text(text: str) -> str:
    """A template's or campaign's name as the key has it: folded, single-spaced."""
    return _SPACES.sub(" ", text).strip().casefold()


def clean_interaction(raw: dict, context: Context) -> CleanRow:
    """A file row (field key → text) → the interaction's values, every error of the row
    collected; the key is the natural key (None when a part of it could not be read)."""
    errors: list[CellError] = []
    values: dict = {}
    memo = context.memo

    cells = memo.of("document")
    texts = (raw.get("document_type", ""), raw.get("document_number", ""))
    try:
        document, error = cells[texts]
    except (KeyError, TypeError):
        document, error = memo.learn(cells, texts, _clean_document)
    if error is not None:
        errors.append(replace(error))
    else:
        values["document_type"], values["document_number"] = document

    for key, column, clean, cells in context.cleaners:
        text = raw.get(column, "")
        try:
            value, error = cells[text]
        except (KeyError, TypeError):
            value, error = memo.learn(cells, text, clean)
        if error is not None:
            errors.append(replace(error))
        elif value is not None:  # a value left out is NULL to whoever reads the values
            values[key] = value
    _clean_promise(raw, context, values, errors)

    if values.get("campaign_kind") and not values.get("campaign") and "campaign" not in {
            e.field for e in errors}:
        errors.append(CellError("campaign", "", _(
            "%(label)s: falta el nombre (%(kind_label)s dice «%(kind)s»).") % {
            "label": label("campaign"), "kind": CampaignKind(values["campaign_kind"]).label,
            "kind_label": label("campaign_kind")}))

    key = natural_key(values) if values.keys() >= _KEY_PARTS else None
    if key is not None:
        values["client_key"] = f"{values['document_type']} {values['document_number']}"
    return CleanRow(key=key, values=values, errors=errors)


def _clean_document(texts: tuple) -> tuple:
    """The client's document (type, number) as the client screens clean it, the number read
    for its type: ((type, number), None), or (None, the CellError of the first that fails)."""
    document_type, document_number = texts
    try:
        document_type = clean_document_type(document_type)
        return (document_type, clean_document_number(document_type, document_number)), None
    except FieldError as error:
        return None, CellError(error.field, error.value, error.text)


def _answer(clean):
    """clean(text) → (value, None), or (None, CellError) when it refused the text."""
    def answer(text):
        try:
            return clean(text), None
        except FieldError as error:
            return None, CellError(error.field, error.value, error.text)
    return answer


def _cell_cleaners(context: Context) -> tuple:
    """(field key, file column, text → answer) of each field read from one cell."""
    tz, rules = context.tz, context.rules
    cleaners = (
        ("direction", "direction", lambda v: clean_choice(
            "direction", v, Direction, default=Direction.OUTBOUND)),
        ("channel", "channel", lambda v: clean_choice("channel", v, Channel)),
        ("status", "status", lambda v: clean_choice("status", v, InteractionStatus)),
        ("scheduled_at", "scheduled_at", lambda v: _utc_text(
            clean_moment("scheduled_at", v, tz, required=True))),
        ("sent_at", "sent_at", lambda v: _utc_text(
            clean_moment("sent_at", v, tz, required=False))),
        ("campaign_kind", "campaign_kind", lambda v: clean_choice(
            "campaign_kind", v, CampaignKind, default="")),
        ("campaign", "campaign", lambda v: clean_text("campaign", v)),
        ("template", "template", lambda v: clean_text("template", v)),
        ("recipient_kind", "recipient_kind", lambda v: clean_choice(
            "recipient_kind", v, RecipientKind, default=RecipientKind.CLIENT)),
        ("recipients", "recipients", clean_recipients),
        ("error_message", "error_message", lambda v: clean_text("error_message", v)),
        ("adviser_id", "adviser_code", lambda v: _member_id(clean_adviser_code(
            v, rules=rules))),
        ("outcome", "outcome", lambda v: clean_choice("outcome", v, Outcome, default="")),
    )
    return tuple((key, column, _answer(clean)) for key, column, clean in cleaners)


def _member_id(member):
    return member.pk if member is not None else None


def _clean_promise(raw: dict, context: Context, values: dict, errors: list) -> None:
    """A promise of payment's amount and date (with the outcome it needs)."""
    if "outcome" not in values:
        return  # the outcome's own error says why
    outcome = values["outcome"]
    amount_text, date_text = _text(raw.get("promise_amount")), _text(raw.get("promise_date"))
    if outcome != Outcome.PROMISE:
        for key, text in (("promise_amount", amount_text), ("promise_date", date_text)):
            if text:
                errors.append(CellError(key, text, _(
                    "%(label)s «%(value)s»: solo se registra con %(outcome)s «%(promise)s».") % {
                    "label": label(key), "value": text, "outcome": label("outcome"),
                    "promise": Outcome.PROMISE.label}))
        return
    if not amount_text:
        errors.append(CellError("promise_amount", "", _(
            "%(label)s: una promesa de pago necesita el monto prometido.") % {
            "label": label("promise_amount")}))
    else:
        try:
            amount = clean_money("promise_amount", amount_text, positive=True,
                                 rules=context.rules)
        except FieldError as error:
            errors.append(CellError("promise_amount", error.value, _relabel(error.text)))
        else:
            values["promise_amount"] = str(Decimal(amount))
    if not date_text:
        errors.append(CellError("promise_date", "", _(
            "%(label)s: una promesa de pago necesita la fecha prometida.") % {
            "label": label("promise_date")}))
    else:
        try:
            promised = parse_date(date_text)
        except InvalidValue as error:
            errors.append(CellError("promise_date", date_text, _(
                "%(label)s «%(value)s»: %(reason)s") % {
                "label": label("promise_date"), "value": date_text, "reason": error.reason}))
        else:
            values["promise_date"] = promised.isoformat()


def _relabel(text: str) -> str:
    """clean_money names the field by its code when it is not a client label."""
    return text.replace("promise_amount", label("promise_amount"), 1)
