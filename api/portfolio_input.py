"""Portfolios written through the API go the screens' way: `portfolios.services` (names
unique without case or accents, the team and agent the key's member may pick, the audit;
only admins and supervisors manage). Refusals come back as field-level problems."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from moonflow.tenancy.models import Member, Team
from portfolios import services

from .problems import ProblemError

# A service's ValidationError code → the JSON field it speaks of.
CODE_FIELDS = {"name": "name", "duplicate": "name", "owner": "teamId", "team": "teamId",
               "agent": "agentUserProjectId", "invalid": "clientIds", "empty": "clientIds",
               "too_many": "clientIds"}


def refused(error: ValidationError) -> ProblemError:
    return ProblemError(400, _("Revise los campos señalados."), errors=[
        {"field": CODE_FIELDS.get(error.code, ""), "message": message}
        for message in error.messages])


def _field(field: str, message: str) -> ProblemError:
    return ProblemError(400, _("Revise los campos señalados."),
                        errors=[{"field": field, "message": message}])


def _team(member, team_id):
    if team_id is None:
        return None
    team = Team.objects.filter(project_id=member.project_id, pk=team_id).first()
    if team is None:
        raise _field("teamId", _("No existe el equipo %(id)s en el proyecto.") % {"id": team_id})
    return team


def _agent(member, code):
    if not (code or "").strip():
        return None
    agent = Member.objects.filter(project_id=member.project_id).with_code(code).first()
    if agent is None:
        raise _field("agentUserProjectId", _(
            "Asesor ID «%(code)s»: no hay un usuario con ese ID en el proyecto.") % {
            "code": code[:40]})
    return agent


def portfolio_create_from_api(*, member, data: dict):
    try:
        portfolio = services.portfolio_create(
            member=member, name=data.get("name", ""), team=_team(member, data.get("teamId")),
            agent=_agent(member, data.get("agentUserProjectId")))
        if data.get("active") is False:
            services.portfolio_set_active(member=member, portfolio=portfolio, active=False)
    except ValidationError as error:
        raise refused(error) from None
    return portfolio


def portfolio_update_from_api(*, member, portfolio, data: dict):
    """Change only what the body sends: name, team, agent (`portfolio_update`), then the
    state (`portfolio_set_active`)."""
    owner_fields = {"name", "teamId", "agentUserProjectId"}
    try:
        if owner_fields & set(data):
            team = (_team(member, data["teamId"]) if "teamId" in data else portfolio.team)
            agent = (_agent(member, data["agentUserProjectId"])
                     if "agentUserProjectId" in data else portfolio.agent)
            services.portfolio_update(member=member, portfolio=portfolio,
                                      name=data.get("name", portfolio.name), team=team,
                                      agent=agent)
        if "active" in data:
            services.portfolio_set_active(member=member, portfolio=portfolio,
                                          active=data["active"])
    except ValidationError as error:
        raise refused(error) from None
    return portfolio
