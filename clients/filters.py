"""The clients tray's filters: a FilterSet over `client_base_queryset`, its choices and chips.

URL parameters (repeat a parameter to select several values, which are OR-ed;
different filters are AND-ed):

    estado          activo | inactivo | eliminado (the recycle bin)
    tipo_cartera    vigente | castigada
    supervisor      a member id | ninguno
    asesor          a member id | ninguno
    situacion       a Situation value (10 … 70)
    alerta          a ContactAlert value
    contactabilidad a Contactability value
    segmento        a segment id | ninguno
    reclamo         a ClaimCategory value
    var_<key>                       text variable: contains (case-insensitive)
    var_<key>                       choice variable: one of the options
    var_<key>_min / var_<key>_max   number variable: bounds (inclusive)
    var_<key>_desde / var_<key>_hasta  date variable: dd/mm/aaaa bounds (inclusive)

Choices respect visibility (decided here, used by the filter form, its
validation and the chips):

- "Asesor asignado": members who see the whole book are offered every active
  adviser; a restricted supervisor the advisers of their teams; a restricted
  adviser only themselves. A value outside the offered list is ignored, so no
  other adviser's name can reach a restricted adviser's page through a chip.
- "Supervisor asignado": the project's active supervisors (the organisation
  chart, not client data) for everyone.
- "Segmento" and custom variables' options: the project's lists (settings, not
  client data) for everyone.
"""

import re
from moonflow.text import shorten
from dataclasses import dataclass
from decimal import Decimal

import django_filters
from django.db.models import Q
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from moonflow.tenancy.models import Member, Role

from .choices import ClaimCategory, ClientStatus, ContactAlert, Contactability, PortfolioType
from .choices import Situation, VariableType
from .columns import (
    NUMBER_DIGITS,
    VARIABLE_PREFIX,
    format_number,
    variable_iso_date,
    variable_number,
)
from .models import Client, Segment
from .validation import picks_from_a_list
from .visibility import sees_whole_book

NONE = "ninguno"

STATUS_ACTIVE, STATUS_INACTIVE, STATUS_DELETED = "activo", "inactivo", "eliminado"
STATUS_CHOICES = [
    (STATUS_ACTIVE, _("Activo")),
    (STATUS_INACTIVE, _("Inactivo")),
    (STATUS_DELETED, _("Eliminado")),
]
PORTFOLIO_TYPE_CHOICES = [("vigente", _("Vigente")), ("castigada", _("Castigada"))]
_PORTFOLIO_TYPE_VALUES = {"vigente": PortfolioType.CURRENT, "castigada": PortfolioType.WRITTEN_OFF}

# Parameters of the tray that are not filters (order, page, size, saved view).
STATE_PARAMS = ("orden", "pagina", "por_pagina", "vista")
SEARCH_PARAM = "q"

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]


def wants_recycle_bin(data) -> bool:
    return STATUS_DELETED in data.getlist("estado")


# --- The tray's parameters, cleaned once ------------------------------------------------------

SEARCH_MAX = 100  # the search box's maxlength
VALUE_MAX = 200  # any other filter value (options, ids, numbers and dates are far shorter)

# PostgreSQL text holds no NUL; a lone surrogate cannot be encoded for it.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def as_query_dict(params) -> QueryDict:
    """A QueryDict from a QueryDict, a query string or a dict of values or lists."""
    if isinstance(params, QueryDict):
        return params
    if isinstance(params, str):
        return QueryDict(params.lstrip("?"))
    qd = QueryDict(mutable=True)
    for key, value in (params or {}).items():
        if isinstance(value, (list, tuple)):
            qd.setlist(key, [str(v) for v in value])
        elif value is not None:
            qd[key] = str(value)
    return qd


@dataclass
class TrayParams:
    data: QueryDict  # what the tray, its links, saved views and downloads read
    notices: list[str]  # what was changed, for the person to read


def clean_tray_params(params) -> TrayParams:
    """The tray's parameters (a URL, a saved view, a download's options) made safe to query.

    Every reader of the tray's parameters goes through here, so the screen,
    the saved view and the download job see the same values:

    1. Characters PostgreSQL cannot store (NUL, lone surrogates) are removed
       from names and values; a name left empty is dropped.
    2. The search is cut to the search box's length, any other value (but the
       page cursor, checked by `clients.tray.decode_cursor`) to VALUE_MAX.

    Each change adds one notice; the rest of the parameters apply as given.
    """
    data = as_query_dict(params)
    clean = QueryDict(mutable=True)
    unstorable = cut = False
    for key, values in data.lists():
        name = _UNSTORABLE.sub("", key)
        unstorable |= name != key
        if not name:
            continue
        kept = []
        for value in values:
            text = _UNSTORABLE.sub("", value)
            unstorable |= text != value
            limit = SEARCH_MAX if name == SEARCH_PARAM else VALUE_MAX
            if name != "pagina" and len(text) > limit:
                text, cut = text[:limit], True
            kept.append(text)
        clean.setlist(name, clean.getlist(name) + kept)
    notices = []
    if unstorable:
        notices.append(str(_(
            "Se quitaron caracteres no válidos (como NUL) de la búsqueda o los filtros de la "
            "dirección; se muestran los resultados sin ellos."
        )))
    if cut:
        notices.append(str(_(
            "La búsqueda admite hasta %(search)s caracteres y cada filtro hasta %(value)s: "
            "se usó el comienzo del texto."
        ) % {"search": SEARCH_MAX, "value": VALUE_MAX}))
    clean._mutable = False
    return TrayParams(clean, notices)


def filter_notices(filterset) -> list[str]:
    """One notice per filter whose value was ignored (the form drops it, the rest apply)."""
    if not filterset.is_bound or filterset.form.is_valid():
        return []
    return [
        str(_("Se ignoró el filtro «%(label)s»: su valor no es válido. Revíselo en Filtros.")
            % {"label": filterset.filters[name].label if name in filterset.filters else name})
        for name in filterset.form.errors
    ]


# --- Choices ---------------------------------------------------------------------------------


def _member_label(m: Member) -> str:
    return f"{m.display_name} · {m.code}" if m.code else m.display_name


def choice_members(member: Member) -> tuple[list[Member], list[Member]]:
    """(advisers the member may filter by and read, the project's supervisors): one query."""
    people = list(
        Member.objects.filter(
            project_id=member.project_id, is_active=True, role__in=[Role.ADVISER, Role.SUPERVISOR]
        )
        .select_related("user", "team")
        .order_by("user__first_name", "user__last_name", "id")
    )
    supervisors = [m for m in people if m.role == Role.SUPERVISOR]
    advisers = [m for m in people if m.role == Role.ADVISER]
    if not sees_whole_book(member):
        if member.role == Role.SUPERVISOR:
            advisers = [m for m in advisers if m.team and m.team.supervisor_id == member.pk]
        else:
            advisers = [member]
    return advisers, supervisors


def segment_choices(member: Member) -> list[tuple[str, str]]:
    segments = Segment.objects.filter(project_id=member.project_id).order_by("name", "id")
    return [(str(s.pk), s.name) for s in segments] + [(NONE, str(_("Sin segmento")))]


# --- The FilterSet ---------------------------------------------------------------------------


def _multiple(label, choices=(), method=None):
    return django_filters.MultipleChoiceFilter(
        label=label, choices=choices, method=method, distinct=False
    )


def _ids_or_none(field: str, values) -> Q:
    """`field IN (ids)`, OR `field IS NULL` when "ninguno" was chosen."""
    ids = [v for v in values if v != NONE]
    q = Q(**{f"{field}__in": ids}) if ids else Q(pk__in=[])
    if NONE in values:
        q |= Q(**{f"{field}__isnull": True})
    return q


class ClientTrayFilterSet(django_filters.FilterSet):
    estado = _multiple(_("Estado"), STATUS_CHOICES, "filter_status")
    tipo_cartera = _multiple(_("Tipo de cartera"), PORTFOLIO_TYPE_CHOICES, "filter_portfolio_type")
    supervisor = _multiple(_("Supervisor asignado"), method="filter_supervisor")
    asesor = _multiple(_("Asesor asignado"), method="filter_adviser")
    situacion = _multiple(_("Situación"), Situation.choices, "filter_situation")
    alerta = _multiple(_("Alertas de contacto"), ContactAlert.choices, "filter_alert")
    contactabilidad = _multiple(
        _("Contactabilidad"), Contactability.choices, "filter_contactability"
    )
    segmento = _multiple(_("Segmento"), method="filter_segment")
    reclamo = _multiple(_("Reclamos"), ClaimCategory.choices, "filter_claim")

    class Meta:
        model = Client
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, member, variables=(), **kwargs):
        super().__init__(data, queryset=queryset, **kwargs)
        self.member = member
        self.variables = list(variables)
        self.adviser_members, self.supervisor_members = choice_members(member)
        sin_asignar = (NONE, str(_("Sin asignar")))
        self.filters["asesor"].extra["choices"] = [
            (str(m.pk), _member_label(m)) for m in self.adviser_members
        ] + [sin_asignar]
        self.filters["supervisor"].extra["choices"] = [
            (str(m.pk), _member_label(m)) for m in self.supervisor_members
        ] + [sin_asignar]
        self.filters["segmento"].extra["choices"] = segment_choices(member)
        self.variable_filters = {}
        for variable in self.variables:
            self._add_variable_filters(variable)

    # Readable adviser names for the rows: the rule of clients.visibility.
    @property
    def readable_adviser_ids(self) -> set[int] | None:
        from .visibility import readable_adviser_ids

        return readable_adviser_ids(self.member)

    def _add_variable_filters(self, variable):
        key = variable.key
        name = f"{VARIABLE_PREFIX}{key}"
        label = variable.label
        names = []
        if variable.type == VariableType.NUMBER:
            for suffix, op in (("min", "gte"), ("max", "lte")):
                fname = f"{name}_{suffix}"
                # Bounded as the tray compares the variable (numeric(30, 10)).
                self.filters[fname] = django_filters.NumberFilter(
                    label=label, method=self._number_method(key, op), localize=True,
                    max_digits=NUMBER_DIGITS + 10, decimal_places=10,
                )
                names.append((fname, suffix))
        elif variable.type == VariableType.DATE:
            for suffix, op in (("desde", "gte"), ("hasta", "lte")):
                fname = f"{name}_{suffix}"
                self.filters[fname] = django_filters.DateFilter(
                    label=label, method=self._date_method(key, op),
                    input_formats=DATE_INPUT_FORMATS,
                )
                names.append((fname, suffix))
        elif variable.type == VariableType.CHOICE:
            self.filters[name] = _multiple(
                label, [(str(c), str(c)) for c in (variable.choices or [])],
                self._choice_method(key),
            )
            names.append((name, ""))
        else:
            self.filters[name] = django_filters.CharFilter(
                label=label, method=self._text_method(key)
            )
            names.append((name, ""))
        self.variable_filters[key] = names

    @staticmethod
    def _number_method(key, op):
        def method(qs, name, value):
            alias = f"_var_num_{key}"
            return qs.alias(**{alias: variable_number(key)}).filter(**{f"{alias}__{op}": value})

        return method

    @staticmethod
    def _date_method(key, op):
        def method(qs, name, value):
            alias = f"_var_date_{key}"
            return qs.alias(**{alias: variable_iso_date(key)}).filter(
                **{f"{alias}__{op}": value.isoformat()}
            )

        return method

    @staticmethod
    def _choice_method(key):
        def method(qs, name, value):
            return qs.filter(**{f"extra__{key}__in": list(value)})

        return method

    @staticmethod
    def _text_method(key):
        def method(qs, name, value):
            value = value.strip()
            return qs.filter(**{f"extra__{key}__icontains": value}) if value else qs

        return method

    def filter_status(self, qs, name, value):
        q = Q(pk__in=[])
        if STATUS_ACTIVE in value:
            q |= Q(deleted_at__isnull=True, status=ClientStatus.ACTIVE)
        if STATUS_INACTIVE in value:
            q |= Q(deleted_at__isnull=True, status=ClientStatus.INACTIVE)
        if STATUS_DELETED in value:
            q |= Q(deleted_at__isnull=False)
        return qs.filter(q)

    def filter_portfolio_type(self, qs, name, value):
        return qs.filter(portfolio_type__in=[_PORTFOLIO_TYPE_VALUES[v] for v in value])

    def filter_supervisor(self, qs, name, value):
        return qs.filter(_ids_or_none("supervisor_id", value))

    def filter_adviser(self, qs, name, value):
        return qs.filter(_ids_or_none("adviser_id", value))

    def filter_segment(self, qs, name, value):
        return qs.filter(_ids_or_none("segment_id", value))

    def filter_situation(self, qs, name, value):
        return qs.filter(situation__in=[int(v) for v in value])

    def filter_alert(self, qs, name, value):
        return qs.filter(contact_alert__in=value)

    def filter_contactability(self, qs, name, value):
        return qs.filter(contactability__in=value)

    def filter_claim(self, qs, name, value):
        return qs.filter(claim_category__in=value)


# --- Chips -----------------------------------------------------------------------------------


@dataclass
class Chip:
    label: str
    param: str
    value: str  # the raw URL value this chip removes ("" removes every value of `param`)
    query: str = ""  # the query string without it (filled by the tray)


def _format_number(value) -> str:
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    return format_number(value)


def active_chips(filterset: ClientTrayFilterSet, search: str) -> list[Chip]:
    """One removable chip per active filter value, with the readable label."""
    chips: list[Chip] = []
    if search:
        chips.append(Chip(f"{_('Búsqueda')}: «{shorten(search)}»", SEARCH_PARAM, ""))
    if not filterset.is_bound:
        return chips
    filterset.form.is_valid()  # an invalid value is dropped, the valid ones still apply
    cleaned = getattr(filterset.form, "cleaned_data", {})
    variable_labels = {}
    for key, names in filterset.variable_filters.items():
        for fname, suffix in names:
            variable_labels[fname] = suffix
    for name, flt in filterset.filters.items():
        value = cleaned.get(name)
        if value in (None, "", [], ()):
            continue
        label = str(flt.label)
        if isinstance(value, (list, tuple)):
            labels = dict((str(k), str(v)) for k, v in flt.extra.get("choices", ()))
            for v in value:
                chips.append(Chip(f"{label}: {labels.get(str(v), v)}", name, str(v)))
            continue
        suffix = variable_labels.get(name, "")
        if suffix in ("min", "desde"):
            shown = _format_number(value) if suffix == "min" else value.strftime("%d/%m/%Y")
            chips.append(Chip(f"{label} {_('desde')} {shown}", name, ""))
        elif suffix in ("max", "hasta"):
            shown = _format_number(value) if suffix == "max" else value.strftime("%d/%m/%Y")
            chips.append(Chip(f"{label} {_('hasta')} {shown}", name, ""))
        else:
            chips.append(Chip(f"{label}: «{shorten(value)}»", name, ""))
    return chips



# --- Controls of the filter panel -------------------------------------------------------------


@dataclass
class Option:
    value: str
    label: str
    checked: bool


@dataclass
class Control:
    """One labelled control of the filter panel (rendered by partials/tray/filters.html)."""

    kind: str  # "multi" | "option" (a list too long to show, typed) | "text" | "number" | "date"
    label: str
    name: str  # the parameter (for ranges: the lower bound's)
    value: str = ""
    options: list[Option] | None = None
    upper_name: str = ""
    upper_value: str = ""
    active: bool = False

    @property
    def options_html(self) -> str:
        """The checkboxes, rendered here: a long adviser list is hundreds of template nodes."""
        parts = []
        for i, option in enumerate(self.options or (), start=1):
            parts.append(format_html(
                '<div class="form-check"><input class="form-check-input" type="checkbox"'
                ' name="{name}" value="{value}" id="f-{name}-{i}"{checked}>'
                '<label class="form-check-label" for="f-{name}-{i}">{label}</label></div>',
                name=self.name, value=option.value, i=i, label=option.label,
                checked=mark_safe(" checked") if option.checked else "",
            ))
        return mark_safe("".join(parts))


def filter_controls(filterset: ClientTrayFilterSet) -> list[Control]:
    """What the filter panel shows, with the values of the current URL."""
    data = filterset.data if filterset.is_bound else {}
    getlist = data.getlist if hasattr(data, "getlist") else (lambda k: data.get(k) or [])
    controls: list[Control] = []
    variable_names = {f for names in filterset.variable_filters.values() for f, _s in names}
    for name, flt in filterset.filters.items():
        if name in variable_names:
            continue
        selected = set(getlist(name))
        options = [
            Option(str(v), str(lbl), str(v) in selected) for v, lbl in flt.extra.get("choices", ())
        ]
        controls.append(Control("multi", str(flt.label), name, options=options,
                                active=bool(selected)))
    for variable in filterset.variables:
        names = dict((suffix, fname) for fname, suffix in filterset.variable_filters[variable.key])
        if variable.type == VariableType.CHOICE and not picks_from_a_list(variable):
            name = names[""]
            value = next(iter(getlist(name)), "")
            controls.append(Control("option", variable.label, name, value=value,
                                    active=bool(value)))
        elif variable.type == VariableType.CHOICE:
            name = names[""]
            selected = set(getlist(name))
            options = [Option(str(c), str(c), str(c) in selected) for c in variable.choices or []]
            controls.append(Control("multi", variable.label, name, options=options,
                                    active=bool(selected)))
        elif variable.type in (VariableType.NUMBER, VariableType.DATE):
            is_number = variable.type == VariableType.NUMBER
            low, high = ("min", "max") if is_number else ("desde", "hasta")
            low_value, high_value = data.get(names[low]) or "", data.get(names[high]) or ""
            controls.append(Control(
                "number" if variable.type == VariableType.NUMBER else "date",
                variable.label, names[low], value=low_value,
                upper_name=names[high], upper_value=high_value,
                active=bool(low_value or high_value),
            ))
        else:
            value = data.get(names[""]) or ""
            controls.append(Control("text", variable.label, names[""], value=value,
                                    active=bool(value)))
    return controls
