"""A list's FilterSet, with what the page draws from it: controls, chips and notices.

`ListFilterSet` is a django-filter FilterSet that knows how its filters are
shown:

- a multiple-choice filter is a list of checkboxes (`Control.kind == "multi"`);
- a text filter is a "contains" box (`"text"`), or a box for one exact option
  of a list too long to show (`"option"`, names in `typed_options`);
- a pair of number or date filters is one range (`"number"` / `"date"`),
  declared with `add_range(lower, upper)`.

Chips say each active value in words and remove it; an invalid value is
dropped by the form (the valid ones still apply) and named in a notice.

A FilterSet is built on every page view: each one gets its own copy of the
declared filters (its own `extra`, form field and method binding) and a form
over those fresh fields, without deep-copying every choice list twice.
"""

import copy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import django_filters
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_filters.filters import FilterMethod
from django_filters.filterset import FilterSetMetaclass

from moonflow.numbers import format_number
from moonflow.text import shorten

from .columns import html_text
from .params import SEARCH_PARAM


@dataclass
class Chip:
    label: str
    param: str
    value: str  # the raw URL value this chip removes ("" removes every value of `param`)
    query: str = ""  # the query string without it (filled by the list)


@dataclass
class Option:
    value: str
    label: str
    checked: bool


@dataclass
class Control:
    """One labelled control of the filter panel (rendered by partials/tray/filters.html)."""

    kind: str  # "multi" | "option" | "text" | "number" | "date"
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
        name = html_text(self.name)
        parts = []
        for i, option in enumerate(self.options or (), start=1):
            checked = " checked" if option.checked else ""
            parts.append(
                f'<div class="form-check"><input class="form-check-input" type="checkbox"'
                f' name="{name}" value="{html_text(option.value)}" id="f-{name}-{i}"{checked}>'
                f'<label class="form-check-label" for="f-{name}-{i}">{html_text(option.label)}'
                f"</label></div>"
            )
        return mark_safe("".join(parts))


def _shown_number(value) -> str:
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    return format_number(value)


def _shown_bound(value) -> str:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return _shown_number(value)


def _own_filter(declared):
    """A declared filter for one FilterSet: its own `extra` and form field, its method bound to it."""
    own = copy.copy(declared)
    own.extra = dict(declared.extra)
    own.__dict__.pop("_field", None)
    if isinstance(declared.__dict__.get("filter"), FilterMethod):
        own.method = declared.method  # binds a FilterMethod to the copy
    return own


class _DeclaredFilters(dict):
    """A FilterSet class's filters: each FilterSet copies them with `_own_filter`."""

    def __deepcopy__(self, memo):
        return {name: _own_filter(declared) for name, declared in self.items()}


class _FreshFields(dict):
    """The form fields of one FilterSet's form class, made for it: the form keeps them as they are."""

    def __deepcopy__(self, memo):
        return dict(self)


class _ListFilterSetMetaclass(FilterSetMetaclass):
    def __new__(mcs, name, bases, attrs):
        new_class = super().__new__(mcs, name, bases, attrs)
        new_class.base_filters = _DeclaredFilters(new_class.base_filters)
        return new_class


class ListFilterSet(django_filters.FilterSet, metaclass=_ListFilterSetMetaclass):
    """A FilterSet that draws its own controls and chips (see the module's docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.ranges: dict[str, str] = {}  # lower bound's name → upper bound's name
        self.typed_options: set[str] = set()

    def add_range(self, lower: str, upper: str) -> None:
        self.ranges[lower] = upper

    def get_form_class(self):
        # Every field comes from this FilterSet's own filters (`Filter.field`, made once per
        # filter): the form need not deep-copy them again.
        form_class = super().get_form_class()
        form_class.base_fields = _FreshFields(form_class.base_fields)
        return form_class

    @property
    def _uppers(self) -> set[str]:
        return set(self.ranges.values())

    def _cleaned(self) -> dict:
        if not self.is_bound:
            return {}
        self.form.is_valid()  # an invalid value is dropped, the valid ones still apply
        return getattr(self.form, "cleaned_data", {})

    def notices(self) -> list[str]:
        """One notice per filter whose value was ignored."""
        if not self.is_bound or self.form.is_valid():
            return []
        return [
            _("Se ignoró el filtro «%(label)s»: su valor no es válido. Revíselo en Filtros.")
            % {"label": self.filters[name].label if name in self.filters else name}
            for name in self.form.errors
        ]

    def chips(self, search: str = "") -> list[Chip]:
        """One removable chip per active filter value, with the readable label."""
        chips: list[Chip] = []
        if search:
            chips.append(Chip(f"{_('Búsqueda')}: «{shorten(search, 40)}»", SEARCH_PARAM, ""))
        cleaned = self._cleaned()
        uppers = self._uppers
        for name, flt in self.filters.items():
            value = cleaned.get(name)
            if value in (None, "", [], ()):
                continue
            label = str(flt.label)
            if isinstance(value, (list, tuple)):
                labels = {str(k): str(v) for k, v in flt.extra.get("choices", ())}
                for v in value:
                    chips.append(Chip(f"{label}: {labels.get(str(v), v)}", name, str(v)))
            elif name in self.ranges:
                chips.append(Chip(f"{label} {_('desde')} {_shown_bound(value)}", name, ""))
            elif name in uppers:
                chips.append(Chip(f"{label} {_('hasta')} {_shown_bound(value)}", name, ""))
            elif isinstance(value, (int, Decimal)):
                chips.append(Chip(f"{label}: {_shown_number(value)}", name, ""))
            elif isinstance(value, date):
                chips.append(Chip(f"{label}: {value.strftime('%d/%m/%Y')}", name, ""))
            else:
                chips.append(Chip(f"{label}: «{shorten(value, 40)}»", name, ""))
        return chips

    def controls(self) -> list[Control]:
        """What the filter panel shows, with the values of the current URL."""
        data = self.data if self.is_bound else {}
        getlist = data.getlist if hasattr(data, "getlist") else (lambda k: data.get(k) or [])
        uppers = self._uppers
        controls: list[Control] = []
        for name, flt in self.filters.items():
            if name in uppers:
                continue
            label = str(flt.label)
            if name in self.ranges:
                upper = self.ranges[name]
                low, high = data.get(name) or "", data.get(upper) or ""
                kind = "date" if isinstance(flt, django_filters.DateFilter) else "number"
                controls.append(Control(kind, label, name, value=low, upper_name=upper,
                                        upper_value=high, active=bool(low or high)))
            elif name in self.typed_options:
                value = next(iter(getlist(name)), "")
                controls.append(Control("option", label, name, value=value, active=bool(value)))
            elif isinstance(flt, (django_filters.MultipleChoiceFilter, django_filters.ChoiceFilter)):
                selected = set(getlist(name))
                options = [
                    Option(str(v), str(lbl), str(v) in selected)
                    for v, lbl in flt.extra.get("choices", ())
                ]
                controls.append(Control("multi", label, name, options=options,
                                        active=bool(selected)))
            else:
                value = data.get(name) or ""
                controls.append(Control("text", label, name, value=value, active=bool(value)))
        return controls
