"""Shared bits of the Carteras tests."""

import json

from django.urls import reverse

from moonflow.audit.models import AuditEvent
from portfolios.models import Portfolio, PortfolioClient

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, project: str = "demo", **kwargs) -> str:
    return reverse(name, kwargs={"project": project, **kwargs})


def text(response) -> str:
    return response.content.decode()


def triggers(response) -> dict:
    return json.loads(response.headers.get("HX-Trigger", "{}"))


def events(portfolio: Portfolio, event: str | None = None):
    """The portfolio's audit events, oldest first."""
    found = AuditEvent.objects.filter(
        project_id=portfolio.project_id, resource_type="portfolio", resource_id=str(portfolio.pk)
    )
    if event is not None:
        found = found.filter(event=event)
    return found.order_by("id")


def make_portfolio(project, name: str = "Cartera Norte", **fields) -> Portfolio:
    """A portfolio row as the services leave it (no audit event: tests of events use them)."""
    return Portfolio.objects.create(project=project, name=name, **fields)


def put_in(portfolio: Portfolio, *clients) -> None:
    PortfolioClient.objects.bulk_create(
        PortfolioClient(project_id=portfolio.project_id, portfolio=portfolio, client=client)
        for client in clients
    )


def members_of(portfolio: Portfolio) -> set[str]:
    return set(PortfolioClient.objects.filter(portfolio=portfolio)
               .values_list("client__name", flat=True))
