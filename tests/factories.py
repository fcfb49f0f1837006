"""Builders that keep related objects consistent (a member's team in its project…)."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model

from advisers.services import member_create
from clients.models import Client, PaymentOrder, Segment
from moonflow.tenancy.models import Project, Role, Team

User = get_user_model()
_seq = itertools.count(1)
PASSWORD = "moonflow-test"


def make_project(name: str | None = None, **fields) -> Project:
    n = next(_seq)
    name = name or f"Proyecto {n}"
    fields.setdefault("slug", f"proyecto-{n}")
    return Project.objects.create(name=name, **fields)


def make_user(username: str | None = None, **fields):
    username = username or f"user{next(_seq)}"
    fields.setdefault("email", f"{username}@example.com")
    fields.setdefault("first_name", username.capitalize())
    return User.objects.create_user(username=username, password=PASSWORD, **fields)


def make_team(project: Project, name: str | None = None, supervisor=None) -> Team:
    return Team.objects.create(project=project, name=name or f"Equipo {next(_seq)}", supervisor=supervisor)


def make_member(project: Project, *, role=Role.ADVISER, username=None, team=None, code=None,
                restricted=False, user=None):
    user = user or make_user(username)
    return member_create(project=project, user=user, role=role, team=team, code=code,
                         restricted_to_assigned=restricted)


def make_client(project: Project, **fields) -> Client:
    n = next(_seq)
    fields.setdefault("document_type", "CC")
    fields.setdefault("document_number", f"{10_000_000 + n}")
    fields.setdefault("name", f"Cliente {n}")
    return Client.objects.create(project=project, **fields)


def make_segment(project: Project, name: str | None = None) -> Segment:
    return Segment.objects.create(project=project, name=name or f"Segmento {next(_seq)}")


def make_payment_order(client: Client, **fields) -> PaymentOrder:
    fields.setdefault("number", f"OP-{next(_seq)}")
    fields.setdefault("amount", Decimal("100000"))
    fields.setdefault("due_date", date.today() + timedelta(days=30))
    return PaymentOrder.objects.create(project_id=client.project_id, client=client, **fields)


def make_interaction(client: Client, **fields):
    """One interaction of `client`; sent a day ago by WhatsApp unless told otherwise."""
    from django.utils import timezone

    from interactions.models import Channel, Interaction, InteractionStatus

    fields.setdefault("channel", Channel.WHATSAPP)
    fields.setdefault("status", InteractionStatus.SENT)
    fields.setdefault("scheduled_at", timezone.now() - timedelta(days=1))
    return Interaction.objects.create(project_id=client.project_id, client=client, **fields)
