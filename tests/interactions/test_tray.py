"""Cuentas por cobrar → Interacciones: the tray's filters, default range, sort and visibility."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from clients import services
from clients.situation import project_today
from interactions.lists import INTERACTIONS, send_range
from interactions.models import (
    CampaignKind,
    Channel,
    Direction,
    InteractionSource,
    InteractionStatus,
    Outcome,
)
from moonflow.lists.listing import list_query
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("interactions:list", kwargs={"project": "demo"})


def at(project, days_ago: int, hour: int = 10):
    """`hour` o'clock, `days_ago` days before today, in the project's timezone."""
    day = project_today(project) - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(project.timezone))


@pytest.fixture
def book(cast):
    p = cast.project
    mine = factories.make_client(p, name="Gloria Mía", adviser=cast.restricted,
                                 document_number="70001")
    theirs = factories.make_client(p, name="Hugo Ajeno", adviser=cast.adviser,
                                   document_number="80002")
    binned = factories.make_client(p, name="Iris Papelera", adviser=cast.restricted)
    made = {
        "wa": factories.make_interaction(
            mine, channel=Channel.WHATSAPP, status=InteractionStatus.READ,
            campaign_kind=CampaignKind.FLOW, campaign="Bienvenida", template="hola_v1",
            adviser=cast.restricted, scheduled_at=at(p, 0, 9), recipients="+573001234567"),
        "sms": factories.make_interaction(
            mine, channel=Channel.SMS, status=InteractionStatus.FAILED,
            direction=Direction.OUTBOUND, campaign_kind=CampaignKind.CAMPAIGN,
            campaign="Agosto", template="aviso_mora", error_message="Número inválido",
            source=InteractionSource.UPLOADED, scheduled_at=at(p, 2)),
        "mail": factories.make_interaction(
            theirs, channel=Channel.EMAIL, status=InteractionStatus.ANSWERED,
            direction=Direction.INBOUND, campaign_kind=CampaignKind.EVENT, campaign="Pago",
            template="recibo", adviser=cast.adviser, scheduled_at=at(p, 6, 1),
            outcome=Outcome.PROMISE, promise_amount="150000", promise_date=project_today(p)),
        "old": factories.make_interaction(theirs, campaign="Vieja", scheduled_at=at(p, 7, 23)),
        "binned": factories.make_interaction(binned, campaign="Papelera", scheduled_at=at(p, 1)),
        "undated": factories.make_interaction(theirs, campaign="Sin fecha", scheduled_at=None),
    }
    services.client_delete(client=binned, actor=None)
    other = factories.make_client(cast.other_project, name="Otra")
    factories.make_interaction(other, campaign="Otro proyecto")
    return made


def ids(response):
    return [r["id"] for r in response.context["tray"].rows]


def named(book, *keys):
    return [book[k].pk for k in keys]


def test_it_lists_the_last_seven_days_newest_first(cast, as_member, book):
    response = as_member(cast.admin).get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    # Today, 2 and 6 days ago; not 7 days ago, not the recycle bin, not undated, not project B.
    assert ids(response) == named(book, "wa", "sms", "mail")
    today = project_today(cast.project)
    first = (today - timedelta(days=6)).strftime("%d/%m/%Y")
    assert f"Fecha de envío: últimos 7 días ({first} – {today:%d/%m/%Y})" in html
    assert f'name="envio_desde" value="{first}"' in html
    assert f'name="envio_hasta" value="{today:%d/%m/%Y}"' in html
    assert "3 interacciones" in html
    assert 'class="nav-link active" href="/p/demo/interacciones/"' in html
    assert not response.context["tray"].chips  # the default is said, not a removable chip


def test_the_default_is_computed_in_the_projects_timezone(cast):
    cast.project.timezone = "Pacific/Kiritimati"  # UTC+14: often already tomorrow
    chosen = send_range(cast.project, {})
    assert chosen.default and chosen.days == 7
    assert chosen.last == project_today(cast.project)


def test_the_seed_columns_are_shown_by_default(cast, as_member, book):
    response = as_member(cast.admin).get(URL)
    assert [str(h.column.label) for h in response.context["tray"].headers] == [
        "Cliente", "Documento", "Fecha de envío", "Tipo", "Canal", "Flujo, evento o campaña",
        "Plantilla", "Destinatarios", "Estado", "Asesor"]
    html = response.content.decode()
    for text in ("Gloria Mía", "CC 70.001", "WhatsApp", "Saliente", "Entrante", "Bienvenida",
                 "Flujo", "hola_v1", "+573001234567", "Leída", "Fallida", "Respondida",
                 "Asesor2", 'aria-label="Ver comunicaciones"', "Glosario de estados",
                 "Crear comunicaciones masivas", "Agregar/quitar columnas"):
        assert text in html, text
    upload = reverse("integrations:upload", kwargs={"project": "demo"})
    assert f'href="{upload}?que=interactions"' in html


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"tipo": "inbound"}, ["mail"]),
        ({"tipo": "outbound"}, ["wa", "sms"]),
        ({"estado": "failed"}, ["sms"]),
        ({"estado": ["read", "answered"]}, ["wa", "mail"]),
        ({"canal": "sms"}, ["sms"]),
        ({"canal": ["whatsapp", "email"]}, ["wa", "mail"]),
        ({"flujo": "event"}, ["mail"]),
        ({"campana": "Agosto"}, ["sms"]),
        ({"campana": " Agosto "}, ["sms"]),
        ({"campana": "agos"}, []),  # the exact name
        ({"plantilla": "recibo"}, ["mail"]),
        ({"origen": "uploaded"}, ["sms"]),
        ({"resultado": "promise"}, ["mail"]),
        ({"asesor": "ninguno"}, ["sms"]),
        ({"q": "gloria"}, ["wa", "sms"]),
        ({"q": "80002"}, ["mail"]),
        ({"q": "nadie así"}, []),
        # Whole days in the project's timezone, bounds included.
        ({"envio_desde": "__2__", "envio_hasta": "__2__"}, ["sms"]),
        ({"envio_desde": "__7__"}, ["wa", "sms", "mail", "old"]),
        ({"envio_hasta": "__6__"}, ["mail", "old"]),
        ({"envio_desde": "__7__", "envio_hasta": "__7__"}, ["old"]),
        ({"canal": "sms", "estado": "failed", "tipo": "outbound"}, ["sms"]),
    ],
)
def test_each_filter(cast, as_member, book, params, expected):
    today = project_today(cast.project)
    for key, value in params.items():
        if isinstance(value, str) and value.startswith("__"):
            params[key] = (today - timedelta(days=int(value.strip("_")))).strftime("%d/%m/%Y")
    response = as_member(cast.admin).get(URL, params)
    assert ids(response) == named(book, *expected)
    assert not response.context["tray"].notices


def test_the_adviser_filter(cast, as_member, book):
    browser = as_member(cast.admin)
    assert ids(browser.get(URL, {"asesor": cast.adviser.pk})) == named(book, "mail")
    assert ids(browser.get(URL, {"asesor": [cast.restricted.pk, "ninguno"]})) == named(
        book, "wa", "sms")


def test_a_given_range_shows_as_chips(cast, as_member, book):
    response = as_member(cast.admin).get(URL, {"envio_desde": "01/01/2020", "canal": "sms"})
    labels = [c.label for c in response.context["tray"].chips]
    assert labels == ["Fecha de envío desde 01/01/2020", "Canal: SMS"]
    assert "últimos 7 días" not in response.content.decode()


def test_an_invalid_filter_value_is_ignored_and_named(cast, as_member, book):
    response = as_member(cast.admin).get(URL, {"canal": "paloma", "estado": "failed"})
    assert ids(response) == named(book, "sms")  # the valid filter still applies
    notices = response.context["tray"].notices
    assert notices == ["Se ignoró el filtro «Canal»: su valor no es válido. Revíselo en Filtros."]
    assert "Se ignoró el filtro «Canal»" in response.content.decode()


def test_an_invalid_date_falls_back_to_the_default_and_says_so(cast, as_member, book):
    response = as_member(cast.admin).get(URL, {"envio_desde": "31/02/2024"})
    assert ids(response) == named(book, "wa", "sms", "mail")
    assert any("Fecha de envío" in n and "últimos 7 días" in n
               for n in response.context["tray"].notices)


def test_an_adviser_a_restricted_member_may_not_pick_is_refused(cast, as_member, book):
    response = as_member(cast.restricted).get(URL, {"asesor": cast.adviser.pk})
    assert ids(response) == named(book, "wa", "sms")  # ignored, not applied
    assert response.context["tray"].notices


def test_it_sorts_by_send_date_and_real_send_date(cast, as_member, book):
    p = cast.project
    book["wa"].sent_at = at(p, 0, 11)
    book["mail"].sent_at = at(p, 0, 12)
    for i in (book["wa"], book["mail"]):
        i.save(update_fields=["sent_at"])
    browser = as_member(cast.admin)
    assert ids(browser.get(URL, {"orden": "scheduled_at"})) == named(book, "mail", "sms", "wa")
    assert ids(browser.get(URL, {"orden": "-sent_at"})) == named(book, "mail", "wa", "sms")
    assert ids(browser.get(URL, {"orden": "sent_at"})) == named(book, "sms", "wa", "mail")
    response = browser.get(URL, {"orden": "plantilla"})
    assert ids(response) == named(book, "wa", "sms", "mail")
    assert "No se puede ordenar por «plantilla»" in response.context["tray"].notices[0]


def test_pages_are_keyset_pages(cast, as_member):
    client = factories.make_client(cast.project)
    made = [factories.make_interaction(client, scheduled_at=at(cast.project, 1, 0)
                                       + timedelta(minutes=i)) for i in range(60)]
    browser = as_member(cast.admin)
    first = browser.get(URL, {"por_pagina": 25}).context["tray"]
    newest = [i.pk for i in reversed(made)]
    assert [r["id"] for r in first.rows] == newest[:25]
    assert first.page.has_next and "pagina=sig." in first.next_query
    second = browser.get(f"{URL}?{first.next_query}").context["tray"]
    assert [r["id"] for r in second.rows] == newest[25:50]
    last = browser.get(f"{URL}?{first.last_query}").context["tray"]
    assert [r["id"] for r in last.rows] == newest[-25:]  # the last page is a full one
    assert first.total.label == "60 interacciones"


def test_a_restricted_adviser_sees_only_their_clients_interactions(cast, as_member, book):
    response = as_member(cast.restricted).get(URL)
    html = response.content.decode()
    assert ids(response) == named(book, "wa", "sms")
    assert "2 interacciones" in html and "Hugo Ajeno" not in html
    # Their adviser filter offers only themselves (and "Sin asesor").
    control = next(c for c in response.context["tray"].controls if c.name == "asesor")
    assert [o.value for o in control.options] == [str(cast.restricted.pk), "ninguno"]
    # The same rows wherever the list is read (a download goes through list_query).
    query = list_query(INTERACTIONS, member=cast.restricted, params={})
    assert list(query.ordered.values_list("id", flat=True)) == named(book, "wa", "sms")


def test_another_advisers_name_is_hidden_from_a_restricted_member(cast, as_member, book):
    """A client shared through a portfolio: its interactions show, their adviser does not."""
    from portfolios.models import Portfolio, PortfolioClient

    portfolio = Portfolio.objects.create(project=cast.project, name="Compartida",
                                         agent=cast.restricted, active=True)
    PortfolioClient.objects.create(project=cast.project, portfolio=portfolio,
                                   client=book["mail"].client)
    response = as_member(cast.restricted).get(URL)
    assert book["mail"].pk in ids(response)
    html = response.content.decode()
    assert "Otro asesor" in html and "Asesor1" not in html


def test_an_outsider_gets_404(cast, as_member, book):
    assert as_member(cast.outsider).get(URL).status_code == 404


def test_the_tray_and_its_dialogs_answer_htmx_with_the_tray_alone(cast, as_member, book):
    response = as_member(cast.admin).get(URL, {"canal": "sms"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith("<div id=\"tray\"") or 'id="tray"' in html[:400]
    assert "<html" not in html


def test_the_status_glossary(cast, as_member):
    url = reverse("interactions:status_glossary", kwargs={"project": "demo"})
    response = as_member(cast.restricted).get(url, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Glosario de estados" in html and 'class="modal-header"' in html
    for state in ("Programada", "Enviada", "Entregada", "Leída", "No leída", "Fallida",
                  "Rebotada", "Respondida"):
        assert f"<dt>{state}</dt>" in html, state
    assert "El canal la devolvió" in html
    # Opened as a link, it is a page with a way back to the tray.
    page = as_member(cast.admin).get(url).content.decode()
    assert "Glosario de estados" in page and f'href="{URL}"' in page


@pytest.mark.parametrize("params", [
    {"envio_desde": "01/01/0001"}, {"envio_hasta": "31/12/9999"},
    {"envio_desde": "01/01/0001", "envio_hasta": "31/12/9999"}, {"envio_desde": "0001-01-02"},
])
def test_dates_at_the_calendars_ends_bound_nothing(cast, as_member, book, params):
    cast.project.timezone = "Pacific/Kiritimati"
    cast.project.save(update_fields=["timezone"])
    response = as_member(cast.admin).get(URL, params)
    assert response.status_code == 200
    assert set(named(book, "wa", "sms", "mail", "old")) <= set(ids(response))


@pytest.mark.parametrize("params", [
    {"canal": "\x00sms"}, {"asesor": "abc"}, {"asesor": "999999"}, {"campana": "x" * 5000},
    {"envio_desde": "32/13/2024"}, {"orden": "-sent_at", "pagina": "sig.bm9wZQ"},
    {"q": "' OR 1=1 --"}, {"resultado": ""},
])
def test_hostile_values_never_break_the_tray(cast, as_member, book, params):
    assert as_member(cast.restricted).get(URL, params).status_code == 200


def test_a_restricted_supervisor_picks_their_teams_advisers_and_themselves(cast, as_member):
    from moonflow.tenancy.models import Role

    boss = factories.make_member(cast.project, role=Role.SUPERVISOR, username="jefa",
                                 restricted=True)
    team = factories.make_team(cast.project, "Equipo Sur", supervisor=boss)
    theirs = factories.make_member(cast.project, username="asesor3", team=team)
    response = as_member(boss).get(URL)
    control = next(c for c in response.context["tray"].controls if c.name == "asesor")
    assert [o.value for o in control.options] == [str(boss.pk), str(theirs.pk), "ninguno"]


@pytest.mark.parametrize("path", ["collected", "hashed", "joined"])
def test_a_client_search_finds_the_same_interactions_whatever_its_size(
        cast, as_member, book, monkeypatch, path):
    """Few matching clients are collected; many are tested against a hashed set while the
    date index is walked; very many are joined. Each path finds the same rows, the binned
    client's and other clients' never, and says how many."""
    import clients.search
    import interactions.lists

    p = cast.project
    other = factories.make_client(p, name="Gloria Otra", adviser=cast.adviser)
    extra = factories.make_interaction(other, campaign="Otra Gloria", scheduled_at=at(p, 1))
    if path != "collected":
        monkeypatch.setattr(clients.search, "N_COLLECT", 1)
    if path == "joined":
        monkeypatch.setattr(interactions.lists, "N_HASHED", 0)
    response = as_member(cast.admin).get(URL, {"q": "gloria", "por_pagina": 25})
    assert ids(response) == [book["wa"].pk, extra.pk, book["sms"].pk]
    total = response.context["tray"].total.label
    assert total == "3 interacciones" if path == "collected" else "interacciones" in total
    plan = INTERACTIONS.search_plan(cast.admin, "gloria")
    sql = str(plan.restrict(list_query(INTERACTIONS, member=cast.admin,
                                       params={}).queryset).query)
    assert (") IS TRUE" in sql) == (path == "hashed")


def test_a_hashed_search_estimates_its_total_from_the_share_of_matching_clients(
        cast, book, monkeypatch):
    import clients.search

    factories.make_client(cast.project, name="Gloria Otra")  # two matches: more than one
    monkeypatch.setattr(clients.search, "N_COLLECT", 1)
    plan = INTERACTIONS.search_plan(cast.admin, "gloria")
    unsearched = list_query(INTERACTIONS, member=cast.admin, params={}).queryset
    exact, estimate = plan.total(unsearched)
    assert exact is None
    assert 0 <= estimate <= unsearched.count()
