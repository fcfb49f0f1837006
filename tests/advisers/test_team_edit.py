import pytest

from moonflow.audit.models import AuditEvent
from tests import factories

from .helpers import HTMX, text, triggers, url


def _url(team, project="demo"):
    return url("advisers:team_edit", project=project, pk=team.pk)


def test_it_shows_the_dialog_filled_in(cast, as_member):
    team = cast.adviser.team

    body = text(as_member(cast.admin).get(_url(team), **HTMX))

    assert "Editar equipo: Equipo Norte" in body
    assert 'value="Equipo Norte"' in body
    assert f'<option value="{cast.supervisor.pk}" selected>Supervisor</option>' in body


def test_it_renames_and_changes_the_supervisor(cast, as_member):
    team = cast.adviser.team
    other = factories.make_member(cast.project, role="supervisor", username="coordinadora")

    response = as_member(cast.admin).post(
        _url(team), {"name": "Equipo Centro", "supervisor": other.pk}, **HTMX
    )

    assert response.status_code == 204
    assert triggers(response)["teamsChanged"] is True
    team.refresh_from_db()
    assert team.name == "Equipo Centro" and team.supervisor == other
    event = AuditEvent.objects.filter(resource_type="team", resource_id=str(team.pk)).last()
    assert event.changes == {
        "name": ["Equipo Norte", "Equipo Centro"],
        "supervisor": ["Supervisor", "Coordinadora"],
    }


def test_it_refuses_the_name_of_another_team(cast, as_member):
    factories.make_team(cast.project, "Equipo Sur")
    team = cast.adviser.team

    response = as_member(cast.admin).post(_url(team), {"name": "Equipo Sur"}, **HTMX)

    assert response.status_code == 200
    assert "Ya existe un equipo llamado «Equipo Sur»." in text(response)
    team.refresh_from_db()
    assert team.name == "Equipo Norte"


@pytest.mark.parametrize("who", ["supervisor", "adviser", "restricted"])
def test_it_requires_admin(cast, as_member, who):
    team = cast.adviser.team
    browser = as_member(getattr(cast, who))

    assert browser.get(_url(team)).status_code == 403
    assert browser.post(_url(team), {"name": "X"}).status_code == 403
    team.refresh_from_db()
    assert team.name == "Equipo Norte"


def test_it_checks_ownership(cast, as_member):
    team = cast.adviser.team
    browser = as_member(cast.outsider)

    assert browser.get(_url(team, project="otra")).status_code == 404
    assert browser.post(_url(team, project="otra"), {"name": "Robado"}).status_code == 404
    team.refresh_from_db()
    assert team.name == "Equipo Norte"
