"""advisers.services rules the screens rely on but cannot always reach."""

import pytest
from django.core.exceptions import ValidationError

from advisers.services import (
    member_set_active,
    member_update,
    next_member_code,
    team_create,
    team_update,
)
from moonflow.audit.models import AuditEvent
from moonflow.tenancy.models import Role
from tests import factories


def test_it_numbers_codes_from_the_highest_numeric_one(cast):
    factories.make_member(cast.project, username="texto", code="ABC")
    factories.make_member(cast.project, username="diez", code="10")

    assert next_member_code(cast.project) == "11"
    assert next_member_code(cast.other_project) == "2"


def test_it_keeps_the_last_active_admin(cast):
    with pytest.raises(ValidationError, match="único administrador activo"):
        member_set_active(member=cast.admin, actor=None, active=False)
    with pytest.raises(ValidationError, match="único administrador activo"):
        member_update(member=cast.admin, actor=None, role=Role.ADVISER)

    cast.admin.refresh_from_db()
    assert cast.admin.is_active and cast.admin.role == Role.ADMIN


def test_it_refuses_a_team_of_another_project(cast):
    foreign = factories.make_team(cast.other_project, "Ajeno")

    with pytest.raises(ValidationError):
        member_update(member=cast.adviser, actor=None, team=foreign)


def test_it_refuses_a_duplicate_team_name_ignoring_case(cast):
    with pytest.raises(ValidationError, match="Ya existe un equipo llamado «equipo norte»."):
        team_create(project=cast.project, name="equipo norte", actor=None)

    assert team_create(project=cast.other_project, name="Equipo Norte", actor=None).pk


def test_it_audits_team_changes(cast):
    actor = cast.admin.user
    team = team_create(project=cast.project, name="Equipo Sur", supervisor=None, actor=actor)
    team_update(team=team, actor=actor, name="Equipo Sur", supervisor=cast.supervisor)

    events = AuditEvent.objects.filter(resource_type="team", resource_id=str(team.pk))
    events = events.order_by("id")
    assert [e.changes for e in events] == [
        {"name": [None, "Equipo Sur"], "supervisor": [None, None]},
        {"supervisor": [None, "Supervisor"]},
    ]


def test_it_refuses_a_supervisor_of_another_project(cast):
    with pytest.raises(ValidationError, match="no pertenece a este proyecto"):
        team_create(project=cast.project, name="X", supervisor=cast.outsider, actor=None)
