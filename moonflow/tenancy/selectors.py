"""Reads of tenancy data. Every lookup is scoped to the asking member's project."""

from django.http import Http404

from .models import Member, Role, Team


def memberships_for_user(user):
    return (
        Member.objects.filter(user=user, is_active=True)
        .select_related("project")
        .order_by("project__name")
    )


def member_list(*, member: Member, include_inactive: bool = True):
    qs = Member.objects.filter(project=member.project).select_related("user", "team")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("-is_active", "user__first_name", "user__last_name", "id")


def get_member_for_member(member: Member, pk) -> Member:
    """Another project's member answers 404, exactly like a missing one."""
    found = member_list(member=member).filter(pk=pk).first()
    if found is None:
        raise Http404("No such member")
    return found


def get_member_by_code(project, code: str) -> Member | None:
    return Member.objects.filter(project=project, code=code).select_related("user").first()


def team_list(*, member: Member):
    return Team.objects.filter(project=member.project).select_related("supervisor__user")


def adviser_choices(*, member: Member):
    return member_list(member=member, include_inactive=False).filter(role=Role.ADVISER)


def supervisor_choices(*, member: Member):
    return member_list(member=member, include_inactive=False).filter(role=Role.SUPERVISOR)
