"""django-import-export widgets the settings tables share."""

from __future__ import annotations

from django.utils.translation import gettext as _
from import_export import widgets


class ChoiceWidget(widgets.Widget):
    """A choice written as its label ("Lista de opciones") or its code ("choice"), any case."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        for code, label in self.choices:
            if text.casefold() in (str(code).casefold(), str(label).casefold()):
                return code
        raise ValueError(_("«%(value)s» no es válido. Use uno de: %(options)s.") % {
            "value": text, "options": ", ".join(str(label) for _c, label in self.choices)})

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class ListWidget(widgets.Widget):
    """A list in one cell, its items separated by " | "."""

    def clean(self, value, row=None, **kwargs):
        return [item.strip() for item in str(value or "").split("|") if item.strip()]

    def render(self, value, obj=None, **kwargs):
        return " | ".join(str(v) for v in value or [])
