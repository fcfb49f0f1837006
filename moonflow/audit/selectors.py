"""The one access path to audit events.

- `audit_event_list(member=…, module=None)`: the events a member may read in the
  Auditoría lists: a module's (its resource types, for whoever the module lets in,
  see moonflow.audit.registry) or, without a module, the whole project's (admins only,
  Ajustes → Auditoría). Anyone else: PermissionDenied (403); an unknown module: 404.
- `audit_events_for(project=…, resource_type=…, resource_id=…)`: one resource's history,
  for a page that already decided its reader may see that resource.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import AuditEvent
from .registry import get_module


def may_read_project_log(member) -> bool:
    """Ajustes → Auditoría (every event of the project): admins only."""
    return member is not None and member.is_active and member.is_admin


def get_module_for_member(member, key: str):
    """The registered module `key` when `member` may open its AUDITORÍA: 404 for a module
    that does not exist, 403 for one the member may not open."""
    module = get_module(key or "")
    if module is None:
        raise Http404("No such audit module")
    if member is None or not member.is_active or not module.may_open(member):
        raise PermissionDenied
    return module


def may_open_module(member, key: str) -> bool:
    """Whether the AUDITORÍA button of module `key` is for `member` (templates, views)."""
    module = get_module(key or "")
    return bool(module and member is not None and member.is_active and module.may_open(member))


def audit_event_list(*, member, module: str | None = None):
    """Every event `member` may read: one module's, or the whole project's (see above)."""
    if module:
        types = get_module_for_member(member, module).resource_types
        events = AuditEvent.objects.filter(project_id=member.project_id)
        if len(types) == 1:
            return events.filter(resource_type=types[0])
        return events.filter(resource_type__in=types)
    if not may_read_project_log(member):
        raise PermissionDenied
    return AuditEvent.objects.filter(project_id=member.project_id)


def audit_events_for(*, project, resource_type: str, resource_id=None):
    qs = AuditEvent.objects.filter(project=project, resource_type=resource_type)
    if resource_id is not None:
        qs = qs.filter(resource_id=str(resource_id))
    return qs.select_related("actor")
