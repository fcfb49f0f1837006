"""Compare, save, audit: how every update service writes what changed.

`save_changes` compares the new values with the instance's, sets and saves
only the fields that differ (`update_fields`, plus the model's `auto_now`
fields such as `updated_at`), and records one AuditEvent with `[old, new]`
per changed field. When nothing differs it writes nothing and records
nothing, so saving a form without changes leaves no trace.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction

from .models import AuditEventKind
from .services import audit_record


def audit_value(value):
    """A JSON-friendly rendering of a value for the audit log.

    A member reads "Name (Asesor ID)"; dates are ISO, decimals are strings,
    any other object its `str()`.
    """
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    code = getattr(value, "code", None)
    if code is not None and hasattr(value, "display_name"):
        return f"{value.display_name} ({code})"
    return str(value)


def diff(instance, new_values: Mapping, *, plain: Callable = audit_value) -> dict:
    """`{field: [old, new]}` for each value that differs from the instance's."""
    changes = {}
    for name, new in new_values.items():
        old = getattr(instance, name)
        if old != new:
            changes[name] = [plain(old), plain(new)]
    return changes


def _auto_now_fields(instance) -> list[str]:
    return [
        f.name for f in instance._meta.concrete_fields if getattr(f, "auto_now", False)
    ]


def save_changes(
    instance,
    new_values: Mapping,
    *,
    actor,
    resource_type: str,
    label: str | Callable | None = None,
    event: str = AuditEventKind.UPDATED,
    source: str = "screen",
    project=None,
    plain: Callable = audit_value,
    on_conflict: Callable[[], Exception] | None = None,
) -> dict:
    """Write the fields of `new_values` that changed and audit them; return the changes.

    - `label` is the audited resource's label, or a function of the instance
      called after the new values are set (a renamed team reads its new name);
      by default `str(instance)`.
    - `project` defaults to `instance.project`.
    - `plain` renders old and new values for the log (`audit_value`).
    - `on_conflict` builds the error raised instead of an IntegrityError (a
      unique value another row took between the check and the save); without
      it the IntegrityError propagates. Either way the instance gets its
      stored values back.
    """
    changes = diff(instance, new_values, plain=plain)
    if not changes:
        return {}
    old_values = {name: getattr(instance, name) for name in changes}
    for name in changes:
        setattr(instance, name, new_values[name])
    fields = [*changes, *(f for f in _auto_now_fields(instance) if f not in changes)]
    try:
        with transaction.atomic():
            instance.save(update_fields=fields)
    except IntegrityError:
        # The instance keeps reading what is stored.
        for name, value in old_values.items():
            setattr(instance, name, value)
        if on_conflict is None:
            raise
        raise on_conflict() from None
    if callable(label):
        label = label(instance)
    audit_record(
        project=project if project is not None else instance.project,
        actor=actor,
        event=event,
        resource_type=resource_type,
        resource_id=instance.pk,
        resource_label=str(instance) if label is None else label,
        changes=changes,
        source=source,
    )
    return changes
