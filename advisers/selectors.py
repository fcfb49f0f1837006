"""Reads for Ajustes → Usuarios and Ajustes → Equipos.

Members and teams are always reached through the asking member's project
(`moonflow.tenancy.selectors`), so another project's id answers 404.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import gettext as _

from moonflow.audit.models import AuditEventKind
from moonflow.audit.selectors import audit_events_for
from moonflow.tenancy.models import Member, Role, Team
from moonflow.tenancy.selectors import team_list


def team_list_with_counts(*, member: Member):
    return team_list(member=member).annotate(
        member_count=Count("members", filter=Q(members__is_active=True))
    ).order_by("name", "id")


def get_team_for_member(member: Member, pk) -> Team:
    """Another project's team answers 404, exactly like a missing one."""
    found = team_list(member=member).filter(pk=pk).first()
    if found is None:
        raise Http404("No such team")
    return found


@dataclass(frozen=True)
class HistoryRow:
    when: datetime
    who: str
    event: str
    field: str
    old: str
    new: str


def _field_labels() -> dict[str, str]:
    return {
        "code": _("ID"),
        "role": _("Rol"),
        "team": _("Equipo"),
        "restricted_to_assigned": _("Asignación de asesor"),
        "is_active": _("Estado"),
        "email": _("Correo electrónico"),
    }


def _show(field: str, value) -> str:
    if value is None or value == "":
        return "—"
    if field == "is_active":
        return _("Activo") if value else _("Inactivo")
    if isinstance(value, bool):
        return _("Sí") if value else _("No")
    if field == "role":
        return str(dict(Role.choices).get(value, value))
    return str(value)


def member_history(*, member: Member, target: Member) -> list[HistoryRow]:
    """One row per changed field of `target`, newest first: who, when, field, old → new."""
    labels = _field_labels()
    events = dict(AuditEventKind.choices)
    rows = []
    for event in audit_events_for(
        project=member.project, resource_type="member", resource_id=target.pk
    ):
        who = event.actor_label or _("Sistema")
        for field, change in (event.changes or {}).items():
            if isinstance(change, list):
                old, new = (list(change) + [None, None])[:2]
            else:
                old, new = None, change
            rows.append(
                HistoryRow(
                    when=event.created_at,
                    who=who,
                    event=str(events.get(event.event, event.event)),
                    field=labels.get(field, field),
                    old=_show(field, old),
                    new=_show(field, new),
                )
            )
    return rows
