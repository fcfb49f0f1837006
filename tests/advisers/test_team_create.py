import pytest

from moonflow.audit.models import AuditEvent
from moonflow.tenancy.models import Team

from .helpers import HTMX, text, triggers, url

CREATE = url("advisers:team_create")


def test_it_shows_the_dialog_with_supervisors_only(cast, as_member):
    body = text(as_member(cast.admin).get(CREATE, **HTMX))

    assert "Crear equipo" in body and ">Nombre</label>" in body and ">Supervisor</label>" in body
    assert f'<option value="{cast.supervisor.pk}">Supervisor</option>' in body
    assert f'value="{cast.adviser.pk}"' not in body


def test_it_creates_a_team_and_audits_it(cast, as_member):
    response = as_member(cast.admin).post(
        CREATE, {"name": " Equipo Sur ", "supervisor": cast.supervisor.pk}, **HTMX
    )

    assert response.status_code == 204
    assert triggers(response) == {"closeModal": True, "teamsChanged": True}
    team = Team.objects.get(project=cast.project, name="Equipo Sur")
    assert team.supervisor == cast.supervisor
    assert AuditEvent.objects.filter(resource_type="team", resource_id=str(team.pk)).exists()


def test_it_refuses_a_duplicate_name(cast, as_member):
    response = as_member(cast.admin).post(CREATE, {"name": "equipo norte"}, **HTMX)

    assert response.status_code == 200
    assert "Ya existe un equipo llamado «equipo norte»." in text(response)
    assert Team.objects.filter(project=cast.project).count() == 1


def test_it_refuses_a_supervisor_of_another_project(cast, as_member):
    response = as_member(cast.admin).post(
        CREATE, {"name": "Equipo Sur", "supervisor": cast.outsider.pk}, **HTMX
    )

    assert response.status_code == 200
    assert not Team.objects.filter(name="Equipo Sur").exists()


@pytest.mark.parametrize("who", ["supervisor", "adviser", "restricted"])
def test_it_requires_admin(cast, as_member, who):
    browser = as_member(getattr(cast, who))

    assert browser.get(CREATE).status_code == 403
    assert browser.post(CREATE, {"name": "Equipo Sur"}).status_code == 403
    assert not Team.objects.filter(name="Equipo Sur").exists()
