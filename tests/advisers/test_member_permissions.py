import pytest

from moonflow.tenancy.models import Member, Role
from tests import factories

from .helpers import HTMX, member_events, text, triggers, url


def _url(member, project="demo"):
    return url("advisers:permissions", project=project, pk=member.pk)


def test_it_shows_the_permission_dialog(cast, as_member):
    response = as_member(cast.admin).get(_url(cast.adviser), **HTMX)

    body = text(response)
    assert response.status_code == 200
    assert 'id="modal-title"' in body and "Permisos del usuario: Asesor1" in body
    assert 'role="switch"' in body and "Asignación de asesor" in body
    assert ">Rol</label>" in body and ">Equipo</label>" in body
    assert ">Guardar</button>" in body
    assert "<html" not in body


def test_it_switches_asignacion_de_asesor_on_and_closes_the_dialog(cast, as_member):
    team = cast.adviser.team
    response = as_member(cast.admin).post(
        _url(cast.adviser),
        {"restricted_to_assigned": "on", "role": Role.ADVISER, "team": team.pk},
        **HTMX,
    )

    assert response.status_code == 204
    assert triggers(response) == {"closeModal": True, "membersChanged": True}
    cast.adviser.refresh_from_db()
    assert cast.adviser.restricted_to_assigned is True
    event = member_events(cast.adviser).last()
    assert event.changes == {"restricted_to_assigned": [False, True]}
    assert event.actor == cast.admin.user


def test_it_switches_it_off_and_changes_role_and_team(cast, as_member):
    other_team = factories.make_team(cast.project, "Equipo Sur")
    as_member(cast.admin).post(
        _url(cast.restricted), {"role": Role.SUPERVISOR, "team": other_team.pk}, **HTMX
    )

    cast.restricted.refresh_from_db()
    assert cast.restricted.restricted_to_assigned is False
    assert cast.restricted.role == Role.SUPERVISOR
    assert cast.restricted.team == other_team
    assert member_events(cast.restricted).last().changes == {
        "restricted_to_assigned": [True, False],
        "role": [Role.ADVISER, Role.SUPERVISOR],
        "team": ["Equipo Norte", "Equipo Sur"],
    }


def test_it_shows_the_saved_message_when_the_table_refreshes(cast, as_member):
    browser = as_member(cast.admin)
    browser.post(_url(cast.adviser), {"restricted_to_assigned": "on", "role": Role.ADVISER}, **HTMX)

    body = text(browser.get(url("advisers:list"), HTTP_HX_TARGET="member-table", **HTMX))

    assert "Permisos de Asesor1 guardados." in body


def test_it_redirects_with_a_message_without_htmx(cast, as_member):
    browser = as_member(cast.admin)
    response = browser.post(_url(cast.adviser), {"restricted_to_assigned": "on", "role": "adviser"})

    assert response.status_code == 302 and response.url == url("advisers:list")
    assert "Permisos de Asesor1 guardados." in text(browser.get(response.url))


def test_it_records_nothing_when_nothing_changes(cast, as_member):
    before = member_events(cast.adviser).count()

    as_member(cast.admin).post(
        _url(cast.adviser), {"role": Role.ADVISER, "team": cast.adviser.team_id}, **HTMX
    )

    assert member_events(cast.adviser).count() == before


def test_it_refuses_another_projects_team(cast, as_member):
    foreign = factories.make_team(cast.other_project, "Equipo Ajeno")

    response = as_member(cast.admin).post(
        _url(cast.adviser), {"role": Role.ADVISER, "team": foreign.pk}, **HTMX
    )

    assert response.status_code == 200
    assert "Escoja una opción válida" in text(response)
    cast.adviser.refresh_from_db()
    assert cast.adviser.team.name == "Equipo Norte"


def test_it_refuses_to_demote_the_last_admin(cast, as_member):
    response = as_member(cast.admin).post(_url(cast.admin), {"role": Role.SUPERVISOR}, **HTMX)

    assert response.status_code == 200
    assert "Admin es el único administrador activo del proyecto" in text(response)
    cast.admin.refresh_from_db()
    assert cast.admin.role == Role.ADMIN


def test_it_lets_an_admin_be_demoted_when_another_remains(cast, as_member):
    factories.make_member(cast.project, role=Role.ADMIN, username="admin2")

    response = as_member(cast.admin).post(_url(cast.admin), {"role": Role.SUPERVISOR}, **HTMX)

    assert response.status_code == 204
    assert Member.objects.get(pk=cast.admin.pk).role == Role.SUPERVISOR


@pytest.mark.parametrize("who", ["supervisor", "adviser", "restricted"])
def test_it_requires_admin(cast, as_member, who):
    browser = as_member(getattr(cast, who))

    assert browser.get(_url(cast.adviser)).status_code == 403
    response = browser.post(_url(cast.adviser), {"restricted_to_assigned": "on", "role": "adviser"})
    assert response.status_code == 403
    cast.adviser.refresh_from_db()
    assert cast.adviser.restricted_to_assigned is False


def test_it_checks_ownership(cast, as_member):
    browser = as_member(cast.outsider)

    assert browser.get(_url(cast.adviser, project="otra")).status_code == 404
    response = browser.post(
        _url(cast.adviser, project="otra"), {"restricted_to_assigned": "on", "role": "admin"}
    )
    assert response.status_code == 404
    cast.adviser.refresh_from_db()
    assert cast.adviser.restricted_to_assigned is False and cast.adviser.role == Role.ADVISER


def test_it_answers_404_for_a_missing_member(cast, as_member):
    assert as_member(cast.admin).get(url("advisers:permissions", pk=999999)).status_code == 404
