"""A list's columns, and the ones a member sees.

- `Column(key, label, path, kind, …)`:
  - `key`: stable identifier, stored in `TrayPreference.columns`,
    `SavedView.columns` and the `orden` URL parameter.
  - `label`: the header, as the seeds write it (lazy translation).
  - `path`: an ORM lookup path usable in `.values()` on the list's queryset;
    `extra_paths` further paths the column needs to be displayed; `paths`
    is both together.
  - `kind`: one of TEXT, CHOICE, NUMBER, DATE, DATETIME, MONEY (exports and
    cells format by kind).
  - `sortable` / `default` (visible when the member has not chosen) /
    `required` (always visible: the row's link lives there).
  - `choices`: `(value, label)` pairs of a CHOICE column.
  - `sort_keys`: how the list orders by the column (never-NULL expressions,
    so keyset pagination can compare them; `id` is always appended).
  - `display(row) -> str`: the column's own text, when its kind's is not
    enough (a document with its type, a member's name).
- `visible_columns(member, tray, columns)`: the member's persisted choice or
  the defaults; unknown keys (a deleted variable) are dropped and required
  columns are always present.
- `columns_for_params(member, tray, params, columns)`: what a list URL shows:
  the columns of the saved view named by `vista` when the member may use it,
  otherwise `visible_columns`.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from html import escape as _escape
from typing import Callable

from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from moonflow.numbers import format_number

from .keyset import SortKey
from .models import TrayPreference
from .params import VIEW_PARAM
from .selectors import get_saved_view_for_member

TEXT = "text"
CHOICE = "choice"
NUMBER = "number"
DATE = "date"
DATETIME = "datetime"
MONEY = "money"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    path: str
    kind: str
    sortable: bool = True
    default: bool = False
    choices: tuple = ()
    extra_paths: tuple[str, ...] = ()
    sort_keys: tuple[SortKey, ...] = ()
    required: bool = False
    display: Callable[[dict], str] | None = field(default=None, compare=False, repr=False)
    _labels: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        if self.choices and not self._labels:
            object.__setattr__(self, "_labels", {str(v): lbl for v, lbl in self.choices})

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path, *self.extra_paths)

    @property
    def numeric(self) -> bool:
        return self.kind in (NUMBER, MONEY)

    def choice_label(self, value) -> str:
        if value is None or value == "":
            return ""
        return str(self._labels.get(str(value), value))

    def text(self, row: dict, *, tz=None) -> str:
        """The column's value in a `.values(*paths)` row, as plain text.

        Date-times are shown in `tz` (the project's timezone) when given.
        """
        if self.display is not None:
            return self.display(row)
        value = row.get(self.path)
        if value is None or value == "":
            return ""
        if self.kind == CHOICE:
            return self.choice_label(value)
        if self.kind == MONEY:
            return format_number(value, 2)
        if self.kind == NUMBER:
            if isinstance(value, bool):
                return str(value)
            if isinstance(value, (int, float, Decimal)):
                return format_number(value)
            return str(value)
        if self.kind == DATETIME and isinstance(value, datetime):
            return formats.date_format(timezone.localtime(value, tz), "d/m/Y H:i")
        if self.kind == DATE:
            if isinstance(value, date):
                return formats.date_format(value, "d/m/Y")
            if isinstance(value, str) and len(value) == 10 and value[4] == "-":
                return f"{value[8:10]}/{value[5:7]}/{value[0:4]}"
        return str(value)


def html_text(value) -> str:
    """`value` escaped for HTML text or a quoted attribute, as `conditional_escape` escapes it.

    For markup written in Python once per cell (rows, filter options): the same
    text as Django's `escape`, without its lazy-argument wrapper and SafeString
    per call. Text that is already HTML (`__html__`) is kept as it is.
    """
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape(str(value))


def default_column_keys(columns: list[Column]) -> list[str]:
    return [c.key for c in columns if c.default]


def resolve_columns(keys, columns: list[Column]) -> list[Column]:
    """The columns named by `keys`, in the list's order; required ones always."""
    wanted = set(keys or ())
    return [c for c in columns if c.key in wanted or c.required]


def visible_columns(member, tray: str, columns: list[Column]) -> list[Column]:
    """The member's persisted choice for the list, or the defaults."""
    pref = (
        TrayPreference.objects.filter(project_id=member.project_id, member=member, tray=tray)
        .values_list("columns", flat=True)
        .first()
    )
    known = {c.key for c in columns}
    keys = [k for k in (pref or []) if k in known]
    if not keys:
        keys = default_column_keys(columns)
    return resolve_columns(keys, columns)


def columns_for_params(member, tray: str, params, columns: list[Column]) -> list[Column]:
    """The columns a list URL shows: its saved view's (`vista`), else the member's."""
    view_id = params.get(VIEW_PARAM) if params is not None else None
    if view_id:
        view = get_saved_view_for_member(member, view_id, tray=tray, missing_ok=True)
        if view is not None and view.columns:
            keys = [k for k in view.columns if k in {c.key for c in columns}]
            if keys:
                return resolve_columns(keys, columns)
    return visible_columns(member, tray, columns)


def always_shown_note(columns) -> str:
    """The column picker's note naming the columns that cannot be hidden (the required
    ones, whatever the list, and Acciones)."""
    names = ", ".join(_("«%(column)s»") % {"column": column.label}
                      for column in columns if column.required)
    if not names:
        return _("«Acciones» siempre se muestra.")
    return _("%(columns)s y «Acciones» siempre se muestran.") % {"columns": names}
