import pytest
from django.utils.translation import gettext_lazy as _

from moonflow.audit import registry
from moonflow.audit.models import AuditEventKind

CARTERAS_EVENTS = (
    AuditEventKind.CREATED, AuditEventKind.UPDATED, AuditEventKind.ACTIVATED,
    AuditEventKind.DEACTIVATED, AuditEventKind.CONTACT_ADDED, AuditEventKind.CONTACT_REMOVED,
)


@pytest.fixture(autouse=True)
def carteras_module(monkeypatch):
    """The Carteras module as portfolios/apps.py registers it (whatever that file holds
    today), restored after each test."""
    monkeypatch.setattr(registry, "_MODULES", dict(registry._MODULES))
    monkeypatch.setattr(registry, "_TYPES", dict(registry._TYPES))
    registry.register_module("carteras", label=_("Carteras"),
                             resource_types={"portfolio": (_("Cartera"), "portfolios.Portfolio")},
                             events=CARTERAS_EVENTS)
    return registry.get_module("carteras")
