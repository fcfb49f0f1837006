import pytest

from tests import factories

from .helpers import HTMX, text, url


def test_it_lists_teams_with_supervisor_and_active_members(cast, as_member):
    factories.make_team(cast.project, "Equipo Sur")

    body = text(as_member(cast.admin).get(url("advisers:teams")))

    assert "<h1" in body and "Equipos" in body
    north = body.split("Equipo Norte</th>", 1)[1].split("</tr>", 1)[0]
    assert "<td>Supervisor</td>" in north and "<td>2</td>" in north
    south = body.split("Equipo Sur</th>", 1)[1].split("</tr>", 1)[0]
    assert "<td>—</td>" in south and "<td>0</td>" in south
    assert 'aria-label="Editar"' in body
    assert url("advisers:team_create") in body


def test_it_does_not_list_other_projects_teams(cast, as_member):
    factories.make_team(cast.other_project, "Equipo Ajeno")

    assert "Equipo Ajeno" not in text(as_member(cast.admin).get(url("advisers:teams")))


def test_it_renders_only_the_table_for_the_htmx_refresh(cast, as_member):
    response = as_member(cast.admin).get(url("advisers:teams"), HTTP_HX_TARGET="team-table", **HTMX)

    body = text(response)

    assert body.lstrip().startswith('<div id="team-table"') and "<html" not in body


def test_it_is_linked_from_the_ajustes_menu(cast, as_member):
    body = text(as_member(cast.admin).get(url("advisers:list")))

    assert f'href="{url("advisers:teams")}"' in body


@pytest.mark.parametrize("who", ["supervisor", "adviser", "restricted"])
def test_it_requires_admin(cast, as_member, who):
    assert as_member(getattr(cast, who)).get(url("advisers:teams")).status_code == 403
