"""The audit log is append-only in PostgreSQL itself: UPDATE, DELETE and TRUNCATE are refused
on the product's connection, whatever code sends them; only the maintenance path (a superuser
under session_replication_role = replica, docs/audit.md) gets past the triggers."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import ProgrammingError, connection, transaction
from django.db.models import ProtectedError

from moonflow.audit.models import AuditEvent

from .helpers import record

pytestmark = pytest.mark.django_db

REFUSED = "42501"  # insufficient_privilege


@pytest.fixture
def event(cast):
    return record(cast.project, cast.admin, label="Cartera Norte", changes={"name": ["A", "B"]})


def refusal(sql, params=()):
    with pytest.raises(ProgrammingError) as raised, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    return raised.value.__cause__


def test_it_refuses_an_update(event):
    error = refusal("UPDATE audit_auditevent SET resource_label = 'otra' WHERE id = %s", [event.pk])
    assert error.sqlstate == REFUSED
    assert error.diag.message_primary == "audit_auditevent is append-only: UPDATE is not allowed"
    assert AuditEvent.objects.get(pk=event.pk).resource_label == "Cartera Norte"


def test_it_refuses_a_delete(event):
    error = refusal("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert error.sqlstate == REFUSED
    assert error.diag.message_primary == "audit_auditevent is append-only: DELETE is not allowed"
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_truncate(event):
    error = refusal("TRUNCATE audit_auditevent")
    assert error.sqlstate == REFUSED
    assert error.diag.message_primary == "audit_auditevent is append-only: TRUNCATE is not allowed"
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_refuses_the_orms_update_and_delete_too(event):
    with pytest.raises(ProgrammingError, match="append-only: UPDATE"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(resource_label="otra")
    with pytest.raises(ProgrammingError, match="append-only: DELETE"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).changes == {"name": ["A", "B"]}


def test_it_keeps_appending(cast, event):
    record(cast.project, cast.supervisor, label="Cartera Sur")
    assert AuditEvent.objects.filter(resource_type="portfolio").count() == 2


def test_a_project_or_a_user_with_history_cannot_be_deleted(cast, event):
    with pytest.raises(ProtectedError), transaction.atomic():
        cast.project.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        get_user_model().objects.filter(pk=cast.admin.user_id).delete()
    assert AuditEvent.objects.filter(pk=event.pk, actor_id=cast.admin.user_id).exists()


@pytest.mark.django_db(transaction=True)
def test_the_suites_flush_is_the_maintenance_path_and_ends_with_its_transaction(event):
    """The TRUNCATE that ends a transactional test runs under replica, local to its own
    transaction: after it (here rolled back, to look at the table) the session is back to
    `origin` and the triggers refuse again."""
    statements = connection.ops.sql_flush(no_style(), ["audit_auditevent"])
    assert statements[:2] == ["SET LOCAL citus.propagate_set_commands = 'local'",
                              "SET LOCAL session_replication_role = replica"]
    with pytest.raises(RuntimeError), transaction.atomic():
        connection.ops.execute_sql_flush(statements)
        assert not AuditEvent.objects.exists()
        raise RuntimeError("undo the flush")
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert refusal("TRUNCATE audit_auditevent").sqlstate == REFUSED
