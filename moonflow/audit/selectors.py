from .models import AuditEvent


def audit_events_for(*, project, resource_type: str, resource_id=None):
    qs = AuditEvent.objects.filter(project=project, resource_type=resource_type)
    if resource_id is not None:
        qs = qs.filter(resource_id=str(resource_id))
    return qs.select_related("actor")
