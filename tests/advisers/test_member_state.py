import pytest

from moonflow.audit.models import AuditEventKind
from moonflow.tenancy.models import Role
from tests import factories

from .helpers import HTMX, member_events, text, triggers, url


def _deactivate(member, project="demo"):
    return url("advisers:deactivate", project=project, pk=member.pk)


def _activate(member, project="demo"):
    return url("advisers:activate", project=project, pk=member.pk)


def test_it_asks_before_deactivating(cast, as_member):
    body = text(as_member(cast.admin).get(_deactivate(cast.adviser), **HTMX))

    assert "Desactivar usuario: Asesor1" in body
    assert "Sus clientes siguen asignados" in body
    assert ">Desactivar</button>" in body
    cast.adviser.refresh_from_db()
    assert cast.adviser.is_active is True


def test_it_deactivates_and_keeps_the_clients_assigned(cast, as_member):
    clients = [factories.make_client(cast.project, adviser=cast.adviser) for _ in range(2)]

    response = as_member(cast.admin).post(_deactivate(cast.adviser), **HTMX)

    assert response.status_code == 204
    assert triggers(response) == {"closeModal": True, "membersChanged": True}
    cast.adviser.refresh_from_db()
    assert cast.adviser.is_active is False
    for client in clients:
        client.refresh_from_db()
        assert client.adviser_id == cast.adviser.pk
    event = member_events(cast.adviser).last()
    assert event.event == AuditEventKind.DEACTIVATED
    assert event.changes == {"is_active": [True, False]}


def test_a_deactivated_member_can_no_longer_open_the_project(cast, as_member):
    as_member(cast.admin).post(_deactivate(cast.adviser), **HTMX)

    assert as_member(cast.adviser).get(url("clients:list")).status_code == 404


def test_it_reactivates(cast, as_member):
    browser = as_member(cast.admin)
    browser.post(_deactivate(cast.adviser), **HTMX)

    response = browser.post(_activate(cast.adviser), **HTMX)

    assert response.status_code == 204
    cast.adviser.refresh_from_db()
    assert cast.adviser.is_active is True
    assert member_events(cast.adviser).last().event == AuditEventKind.ACTIVATED
    body = text(browser.get(url("advisers:list"), HTTP_HX_TARGET="member-table", **HTMX))
    assert "Asesor1 está activo de nuevo." in body


def test_it_refuses_to_deactivate_oneself(cast, as_member):
    factories.make_member(cast.project, role=Role.ADMIN, username="admin2")

    response = as_member(cast.admin).post(_deactivate(cast.admin), **HTMX)

    assert response.status_code == 200
    assert "No puede desactivarse a sí mismo." in text(response)
    cast.admin.refresh_from_db()
    assert cast.admin.is_active is True


def test_it_lets_an_admin_deactivate_another_admin(cast, as_member):
    second = factories.make_member(cast.project, role=Role.ADMIN, username="admin2")

    response = as_member(second).post(_deactivate(cast.admin), **HTMX)

    assert response.status_code == 204
    cast.admin.refresh_from_db()
    assert cast.admin.is_active is False


@pytest.mark.parametrize("who", ["supervisor", "adviser", "restricted"])
def test_it_requires_admin(cast, as_member, who):
    browser = as_member(getattr(cast, who))

    assert browser.get(_deactivate(cast.adviser)).status_code == 403
    assert browser.post(_deactivate(cast.adviser)).status_code == 403
    assert browser.post(_activate(cast.adviser)).status_code == 403
    cast.adviser.refresh_from_db()
    assert cast.adviser.is_active is True


def test_it_checks_ownership(cast, as_member):
    browser = as_member(cast.outsider)

    assert browser.get(_deactivate(cast.adviser, project="otra")).status_code == 404
    assert browser.post(_deactivate(cast.adviser, project="otra")).status_code == 404
    cast.adviser.refresh_from_db()
    assert cast.adviser.is_active is True
