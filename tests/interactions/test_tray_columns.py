"""The Interacciones tray's columns: Agregar/quitar columnas, each column's cell, saved views,
the query count of a page and the file's fields."""

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.situation import project_today
from interactions.lists import INTERACTIONS, TRAY_COLUMNS
from interactions.models import Channel, InteractionSource, InteractionStatus, Outcome
from moonflow.lists.downloads import export_list
from moonflow.lists.models import SavedView, TrayPreference
from moonflow.lists.services import tray_columns_set
from portfolios.models import Portfolio, PortfolioClient
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("interactions:list", kwargs={"project": "demo"})
COLUMNS_URL = reverse("interactions:columns", kwargs={"project": "demo"})
ADDED = ["scheduled_at", "sent_at", "portfolios", "template", "last_related", "error_message",
         "source", "outcome"]


def at(project, days_ago: int, hour: int = 10, minute: int = 0):
    day = project_today(project) - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, minute,
                    tzinfo=ZoneInfo(project.timezone))


@pytest.fixture
def book(cast):
    p = cast.project
    client = factories.make_client(p, name="Gloria Mía")
    for name, active in (("Zeta", True), ("Alfa", True), ("Cerrada", False)):
        portfolio = Portfolio.objects.create(project=p, name=name, active=active)
        PortfolioClient.objects.create(project=p, portfolio=portfolio, client=client)
    older = factories.make_interaction(client, channel=Channel.SMS, scheduled_at=at(p, 3, 8, 15))
    latest = factories.make_interaction(
        client, channel=Channel.EMAIL, status=InteractionStatus.FAILED,
        scheduled_at=at(p, 1, 9, 30), sent_at=at(p, 1, 9, 31), template="aviso_mora",
        error_message="Buzón lleno", source=InteractionSource.UPLOADED,
        outcome=Outcome.PROMISE, promise_amount=Decimal("150000"),
        promise_date=project_today(p) + timedelta(days=5))
    alone = factories.make_client(p, name="Solo Uno")
    single = factories.make_interaction(alone, outcome=Outcome.TO_VERIFY,
                                        scheduled_at=at(p, 2))
    return {"older": older, "latest": latest, "single": single, "client": client}


def row_html(response, interaction):
    return str(next(r["html"] for r in response.context["tray"].rows
                    if r["id"] == interaction.pk))


def test_the_picker_offers_the_added_columns(cast, as_member):
    response = as_member(cast.admin).get(COLUMNS_URL, {"next": URL}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "Agregar/quitar columnas" in html
    for label in ("Fecha de envío real", "Nombres de cartera", "Plantilla",
                  "Última comunicación asociada", "Mensaje de error", "Origen",
                  "Resultado de pago"):
        assert label in html, label


def test_the_picker_names_the_columns_that_always_show_in_each_list(cast, as_member):
    from django.urls import reverse

    browser = as_member(cast.admin)
    html = browser.get(COLUMNS_URL, {"next": URL}).content.decode()
    assert "«Fecha de envío» y «Acciones» siempre se muestran." in html
    clients = browser.get(reverse("clients:tray_columns", kwargs={"project": "demo"})).content
    assert "«Nombre» y «Acciones» siempre se muestran." in clients.decode()


def test_choosing_columns_is_remembered(cast, as_member, book):
    browser = as_member(cast.admin)
    response = browser.post(COLUMNS_URL, {"columnas": ["error_message", "channel"], "next": URL})
    assert response.status_code == 302
    pref = TrayPreference.objects.get(member=cast.admin, tray="interactions")
    assert pref.columns == ["error_message", "channel"]
    headers = [str(h.column.label) for h in browser.get(URL).context["tray"].headers]
    # Fecha de envío is always there: the list's order lives in it.
    assert headers == ["Fecha de envío", "Canal", "Mensaje de error"]


def test_each_added_column(cast, as_member, book):
    tray_columns_set(member=cast.admin, tray="interactions", columns=ADDED)
    response = as_member(cast.admin).get(URL)
    latest, older, single = (row_html(response, book[k]) for k in ("latest", "older", "single"))
    when = at(cast.project, 1, 9, 31).strftime("%d/%m/%Y %H:%M")
    promise = (project_today(cast.project) + timedelta(days=5)).strftime("%d/%m/%Y")
    for text in (when, "Alfa, Zeta", "aviso_mora", "Buzón lleno", "Carga masiva",
                 "Promesa de pago: ", "150.000", promise):
        assert text in latest, text
    assert "Cerrada" not in latest  # an inactive portfolio is not named
    # Última comunicación asociada: the client's most recent other interaction.
    assert f"{at(cast.project, 3, 8, 15):%d/%m/%Y %H:%M} · SMS" in latest
    assert f"{at(cast.project, 1, 9, 30):%d/%m/%Y %H:%M} · Correo electrónico" in older
    assert "Pago por verificar" in single and "Plataforma" in single
    assert single.count("<td>—</td>") >= 4  # no real date, portfolio, other interaction, error


def test_a_page_costs_the_same_queries_whatever_its_rows(cast, as_member, book):
    tray_columns_set(member=cast.admin, tray="interactions",
                     columns=[c.key for c in TRAY_COLUMNS])
    browser = as_member(cast.admin)
    browser.get(URL)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        browser.get(URL)
    for i in range(20):
        client = factories.make_client(cast.project, adviser=cast.adviser)
        factories.make_interaction(client, scheduled_at=at(cast.project, 1), adviser=cast.adviser)
    with CaptureQueriesContext(connection) as many:
        response = browser.get(URL)
    assert len(response.context["tray"].rows) == 23
    assert len(many) == len(few)


def test_a_saved_view_keeps_filters_and_columns(cast, as_member, book):
    browser = as_member(cast.admin)
    tray_columns_set(member=cast.admin, tray="interactions", columns=["error_message"])
    create = reverse("interactions:view_create", kwargs={"project": "demo"})
    response = browser.post(create, {"name": "Fallidas", "consulta": "estado=failed&orden=-scheduled_at"})
    view = SavedView.objects.get(tray="interactions", name="Fallidas")
    assert response.status_code == 302 and view.columns == ["scheduled_at", "error_message"]
    tray_columns_set(member=cast.admin, tray="interactions", columns=[])
    tray = browser.get(f"{URL}?{view.query}&vista={view.pk}").context["tray"]
    assert [r["id"] for r in tray.rows] == [book["latest"].pk]
    assert [c.key for c in tray.columns] == ["scheduled_at", "error_message"]
    delete = reverse("interactions:view_delete", kwargs={"project": "demo", "pk": view.pk})
    assert browser.post(delete, {"next": URL}).status_code == 302
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_the_files_fields_hold_every_column(cast, book):
    out = io.BytesIO()
    rows = export_list(INTERACTIONS, member=cast.admin, params={},
                       columns=[c.key for c in TRAY_COLUMNS], fmt="csv", out=out)
    assert rows == 3
    lines = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig")), delimiter=";"))
    header, first = lines[0], dict(zip(lines[0], lines[1]))
    assert header[:5] == ["Cliente", "Tipo de documento", "Número de documento",
                          "Fecha de envío", "Tipo"]
    assert first["Cliente"] == "Gloria Mía"
    assert first["Canal"] == "Correo electrónico" and first["Estado"] == "Fallida"
    assert first["Nombres de cartera"] == "Alfa, Zeta"
    assert first["Última comunicación asociada"] == f"{at(cast.project, 3, 8, 15):%d/%m/%Y %H:%M}"
    assert first["Canal de la última comunicación asociada"] == "SMS"
    assert first["Resultado de pago"] == "Promesa de pago"
    assert first["Monto prometido"] == "150000,00"
    assert first["Origen"] == "Carga masiva" and first["Mensaje de error"] == "Buzón lleno"
