"""Events as the product records them, at a chosen instant."""

from contextlib import nullcontext
from unittest import mock

from django.utils import timezone

from moonflow.audit.models import AuditEventKind
from moonflow.audit.services import audit_record


def record(project, actor, *, event=AuditEventKind.UPDATED, resource_type="portfolio",
           resource_id=1, label="Cartera Norte", changes=None, at=None, source="screen"):
    """One event through `audit_record`; `at` sets the time it happened (created_at)."""
    clock = mock.patch.object(timezone, "now", lambda: at) if at is not None else nullcontext()
    with clock:
        return audit_record(project=project, actor=actor.user if hasattr(actor, "user") else actor,
                            event=event, resource_type=resource_type, resource_id=resource_id,
                            resource_label=label, changes=changes or {}, source=source)
