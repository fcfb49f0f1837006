"""`manage.py seed_demo`: the demo project, its people and a consistent book."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from clients.choices import ClaimCategory, Situation
from clients.models import Claim, Client, ClientAssignment, CustomVariable, PaymentOrder
from clients.selectors import client_base_queryset
from clients.situation import project_today, recompute_situations
from interactions.models import Interaction
from demo.documents import is_valid_cuit, is_valid_nit, is_valid_rut
from moonflow.tenancy.models import Member, Project, Role
from portfolios.models import Portfolio, PortfolioClient

pytestmark = pytest.mark.django_db

SLUG = "demo-cobranzas"


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def member(username: str, slug: str = SLUG) -> Member:
    return Member.objects.select_related("user", "team").get(
        project__slug=slug, user__username=username
    )


def test_it_creates_demo_cobranzas_with_four_logins_that_work():
    out = seed(clients=300)

    project = Project.objects.get(slug=SLUG)
    assert (project.name, project.timezone, project.currency) == (
        "Demo Cobranzas", "America/Bogota", "COP",
    )
    for username in ("admin", "supervisor", "asesor1", "asesor2"):
        browser = HttpClient()
        response = browser.post(
            reverse("login"), {"username": username, "password": "moonflow"}
        )
        assert response.status_code == 302, username
        assert int(browser.session["_auth_user_id"]) == member(username).user_id
        assert username in out

    assert member("admin").role == Role.ADMIN
    supervisor = member("supervisor")
    assert supervisor.role == Role.SUPERVISOR
    assert supervisor.supervised_teams.filter(project=project).exists()
    asesor1, asesor2 = member("asesor1"), member("asesor2")
    assert (asesor1.role, asesor1.restricted_to_assigned) == (Role.ADVISER, False)
    assert (asesor2.role, asesor2.restricted_to_assigned) == (Role.ADVISER, True)
    advisers = Member.objects.filter(project=project, role=Role.ADVISER)
    assert advisers.count() == 10
    assert advisers.filter(team__isnull=False).values("team").distinct().count() == 2
    codes = list(Member.objects.filter(project=project).values_list("code", flat=True))
    assert all(code.isdigit() for code in codes) and len(set(codes)) == len(codes)
    assert set(CustomVariable.objects.filter(project=project).values_list("label", flat=True)) == {
        "Producto", "Score", "Fecha de castigo", "Sucursal",
    }


def test_it_gives_asesor2_a_small_real_part_of_the_book_plus_a_portfolio():
    seed(clients=2000)
    asesor2 = member("asesor2")

    whole = client_base_queryset(member=member("admin")).count()
    visible = client_base_queryset(member=asesor2)
    own = visible.filter(adviser=asesor2).count()
    through_portfolio = visible.exclude(adviser=asesor2).count()

    assert client_base_queryset(member=member("asesor1")).count() == whole
    assert 0.02 * whole <= own <= 0.06 * whole
    assert 10 <= through_portfolio <= 20
    assert Portfolio.objects.get(agent=asesor2).name.startswith("Clientes VIP - ")
    team_portfolio = Portfolio.objects.get(project=asesor2.project, team__isnull=False,
                                           agent__isnull=True)
    assert team_portfolio.team != asesor2.team
    assert PortfolioClient.objects.filter(portfolio=team_portfolio).exists()


def test_it_writes_documents_with_valid_check_digits_and_unique_external_ids():
    seed(clients=1500)
    project = Project.objects.get(slug=SLUG)
    seed(clients=300, project=SLUG)  # appends to the same project without collisions

    clients = Client.objects.filter(project=project)
    assert clients.count() == 1800
    numbers = {t: list(clients.filter(document_type=t).values_list("document_number", flat=True))
               for t in ("CC", "CE", "NIT", "DNI", "RUT", "CUIT")}
    assert all(numbers.values()), {t: len(v) for t, v in numbers.items()}
    assert all(is_valid_rut(n) for n in numbers["RUT"])
    assert all(is_valid_cuit(n) for n in numbers["CUIT"])
    assert all(is_valid_nit(n) for n in numbers["NIT"])
    assert not is_valid_rut("12345678-9") and is_valid_rut("12345678-5")
    assert not is_valid_cuit("20-12345678-1") and is_valid_cuit("20-12345678-6")
    pairs = list(clients.values_list("document_type", "document_number"))
    assert len(set(pairs)) == len(pairs)
    names = set(clients.values_list("name", flat=True))
    assert len(names) > 1000 and any("Ñ" in n or "ñ" in n or "á" in n for n in names)


def test_it_creates_payment_orders_in_every_state_and_consistent_situations():
    seed(clients=800)
    project = Project.objects.get(slug=SLUG)
    today = project_today(project)
    orders = PaymentOrder.objects.filter(project=project)

    per_client = orders.count() / Client.objects.filter(project=project).count()
    assert 2 <= per_client <= 3
    assert set(orders.values_list("kind", flat=True)) == {
        "installment", "invoice", "payment_plan", "receipt",
    }
    assert set(orders.values_list("status", flat=True)) == {"pending", "paid", "annulled"}
    assert orders.filter(status="pending", due_date__lt=today - timedelta(days=90)).exists()
    assert orders.filter(status="pending", due_date__lt=today,
                         due_date__gte=today - timedelta(days=30)).exists()
    assert orders.filter(status="pending", due_date__gt=today).exists()
    assert not orders.filter(status="paid", paid_at__isnull=True).exists()
    assert not orders.filter(status="paid").exclude(total=0).exists()
    assert not orders.exclude(
        total=F("amount") + F("interest") - F("discounts") - F("payments")
    ).exists()

    situations = set(Client.objects.filter(project=project).values_list("situation", flat=True))
    assert {Situation.UP_TO_DATE, Situation.LATE_1_30, Situation.LATE_90_PLUS,
            Situation.CLAIM, Situation.FINISHED} <= situations
    # Stored situations, balances and oldest overdue dates are already what the rule says.
    assert recompute_situations(project=project) == 0


def test_it_keeps_claims_within_two_open_per_client_and_mirrors_the_first():
    seed(clients=1500)
    project = Project.objects.get(slug=SLUG)
    open_claims = Claim.objects.filter(project=project, status="open")
    assert open_claims.exists()
    assert not open_claims.values("client").annotate(n=Count("id")).filter(n__gt=2).exists()
    assert Claim.objects.filter(project=project, status="closed").exists()
    assert not Claim.objects.filter(project=project, payment_orders__isnull=True).exists()

    for client in Client.objects.filter(project=project).exclude(claim_category="none"):
        first = client.claims.filter(status="open").order_by("opened_at").first()
        assert first is not None and first.category == client.claim_category
        assert client.situation == Situation.CLAIM
    with_open = open_claims.values("client")
    assert not Client.objects.filter(
        project=project, id__in=with_open, claim_category=ClaimCategory.NONE
    ).exists()


def test_it_records_interactions_assignments_and_contactability():
    seed(clients=600)
    project = Project.objects.get(slug=SLUG)
    clients = Client.objects.filter(project=project)
    interactions = Interaction.objects.filter(project=project)

    assert 2.5 <= interactions.count() / clients.count() <= 3.5
    assert {"Recordatorio de pago", "Aviso de mora 30"} <= set(
        interactions.values_list("campaign", flat=True)
    )
    assert {"whatsapp", "sms", "email", "voice"} <= set(
        interactions.values_list("channel", flat=True)
    )
    assert {"read", "delivered", "failed", "scheduled"} <= set(
        interactions.values_list("status", flat=True)
    )
    since = timezone.now() - timedelta(days=91)
    assert not interactions.filter(sent_at__lt=since).exists()
    assert not interactions.filter(status="failed", error_message="").exists()
    scheduled = interactions.filter(status="scheduled")
    assert scheduled.exists()
    assert not scheduled.filter(
        Q(scheduled_at__lte=timezone.now()) | Q(sent_at__isnull=False)
    ).exists()
    outbound = interactions.filter(direction="outbound")
    assert set(outbound.values_list("campaign_kind", flat=True)) == {"flow", "event", "campaign"}
    assert {"client", "reference", "guarantor"} == set(
        outbound.values_list("recipient_kind", flat=True))
    promises = interactions.filter(outcome="promise")
    assert promises.exists() and interactions.filter(outcome="to_verify").exists()
    assert not promises.filter(Q(promise_amount__isnull=True) | Q(promise_date__isnull=True))
    assert not promises.exclude(status="answered").exists()
    assert not interactions.filter(status="bounced", error_message="").exists()

    open_rows = ClientAssignment.objects.filter(project=project, ended_at__isnull=True)
    assert open_rows.count() == clients.filter(adviser__isnull=False).count()
    assert not open_rows.exclude(source="system").exists()
    assert not open_rows.exclude(adviser=F("client__adviser")).exists()
    assert clients.filter(adviser__isnull=True).exists()

    assert {"contactable", "not_contactable", "problems"} <= set(
        clients.values_list("contactability", flat=True)
    )
    assert clients.exclude(contact_alert="none").exists()
    assert clients.filter(extra__has_keys=["producto", "score", "sucursal"]).count() == (
        clients.count()
    )
    assert clients.filter(portfolio_type="written_off", extra__has_key="fecha_castigo").exists()


def test_it_does_nothing_with_if_empty_when_a_project_exists():
    first = seed(clients=200, if_empty=True)  # nothing yet: seeds
    assert Project.objects.count() == 1
    counts = (Client.objects.count(), PaymentOrder.objects.count())

    second = seed(clients=200, if_empty=True)

    assert "3,000" not in first and "200 clients" in first
    assert "nothing to seed" in second
    assert Project.objects.count() == 1
    assert (Client.objects.count(), PaymentOrder.objects.count()) == counts


def test_it_creates_further_projects_with_isolated_data():
    seed(clients=200, projects=3, check_constraints=True)

    projects = {p.slug: p for p in Project.objects.all()}
    assert set(projects) == {SLUG, "empresa-2", "empresa-3"}
    for slug, project in projects.items():
        assert Client.objects.filter(project=project).count() == (200 if slug == SLUG else 500)
        # Nothing points across projects.
        assert not PaymentOrder.objects.filter(project=project).exclude(
            client__project=project).exists()
        assert not Interaction.objects.filter(project=project).exclude(
            client__project=project).exists()
        assert not Client.objects.filter(project=project, adviser__isnull=False).exclude(
            adviser__project=project).exists()
        assert not PortfolioClient.objects.filter(project=project).exclude(
            portfolio__project=project).exclude(client__project=project).exists()
    assert projects["empresa-2"].currency == "PEN"
    admin2 = member("admin2", "empresa-2")
    assert admin2.role == Role.ADMIN
    # The admin sees the project's whole book (but the recycle bin), nothing of the others.
    alive = Client.objects.filter(project=projects["empresa-2"], deleted_at__isnull=True)
    assert client_base_queryset(member=admin2).count() == alive.count() > 450

    browser = HttpClient()
    assert browser.post(
        reverse("login"), {"username": "admin2", "password": "moonflow"}
    ).status_code == 302
    assert browser.get("/p/empresa-3/").status_code == 404


def test_it_rebuilds_the_indexes_it_drops_for_a_large_load(monkeypatch):
    from django.db import connection

    from demo import load

    def index_definitions():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)",
                [list(load.REBUILT_TABLES)],
            )
            return dict(cursor.fetchall())

    before = index_definitions()
    monkeypatch.setattr(load, "REBUILD_INDEXES_FROM", 100)  # a "large" load, made small

    out = seed(clients=300)

    assert "secondary indexes dropped" in out and "indexes rebuilt" in out
    assert index_definitions() == before
    project = Project.objects.get(slug=SLUG)
    assert Client.objects.filter(project=project).count() == 300
    assert recompute_situations(project=project) == 0
    # Appending to a table that holds more than the load keeps the indexes.
    assert "secondary indexes dropped" not in seed(clients=150, project="otra-empresa")
