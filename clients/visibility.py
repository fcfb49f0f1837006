"""Who may see which client: the one place this rule lives.

- Admins, and members without "Asignación de asesor", see the whole book.
- A restricted adviser sees the clients assigned to them, and those in an
  active portfolio owned by them or by their team.
- A restricted supervisor sees the clients of their teams' advisers, the
  clients they supervise, the unassigned ones (to hand them out) and those in
  their teams' active portfolios.

Every selector of client data (clients, payment orders, interactions,
exports, the API) filters through `client_visibility_q`. Portfolio members
are matched with `__in_array` (moonflow/db/lookups.py) so the OR stays an
index-driven BitmapOr on a million-client book.
"""

from django.db.models import Q

from moonflow.tenancy.models import Member, Role, Team
from portfolios.models import PortfolioClient


def sees_whole_book(member: Member) -> bool:
    return member.is_admin or not member.restricted_to_assigned


def _portfolio_client_ids(member: Member, *, teams):
    owners = Q(portfolio__agent=member)
    if teams is not None:
        owners |= Q(portfolio__team__in=teams)
    return PortfolioClient.objects.filter(
        owners, project_id=member.project_id, portfolio__active=True
    ).values("client_id")


def client_visibility_q(member: Member, *, prefix: str = "") -> Q:
    """A Q over Client (or over a model whose `prefix` leads to its client)."""
    if sees_whole_book(member):
        return Q()
    p = prefix
    if member.role == Role.SUPERVISOR:
        teams = Team.objects.filter(project_id=member.project_id, supervisor=member).values("id")
        team_advisers = Member.objects.filter(project_id=member.project_id, team__in=teams).values(
            "id"
        )
        return (
            Q(**{f"{p}adviser__in": team_advisers})
            | Q(**{f"{p}supervisor": member})
            | Q(**{f"{p}adviser__isnull": True})
            | Q(**{f"{p}id__in_array": _portfolio_client_ids(member, teams=teams)})
        )
    teams = [member.team_id] if member.team_id else None
    return Q(**{f"{p}adviser": member}) | Q(
        **{f"{p}id__in_array": _portfolio_client_ids(member, teams=teams)}
    )
