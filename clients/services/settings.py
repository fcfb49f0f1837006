"""Ajustes: the project's segments and custom variables (the vocabulary of clients)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from moonflow.audit.changes import save_changes
from moonflow.audit.models import AuditEventKind
from moonflow.audit.services import audit_record

from ..models import CustomVariable, Segment
from ..validation import FieldError
from ..variable_statistics import ensure_variable_statistics


def _audit_setting(project, *, actor, resource_type: str, obj, event: str, changes: dict):
    audit_record(
        project=project,
        actor=actor,
        event=event,
        resource_type=resource_type,
        resource_id=obj.pk,
        resource_label=str(obj),
        changes=changes,
        source="screen",
    )


def _segment_name_taken(project, name: str, exclude_pk=None) -> None:
    qs = Segment.objects.filter(project=project, name__iexact=name)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise FieldError(
            "name",
            name,
            _("Segmento «%(name)s»: ya existe un segmento con ese nombre.") % {"name": name},
            label=_("Segmento"),
        )


@transaction.atomic
def segment_create(*, project, name: str, actor) -> Segment:
    name = " ".join(name.split())
    _segment_name_taken(project, name)
    try:
        with transaction.atomic():
            segment = Segment.objects.create(project=project, name=name)
    except IntegrityError:
        _segment_name_taken(project, name)
        raise
    _audit_setting(
        project, actor=actor, resource_type="segment", obj=segment,
        event=AuditEventKind.CREATED, changes={"name": [None, name]},
    )
    return segment


@transaction.atomic
def segment_rename(*, segment: Segment, name: str, actor) -> Segment:
    name = " ".join(name.split())
    if name == segment.name:
        return segment
    _segment_name_taken(segment.project, name, exclude_pk=segment.pk)
    save_changes(
        segment, {"name": name}, actor=actor, resource_type="segment", project=segment.project
    )
    return segment


@transaction.atomic
def custom_variable_create(
    *, project, actor, label: str, key: str, type: str, choices: list[str] | None = None
) -> CustomVariable:
    if CustomVariable.objects.filter(project=project, key=key).exists():
        raise FieldError(
            "key",
            key,
            _("Clave «%(key)s»: ya existe una variable con esa clave.") % {"key": key},
            label=_("Clave"),
        )
    position = CustomVariable.objects.filter(project=project).count()
    variable = CustomVariable.objects.create(
        project=project, label=label, key=key, type=type, choices=choices or [], position=position
    )
    ensure_variable_statistics(key)
    _audit_setting(
        project, actor=actor, resource_type="custom_variable", obj=variable,
        event=AuditEventKind.CREATED,
        changes={"key": [None, key], "label": [None, label], "type": [None, type]},
    )
    return variable


@transaction.atomic
def custom_variable_update(
    *, variable: CustomVariable, actor, label: str, choices: list[str] | None = None
) -> CustomVariable:
    """Rename a variable or change its options. Key and type stay: files map to the
    key, and stored values were typed when they were written."""
    new_choices = list(choices or []) if variable.type == "choice" else variable.choices
    save_changes(
        variable,
        {"label": label, "choices": new_choices},
        actor=actor,
        resource_type="custom_variable",
        project=variable.project,
    )
    return variable
