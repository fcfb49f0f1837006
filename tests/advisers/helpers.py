"""Shared bits for the Ajustes → Usuarios / Equipos view tests."""

import json

from django.urls import reverse

from moonflow.audit.models import AuditEvent

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, project: str = "demo", **kwargs) -> str:
    return reverse(name, kwargs={"project": project, **kwargs})


def triggers(response) -> dict:
    """The htmx events a response fires (`HX-Trigger` as JSON)."""
    return json.loads(response.headers.get("HX-Trigger", "{}"))


def member_events(member):
    return AuditEvent.objects.filter(
        project=member.project, resource_type="member", resource_id=str(member.pk)
    ).order_by("id")


def text(response) -> str:
    return response.content.decode()
