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
    """Append one event. `changes` maps a field to `[old, new]`."""
    actor_label = ""
    if actor is not None:
        actor_label = actor.get_full_name().strip() or actor.get_username()
    return AuditEvent.objects.create(
        project=project,
        actor=actor,
        actor_label=actor_label,
        event=event,
        resource_type=resource_type,
        resource_id=str(resource_id),
        resource_label=str(resource_label)[:255],
        changes=changes or {},
        source=source,
    )
