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
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import django_filters
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from moonflow.numbers import format_number
from moonflow.text import shorten

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


def _shown_number(value) -> str:
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    return format_number(value)


def _shown_bound(value) -> str:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return _shown_number(value)


class ListFilterSet(django_filters.FilterSet):
    """A FilterSet that draws its own controls and chips (see the module's docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.ranges: dict[str, str] = {}  # lower bound's name → upper bound's name
        self.typed_options: set[str] = set()

    def add_range(self, lower: str, upper: str) -> None:
        self.ranges[lower] = upper

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
