"""Reads of portfolios: which ones a member sees and manages, whom they may pick as owner,
their contacts and how many each has.

Who sees which portfolio (`portfolio_list`, the one access path):

- admins and supervisors without "Asignación de asesor": every portfolio of the project;
- a supervisor with "Asignación de asesor": the portfolios of the teams they supervise, or
  held by one of those teams' advisers, or by themselves;
- an adviser (with or without the permission): the portfolios they hold as agent and those
  of their team, read-only.

Who manages (creates, edits, activates, fills): admins and supervisors, on the portfolios
they see (`may_manage`). A supervisor with "Asignación de asesor" picks as owner only the
teams they supervise and those teams' advisers (`team_choices`, `agent_choices`: the
advisers of `clients.visibility.adviser_choices`, the tray's own rule).
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.http import Http404

from clients.models import Client
from clients.search import client_search
from clients.selectors import client_base_queryset
from clients.visibility import adviser_choices, client_visibility_q, sees_whole_book
from moonflow.lists.keyset import SortKey, paginate
from moonflow.tenancy.models import Member, Role, Team

from .models import Portfolio, PortfolioClient


def may_manage(member: Member) -> bool:
    """Admins and supervisors ("como Coordinador o Supervisor", the Carteras article)."""
    return member.can_manage


def require_manager(member: Member) -> None:
    if not may_manage(member):
        raise PermissionDenied


def _supervised_teams(member: Member) -> QuerySet:
    return Team.objects.filter(project_id=member.project_id, supervisor=member).values("id")


def _scope(member: Member) -> Q:
    """The portfolios `member` sees, as a condition (see the module's docstring)."""
    if member.role == Role.SUPERVISOR and member.restricted_to_assigned:
        teams = _supervised_teams(member)
        advisers = Member.objects.filter(project_id=member.project_id, team__in=teams)
        return Q(team__in=teams) | Q(agent__in=advisers.values("id")) | Q(agent=member)
    if member.can_manage:
        return Q()
    owned = Q(agent=member)
    if member.team_id:
        owned |= Q(team_id=member.team_id)
    return owned


def portfolio_list(*, member: Member) -> QuerySet:
    """Every portfolio the member sees, in their project."""
    return Portfolio.objects.filter(project_id=member.project_id).filter(_scope(member))


def get_portfolio_for_member(member: Member, pk) -> Portfolio:
    """A portfolio the member sees; another project's, or one out of their sight, answers 404
    exactly like a missing one."""
    found = portfolio_list(member=member).select_related("team", "agent__user").filter(
        pk=pk).first()
    if found is None:
        raise Http404("No such portfolio")
    return found


def team_choices(member: Member) -> QuerySet:
    """The teams the member may make owner of a portfolio."""
    teams = Team.objects.filter(project_id=member.project_id)
    if not sees_whole_book(member) and member.role == Role.SUPERVISOR:
        teams = teams.filter(supervisor=member)
    elif not member.can_manage:
        teams = teams.none()
    return teams.order_by("name", "id")


def agent_choices(member: Member) -> list[Member]:
    """The advisers the member may make agent of a portfolio (active ones, by name)."""
    if not member.can_manage:
        return []
    advisers, _supervisors = adviser_choices(member)
    return [m for m in advisers if m.role == Role.ADVISER]


def contact_counts(project_id: int, portfolio_ids: list[int]) -> dict[int, int]:
    """How many clients each portfolio holds: one grouped statement for a page, read from
    the (project, portfolio, client) index alone. Clients in the Papelera count: they keep
    their place in the portfolio until they are restored or purged."""
    if not portfolio_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT portfolio_id, count(*) FROM {PortfolioClient._meta.db_table} "
            "WHERE project_id = %s AND portfolio_id = ANY(%s) GROUP BY portfolio_id",
            [project_id, list(portfolio_ids)],
        )
        return dict(cursor.fetchall())


def portfolio_contacts(*, member: Member, portfolio: Portfolio) -> QuerySet:
    """The portfolio's memberships whose client the member sees (En cartera), the Papelera's
    included."""
    return PortfolioClient.objects.filter(
        project_id=member.project_id, portfolio=portfolio
    ).filter(client_visibility_q(member, prefix="client__"))


def get_portfolio_contact_for_member(member: Member, portfolio: Portfolio,
                                     pk) -> PortfolioClient:
    """One contact (a client's place) of the portfolio; 404 when it is not the portfolio's,
    or its client is not one the member sees."""
    found = portfolio_contacts(member=member, portfolio=portfolio).select_related(
        "client").filter(pk=pk).first()
    if found is None:
        raise Http404("No such contact")
    return found


def pickable_clients(*, member: Member) -> QuerySet:
    """The clients the member may add to a portfolio: those they see, outside the Papelera."""
    return client_base_queryset(member=member)


def clients_in_portfolio(portfolio: Portfolio, client_ids) -> set[int]:
    """Which of these clients the portfolio already holds."""
    ids = [int(pk) for pk in client_ids]
    if not ids:
        return set()
    return set(PortfolioClient.objects.filter(
        project_id=portfolio.project_id, portfolio=portfolio, client_id__in=ids,
    ).values_list("client_id", flat=True))


def picked_clients(*, member: Member, client_ids) -> list[Client]:
    """The clients of these ids the member may add, by name (the picker's ticked ones)."""
    return list(pickable_clients(member=member).filter(id__in=list(client_ids)).only(
        "id", "name", "document_type", "document_number", "email", "phone",
    ).order_by("name", "id"))


CANDIDATES = 10  # matches one keystroke shows


@dataclass(frozen=True)
class Candidate:
    id: int
    name: str
    document_type: str
    document_number: str
    email: str
    phone: str
    in_portfolio: bool = False


def contact_candidates(*, member: Member, portfolio: Portfolio, text: str,
                       picked_ids) -> dict:
    """What "Busque y seleccione para agregar" shows for what was typed: the clients already
    ticked first, then up to CANDIDATES matches by name.

    The matches are the clients' search (`clients.search.ClientSearch`: name words with the
    last one as a beginning, document number, phone ending, e-mail; accents and case
    ignored) over the clients the member may add, read the way the clients tray reads a
    search page (`moonflow.lists.keyset.paginate` with the search as its plan): from the
    search-terms index, never a scan of the book.
    """
    picked = picked_clients(member=member, client_ids=picked_ids)
    picked_set = {c.pk for c in picked}
    found, more = [], False
    search = client_search(member.project_id, text) if text else None
    if search is not None:
        page = paginate(
            pickable_clients(member=member), sort_keys=[SortKey(F("name"))], descending=False,
            page="", size=CANDIDATES + len(picked_set),
            fields=["name", "document_type", "document_number", "email", "phone"], plan=search,
        )
        found = [row for row in page.rows if row["id"] not in picked_set][:CANDIDATES]
        more = page.has_next
    held = clients_in_portfolio(portfolio, [c.pk for c in picked] + [r["id"] for r in found])

    def candidate(pk, values):
        return Candidate(id=pk, in_portfolio=pk in held, **values)

    fields = ("name", "document_type", "document_number", "email", "phone")
    return {
        "picked": [candidate(c.pk, {f: getattr(c, f) for f in fields}) for c in picked],
        "found": [candidate(r["id"], {f: r[f] for f in fields}) for r in found],
        "more": more,
        "text": text,
        "searched": search is not None,
    }
