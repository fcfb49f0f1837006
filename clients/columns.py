"""The columns of the clients tray (Cuentas por cobrar → Clientes).

Contract used by the tray, the download job and saved views:

- `COLUMNS`: the built-in columns, an ordered dict `key → Column`, in the
  order the tray shows them.
- `Column(key, label, path, kind, sortable, default, …)`:
  - `key`: stable identifier, stored in `TrayPreference.columns`,
    `SavedView.columns` and the `orden` URL parameter. Custom variables use
    `var_<variable key>`.
  - `label`: the header, as the seeds write it (lazy translation).
  - `path`: an ORM lookup path usable in `.values()` on a client queryset
    (`"name"`, `"segment__name"`, `"adviser__code"`, `"extra__<key>"`…).
    `extra_paths` lists further paths the column needs to be displayed
    (the document type, the adviser's name…); `paths` is both together.
  - `kind`: one of `text`, `choice`, `number`, `date`, `datetime`, `money`.
  - `sortable` / `default` (visible when the member has not chosen).
  - `choices`: `(value, label)` pairs of a `choice` column.
  - `text(row)`: the plain-text value of the column for one `.values(*paths)`
    row, as the screen shows it (a spreadsheet writer may prefer the raw
    `row[column.path]` for numbers and dates).
  - `sort_keys`: how the tray orders by the column (expressions that are never
    NULL, so keyset pagination can compare them; `id` is always appended).
- `columns_for_project(project) -> list[Column]`: built-ins + one column per
  custom variable of the project (`clients.models.CustomVariable`, value in
  `Client.extra[key]`: text as a string, numbers as JSON numbers, dates as
  ISO "aaaa-mm-dd", see clients/validation.py).
- `visible_columns(member) -> list[Column]`: the member's persisted choice
  (`TrayPreference`, tray "clients") or the defaults; unknown keys (a deleted
  variable) are dropped and "Nombre" is always present.
- `columns_for_params(member, params) -> list[Column]`: what a tray URL shows:
  the columns of the saved view named by `vista` when the member may use it,
  otherwise `visible_columns(member)`.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    F,
    IntegerField,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Concat, NullIf, Trim
from django.utils import formats, numberformat, timezone
from django.utils.translation import gettext_lazy as _

from .choices import (
    ClaimCategory,
    ClientStatus,
    ContactAlert,
    Contactability,
    PortfolioType,
    Situation,
    VariableType,
)

TRAY = "clients"

TEXT = "text"
CHOICE = "choice"
NUMBER = "number"
DATE = "date"
DATETIME = "datetime"
MONEY = "money"

# Sort-key value types, used to read a keyset cursor back from the URL.
STR, INT, DEC, DT = "str", "int", "dec", "dt"

NUMBER_RE = r"^-?[0-9]+(\.[0-9]+)?$"
ISO_DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# A variable's number as the tray compares it: numeric(30, 10) holds 20 integer
# digits. A longer one (stored before the form limited them, or by an import)
# reads as "not a number" instead of aborting the query for everyone.
NUMBER_DIGITS = 20
VARIABLE_NUMBER_RE = rf"^-?[0-9]{{1,{NUMBER_DIGITS}}}(\.[0-9]+)?$"


def format_number(value, decimals: int | None = None) -> str:
    """1.234,56 in Spanish, 1,234.56 in English.

    Django's "es" locale groups thousands with a non-breaking space; the
    product writes "12.345 clientes" and "1.234,56", so a comma decimal
    separator gets a dot for thousands.
    """
    decimal_sep = formats.get_format("DECIMAL_SEPARATOR")
    thousand_sep = "." if decimal_sep == "," else formats.get_format("THOUSAND_SEPARATOR")
    return numberformat.format(
        value, decimal_sep, decimal_pos=decimals, grouping=3, thousand_sep=thousand_sep,
        force_grouping=True,
    )


@dataclass(frozen=True)
class SortKey:
    """One ORDER BY term: a never-NULL expression and the type of its values."""

    expression: object
    type: str = STR


def _member_name(prefix: str):
    """The display name of a member (full name, else username), '' when unassigned."""
    full = Trim(
        Concat(
            F(f"{prefix}__user__first_name"),
            Value(" "),
            F(f"{prefix}__user__last_name"),
            output_field=CharField(),
        )
    )
    return Coalesce(NullIf(full, Value("")), F(f"{prefix}__user__username"), Value(""))


def _member_paths(prefix: str) -> tuple[str, ...]:
    return (
        f"{prefix}_id",
        f"{prefix}__user__first_name",
        f"{prefix}__user__last_name",
        f"{prefix}__user__username",
    )


def member_display(row: dict, prefix: str) -> str:
    first = row.get(f"{prefix}__user__first_name") or ""
    last = row.get(f"{prefix}__user__last_name") or ""
    full = f"{first} {last}"
    return full.strip() or row.get(f"{prefix}__user__username") or ""


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
    required: bool = False  # always visible (the row's link lives there)
    variable_type: str | None = None
    _labels: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        if self.choices and not self._labels:
            object.__setattr__(self, "_labels", {str(v): lbl for v, lbl in self.choices})

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path, *self.extra_paths)

    @property
    def is_variable(self) -> bool:
        return self.variable_type is not None

    def choice_label(self, value) -> str:
        if value is None or value == "":
            return ""
        return str(self._labels.get(str(value), value))

    def text(self, row: dict, *, tz=None) -> str:
        """The column's value in a `.values(*paths)` row, as plain text.

        Date-times are shown in `tz` (the project's timezone) when given.
        """
        value = row.get(self.path)
        if self.key == "document":
            return f"{row.get('document_type') or ''} {value or ''}".strip()
        if self.key == "status":
            if row.get("deleted_at"):
                return str(_("Eliminado"))
            return self.choice_label(value)
        if self.key in ("adviser", "supervisor"):
            return member_display(row, self.key)
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


def _choices(enum) -> tuple:
    return tuple(enum.choices)


def _builtins() -> dict[str, Column]:
    columns = [
        Column("name", _("Nombre"), "name", TEXT, default=True, required=True,
               sort_keys=(SortKey(F("name")),)),
        Column("document", _("Documento"), "document_number", TEXT, default=True,
               extra_paths=("document_type",),
               sort_keys=(SortKey(F("document_type")), SortKey(F("document_number")))),
        Column("email", _("Correo electrónico"), "email", TEXT, default=True,
               sort_keys=(SortKey(F("email")),)),
        Column("phone", _("Teléfono"), "phone", TEXT, default=True,
               sort_keys=(SortKey(F("phone")),)),
        Column("segment", _("Segmento"), "segment__name", TEXT, default=True,
               sort_keys=(SortKey(Coalesce(F("segment__name"), Value(""))),)),
        Column("status", _("Estado"), "status", CHOICE, default=True,
               choices=_choices(ClientStatus), extra_paths=("deleted_at",),
               sort_keys=(SortKey(F("status")),)),
        Column("situation", _("Situación"), "situation", CHOICE, default=True,
               choices=_choices(Situation), sort_keys=(SortKey(F("situation"), INT),)),
        Column("portfolio_type", _("Tipo de cartera"), "portfolio_type", CHOICE,
               choices=_choices(PortfolioType), sort_keys=(SortKey(F("portfolio_type")),)),
        Column("adviser", _("Asesor asignado"), "adviser__code", TEXT, default=True,
               extra_paths=_member_paths("adviser"),
               sort_keys=(SortKey(_member_name("adviser")),)),
        Column("supervisor", _("Supervisor asignado"), "supervisor__code", TEXT,
               extra_paths=_member_paths("supervisor"),
               sort_keys=(SortKey(_member_name("supervisor")),)),
        Column("contactability", _("Contactabilidad"), "contactability", CHOICE,
               choices=_choices(Contactability), sort_keys=(SortKey(F("contactability")),)),
        Column("contact_alert", _("Alertas de contacto"), "contact_alert", CHOICE,
               choices=_choices(ContactAlert), sort_keys=(SortKey(F("contact_alert")),)),
        Column("claim_category", _("Reclamos"), "claim_category", CHOICE,
               choices=_choices(ClaimCategory), sort_keys=(SortKey(F("claim_category")),)),
        Column("balance", _("Saldo"), "balance", MONEY, default=True,
               sort_keys=(SortKey(F("balance"), DEC),)),
        Column("city", _("Ciudad"), "city", TEXT, sort_keys=(SortKey(F("city")),)),
        Column("created_at", _("Creado"), "created_at", DATETIME,
               sort_keys=(SortKey(F("created_at"), DT),)),
    ]
    return {c.key: c for c in columns}


COLUMNS: dict[str, Column] = _builtins()

VARIABLE_PREFIX = "var_"

_VARIABLE_KINDS = {
    VariableType.TEXT: TEXT,
    VariableType.NUMBER: NUMBER,
    VariableType.DATE: DATE,
    VariableType.CHOICE: CHOICE,
}


def variable_number(key: str):
    """The variable as numeric, NULL when missing or not a number (never a cast error)."""
    number = DecimalField(max_digits=NUMBER_DIGITS + 10, decimal_places=10)
    return Case(
        When(Q(**{f"extra__{key}__regex": VARIABLE_NUMBER_RE}),
             then=Cast(KT(f"extra__{key}"), number)),
        default=None,
        output_field=number,
    )


def variable_iso_date(key: str):
    """The variable's ISO date text, NULL when missing or not an ISO date."""
    return Case(
        When(Q(**{f"extra__{key}__regex": ISO_DATE_RE}), then=KT(f"extra__{key}")),
        default=None,
        output_field=CharField(),
    )


def _variable_sort_keys(variable) -> tuple[SortKey, ...]:
    key = variable.key
    if variable.type == VariableType.NUMBER:
        number = variable_number(key)
        # Missing values last when ascending: a 0/1 flag first, then the number.
        missing = Case(When(Q(**{f"extra__{key}__regex": VARIABLE_NUMBER_RE}), then=Value(0)),
                       default=Value(1), output_field=IntegerField())
        return (SortKey(missing, INT), SortKey(Coalesce(number, Value(Decimal(0))), DEC))
    if variable.type == VariableType.DATE:
        return (SortKey(Coalesce(variable_iso_date(key), Value(""))),)
    # KT() is text, a bare Value("") a varchar: Coalesce needs them to agree.
    return (SortKey(Coalesce(KT(f"extra__{key}"), Value(""), output_field=TextField())),)


def variable_column(variable) -> Column:
    choices = ()
    if variable.type == VariableType.CHOICE:
        choices = tuple((str(c), str(c)) for c in (variable.choices or []))
    return Column(
        key=f"{VARIABLE_PREFIX}{variable.key}",
        label=variable.label,
        path=f"extra__{variable.key}",
        kind=_VARIABLE_KINDS.get(variable.type, TEXT),
        choices=choices,
        sort_keys=_variable_sort_keys(variable),
        variable_type=variable.type,
    )


def project_variables(project):
    from .models import CustomVariable

    return list(CustomVariable.objects.filter(project=project).order_by("position", "label", "id"))


def columns_for_project(project, *, variables=None) -> list[Column]:
    """Built-ins, then one column per custom variable (in the variables' order)."""
    if variables is None:
        variables = project_variables(project)
    return [*COLUMNS.values(), *(variable_column(v) for v in variables)]


def default_column_keys(columns: list[Column]) -> list[str]:
    return [c.key for c in columns if c.default]


def resolve_columns(keys, columns: list[Column]) -> list[Column]:
    """The columns named by `keys`, in the tray's order; "Nombre" always first."""
    wanted = set(keys or ())
    chosen = [c for c in columns if c.key in wanted or c.required]
    return chosen


def visible_columns(member, *, columns: list[Column] | None = None) -> list[Column]:
    """The member's persisted choice for the clients tray, or the defaults."""
    from .models import TrayPreference

    if columns is None:
        columns = columns_for_project(member.project)
    pref = (
        TrayPreference.objects.filter(project_id=member.project_id, member=member, tray=TRAY)
        .values_list("columns", flat=True)
        .first()
    )
    known = {c.key for c in columns}
    keys = [k for k in (pref or []) if k in known]
    if not keys:
        keys = default_column_keys(columns)
    return resolve_columns(keys, columns)


def columns_for_params(member, params, *, columns: list[Column] | None = None) -> list[Column]:
    """The columns a tray URL shows: its saved view's (`vista`), else the member's."""
    from .selectors import get_saved_view_for_member

    if columns is None:
        columns = columns_for_project(member.project)
    view_id = params.get("vista") if params is not None else None
    if view_id:
        view = get_saved_view_for_member(member, view_id, tray=TRAY, missing_ok=True)
        if view is not None and view.columns:
            known = {c.key for c in columns}
            keys = [k for k in view.columns if k in known]
            if keys:
                return resolve_columns(keys, columns)
    return visible_columns(member, columns=columns)
