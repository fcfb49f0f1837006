"""Who may see which client, and whose identity as adviser: the one place these rules live.

Which clients (`client_visibility_q`):

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

Which advisers' identity (`readable_adviser_ids`): through a portfolio a
restricted member sees clients held by other advisers, but not who holds
them. They read the name and Asesor ID of only the advisers they may pick in
the tray's "Asesor asignado" filter: themselves and, for a supervisor, the
active advisers of the teams they supervise. Any other adviser reads as
"Otro asesor", with no Asesor ID, wherever a client shows its adviser: the
tray, the downloads, the client page (adviser, assignment history, who
changed it) and the edit dialog.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy

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


# What an adviser whose identity the member may not read is called.
OTHER_ADVISER = gettext_lazy("Otro asesor")


def readable_adviser_ids(member: Member) -> set[int] | None:
    """The ids of the advisers whose name and Asesor ID `member` may read; None: everyone's.

    The advisers the member may pick in the tray's "Asesor asignado" filter
    (`adviser_choices`), and the member themselves.
    """
    if sees_whole_book(member):
        return None
    readable = {member.pk}
    if member.role == Role.SUPERVISOR:
        readable.update(
            Member.objects.filter(
                project_id=member.project_id,
                is_active=True,
                role=Role.ADVISER,
                team__supervisor=member,
            ).values_list("id", flat=True)
        )
    return readable


def adviser_choices(member: Member) -> tuple[list[Member], list[Member]]:
    """(advisers the member may pick in a filter and read, the project's supervisors): one query.

    The same rule as `readable_adviser_ids`: everyone for a member who sees the
    whole book; the advisers of their teams for a restricted supervisor; a
    restricted adviser only themselves. Supervisors are the organisation chart.
    """
    people = list(
        Member.objects.filter(
            project_id=member.project_id, is_active=True, role__in=[Role.ADVISER, Role.SUPERVISOR]
        )
        .select_related("user", "team")
        .order_by("user__first_name", "user__last_name", "id")
    )
    supervisors = [m for m in people if m.role == Role.SUPERVISOR]
    advisers = [m for m in people if m.role == Role.ADVISER]
    if not sees_whole_book(member):
        if member.role == Role.SUPERVISOR:
            advisers = [m for m in advisers if m.team and m.team.supervisor_id == member.pk]
        else:
            advisers = [member]
    return advisers, supervisors


def may_read_adviser(readable_ids: set[int] | None, adviser_id: int | None) -> bool:
    """Whether an adviser (None: no adviser) may be named, given `readable_adviser_ids`."""
    return readable_ids is None or adviser_id is None or adviser_id in readable_ids


def unreadable_adviser_users(member: Member, readable_ids: set[int] | None, user_ids) -> set[int]:
    """Of these user ids, those of advisers in the member's project whose identity is not readable.

    For the people who acted on a client (who changed its adviser, who deleted
    it): an adviser among them is named only when readable; admins and
    supervisors (the organisation chart) always are. `readable_ids` is
    `readable_adviser_ids(member)`.
    """
    user_ids = {pk for pk in user_ids if pk is not None}
    if readable_ids is None or not user_ids:
        return set()
    return set(
        Member.objects.filter(project_id=member.project_id, role=Role.ADVISER, user_id__in=user_ids)
        .exclude(pk__in=readable_ids)
        .values_list("user_id", flat=True)
    )
