"""Órdenes de pago on the list kernel: columns remembered, saved views, Descargar."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from clients.order_lists import export_payment_orders_task
from clients.situation import project_today
from moonflow.audit.models import AuditEvent
from moonflow.jobs.models import JobKind, JobStatus, ProcessJob
from moonflow.lists.models import SavedView, TrayPreference
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("clients:payment_orders", kwargs={"project": "demo"})


@pytest.fixture
def book(cast):
    today = project_today(cast.project)
    mine = factories.make_client(cast.project, name="Gloria Mía", adviser=cast.restricted)
    theirs = factories.make_client(cast.project, name="Hugo Ajeno", adviser=cast.adviser)
    factories.make_payment_order(mine, number="M-VEN", due_date=today - timedelta(days=3))
    factories.make_payment_order(mine, number="M-VIG", due_date=today + timedelta(days=3))
    factories.make_payment_order(theirs, number="A-VIG", due_date=today + timedelta(days=9))
    return mine


def headers(html: str) -> list[str]:
    import re

    return [re.sub(r"<[^>]+>", "", h).strip()
            for h in re.findall(r'<th scope="col" aria-sort="[a-z]+"[^>]*>(.*?)</th>', html, re.S)]


def test_it_shows_the_default_columns_and_remembers_a_members_choice(cast, as_member, book):
    browser = as_member(cast.admin)
    assert headers(browser.get(URL).content.decode()) == [
        "Número", "Cliente", "Documento", "Tipo", "Vencimiento", "Estado", "Monto", "Total"]

    columns_url = reverse("clients:payment_order_columns", kwargs={"project": "demo"})
    response = browser.post(columns_url, {"columnas": ["interest", "total"], "next": URL})

    assert response.status_code == 302
    assert TrayPreference.objects.get(member=cast.admin, tray="payment_orders").columns == [
        "interest", "total"]
    # The required columns stay: the number, the due date (the order) and the state.
    assert headers(browser.get(URL).content.decode()) == [
        "Número", "Vencimiento", "Estado", "Intereses", "Total"]
    # The clients tray keeps its own columns.
    assert not TrayPreference.objects.filter(member=cast.admin, tray="clients").exists()


def test_a_clients_orders_page_returns_to_itself_after_choosing_columns(cast, as_member, book):
    page = reverse("clients:client_payment_orders", kwargs={"project": "demo", "pk": book.pk})
    columns_url = reverse("clients:payment_order_columns", kwargs={"project": "demo"})

    response = as_member(cast.admin).post(columns_url, {"columnas": ["total"], "next": page})

    assert response.url == page


def test_it_saves_a_view_of_the_filters_and_columns(cast, as_member, book):
    create_url = reverse("clients:payment_order_view_create", kwargs={"project": "demo"})
    response = as_member(cast.admin).post(
        create_url, {"name": "Vencidas", "consulta": "estado=vencida&pagina=sig.x"}, follow=True)

    view = SavedView.objects.get(tray="payment_orders")
    assert (view.name, view.query) == ("Vencidas", "estado=vencida")
    page = response.content.decode()
    assert "Vista «Vencidas» guardada." in page
    assert {o.number for o in response.context["tray"].rows} == {"M-VEN"}


def test_it_downloads_the_visible_orders_through_a_job(cast, as_member, book,
                                                        django_capture_on_commit_callbacks):
    download_url = reverse("clients:payment_order_download", kwargs={"project": "demo"})
    with django_capture_on_commit_callbacks(execute=False):
        response = as_member(cast.restricted).post(
            download_url, {"formato": "csv", "query": "orden=due_date"})
    job = ProcessJob.objects.get()
    assert response.status_code == 302
    assert (job.kind, job.requested_by) == (JobKind.PAYMENT_ORDER_EXPORT, cast.restricted)

    with django_capture_on_commit_callbacks(execute=True):
        export_payment_orders_task(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    with job.result_file.open("rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Número", "Cliente", "Tipo de documento", "Número de documento"]
    # Only the restricted adviser's clients' orders, in the list's order, with their state.
    assert [row[0] for row in rows[1:]] == ["M-VEN", "M-VIG"]
    state = rows[0].index("Estado")
    assert [row[state] for row in rows[1:]] == ["Vencida", "Vigente"]
    assert AuditEvent.objects.get(resource_type="payment_order_export").changes["rows"] == 2
