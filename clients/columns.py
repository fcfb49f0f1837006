"""The columns of the clients tray (Cuentas por cobrar → Clientes).

Columns are the list kernel's (`moonflow.lists.columns.Column`: key, label,
path, kind, sort keys…). This module knows the clients': the built-ins
(`COLUMNS`, in the order the tray shows them) and one column per custom
variable of the project (`var_<key>`, value in `Client.extra[key]`: text as a
string, numbers as JSON numbers, dates as ISO "aaaa-mm-dd", see
clients/validation.py). `columns_for_project(project)` is both.
"""

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
from django.utils.translation import gettext_lazy as _

from moonflow.lists.columns import (
    CHOICE,
    DATE,
    DATETIME,
    MONEY,
    NUMBER,
    TEXT,
    Column,
    columns_for_params as list_columns_for_params,
    visible_columns as list_visible_columns,
)
from moonflow.lists.exports import ISO_DATE_RE
from moonflow.lists.keyset import DEC, DT, INT, STR, SortGroups, SortKey

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

# A variable's number as the tray compares it: numeric(30, 10) holds 20 integer
# digits. A longer one (stored before the form limited them, or by an import)
# reads as "not a number" instead of aborting the query for everyone.
NUMBER_DIGITS = 20
VARIABLE_NUMBER_RE = rf"^-?[0-9]{{1,{NUMBER_DIGITS}}}(\.[0-9]+)?$"
VARIABLE_PREFIX = "var_"


def _display_name(user: str, unnamed=Value("")):
    """The display name of the user at path `user` (full name, else username); `unnamed`
    when there is no user (NULL with `unnamed=None`)."""
    full = Trim(
        Concat(
            F(f"{user}__first_name"),
            Value(" "),
            F(f"{user}__last_name"),
            output_field=CharField(),
        )
    )
    fallbacks = [F(f"{user}__username")] + ([unnamed] if unnamed is not None else [])
    return Coalesce(NullIf(full, Value("")), *fallbacks)


def member_name(prefix: str, unassigned=Value("")):
    """The display name of a client's member at `prefix` ("adviser", "supervisor");
    `unassigned` when there is none (NULL with `unassigned=None`)."""
    return _display_name(f"{prefix}__user", unassigned)


# --- Sorts ------------------------------------------------------------------------------------
#
# Every built-in sort has an index in its order (clients.models.Client.Meta.indexes), so a
# page is an index range whatever the filters; ties are broken by name, then id:
# - a choice column sorts (column, name, id) and segment, adviser and supervisor by the
#   related row's name, then name, id: the kernel reads them group by group
#   (moonflow.lists.keyset.SortGroups), each group from the (project, column, name, id)
#   index, so a search can start every group where its first match by name is;
# - a custom variable has no index (`indexed=False`): its sort reads every filtered row.


def _segments(member):
    from .models import Segment

    return (Segment.objects.filter(project_id=member.project_id).order_by()
            .values_list("id", "name"))


def _members(member):
    from moonflow.tenancy.models import Member

    return (Member.objects.filter(project_id=member.project_id).order_by()
            .annotate(_display=_display_name("user")).values_list("id", "_display"))


_NAME = SortKey(F("name"))


def _by_choice(field: str, kind: str = STR, choices=()) -> tuple[SortKey, ...]:
    values = [(value, value) for value, _label in choices]
    return (SortKey(F(field), kind, groups=SortGroups(field, lambda member: values, None)),
            _NAME)


def _by_member(prefix: str) -> tuple[SortKey, ...]:
    return (SortKey(member_name(prefix), groups=SortGroups(f"{prefix}_id", _members)), _NAME)


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


def _choices(enum) -> tuple:
    return tuple(enum.choices)


def _document_text(row: dict) -> str:
    return f"{row.get('document_type') or ''} {row.get('document_number') or ''}".strip()


_STATUS_LABELS = dict(ClientStatus.choices)


def _status_text(row: dict) -> str:
    if row.get("deleted_at"):
        return str(_("Eliminado"))
    status = row.get("status")
    return str(_STATUS_LABELS.get(status, status or ""))


def _builtins() -> dict[str, Column]:
    columns = [
        Column("name", _("Nombre"), "name", TEXT, default=True, required=True,
               sort_keys=(_NAME,)),
        Column("document", _("Documento"), "document_number", TEXT, default=True,
               extra_paths=("document_type",), display=_document_text,
               sort_keys=(SortKey(F("document_type")), SortKey(F("document_number")))),
        Column("email", _("Correo electrónico"), "email", TEXT, default=True,
               sort_keys=(SortKey(F("email")),)),
        Column("phone", _("Teléfono"), "phone", TEXT, default=True,
               sort_keys=(SortKey(F("phone")),)),
        Column("segment", _("Segmento"), "segment__name", TEXT, default=True,
               sort_keys=(SortKey(Coalesce(F("segment__name"), Value("")),
                                  groups=SortGroups("segment_id", _segments)), _NAME)),
        Column("status", _("Estado"), "status", CHOICE, default=True,
               choices=_choices(ClientStatus), extra_paths=("deleted_at",),
               sort_keys=_by_choice("status", choices=ClientStatus.choices),
               display=_status_text),
        Column("situation", _("Situación"), "situation", CHOICE, default=True,
               choices=_choices(Situation),
               sort_keys=_by_choice("situation", INT, Situation.choices)),
        Column("portfolio_type", _("Tipo de cartera"), "portfolio_type", CHOICE,
               choices=_choices(PortfolioType),
               sort_keys=_by_choice("portfolio_type", choices=PortfolioType.choices)),
        Column("adviser", _("Asesor asignado"), "adviser__code", TEXT, default=True,
               extra_paths=_member_paths("adviser"),
               sort_keys=_by_member("adviser"),
               display=lambda row: member_display(row, "adviser")),
        Column("supervisor", _("Supervisor asignado"), "supervisor__code", TEXT,
               extra_paths=_member_paths("supervisor"),
               sort_keys=_by_member("supervisor"),
               display=lambda row: member_display(row, "supervisor")),
        Column("contactability", _("Contactabilidad"), "contactability", CHOICE,
               choices=_choices(Contactability),
               sort_keys=_by_choice("contactability", choices=Contactability.choices)),
        Column("contact_alert", _("Alertas de contacto"), "contact_alert", CHOICE,
               choices=_choices(ContactAlert),
               sort_keys=_by_choice("contact_alert", choices=ContactAlert.choices)),
        Column("claim_category", _("Reclamos"), "claim_category", CHOICE,
               choices=_choices(ClaimCategory),
               sort_keys=_by_choice("claim_category", choices=ClaimCategory.choices)),
        Column("balance", _("Saldo"), "balance", MONEY, default=True,
               sort_keys=(SortKey(F("balance"), DEC),)),
        Column("city", _("Ciudad"), "city", TEXT, sort_keys=(SortKey(F("city")),)),
        Column("created_at", _("Creado"), "created_at", DATETIME,
               sort_keys=(SortKey(F("created_at"), DT),)),
    ]
    return {c.key: c for c in columns}


COLUMNS: dict[str, Column] = _builtins()

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
        return (SortKey(missing, INT, indexed=False),
                SortKey(Coalesce(number, Value(Decimal(0))), DEC, indexed=False))
    if variable.type == VariableType.DATE:
        return (SortKey(Coalesce(variable_iso_date(key), Value("")), indexed=False),)
    # KT() is text, a bare Value("") a varchar: Coalesce needs them to agree.
    return (SortKey(Coalesce(KT(f"extra__{key}"), Value(""), output_field=TextField()),
                    indexed=False),)


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
    )


def is_variable(column: Column) -> bool:
    return column.key.startswith(VARIABLE_PREFIX)


def project_variables(project):
    from .models import CustomVariable

    return list(CustomVariable.objects.filter(project=project).order_by("position", "label", "id"))


def columns_for_project(project, *, variables=None) -> list[Column]:
    """Built-ins, then one column per custom variable (in the variables' order)."""
    if variables is None:
        variables = project_variables(project)
    return [*COLUMNS.values(), *(variable_column(v) for v in variables)]


def visible_columns(member, *, columns: list[Column] | None = None) -> list[Column]:
    """The member's persisted choice for the clients tray, or the defaults."""
    if columns is None:
        columns = columns_for_project(member.project)
    return list_visible_columns(member, TRAY, columns)


def columns_for_params(member, params, *, columns: list[Column] | None = None) -> list[Column]:
    """The columns a tray URL shows: its saved view's (`vista`), else the member's."""
    if columns is None:
        columns = columns_for_project(member.project)
    return list_columns_for_params(member, TRAY, params, columns)
