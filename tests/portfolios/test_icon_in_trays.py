"""The portfolio icon ("Cartera: <nombre>") next to a client's name in every tray and page:
Clientes, Órdenes de pago, Interacciones, the client's page, its payment orders and its
communications; never for an inactive portfolio or another project's; one query a page."""

import os
from html.parser import HTMLParser

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portfolios.badges import ICON
from portfolios.models import Portfolio, PortfolioClient
from tests import factories

TRAYS = ("clients", "payment_orders", "interactions")
CLIENT_PAGES = ("client", "client_payment_orders", "client_communications")
PAGES = TRAYS + CLIENT_PAGES

URL_NAMES = {
    "clients": "clients:list",
    "payment_orders": "clients:payment_orders",
    "interactions": "interactions:list",
    "client": "clients:detail",
    "client_payment_orders": "clients:client_payment_orders",
    "client_communications": "interactions:client_list",
}


def page_url(page: str, client) -> str:
    """The page that shows `client`: a tray of its project, or one of its own pages."""
    kwargs = {"project": client.project.slug}
    if page in CLIENT_PAGES:
        kwargs["pk"] = client.pk
    return reverse(URL_NAMES[page], kwargs=kwargs)


def get(browser, url) -> str:
    response = browser.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


class Blocks(HTMLParser):
    """Each table row and page heading: its text and the images (role="img") in it."""

    def __init__(self):
        super().__init__()
        self.blocks: list[dict] = []
        self.current: dict | None = None
        self.image: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("tr", "h1"):
            self.current = {"tag": tag, "text": "", "images": []}
            self.blocks.append(self.current)
        elif self.current is not None and attrs.get("role") == "img":
            self.image = {"name": attrs.get("aria-label"), "title": attrs.get("title"),
                          "icon": ""}
            self.current["images"].append(self.image)
        elif tag == "i" and self.image is not None and not self.image["icon"]:
            self.image["icon"] = attrs.get("class", "")

    def handle_endtag(self, tag):
        if self.current is not None and tag == self.current["tag"]:
            self.current = self.image = None

    def handle_data(self, data):
        if self.current is not None:
            self.current["text"] += data


def icons_next_to(html: str, name: str) -> list[str]:
    """The accessible names of the portfolio icons in the row or heading that shows `name`
    (every such row alike), checking each says the same on hover and is the portfolio icon."""
    parser = Blocks()
    parser.feed(html)
    found = [block for block in parser.blocks if name in block["text"]]
    assert found, f"{name} is not on the page"
    names = []
    for block in found:
        images = [image for image in block["images"] if ICON in image["icon"]]
        for image in images:
            assert image["title"] == image["name"], image
        names.append([image["name"] for image in images])
    assert all(n == names[0] for n in names), names
    return names[0]


def portfolio(project, name, *, active=True, **owners) -> Portfolio:
    return Portfolio.objects.create(project=project, name=name, active=active, **owners)


def put_in(portfolio_: Portfolio, client) -> None:
    PortfolioClient.objects.create(project_id=client.project_id, portfolio=portfolio_,
                                   client=client)


def with_order_and_interaction(client):
    """A client that each tray lists once: one payment order, one interaction of yesterday."""
    factories.make_payment_order(client)
    factories.make_interaction(client)
    return client


@pytest.fixture
def book(cast):
    p, other = cast.project, cast.other_project
    ana = with_order_and_interaction(
        factories.make_client(p, name="Ana Encartera", adviser=cast.restricted))
    beto = with_order_and_interaction(
        factories.make_client(p, name="Beto Inactiva", adviser=cast.restricted))
    olga = with_order_and_interaction(factories.make_client(other, name="Olga Otra"))
    north, centre = portfolio(p, "Norte"), portfolio(p, "Centro")
    old = portfolio(p, "Vieja", active=False)
    south = portfolio(other, "Sur")
    put_in(north, ana)
    put_in(centre, ana)
    put_in(old, ana)
    put_in(old, beto)
    put_in(south, olga)
    return {"ana": ana, "beto": beto, "olga": olga}


@pytest.mark.django_db(transaction=True)
def test_a_membership_cannot_be_filed_under_another_project_than_its_client(cast, book):
    # The keys are (project, client) → (project, id): the database refuses the stray row
    # when the transaction commits (the keys are deferred). On Citus the shard refuses it
    # and the coordinator reports the commit it could not make.
    refusal = (IntegrityError, InternalError) if os.environ.get("MOONFLOW_CITUS") == "1" \
        else IntegrityError
    south = Portfolio.objects.get(project=cast.other_project, name="Sur")
    with pytest.raises(refusal), transaction.atomic():
        PortfolioClient.objects.create(project=cast.other_project, portfolio=south,
                                       client=book["ana"])
    assert not PortfolioClient.objects.filter(project=cast.other_project,
                                              client_id=book["ana"].pk).exists()


@pytest.mark.parametrize("page", PAGES)
def test_it_shows_the_icon_of_each_active_portfolio_next_to_the_name(
    cast, as_member, book, page
):
    html = get(as_member(cast.admin), page_url(page, book["ana"]))
    assert icons_next_to(html, "Ana Encartera") == ["Cartera: Centro", "Cartera: Norte"]


@pytest.mark.parametrize("page", PAGES)
def test_it_shows_no_icon_for_an_inactive_portfolio(cast, as_member, book, page):
    html = get(as_member(cast.admin), page_url(page, book["beto"]))
    assert icons_next_to(html, "Beto Inactiva") == []
    assert "Cartera: Vieja" not in html


@pytest.mark.parametrize("page", PAGES)
def test_it_never_shows_another_projects_portfolio(cast, as_member, book, page):
    html = get(as_member(cast.admin), page_url(page, book["ana"]))
    # Labels, not bare names: a bare "Sur" may turn up inside the page's random CSRF token.
    assert "Cartera: Sur" not in html and "Olga Otra" not in html
    theirs = get(as_member(cast.outsider), page_url(page, book["olga"]))
    assert icons_next_to(theirs, "Olga Otra") == ["Cartera: Sur"]
    assert "Cartera: Norte" not in theirs and "Ana Encartera" not in theirs


@pytest.mark.parametrize("page", PAGES)
def test_it_writes_a_portfolio_name_as_text(cast, as_member, book, page):
    put_in(portfolio(cast.project, 'VIP "A&B" <b>'), book["ana"])
    html = get(as_member(cast.admin), page_url(page, book["ana"]))
    assert 'Cartera: VIP "A&B" <b>' in icons_next_to(html, "Ana Encartera")
    assert "<b>" not in html


@pytest.mark.parametrize("page", TRAYS)
def test_a_restricted_adviser_sees_the_icon_on_their_own_rows_only(cast, as_member, book, page):
    hidden = with_order_and_interaction(
        factories.make_client(cast.project, name="Hugo Oculto", adviser=cast.adviser))
    put_in(portfolio(cast.project, "Reservada"), hidden)
    html = get(as_member(cast.restricted), page_url(page, book["ana"]))
    assert icons_next_to(html, "Ana Encartera") == ["Cartera: Centro", "Cartera: Norte"]
    assert "Hugo Oculto" not in html and "Reservada" not in html


def count_queries(browser, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        html = get(browser, url)
    return len(queries.captured_queries), html


def icon_count(html: str) -> int:
    return html.count(f'<i class="bi {ICON}"')


@pytest.mark.parametrize("page", TRAYS)
def test_a_tray_runs_as_many_queries_with_one_portfolio_client_as_with_many(
    cast, as_member, book, page
):
    browser = as_member(cast.admin)
    url = page_url(page, book["ana"])
    get(browser, url)  # the session's first page reads what later pages find cached
    few, html = count_queries(browser, url)
    assert icon_count(html) == 2  # two rows, Ana's two portfolios
    north, centre = Portfolio.objects.filter(project=cast.project, name__in=["Norte", "Centro"])
    for i in range(15):
        client = with_order_and_interaction(
            factories.make_client(cast.project, name=f"Socio {i}"))
        put_in(north, client)
        put_in(centre, client)
    many, html = count_queries(browser, url)
    assert icon_count(html) == 2 + 2 * 15
    assert icons_next_to(html, "Socio 7") == ["Cartera: Centro", "Cartera: Norte"]
    assert many == few


@pytest.mark.parametrize("page", CLIENT_PAGES)
def test_a_client_page_runs_as_many_queries_with_one_portfolio_as_with_many(
    cast, as_member, book, page
):
    client = with_order_and_interaction(factories.make_client(cast.project, name="Socia Única"))
    put_in(Portfolio.objects.get(project=cast.project, name="Norte"), client)
    browser = as_member(cast.admin)
    url = page_url(page, client)
    get(browser, url)
    one, html = count_queries(browser, url)
    assert icons_next_to(html, "Socia Única") == ["Cartera: Norte"]
    for name in ("Este", "Oeste", "Centro"):
        put_in(Portfolio.objects.get_or_create(project=cast.project, name=name)[0], client)
    many, html = count_queries(browser, url)
    assert icons_next_to(html, "Socia Única") == [
        "Cartera: Centro", "Cartera: Este", "Cartera: Norte", "Cartera: Oeste"]
    assert many == one
