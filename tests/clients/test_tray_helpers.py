"""Shared helpers of the clients tray tests (this module holds no tests)."""

import html
import re
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from clients.models import CustomVariable
from portfolios.models import Portfolio, PortfolioClient

ROW_HEADER = re.compile(r'<th scope="row"[^>]*>(.*?)</th>', re.S)
TAG = re.compile(r"<[^>]+>")
BADGE = re.compile(r'<span class="badge[^"]*"[^>]*>.*?</span>', re.S)


def tray_url(project, query: str | dict = "") -> str:
    url = reverse("clients:list", kwargs={"project": project.slug})
    if isinstance(query, dict):
        query = urlencode(query, doseq=True)
    return f"{url}?{query}" if query else url


def get_tray(browser, project, query: str | dict = "", *, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    response = browser.get(tray_url(project, query), headers=headers)
    assert response.status_code == 200, response.status_code
    return response


def text(response) -> str:
    return response.content.decode()


def row_names(response) -> list[str]:
    """The client names of the table rows, in order, as a person reads them."""
    names = []
    for cell in ROW_HEADER.findall(text(response)):
        names.append(html.unescape(TAG.sub("", BADGE.sub("", cell))).strip())
    return names


def total_label(response) -> str:
    match = re.search(r'id="tray-total"[^>]*>([^<]*)<', text(response))
    return html.unescape(match.group(1)).strip() if match else ""


def url_exists(name: str, **kwargs) -> bool:
    try:
        reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return False
    return True


def make_variable(project, key, label, type_, choices=None, position=0) -> CustomVariable:
    return CustomVariable.objects.create(
        project=project, key=key, label=label, type=type_, choices=choices or [], position=position
    )


def put_in_portfolio(client, name, *, team=None, agent=None, active=True) -> Portfolio:
    portfolio, _ = Portfolio.objects.get_or_create(
        project_id=client.project_id, name=name,
        defaults={"team": team, "agent": agent, "active": active},
    )
    PortfolioClient.objects.create(
        project_id=client.project_id, portfolio=portfolio, client=client
    )
    return portfolio
