"""The Cambios column says the same words on screen and in a download."""

import pytest

from moonflow.audit.changes_text import change_list, changes_sql
from moonflow.audit.models import AuditEvent, AuditEventKind

from .helpers import record

pytestmark = pytest.mark.django_db

CASES = [
    (AuditEventKind.UPDATED, "member", {"role": ["adviser", "admin"], "is_active": [True, False]}),
    (AuditEventKind.UPDATED, "member", {"code": ["7", "HV-001"], "team": [None, "Equipo Norte"]}),
    (AuditEventKind.CREATED, "portfolio", {"name": [None, "Clientes VIP"], "agent": [None, ""]}),
    (AuditEventKind.UPDATED, "project", {"night_window_start": ["02:00:00", "03:00:00"]}),
    (AuditEventKind.UPDATED, "payment_order", {"due_date": ["2026-01-31", "2026-02-28"]}),
    (AuditEventKind.EXPORTED, "client_export",
     {"filters": {"orden": "name", "estado": ["activo", "inactivo"]},
      "columns": ["name", "situation"], "format": "csv", "rows": 12}),
    (AuditEventKind.IMPORTED, "clients_import",
     {"file": [None, "base.xlsx"], "counts": [None, {"created": 3}]}),
    (AuditEventKind.UPDATED, "unregistered_type", {"some_field": ["a", "b"], "free": "text"}),
]


def screen_text(event) -> str:
    parts = []
    for change in change_list(event=event.event, resource_type_key=event.resource_type,
                              changes=event.changes):
        value = f"{change.before} → {change.after}" if change.before is not None else change.after
        parts.append(f"{change.field}: {value}")
    return "; ".join(parts)


@pytest.mark.parametrize("event, resource_type, changes", CASES)
def test_the_screen_and_the_file_say_the_same(cast, event, resource_type, changes):
    stored = record(cast.project, cast.admin, event=event, resource_type=resource_type,
                    changes=changes)
    stored = AuditEvent.objects.get(pk=stored.pk)  # the changes as PostgreSQL returns them
    in_file = AuditEvent.objects.filter(pk=stored.pk).values_list(changes_sql(), flat=True).get()
    assert in_file == screen_text(stored)


def test_it_reads_fields_and_values_as_people_do(cast):
    stored = record(cast.project, cast.admin, resource_type="member",
                    changes={"role": ["adviser", "admin"], "restricted_to_assigned": [True, False],
                             "code": [None, "HV-001"]})
    stored = AuditEvent.objects.get(pk=stored.pk)
    assert screen_text(stored) == ("ID: — → HV-001; Rol: Asesor → Administrador; "
                                   "Asignación de asesor: Sí → No")
