"""`seed_demo`: a few portfolios with contacts and their audit history, made by the services."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from moonflow.audit.models import AuditEvent, AuditEventKind
from portfolios.models import Portfolio, PortfolioClient

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One demo for the module, rolled back at its end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = StringIO()
            call_command("seed_demo", clients=1500, stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _portfolios():
    return {p.name: p for p in Portfolio.objects.filter(project__slug="demo-cobranzas")
            .select_related("team", "agent__user")}


def test_it_makes_a_team_an_agent_a_both_and_an_inactive_portfolio(seeded):
    portfolios = _portfolios()

    kinds = {(p.team is not None, p.agent is not None, p.active) for p in portfolios.values()}
    assert kinds == {(True, False, True), (False, True, True), (True, True, True),
                     (False, True, False)}
    assert "4 portfolios with" in seeded
    for portfolio in portfolios.values():
        assert PortfolioClient.objects.filter(portfolio=portfolio).exists(), portfolio.name


def test_their_history_is_the_services_own(seeded):
    portfolios = _portfolios()
    events = AuditEvent.objects.filter(resource_type="portfolio",
                                       project__slug="demo-cobranzas")

    assert events.filter(event=AuditEventKind.CREATED).count() == 4
    assert {e.event for e in events} == {
        AuditEventKind.CREATED, AuditEventKind.UPDATED, AuditEventKind.DEACTIVATED,
        AuditEventKind.CONTACT_ADDED, AuditEventKind.CONTACT_REMOVED}
    [closed] = [p for p in portfolios.values() if not p.active]
    renamed = events.get(event=AuditEventKind.UPDATED, resource_id=str(closed.pk))
    assert renamed.changes["name"][1] == closed.name and closed.name.endswith("(cerrada)")
    [team] = [p for p in portfolios.values() if p.team and not p.agent]
    bulk = events.get(event=AuditEventKind.CONTACT_ADDED, resource_id=str(team.pk))
    assert bulk.changes["contactos"] == [None, PortfolioClient.objects.filter(
        portfolio=team).count()]
    [vip] = [p for p in portfolios.values() if p.agent and not p.team and p.active]
    assert events.filter(event=AuditEventKind.CONTACT_ADDED, resource_id=str(vip.pk)).count() \
        == PortfolioClient.objects.filter(portfolio=vip).count() + 1
    assert all(e.actor_id for e in events)
