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

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from moonflow.lists.filters import ListFilterSet
from moonflow.tenancy.models import Member

from .choices import ClaimCategory, ClientStatus, ContactAlert, Contactability, PortfolioType
from .choices import Situation, VariableType
from .columns import NUMBER_DIGITS, VARIABLE_PREFIX, variable_iso_date, variable_number
from .models import Client, Segment
from .validation import picks_from_a_list
from .visibility import adviser_choices

NONE = "ninguno"

STATUS_ACTIVE, STATUS_INACTIVE, STATUS_DELETED = "activo", "inactivo", "eliminado"
STATUS_CHOICES = [
    (STATUS_ACTIVE, _("Activo")),
    (STATUS_INACTIVE, _("Inactivo")),
    (STATUS_DELETED, _("Eliminado")),
]
PORTFOLIO_TYPE_CHOICES = [
    ("vigente", PortfolioType.CURRENT.label), ("castigada", PortfolioType.WRITTEN_OFF.label)
]
_PORTFOLIO_TYPE_VALUES = {"vigente": PortfolioType.CURRENT, "castigada": PortfolioType.WRITTEN_OFF}

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]


def wants_recycle_bin(data) -> bool:
    return STATUS_DELETED in data.getlist("estado")


# --- Choices ---------------------------------------------------------------------------------


def _member_label(m: Member) -> str:
    return f"{m.display_name} · {m.code}" if m.code else m.display_name


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


class ClientTrayFilterSet(ListFilterSet):
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
        self.adviser_members, self.supervisor_members = adviser_choices(member)
        sin_asignar = (NONE, str(_("Sin asignar")))
        self.filters["asesor"].extra["choices"] = [
            (str(m.pk), _member_label(m)) for m in self.adviser_members
        ] + [sin_asignar]
        self.filters["supervisor"].extra["choices"] = [
            (str(m.pk), _member_label(m)) for m in self.supervisor_members
        ] + [sin_asignar]
        self.filters["segmento"].extra["choices"] = segment_choices(member)
        for variable in self.variables:
            self._add_variable_filters(variable)

    def _add_variable_filters(self, variable):
        key = variable.key
        name = f"{VARIABLE_PREFIX}{key}"
        label = variable.label
        if variable.type == VariableType.NUMBER:
            for suffix, op in (("min", "gte"), ("max", "lte")):
                fname = f"{name}_{suffix}"
                # Bounded as the tray compares the variable (numeric(30, 10)).
                self.filters[fname] = django_filters.NumberFilter(
                    label=label, method=self._number_method(key, op), localize=True,
                    max_digits=NUMBER_DIGITS + 10, decimal_places=10,
                )
            self.add_range(f"{name}_min", f"{name}_max")
        elif variable.type == VariableType.DATE:
            for suffix, op in (("desde", "gte"), ("hasta", "lte")):
                fname = f"{name}_{suffix}"
                self.filters[fname] = django_filters.DateFilter(
                    label=label, method=self._date_method(key, op),
                    input_formats=DATE_INPUT_FORMATS,
                )
            self.add_range(f"{name}_desde", f"{name}_hasta")
        elif variable.type == VariableType.CHOICE:
            self.filters[name] = _multiple(
                label, [(str(c), str(c)) for c in (variable.choices or [])],
                self._choice_method(key),
            )
            if not picks_from_a_list(variable):
                # Too many options to show: the panel asks for the exact one.
                self.typed_options.add(name)
        else:
            self.filters[name] = django_filters.CharFilter(
                label=label, method=self._text_method(key)
            )

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
