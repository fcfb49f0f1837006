"""The one write of the audit log: append an event (nothing ever changes or removes one)."""

from .models import AuditEvent


def audit_record(
    *,
    project,
    actor,
    event: str,
    resource_type: str,
    resource_id,
    resource_label: str = "",
    changes: dict | None = None,
    source: str = "",
) -> AuditEvent:
    """Append one event. `changes` maps a field to `[old, new]`.

    The actor is kept as they are now (full name, else username; and the username),
    so the event reads the same after they are renamed or leave.
    """
    actor_label = actor_username = ""
    if actor is not None:
        actor_username = actor.get_username()
        actor_label = actor.get_full_name().strip() or actor_username
    return AuditEvent.objects.create(
        project=project,
        actor=actor,
        actor_label=actor_label[:200],
        actor_username=actor_username[:150],
        event=event,
        resource_type=resource_type,
        resource_id=str(resource_id),
        resource_label=str(resource_label)[:255],
        changes=changes or {},
        source=source,
    )
