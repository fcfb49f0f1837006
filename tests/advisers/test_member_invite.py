import pytest
from django.core import mail

from moonflow.audit.models import AuditEvent, AuditEventKind
from moonflow.tenancy.models import Member, Role
from tests import factories

from .helpers import HTMX, text, triggers, url

INVITE = url("advisers:invite")


def _form(**overrides):
    data = {"email": "nueva@example.com", "first_name": "Nueva", "last_name": "Asesora",
            "role": Role.ADVISER, "team": ""}
    data.update(overrides)
    return data


def test_it_shows_the_invitation_dialog(cast, as_member):
    body = text(as_member(cast.admin).get(INVITE, **HTMX))

    assert "Invitar usuario" in body
    for label in ("Correo electrónico", "Nombre", "Apellidos", "Rol", "Equipo"):
        assert f">{label}</label>" in body
    assert ">Invitar</button>" in body


def test_it_invites_by_email_with_the_next_free_id(
    cast, as_member, django_capture_on_commit_callbacks
):
    team = cast.adviser.team
    with django_capture_on_commit_callbacks(execute=True):
        response = as_member(cast.admin).post(INVITE, _form(team=team.pk), **HTMX)

    assert response.status_code == 204
    assert triggers(response) == {"closeModal": True, "membersChanged": True}
    invited = Member.objects.get(project=cast.project, user__email="nueva@example.com")
    assert invited.code == "5"  # the cast holds 1-4
    assert invited.team == team and invited.role == Role.ADVISER
    assert invited.user.get_full_name() == "Nueva Asesora"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nueva@example.com"]
    assert AuditEvent.objects.filter(
        project=cast.project, resource_id=str(invited.pk), event=AuditEventKind.INVITED
    ).exists()


def test_it_tells_the_assigned_id(cast, as_member):
    browser = as_member(cast.admin)
    browser.post(INVITE, _form(), **HTMX)

    body = text(browser.get(url("advisers:list"), HTTP_HX_TARGET="member-table", **HTMX))

    assert "Invitación enviada a nueva@example.com. ID asignado: 5." in body


def test_it_assigns_the_number_after_the_highest_numeric_id(cast, as_member):
    factories.make_member(cast.project, username="alto", code="41")
    factories.make_member(cast.project, username="letras", code="ZZ-99")

    as_member(cast.admin).post(INVITE, _form(), **HTMX)

    assert Member.objects.get(user__email="nueva@example.com").code == "42"


def test_it_adds_an_existing_user_of_another_project(cast, as_member):
    response = as_member(cast.admin).post(INVITE, _form(email="OUTSIDER@example.com"), **HTMX)

    assert response.status_code == 204
    assert Member.objects.filter(project=cast.project, user=cast.outsider.user).exists()


def test_it_refuses_someone_already_in_the_project(cast, as_member):
    response = as_member(cast.admin).post(INVITE, _form(email="asesor1@example.com"), **HTMX)

    assert response.status_code == 200
    assert "asesor1@example.com ya es usuario de este proyecto." in text(response)
    assert Member.objects.filter(project=cast.project).count() == 4


def test_it_refuses_an_invalid_email(cast, as_member):
    response = as_member(cast.admin).post(INVITE, _form(email="no-es-correo"), **HTMX)

    assert response.status_code == 200
    assert "Introduzca una dirección de correo electrónico válida." in text(response)


def test_it_refuses_another_projects_team(cast, as_member):
    foreign = factories.make_team(cast.other_project, "Equipo Ajeno")

    response = as_member(cast.admin).post(INVITE, _form(team=foreign.pk), **HTMX)

    assert response.status_code == 200
    assert not Member.objects.filter(user__email="nueva@example.com").exists()


@pytest.mark.parametrize("who", ["supervisor", "adviser", "restricted"])
def test_it_requires_admin(cast, as_member, who):
    browser = as_member(getattr(cast, who))

    assert browser.get(INVITE).status_code == 403
    assert browser.post(INVITE, _form()).status_code == 403
    assert not Member.objects.filter(user__email="nueva@example.com").exists()


def test_it_invites_into_the_askers_project_only(cast, as_member):
    as_member(cast.outsider).post(url("advisers:invite", project="otra"), _form(), **HTMX)

    invited = Member.objects.get(user__email="nueva@example.com")
    assert invited.project == cast.other_project
