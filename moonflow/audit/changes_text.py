"""The Cambios column: each changed field with its value before → after, as people read it.

An event's `changes` maps a field to `[old, new]` (an export's or an import's
describe what was done instead: `{"filters": {…}, "rows": 3}`). Fields are named by
their resource type's registered model (`verbose_name`) or the common names of
moonflow.audit.registry; choice values by their label; `true` / `false` as Sí / No,
an empty value as "—", an ISO date as dd/mm/aaaa. The screen renders them here; a
download renders the same words in SQL (`audit_changes_text()`, migration 0006, fed by
`labels_for_sql`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django.db.models import TextField
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from moonflow.numbers import format_number

from .models import AuditEventKind
from .registry import (
    COMMON_FIELD_LABELS,
    ResourceType,
    registered_resource_types,
    resource_type,
)

SHORT = 80  # characters of a value shown before "…" (the whole value one click away)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Change:
    field: str  # the field's label
    before: str | None  # None: the change has no "before" (an export's filters)
    after: str

    @property
    def before_short(self) -> str:
        return _shorten(self.before or "")

    @property
    def after_short(self) -> str:
        return _shorten(self.after)

    @property
    def long(self) -> bool:
        return len(self.before or "") > SHORT or len(self.after) > SHORT


def _shorten(text: str) -> str:
    return text if len(text) <= SHORT else text[:SHORT].rstrip() + "…"


def value_text(value, *, kind: ResourceType | None = None, name: str = "") -> str:
    """One stored value as a person reads it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Sí") if value else _("No")
    if isinstance(value, (int, float)):
        return format_number(value)
    if isinstance(value, list):
        return ", ".join(value_text(v, kind=kind, name=name) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {value_text(v)}" for k, v in value.items()) or "—"
    text = str(value)
    if kind is not None and name:
        label = kind.choice_label(name, text)
        if label is not None:
            return label
    if _ISO_DATE.match(text):
        return f"{text[8:10]}/{text[5:7]}/{text[0:4]}"
    return text


def change_list(*, event: str, resource_type_key: str, changes) -> list[Change]:
    """The Cambios of one event, in the order they were recorded."""
    if not isinstance(changes, dict):
        return []
    kind = resource_type(resource_type_key)
    paired = event != AuditEventKind.EXPORTED
    shown = []
    for name, value in changes.items():
        label = kind.field_label(name)
        if paired and isinstance(value, list) and len(value) == 2:
            shown.append(Change(label, value_text(value[0], kind=kind, name=name),
                                value_text(value[1], kind=kind, name=name)))
        else:
            shown.append(Change(label, None, value_text(value, kind=kind, name=name)))
    return shown


def labels_for_sql() -> dict:
    """What `audit_changes_text()` needs to say the same words as the screen."""
    fields, choices = {}, {}
    for key, kind in registered_resource_types().items():
        if kind.model is None:
            continue
        for model_field in kind.model._meta.concrete_fields:
            for name in {model_field.name, model_field.attname}:
                fields.setdefault(key, {})[name] = kind.field_label(name)
            if model_field.flatchoices:
                choices.setdefault(key, {})[model_field.name] = {
                    str(v): str(label) for v, label in model_field.flatchoices}
    return {
        "fields": fields,
        "choices": choices,
        "common": {name: str(label) for name, label in COMMON_FIELD_LABELS.items()},
        "words": {"empty": "—", "yes": str(_("Sí")), "no": str(_("No"))},
    }


def changes_sql() -> RawSQL:
    """The Cambios of each event as one line of text (a download's column)."""
    return RawSQL(
        'audit_changes_text("audit_auditevent"."changes", "audit_auditevent"."event", '
        '"audit_auditevent"."resource_type", %s::jsonb)',
        [json.dumps(labels_for_sql(), ensure_ascii=False)],
        output_field=TextField(),
    )
