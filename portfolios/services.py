"""Writes on portfolios: create, edit, activate, deactivate, add and remove contacts.

Every write records its audit events (resource type "portfolio", the portfolio's id and
name) with before/after values:

- Creado: {"name": [None, name], "team": [None, team], "agent": [None, "Name (ID)"],
  "active": [None, True]};
- Actualizado: the fields that changed, [old, new] (`moonflow.audit.changes.save_changes`);
- Activado / Desactivado: {"active": [old, new]};
- Contacto agregado: one event per client added on screen, {"contacto": [None,
  "Name (CC 123)"]}; an addition of many clients at once (a clients-tray filter, a file)
  is one event with its counts (`portfolio_clients_add_bulk`);
- Contacto eliminado: {"contacto": ["Name (CC 123)", None]}.

A portfolio needs a team, an agent or both; its name is unique in the project compared
without case or accents (`Portfolio.name_key`). Contacts are added set-based: one
`INSERT … SELECT … ON CONFLICT DO NOTHING` over the clients the member sees outside the
Papelera, so a client already in the portfolio is never added twice, whoever adds it at
the same moment.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet, Value
from django.utils.translation import gettext as _

from clients.display import external_id_display
from clients.models import Client
from moonflow.audit.changes import audit_value, save_changes
from moonflow.audit.models import AuditEventKind
from moonflow.audit.services import audit_record
from moonflow.tenancy.models import Member, Team
from moonflow.text import shorten

from .models import NAME_MAX, NameKey, Portfolio, PortfolioClient
from .selectors import agent_choices, pickable_clients, require_manager, team_choices

RESOURCE = "portfolio"
MAX_PICKED = 50  # clients added at once on screen; more go through a clients-tray filter or a file


def contact_label(client) -> str:
    """How the audit log names a client: "Ana Ríos (CC 1.020.304)"."""
    return f"{client.name} ({external_id_display(client.document_type, client.document_number)})"


def _plain(value):
    if isinstance(value, Team):
        return value.name
    return audit_value(value)


def _audit(portfolio: Portfolio, *, member: Member, event: str, changes: dict,
           source: str = "screen") -> None:
    audit_record(
        project=member.project,
        actor=member.user,
        event=event,
        resource_type=RESOURCE,
        resource_id=portfolio.pk,
        resource_label=portfolio.name,
        changes=changes,
        source=source,
    )


# --- Validation -------------------------------------------------------------------------------


def _clean_name(name) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise ValidationError(_("Escriba el nombre de la cartera."), code="name")
    if len(name) > NAME_MAX:
        raise ValidationError(
            _("El nombre de la cartera admite hasta %(max)s caracteres; «%(name)s» tiene "
              "%(length)s.") % {"max": NAME_MAX, "name": shorten(name), "length": len(name)},
            code="name",
        )
    return name


def _name_taken(project_id: int, name: str, *,
                exclude: int | None = None) -> ValidationError | None:
    clash = Portfolio.objects.filter(project_id=project_id, name_key=NameKey(Value(name)))
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    existing = clash.values_list("name", flat=True).first()
    if existing is None:
        return None
    return _duplicate(existing)


def _duplicate(existing: str) -> ValidationError:
    return ValidationError(
        _("Ya existe una cartera llamada «%(name)s» (los nombres se comparan sin mayúsculas ni "
          "tildes): elija otro nombre.") % {"name": existing},
        code="duplicate",
    )


def _check_owner(member: Member, *, team: Team | None, agent: Member | None,
                 portfolio: Portfolio | None = None) -> None:
    """A team or an agent or both, each one the member may pick (an owner the portfolio
    already has may stay, even if the member could not pick it today)."""
    if team is None and agent is None:
        raise ValidationError(
            _("Elija un equipo, un agente o ambos: una cartera necesita al menos uno de los "
              "dos."),
            code="owner",
        )
    if team is not None and not (portfolio is not None and portfolio.team_id == team.pk):
        if not team_choices(member).filter(pk=team.pk).exists():
            raise ValidationError(
                _("El equipo «%(team)s» no es uno que usted pueda asignar en este proyecto.")
                % {"team": team.name},
                code="team",
            )
    if agent is not None and not (portfolio is not None and portfolio.agent_id == agent.pk):
        if agent.pk not in {m.pk for m in agent_choices(member)}:
            raise ValidationError(
                _("«%(agent)s» no es un asesor activo que usted pueda asignar en este "
                  "proyecto.") % {"agent": agent.display_name},
                code="agent",
            )


# --- Portfolios -------------------------------------------------------------------------------


@transaction.atomic
def portfolio_create(*, member: Member, name: str, team: Team | None = None,
                     agent: Member | None = None) -> Portfolio:
    """NUEVA CARTERA: a new active portfolio of `team` and/or `agent`."""
    require_manager(member)
    name = _clean_name(name)
    _check_owner(member, team=team, agent=agent)
    taken = _name_taken(member.project_id, name)
    if taken is not None:
        raise taken
    try:
        with transaction.atomic():
            portfolio = Portfolio.objects.create(
                project_id=member.project_id, name=name, team=team, agent=agent
            )
    except IntegrityError:
        # Someone else took the name between the check and the insert.
        raise _name_taken(member.project_id, name) or _duplicate(name) from None
    _audit(portfolio, member=member, event=AuditEventKind.CREATED, changes={
        "name": [None, name],
        "team": [None, _plain(team)],
        "agent": [None, _plain(agent)],
        "active": [None, True],
    })
    return portfolio


@transaction.atomic
def portfolio_update(*, member: Member, portfolio: Portfolio, name: str,
                     team: Team | None, agent: Member | None) -> dict:
    """Editar: name, team and agent; returns what changed ({} when nothing did)."""
    require_manager(member)
    name = _clean_name(name)
    _check_owner(member, team=team, agent=agent, portfolio=portfolio)
    taken = _name_taken(member.project_id, name, exclude=portfolio.pk)
    if taken is not None:
        raise taken
    return save_changes(
        portfolio,
        {"name": name, "team": team, "agent": agent},
        actor=member.user,
        resource_type=RESOURCE,
        label=lambda p: p.name,
        project=member.project,
        plain=_plain,
        on_conflict=lambda: _name_taken(member.project_id, name, exclude=portfolio.pk)
        or _duplicate(name),
    )


@transaction.atomic
def portfolio_set_active(*, member: Member, portfolio: Portfolio, active: bool) -> bool:
    """Activar / Desactivar; returns whether the state changed.

    Visibility follows at once: `clients.visibility` reads the portfolio's state on every
    query, so a deactivated portfolio's agent and team stop seeing its clients with the
    next page they open.
    """
    require_manager(member)
    changed = Portfolio.objects.filter(
        project_id=member.project_id, pk=portfolio.pk, active=not active
    ).update(active=active)
    if not changed:
        portfolio.active = active
        return False
    portfolio.active = active
    _audit(portfolio, member=member,
           event=AuditEventKind.ACTIVATED if active else AuditEventKind.DEACTIVATED,
           changes={"active": [not active, active]})
    return True


# --- Contacts ---------------------------------------------------------------------------------


@dataclass
class Added:
    """What an addition did: clients added, already in the portfolio, not added."""

    added: int
    already: int
    refused: int
    labels: list[str]  # the added clients as the audit log names them (on-screen additions)


_INSERT = (
    "INSERT INTO {table} (project_id, portfolio_id, client_id, added_at, added_by_id) "
    "SELECT %s, %s, src.id, now(), %s FROM ({source}) src "
    "ON CONFLICT (project_id, portfolio_id, client_id) DO NOTHING RETURNING client_id"
)


def _insert_sql(portfolio: Portfolio, member: Member, source: QuerySet) -> tuple[str, list]:
    sql, params = source.order_by().values("id").query.sql_with_params()
    return (_INSERT.format(table=PortfolioClient._meta.db_table, source=sql),
            [portfolio.project_id, portfolio.pk, member.user_id, *params])


@transaction.atomic
def portfolio_clients_add(*, member: Member, portfolio: Portfolio, client_ids) -> Added:
    """Busque y seleccione para agregar → Agregar: these clients, at most MAX_PICKED.

    Only clients the member sees, outside the Papelera, are added; one event per client
    added.
    """
    require_manager(member)
    try:
        ids = sorted({int(pk) for pk in client_ids})
    except (TypeError, ValueError):
        raise ValidationError(_("La selección de clientes no es válida."), code="invalid") \
            from None
    if not ids:
        raise ValidationError(_("Seleccione al menos un cliente para agregar."), code="empty")
    if len(ids) > MAX_PICKED:
        raise ValidationError(
            _("Puede agregar hasta %(max)s clientes a la vez (seleccionó %(count)s). Para más, "
              "use «Agregar desde la bandeja de clientes» o «Agregar desde archivo».")
            % {"max": MAX_PICKED, "count": len(ids)},
            code="too_many",
        )
    source = pickable_clients(member=member).filter(id__in=ids)
    sql, params = _insert_sql(portfolio, member, source)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        added_ids = [row[0] for row in cursor.fetchall()]
    found = source.count()
    clients = Client.objects.filter(project_id=member.project_id, id__in=added_ids).only(
        "id", "name", "document_type", "document_number").order_by("name", "id")
    labels = []
    for client in clients:
        label = contact_label(client)
        labels.append(label)
        _audit(portfolio, member=member, event=AuditEventKind.CONTACT_ADDED,
               changes={"contacto": [None, label]})
    return Added(added=len(added_ids), already=found - len(added_ids), refused=len(ids) - found,
                 labels=labels)


@transaction.atomic
def portfolio_client_remove(*, member: Member, portfolio: Portfolio,
                            contact: PortfolioClient) -> bool:
    """The bin icon of En cartera: the client leaves the portfolio (and, with it, the sight
    of the advisers who saw it only through the portfolio). Returns whether it was there."""
    require_manager(member)
    removed, _by_model = PortfolioClient.objects.filter(
        project_id=member.project_id, portfolio=portfolio, pk=contact.pk
    ).delete()
    if not removed:
        return False
    _audit(portfolio, member=member, event=AuditEventKind.CONTACT_REMOVED,
           changes={"contacto": [contact_label(contact.client), None]})
    return True


@dataclass
class BulkAdded:
    total: int  # clients the source holds
    added: int
    already: int
    binned: int  # in the Papelera: never added


def portfolio_clients_add_bulk(*, member: Member, portfolio: Portfolio,
                               source: QuerySet) -> BulkAdded:
    """Every client of `source` (a Client queryset already restricted to what the member
    sees: a clients-tray filter) into the portfolio, in one statement: the ids are read
    once, the live ones inserted with ON CONFLICT DO NOTHING, and the counts come back with
    it. Clients in the Papelera are counted, never added. No audit event here: the caller
    records one event for the whole addition (`audit_bulk_addition`)."""
    require_manager(member)
    sql, params = source.order_by().values("id", "deleted_at").query.sql_with_params()
    table = PortfolioClient._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH src AS MATERIALIZED ({sql}), "
            f"ins AS (INSERT INTO {table} (project_id, portfolio_id, client_id, added_at, "
            "added_by_id) SELECT %s, %s, src.id, now(), %s FROM src WHERE src.deleted_at IS NULL "
            "ON CONFLICT (project_id, portfolio_id, client_id) DO NOTHING RETURNING 1) "
            "SELECT (SELECT count(*) FROM src), "
            "(SELECT count(*) FROM src WHERE deleted_at IS NOT NULL), (SELECT count(*) FROM ins)",
            [*params, portfolio.project_id, portfolio.pk, member.user_id],
        )
        total, binned, added = cursor.fetchone()
    return BulkAdded(total=total, added=added, already=total - binned - added, binned=binned)


def audit_bulk_addition(*, member: Member, portfolio: Portfolio, origin: str, added: int,
                        already: int, not_added: int, source: str,
                        job_id: int | None = None) -> None:
    """One Contacto agregado event for an addition of many clients at once (never one per
    client: a 100,000-client filter is one line of the log), with its counts and the job of
    the Log de procesos that made it."""
    changes = {
        "contactos": [None, added],
        "ya_en_cartera": [None, already],
        "no_agregados": [None, not_added],
        "origen": [None, origin],
    }
    if job_id is not None:
        changes["proceso"] = [None, job_id]
    _audit(portfolio, member=member, event=AuditEventKind.CONTACT_ADDED, source=source,
           changes=changes)
