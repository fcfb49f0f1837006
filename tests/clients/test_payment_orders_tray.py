"""The Órdenes de pago tray of the side menu: every visible order, filters, pages."""

from datetime import timedelta

import pytest
from django.urls import reverse

from moonflow.lists import totals
from clients import services
from clients.choices import PaymentOrderStatus
from clients.situation import project_today
from moonflow.lists.totals import Total
from clients.order_lists import PAYMENT_ORDERS
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("clients:payment_orders", kwargs={"project": "demo"})


@pytest.fixture
def book(cast):
    today = project_today(cast.project)
    mine = factories.make_client(cast.project, name="Gloria Mía", adviser=cast.restricted,
                                 document_number="70001")
    theirs = factories.make_client(cast.project, name="Hugo Ajeno", adviser=cast.adviser,
                                   document_number="80002")
    binned = factories.make_client(cast.project, name="Iris Papelera", adviser=cast.restricted)
    factories.make_payment_order(mine, number="M-VIG", due_date=today + timedelta(days=3))
    factories.make_payment_order(mine, number="M-VEN", due_date=today - timedelta(days=3),
                                 kind="installment")
    factories.make_payment_order(theirs, number="A-PAG", due_date=today - timedelta(days=20),
                                 status=PaymentOrderStatus.PAID)
    factories.make_payment_order(theirs, number="A-ANU", due_date=today + timedelta(days=20),
                                 status=PaymentOrderStatus.ANNULLED)
    factories.make_payment_order(binned, number="B-VIG", due_date=today)
    services.client_delete(client=binned, actor=None)
    other = factories.make_client(cast.other_project, name="Otra")
    factories.make_payment_order(other, number="OTRO-1")
    return today


def numbers(response):
    return {o.number for o in response.context["tray"].rows}


def test_it_lists_every_visible_order_with_its_state(cast, as_member, book):
    response = as_member(cast.admin).get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert numbers(response) == {"M-VIG", "M-VEN", "A-PAG", "A-ANU"}  # not the bin, not project B
    for text in ("Órdenes de pago", "4 órdenes", "Gloria Mía", "CC 70.001", "Vigente", "Vencida",
                 "Pagada", "Anulada", 'aria-label="Ver órdenes de pago"'):
        assert text in html, text
    assert 'class="nav-link active" href="/p/demo/ordenes-de-pago/"' in html


def test_a_restricted_adviser_sees_only_their_clients_orders(cast, as_member, book):
    response = as_member(cast.restricted).get(URL)
    assert numbers(response) == {"M-VIG", "M-VEN"}
    assert "Hugo Ajeno" not in response.content.decode()


def test_an_outsider_sees_only_their_project(cast, as_member, book):
    assert numbers(as_member(cast.outsider).get(reverse("clients:payment_orders", kwargs={"project": "otra"}))) == {"OTRO-1"}
    assert as_member(cast.outsider).get(URL).status_code == 404


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"estado": "vigente"}, {"M-VIG"}),
        ({"estado": "vencida"}, {"M-VEN"}),
        ({"estado": "pagada"}, {"A-PAG"}),
        ({"estado": "anulada"}, {"A-ANU"}),
        ({"tipo": "installment"}, {"M-VEN"}),
        ({"q": "gloria"}, {"M-VIG", "M-VEN"}),
        ({"q": "8000"}, {"A-PAG", "A-ANU"}),
        ({"q": "a-pag"}, {"A-PAG"}),
        # The client as the clients' search box finds it: words in any order, a document
        # copied as the screen shows it; never a scan of the book (clients.search).
        ({"q": "mía GLORIA"}, {"M-VIG", "M-VEN"}),
        ({"q": "CC 80.002"}, {"A-PAG", "A-ANU"}),
        ({"q": "xilofono"}, set()),
    ],
)
def test_it_filters(cast, as_member, book, params, expected):
    assert numbers(as_member(cast.admin).get(URL, params)) == expected


def test_it_filters_by_due_date_range_and_shows_removable_chips(cast, as_member, book):
    today = book
    response = as_member(cast.admin).get(
        URL, {"vence_desde": (today - timedelta(days=5)).isoformat(),
              "vence_hasta": today.isoformat(), "estado": "vencida"}
    )
    assert numbers(response) == {"M-VEN"}
    html = response.content.decode()
    assert f"Vencimiento desde {(today - timedelta(days=5)).strftime('%d/%m/%Y')}" in html
    assert "Estado: Vencida" in html
    assert "Quitar filtro" in html


def test_it_pages_by_keyset_forwards_and_backwards(cast, as_member, monkeypatch):
    monkeypatch.setattr(PAYMENT_ORDERS, "default_page_size", 2)
    monkeypatch.setattr(PAYMENT_ORDERS, "page_sizes", (2, 25, 50, 100))
    today = project_today(cast.project)
    client = factories.make_client(cast.project)
    for n in range(5):
        factories.make_payment_order(client, number=f"K-{n}", due_date=today + timedelta(days=n))
    browser = as_member(cast.admin)

    def page(query=""):
        response = browser.get(f"{URL}?{query}" if query else URL)
        return response, [o.number for o in response.context["tray"].rows]

    first, rows = page()
    assert rows == ["K-0", "K-1"]
    assert first.context["tray"].previous_query is None
    second, rows = page(first.context["tray"].next_query)
    assert rows == ["K-2", "K-3"]
    third, rows = page(second.context["tray"].next_query)
    assert rows == ["K-4"]
    assert third.context["tray"].next_query is None
    back, rows = page(third.context["tray"].previous_query)
    assert rows == ["K-2", "K-3"]
    assert "Siguiente" in back.content.decode() and "Anterior" in back.content.decode()


def test_a_broken_cursor_shows_the_first_page(cast, as_member, book):
    response = as_member(cast.admin).get(URL, {"pagina": "sig.nonsense"})
    assert response.status_code == 200
    assert "El enlace de página no es válido o caducó" in response.content.decode()


def test_empty_state(cast, as_member):
    assert "Todavía no hay órdenes de pago." in as_member(cast.admin).get(URL).content.decode()


def test_a_mistyped_filter_is_dropped_and_the_others_kept(cast, as_member, book):
    response = as_member(cast.admin).get(URL, {"estado": "vencida", "vence_desde": "ayer"})
    assert numbers(response) == {"M-VEN"}


def _slow_count(qs, *, noun_singular, noun_plural):
    """What the page's count gives when it runs out of its time budget: the estimate."""
    return Total(12, False, f"≈ 12 {noun_plural}")


def test_a_list_that_fits_on_one_page_shows_its_exact_total(cast, as_member, book, monkeypatch):
    # On a large book a restricted adviser's count runs out of time; the page needs none.
    monkeypatch.setattr(totals, "count_total", _slow_count)
    html = as_member(cast.restricted).get(URL).content.decode()
    assert "2 órdenes" in html
    assert "≈" not in html


def test_a_longer_list_shows_the_bounded_count(cast, as_member, book, monkeypatch):
    monkeypatch.setattr(PAYMENT_ORDERS, "default_page_size", 1)
    monkeypatch.setattr(PAYMENT_ORDERS, "page_sizes", (1, 25, 50, 100))
    monkeypatch.setattr(totals, "count_total", _slow_count)
    html = as_member(cast.restricted).get(URL).content.decode()
    assert "≈ 12 órdenes" in html
    assert 'title="Total aproximado"' in html
