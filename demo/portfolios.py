"""The demo's portfolios, made through the services so that their audit history is real.

Once the book is loaded, each project gets four portfolios (see `seed_portfolios`): a
team's, an agent's, one of both, and an inactive one, with contacts added on screen (one
event each), a contact removed, a rename, a deactivation, and a team portfolio filled
from a clients-tray filter (one event with its counts). A project that has them already
(a re-run) keeps them as they are.
"""

from dataclasses import dataclass

from django.db.models.functions import Mod

from clients.choices import Situation
from moonflow.tenancy.models import Member, Role, Team
from portfolios.models import Portfolio
from portfolios.selectors import pickable_clients
from portfolios.services import (
    audit_bulk_addition,
    portfolio_client_remove,
    portfolio_clients_add,
    portfolio_clients_add_bulk,
    portfolio_create,
    portfolio_set_active,
    portfolio_update,
)

from .project import MONTHS, ProjectSpec

VIP_SIZE = 20  # the agent's portfolio: the restricted demo adviser's extra clients
BOTH_SIZE = 12
INACTIVE_SIZE = 8
TEAM_SAMPLE = 20  # one late client in this many goes into the team portfolio


@dataclass
class Seeded:
    portfolios: int
    contacts: int


def _people(project, spec: ProjectSpec):
    members = {m.user.username: m for m in Member.objects.filter(project=project)
               .select_related("user", "team", "project")}
    admin = members[spec.staff[0].username]
    team = Team.objects.get(project=project, name=spec.team_portfolio_team)
    supervisor = members.get(team.supervisor.user.username) if team.supervisor_id else None
    advisers = [members[s.username] for s in spec.staff if s.role == Role.ADVISER]
    agent = members[spec.agent_portfolio_agent]
    both_agent = next(m for m in advisers if m.team_id == team.pk and m.pk != agent.pk)
    inactive_agent = next(m for m in advisers if m.pk not in (agent.pk, both_agent.pk)
                          and not m.restricted_to_assigned)
    return admin, supervisor or admin, team, agent, both_agent, inactive_agent


def seed_portfolios(project, spec: ProjectSpec, today) -> Seeded:
    """The four demo portfolios of `project` with their contacts and history."""
    team_name = f"Recuperación {MONTHS[today.month - 1]} {today.year}"
    if Portfolio.objects.filter(project=project, name=team_name).exists():
        return Seeded(0, 0)
    admin, coordinator, team, agent, both_agent, inactive_agent = _people(project, spec)
    live = pickable_clients(member=admin).order_by("id")
    contacts = 0

    # A team's portfolio, filled from a filter of the clients tray: 1 in 20 of the clients
    # more than 90 days late.
    recovery = portfolio_create(member=coordinator, name=team_name, team=team)
    late = pickable_clients(member=coordinator).filter(
        situation=Situation.LATE_90_PLUS).annotate(sample=Mod("id", TEAM_SAMPLE)).filter(sample=0)
    added = portfolio_clients_add_bulk(member=coordinator, portfolio=recovery, source=late)
    audit_bulk_addition(member=coordinator, portfolio=recovery, source="screen",
                        origin="Bandeja de clientes: situacion=50", added=added.added,
                        already=added.already, not_added=added.binned)
    contacts += added.added

    # An agent's portfolio: clients held by others, one removed afterwards.
    vip = portfolio_create(member=admin, name=f"Clientes VIP - {agent.display_name}",
                           agent=agent)
    picked = list(live.exclude(adviser=agent).values_list("id", flat=True)[:VIP_SIZE + 1])
    contacts += portfolio_clients_add(member=admin, portfolio=vip, client_ids=picked).added
    last = vip.memberships.select_related("client").order_by("-client_id").first()
    if last is not None:
        contacts -= portfolio_client_remove(member=admin, portfolio=vip, contact=last)

    # A portfolio of a team and one of its advisers.
    both = portfolio_create(member=coordinator, name=f"Acuerdos de pago - {team.name}",
                            team=team, agent=both_agent)
    picked = list(live.exclude(adviser=agent).values_list("id", flat=True)
                  [VIP_SIZE + 1:VIP_SIZE + 1 + BOTH_SIZE])
    contacts += portfolio_clients_add(member=coordinator, portfolio=both,
                                      client_ids=picked).added

    # Last year's campaign: renamed when it closed, then deactivated.
    campaign = portfolio_create(member=admin, name=f"Campaña Navidad {today.year - 1}",
                                agent=inactive_agent)
    picked = list(live.exclude(adviser=agent).values_list("id", flat=True)
                  [VIP_SIZE + 1 + BOTH_SIZE:VIP_SIZE + 1 + BOTH_SIZE + INACTIVE_SIZE])
    contacts += portfolio_clients_add(member=admin, portfolio=campaign, client_ids=picked).added
    portfolio_update(member=admin, portfolio=campaign,
                     name=f"Campaña Navidad {today.year - 1} (cerrada)", team=None,
                     agent=inactive_agent)
    portfolio_set_active(member=admin, portfolio=campaign, active=False)
    return Seeded(4, contacts)
