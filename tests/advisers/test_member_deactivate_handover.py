"""Ajustes → Usuarios → Desactivar a member who holds clients: the dialog shows their book and
offers to keep it assigned to them or to hand it over (one adviser or a split, with Cambio de
gestor's preview); deactivating and queueing the transfer happen together or not at all."""

import re
from decimal import Decimal

import pytest

from clients.models import Client
from moonflow.audit.models import AuditEventKind
from moonflow.jobs.models import JobKind, JobStatus, ProcessJob
from tests import factories
from tests.transfers.helpers import make_held_client
from transfers.handover import member_deactivate_handing_over
from transfers.jobs import transfer_task
from transfers.services import TransferError

from .helpers import HTMX, member_events, text, triggers, url

pytestmark = pytest.mark.django_db


def deactivate_url(member):
    return url("advisers:deactivate", pk=member.pk)


@pytest.fixture
def leaving(cast):
    """An adviser with three clients (balances 100, 200, 300) and their open gestiones."""
    member = factories.make_member(cast.project, username="sale", code="S-1",
                                   team=cast.adviser.team)
    member.book = [make_held_client(cast.project, member, name=name, balance=Decimal(balance))
                   for name, balance in (("Ana", 100), ("Bruno", 200), ("Cecilia", 300))]
    return member


@pytest.fixture
def pair(cast):
    return [factories.make_member(cast.project, username=name, code=code, team=cast.adviser.team)
            for name, code in (("beto", "B-1"), ("carla", "C-2"))]


def post(browser, member, *, handover="hand_over", advisers=(), method="single",
         action="confirm", digest=""):
    data = {"handover": handover, "advisers": [a.pk for a in advisers], "method": method,
            "note": "", "digest": digest, action: "1"}
    return browser.post(deactivate_url(member), data, **HTMX)


def digest_in(html):
    return re.search(r'name="digest" value="([0-9a-f]{64})"', html).group(1)


def advisers_of(clients):
    return dict(Client.objects.filter(pk__in=[c.pk for c in clients])
                .values_list("name", "adviser_id"))


def is_active(member):
    member.refresh_from_db()
    return member.is_active


def test_it_shows_the_book_and_offers_to_hand_it_over(cast, as_member, leaving, pair):
    html = text(as_member(cast.admin).get(deactivate_url(leaving), **HTMX)).replace("\xa0", " ")
    assert "Desactivar usuario: Sale" in html
    assert "Tiene 3 clientes asignados, con saldo 600,00 COP. Gestiones abiertas: 9." in html
    assert "Dejarlos asignados a su ID" in html
    assert "Pasarlos a otros asesores" in html
    for label in ("Beto (B-1)", "Carla (C-2)", "Un solo asesor", "Reparto round robin",
                  "Equilibrado por número de clientes", "Equilibrado por saldo"):
        assert label in html
    assert "Sale (S-1)" not in html  # not a target of their own book
    assert "Vista previa</button>" in html
    assert ">Desactivar</button>" in html
    assert is_active(leaving)


def test_a_member_without_clients_gets_the_plain_question(cast, as_member, pair):
    html = text(as_member(cast.admin).get(deactivate_url(pair[0]), **HTMX))
    assert "Sus clientes siguen asignados a su ID" in html
    assert "Pasarlos a otros asesores" not in html


def test_keeping_the_clients_deactivates_and_moves_nothing(cast, as_member, leaving, pair):
    response = post(as_member(cast.admin), leaving, handover="keep", advisers=[pair[0]])
    assert response.status_code == 204
    assert triggers(response) == {"closeModal": True, "membersChanged": True}
    assert not is_active(leaving)
    assert set(advisers_of(leaving.book).values()) == {leaving.pk}
    assert not ProcessJob.objects.exists()


def test_it_hands_the_book_over_to_one_adviser(cast, as_member, leaving, pair):
    beto = pair[0]
    browser = as_member(cast.admin)
    html = text(post(browser, leaving, advisers=[beto], action="preview"))
    assert "3 clientes, saldo 600,00" in html
    assert is_active(leaving)
    digest = digest_in(html)
    response = post(browser, leaving, advisers=[beto], digest=digest)
    assert response.status_code == 204
    assert not is_active(leaving)
    job = ProcessJob.objects.get(kind=JobKind.TRANSFER)
    assert (job.options["from_adviser_id"], job.options["to_adviser_id"],
            job.options["digest"]) == (leaving.pk, beto.pk, digest)
    assert job.title == "Transferencia de clientes a Beto (B-1)"
    transfer_task(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert set(advisers_of(leaving.book).values()) == {beto.pk}
    page = text(browser.get(url("advisers:list")))
    assert "Sale desactivado." in page
    assert "Cambio de gestor de sus clientes programado" in page


def test_it_splits_the_book_between_two_advisers(cast, as_member, leaving, pair):
    beto, carla = pair
    factories.make_client(cast.project, adviser=beto, balance=Decimal(50))
    browser = as_member(cast.admin)
    html = text(post(browser, leaving, advisers=pair, method="by_count", action="preview"))
    assert 'data-testid="bulk-transfer-preview"' in html
    assert "3 clientes, saldo 600,00" in html
    assert post(browser, leaving, advisers=pair, method="by_count",
                digest=digest_in(html)).status_code == 204
    assert not is_active(leaving)
    job = ProcessJob.objects.get(kind=JobKind.TRANSFER)
    assert (job.options["advisers"], job.options["method"]) == ([beto.pk, carla.pk], "by_count")
    transfer_task(job.pk)
    assert advisers_of(leaving.book) == {"Ana": carla.pk, "Bruno": beto.pk, "Cecilia": carla.pk}


def test_nothing_happens_without_the_preview_or_with_a_stale_one(cast, as_member, leaving,
                                                                 pair):
    browser = as_member(cast.admin)
    html = text(post(browser, leaving, advisers=pair, method="round_robin"))
    assert "Revise la vista previa del reparto antes de confirmar." in html
    digest = digest_in(text(post(browser, leaving, advisers=pair, method="round_robin",
                                 action="preview")))
    factories.make_client(cast.project, adviser=leaving, name="Nuevo")
    html = text(post(browser, leaving, advisers=pair, method="round_robin", digest=digest))
    assert "cambiaron desde la vista previa" in html
    assert "4 clientes, saldo" in html
    html = text(post(browser, leaving, advisers=[], method="round_robin"))
    assert "Elija al menos un asesor que reciba los clientes." in html
    assert is_active(leaving)
    assert not ProcessJob.objects.exists()


def test_a_refused_deactivation_queues_no_transfer(cast, as_member, pair):
    """Both or neither: an admin cannot deactivate themselves, so their book stays too."""
    book = [factories.make_client(cast.project, adviser=cast.admin, balance=Decimal(10))
            for _ in range(2)]
    browser = as_member(cast.admin)
    digest = digest_in(text(post(browser, cast.admin, advisers=[pair[0]], action="preview")))
    response = post(browser, cast.admin, advisers=[pair[0]], digest=digest)
    assert "No puede desactivarse a sí mismo." in text(response)
    assert is_active(cast.admin)
    assert not ProcessJob.objects.exists()
    assert {c.adviser_id for c in Client.objects.filter(pk__in=[c.pk for c in book])} == {
        cast.admin.pk}


def test_only_admins_deactivate(cast, as_member, leaving, pair):
    for member in (cast.supervisor, cast.adviser):
        browser = as_member(member)
        assert browser.get(deactivate_url(leaving), **HTMX).status_code == 403
        assert post(browser, leaving, advisers=[pair[0]]).status_code == 403
    assert as_member(cast.outsider).get(deactivate_url(leaving), **HTMX).status_code == 404
    assert is_active(leaving)
    assert not ProcessJob.objects.exists()


def test_the_member_stays_active_when_the_transfer_is_refused(cast, leaving):
    """Both or neither, the other way round: a hand-over the transfer rule refuses (here to a
    member who can no longer receive clients) leaves the member active."""
    gone = factories.make_member(cast.project, username="ida", code="I-1")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    with pytest.raises(TransferError):
        member_deactivate_handing_over(member=cast.admin, target=leaving,
                                       handover={"to_adviser": gone, "note": ""})
    assert is_active(leaving)
    assert not member_events(leaving).filter(event=AuditEventKind.DEACTIVATED).exists()
    assert not ProcessJob.objects.exists()
