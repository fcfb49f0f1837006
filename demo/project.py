"""The small, ORM-made part of a demo project: users, members, teams, segments and
custom variables, turned into a `generate.Plan` of plain ids (the portfolios come after
the book is loaded: demo/portfolios.py).

Re-running against an existing project or existing users reuses them: a user
that already exists keeps its password, a member keeps its role.
"""

import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.utils import timezone

from advisers.services import member_create
from clients.models import Client, CustomVariable, Segment
from clients.variable_statistics import ensure_variable_statistics
from clients.situation import project_today
from moonflow.tenancy.models import Member, Project, Role, Team

from . import names
from .generate import CUSTOM_VARIABLES, AdviserSlot, Plan

User = get_user_model()

DEFAULT_SLUG = "demo-cobranzas"
DEMO_PASSWORD = "moonflow"
MONTHS = (
    "Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto", "Septiembre",
    "Octubre", "Noviembre", "Diciembre",
)


@dataclass
class StaffSpec:
    username: str
    role: str
    team: str | None = None  # team name (advisers) or the team supervised (supervisors)
    restricted: bool = False
    share: float | None = None  # fixed share of the book; None = an even part of the rest


@dataclass
class ProjectSpec:
    slug: str
    name: str
    country: str
    staff: list
    unassigned_share: float
    team_portfolio_team: str  # the team owning the team portfolio
    agent_portfolio_agent: str  # username of the agent owning the agent portfolio


@dataclass
class Login:
    username: str
    role: str
    project: str
    created: bool
    restricted: bool


def main_project_spec(slug: str = DEFAULT_SLUG) -> ProjectSpec:
    """admin, supervisor, asesor1 (open), asesor2 (restricted, ~4 % of the book) and 8 more."""
    name = "Demo Cobranzas" if slug == DEFAULT_SLUG else slug.replace("-", " ").title()
    staff = [
        StaffSpec("admin", Role.ADMIN),
        StaffSpec("supervisor", Role.SUPERVISOR, team="Equipo Norte"),
        StaffSpec("supervisor2", Role.SUPERVISOR, team="Equipo Sur"),
        StaffSpec("asesor1", Role.ADVISER, team="Equipo Norte"),
        StaffSpec("asesor2", Role.ADVISER, team="Equipo Norte", restricted=True, share=0.04),
    ]
    staff += [
        StaffSpec(f"asesor{n}", Role.ADVISER, team="Equipo Norte" if n <= 6 else "Equipo Sur")
        for n in range(3, 11)
    ]
    return ProjectSpec(
        slug=slug, name=name, country="CO", staff=staff, unassigned_share=0.05,
        # The team portfolio belongs to the team asesor2 is not in, so that
        # asesor2's view stays their own clients plus their own portfolio.
        team_portfolio_team="Equipo Sur", agent_portfolio_agent="asesor2",
    )


def further_project_spec(number: int) -> ProjectSpec:
    """empresa-2, empresa-3…: an admin, a supervisor and three advisers, in another country."""
    slug = f"empresa-{number}"
    country = ("PE", "CL", "AR", "CO")[(number - 2) % 4]
    staff = [
        StaffSpec(f"admin{number}", Role.ADMIN),
        StaffSpec(f"{slug}.supervisor", Role.SUPERVISOR, team="Equipo Centro"),
    ] + [StaffSpec(f"{slug}.asesor{n}", Role.ADVISER, team="Equipo Centro") for n in (1, 2, 3)]
    return ProjectSpec(
        slug=slug, name=f"Empresa {number}", country=country, staff=staff,
        unassigned_share=0.05, team_portfolio_team="Equipo Centro",
        agent_portfolio_agent=f"{slug}.asesor1",
    )


def build_project(spec: ProjectSpec, *, password_hash: str, seed: int, orders_per_client: float,
                  interactions_per_client: float) -> tuple[Project, Plan, list, int]:
    """Create (or reuse) the project and its people; returns project, plan, logins, first index."""
    rng = random.Random(f"{seed}:staff:{spec.slug}")
    country = names.COUNTRIES[spec.country]
    project = Project.objects.filter(slug=spec.slug).first()
    if project is None:
        project = Project.objects.create(
            name=spec.name, slug=spec.slug, timezone=country.timezone,
            currency=country.currency, language="es",
        )

    logins, members, user_ids = [], {}, {}
    for staff in spec.staff:
        user, created = _user(staff.username, password_hash, rng)
        member = Member.objects.filter(project=project, user=user).first()
        if member is None:
            team = None
            if staff.role == Role.ADVISER and staff.team:
                team = _team(project, staff.team)
            member = member_create(
                project=project, user=user, role=staff.role, team=team,
                restricted_to_assigned=staff.restricted,
            )
        if staff.role == Role.SUPERVISOR and staff.team:
            team = _team(project, staff.team)
            if team.supervisor_id is None:
                team.supervisor = member
                team.save(update_fields=["supervisor"])
        members[staff.username] = member
        user_ids[staff.username] = user.pk
        logins.append(Login(staff.username, member.get_role_display(), project.slug, created,
                            member.restricted_to_assigned))

    segment_ids = {}
    for segment_name in names.SEGMENTS:
        segment, _ = Segment.objects.get_or_create(project=project, name=segment_name)
        segment_ids[segment_name] = segment.pk
    for position, (key, label, type_, choices) in enumerate(CUSTOM_VARIABLES, start=1):
        CustomVariable.objects.get_or_create(
            project=project, key=key,
            defaults={"label": label, "type": type_, "choices": choices, "position": position},
        )
        ensure_variable_statistics(key)

    # Advisers and their share of the book.
    supervisors = dict(
        Team.objects.filter(project=project).values_list("id", "supervisor_id")
    )
    advisers = [s for s in spec.staff if s.role == Role.ADVISER]
    fixed = sum(s.share for s in advisers if s.share is not None)
    open_ones = [s for s in advisers if s.share is None]
    rest = max(0.0, 1.0 - spec.unassigned_share - fixed)
    slots = []
    for staff in advisers:
        member = members[staff.username]
        if not member.is_active or member.role != Role.ADVISER:
            continue
        share = staff.share if staff.share is not None else rest / len(open_ones)
        if staff.share is None:
            share *= 0.85 + 0.3 * rng.random()  # some advisers carry a bit more than others
        slots.append(AdviserSlot(member.pk, member.user_id, supervisors.get(member.team_id), share))

    admin_user_id = user_ids[spec.staff[0].username]
    today = project_today(project)

    first_index = Client.objects.filter(project=project).count()
    now = timezone.now()
    plan = Plan(
        project_id=project.pk,
        currency=project.currency,
        country=spec.country,
        today=today,
        now=now,
        segment_ids=segment_ids,
        advisers=slots,
        unassigned_weight=spec.unassigned_share,
        admin_user_id=admin_user_id,
        salt=project.pk * 1_000_003,
        utc_offset=now.astimezone(ZoneInfo(project.timezone)).utcoffset(),
        orders_per_client=orders_per_client,
        interactions_per_client=interactions_per_client,
    )
    return project, plan, logins, first_index


def _team(project: Project, name: str) -> Team:
    team, _ = Team.objects.get_or_create(project=project, name=name)
    return team


def _user(username: str, password_hash: str, rng: random.Random):
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    if rng.random() < 0.5:
        first = rng.choice(names.FEMALE_FIRST_NAMES)
    else:
        first = rng.choice(names.MALE_FIRST_NAMES)
    last = rng.choice(names.SURNAMES)
    user = User.objects.create(
        username=username, password=password_hash, first_name=first, last_name=last,
        email=f"{username}@example.com",
    )
    return user, True
