"""audit_record: one event appended, the actor as they were when they acted."""

import pytest

from moonflow.audit.models import AuditEvent
from moonflow.audit.lists import build_audit_list
from tests import factories

from .helpers import record

pytestmark = pytest.mark.django_db


def test_it_keeps_the_actors_name_and_username(cast):
    user = factories.make_user("jperez", first_name="Juan", last_name="Pérez")
    event = record(cast.project, user, label="Clientes VIP")
    user.first_name = "Juan Carlos"
    user.save(update_fields=["first_name"])

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor_label, stored.actor_username) == ("Juan Pérez", "jperez")
    page = build_audit_list(member=cast.admin, params={"q": "juan perez", "tipo": "portfolio"})
    assert [(row.actor, row.username) for row in page.rows] == [("Juan Pérez", "jperez")]


def test_an_event_of_the_system_has_no_actor(cast):
    record(cast.project, None, label="Recálculo nocturno")
    page = build_audit_list(member=cast.admin, params={"tipo": "portfolio"})
    assert [(row.actor, row.username) for row in page.rows] == [("Sistema", "")]


def test_a_user_without_a_full_name_reads_as_their_username(cast):
    user = factories.make_user("sinnombre", first_name="", last_name="")
    record(cast.project, user, label="Cartera")
    page = build_audit_list(member=cast.admin, params={"tipo": "portfolio"})
    assert [(row.actor, row.username) for row in page.rows] == [("sinnombre", "")]
