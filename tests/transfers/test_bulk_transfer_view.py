"""Cambio de gestor from the clients tray: who may, the preview of the split, the job it queues,
a stale plan and bad input."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from clients.models import Client
from moonflow.jobs.models import JobKind, JobStatus, ProcessJob
from tests import factories
from transfers.jobs import transfer_task

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def bulk_url(project="demo"):
    return reverse("transfers:bulk", kwargs={"project": project})


def tray_url():
    return reverse("clients:list", kwargs={"project": "demo"})


@pytest.fixture
def pair(cast):
    """Two advisers of the project who receive clients."""
    return [factories.make_member(cast.project, username=name, code=code, team=cast.adviser.team)
            for name, code in (("beto", "B-1"), ("carla", "C-2"))]


@pytest.fixture
def book(cast):
    """asesor1's book of five clients (balances 100..500), and someone else's client."""
    clients = [factories.make_client(cast.project, adviser=cast.adviser, balance=Decimal(b))
               for b in (100, 200, 300, 400, 500)]
    factories.make_client(cast.project, adviser=cast.restricted, balance=Decimal(999))
    return clients


def query_of(cast):
    return f"asesor={cast.adviser.pk}"


def post(browser, cast, advisers, method, *, action="preview", digest="", note=""):
    data = {"query": query_of(cast), "advisers": [getattr(a, "pk", a) for a in advisers],
            "method": method, "note": note, "digest": digest, action: "1"}
    return browser.post(bulk_url(), data, **HTMX)


def digest_in(html):
    return re.search(r'name="digest" value="([0-9a-f]{64})"', html).group(1)


def preview_rows(html):
    """(adviser, received, balance received, book after, balance after) per row of the preview."""
    section = html.split('data-testid="bulk-transfer-preview"')[1]
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</th>(.*?)</tr>", section, re.S)
    return [(label.strip(), *[re.sub(r"<.*?>", "", cell).replace("\xa0", " ").strip()
                              for cell in re.findall(r"<td.*?</td>", cells, re.S)])
            for label, cells in rows]


def test_it_offers_cambio_de_gestor_in_the_tray_to_admins_and_supervisors_only(cast, as_member):
    for member in (cast.admin, cast.supervisor):
        html = as_member(member).get(tray_url() + "?q=ana").content.decode()
        assert "Cambio de gestor" in html
        assert f"{bulk_url()}?query=q%3Dana" in html
    for member in (cast.adviser, cast.restricted):
        assert "Cambio de gestor" not in as_member(member).get(tray_url()).content.decode()


def test_it_opens_the_dialog_with_the_trays_filter(cast, as_member, pair):
    for member in (cast.admin, cast.supervisor):
        response = as_member(member).get(bulk_url() + f"?query={query_of(cast)}", **HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert "Cambio de gestor" in html
        assert f"<code>asesor={cast.adviser.pk}</code>" in html
        for label in ("Un solo asesor", "Reparto round robin",
                      "Equilibrado por número de clientes", "Equilibrado por saldo",
                      "Beto (B-1)", "Carla (C-2)"):
            assert label in html
        assert 'name="confirm"' not in html


def test_it_refuses_advisers_and_hides_it_from_another_project(cast, as_member, pair, book):
    for member in (cast.adviser, cast.restricted):
        assert as_member(member).get(bulk_url(), **HTMX).status_code == 403
        assert post(as_member(member), cast, pair, "round_robin",
                    action="confirm").status_code == 403
    outsider = as_member(cast.outsider)
    assert outsider.get(bulk_url(), **HTMX).status_code == 404
    assert post(outsider, cast, pair, "round_robin", action="confirm").status_code == 404
    assert not ProcessJob.objects.filter(kind=JobKind.TRANSFER).exists()


def test_it_previews_the_count_and_balance_per_adviser(cast, as_member, pair, book):
    beto, carla = pair
    factories.make_client(cast.project, adviser=carla, balance=Decimal(50))
    html = post(as_member(cast.supervisor), cast, pair, "round_robin").content.decode()
    assert "5 clientes, saldo 1.500,00" in html
    assert preview_rows(html) == [
        ("Beto (B-1)", "3", "900,00 COP", "3", "900,00 COP"),
        ("Carla (C-2)", "2", "600,00 COP", "3", "650,00 COP"),
    ]
    assert 'name="confirm"' in html
    html = post(as_member(cast.admin), cast, pair, "by_balance").content.decode()
    assert preview_rows(html) == [
        ("Beto (B-1)", "3", "800,00 COP", "3", "800,00 COP"),
        ("Carla (C-2)", "2", "700,00 COP", "3", "750,00 COP"),
    ]
    html = post(as_member(cast.admin), cast, [carla], "single").content.decode()
    assert preview_rows(html) == [("Carla (C-2)", "5", "1.500,00 COP", "6", "1.550,00 COP")]
    assert Client.objects.filter(adviser=cast.adviser).count() == 5


def test_it_queues_the_job_that_moves_exactly_the_previewed_clients(cast, as_member, pair,
                                                                    book):
    beto, carla = pair
    browser = as_member(cast.admin)
    digest = digest_in(post(browser, cast, pair, "round_robin").content.decode())
    response = post(browser, cast, pair, "round_robin", action="confirm", digest=digest,
                    note="Reparto de zona")
    job = ProcessJob.objects.get(kind=JobKind.TRANSFER)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == reverse(
        "jobs:detail", kwargs={"project": "demo", "pk": job.pk})
    assert job.title == "Cambio de gestor: reparto entre 2 asesores (por turnos)"
    assert Client.objects.filter(adviser=cast.adviser).count() == 5  # nothing before the job
    transfer_task(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    ids = [c.pk for c in book]
    assert dict(Client.objects.filter(pk__in=ids).values_list("pk", "adviser_id")) == {
        ids[0]: beto.pk, ids[1]: carla.pk, ids[2]: beto.pk, ids[3]: carla.pk, ids[4]: beto.pk}
    assert Client.objects.filter(adviser=cast.restricted).count() == 1
    page = browser.get(reverse("jobs:detail", kwargs={"project": "demo", "pk": job.pk}))
    assert "Cambio de gestor programado" in page.content.decode()


def test_it_queues_un_solo_asesor_as_a_transfer_to_one_adviser(cast, as_member, pair, book):
    carla = pair[1]
    browser = as_member(cast.supervisor)
    digest = digest_in(post(browser, cast, [carla], "single").content.decode())
    assert post(browser, cast, [carla], "single", action="confirm",
                digest=digest).status_code == 204
    job = ProcessJob.objects.get(kind=JobKind.TRANSFER)
    transfer_task(job.pk)
    assert Client.objects.filter(adviser=carla).count() == 5
    assert not Client.objects.filter(adviser=cast.adviser).exists()


def test_it_refuses_a_plan_that_changed_since_the_preview(cast, as_member, pair, book):
    browser = as_member(cast.admin)
    digest = digest_in(post(browser, cast, pair, "round_robin").content.decode())
    factories.make_client(cast.project, adviser=cast.adviser, balance=Decimal(600))
    response = post(browser, cast, pair, "round_robin", action="confirm", digest=digest)
    html = response.content.decode()
    assert response.status_code == 200
    assert "cambiaron desde la vista previa" in html
    assert "6 clientes, saldo 2.100,00" in html
    assert digest_in(html) != digest
    assert not ProcessJob.objects.filter(kind=JobKind.TRANSFER).exists()


def test_it_refuses_confirmar_without_a_preview(cast, as_member, pair, book):
    html = post(as_member(cast.admin), cast, pair, "by_count",
                action="confirm").content.decode()
    assert "Revise la vista previa del reparto antes de confirmar." in html
    assert not ProcessJob.objects.filter(kind=JobKind.TRANSFER).exists()


def test_it_says_what_is_wrong_with_bad_input(cast, as_member, pair, book):
    browser = as_member(cast.admin)
    stranger = factories.make_member(cast.other_project, username="ajeno")
    cases = [
        ([], "round_robin", "Elija al menos un asesor que reciba los clientes."),
        ([987654], "round_robin", "Uno de los asesores elegidos no puede recibir clientes"),
        ([stranger], "round_robin", "Uno de los asesores elegidos no puede recibir clientes"),
        (["x"], "round_robin", "Uno de los asesores elegidos no puede recibir clientes"),
        (pair, "single", "Con «Un solo asesor» elija exactamente un asesor"),
        (pair, "", "Elija cómo repartir los clientes."),
        (pair, "al_azar", "Elija cómo repartir: un solo asesor, round robin"),
    ]
    for advisers, method, message in cases:
        for action in ("preview", "confirm"):
            response = post(browser, cast, advisers, method, action=action, digest="0" * 64)
            html = response.content.decode()
            assert message in html.replace("&laquo;", "«").replace("&raquo;", "»"), message
            assert 'data-testid="bulk-transfer-preview"' not in html
    assert post(browser, cast, pair, "round_robin").status_code == 200
    assert not ProcessJob.objects.filter(kind=JobKind.TRANSFER).exists()


def test_it_refuses_an_empty_filter(cast, as_member, pair):
    browser = as_member(cast.admin)
    html = post(browser, cast, pair, "round_robin").content.decode()
    assert "0 clientes, saldo" in html
    assert 'name="confirm"' not in html
    response = post(browser, cast, pair, "round_robin", action="confirm", digest=digest_in(html))
    assert "El filtro de la bandeja no tiene clientes que transferir." in response.content.decode()
    assert not ProcessJob.objects.filter(kind=JobKind.TRANSFER).exists()
