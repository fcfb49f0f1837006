"""A client's communications (the envelope "Ver comunicaciones")."""

from datetime import datetime, timezone as dt_timezone

import pytest
from django.urls import reverse

from clients import services
from moonflow.lists.services import tray_columns_set
from interactions.models import Channel, Direction, Interaction, InteractionStatus
from tests import factories

pytestmark = pytest.mark.django_db


def url(client):
    return reverse("interactions:client_list", kwargs={"project": "demo", "pk": client.pk})


def test_it_lists_the_clients_interactions_with_their_columns(cast, as_member):
    client = factories.make_client(cast.project, name="Julia Mora")
    other = factories.make_client(cast.project)
    Interaction.objects.create(
        project=cast.project, client=client, channel=Channel.SMS, direction=Direction.INBOUND,
        campaign="Campaña agosto", template="aviso_mora", status=InteractionStatus.FAILED,
        error_message="Número inválido",
        scheduled_at=datetime(2024, 8, 1, 15, 5, tzinfo=dt_timezone.utc),  # 10:05 in Bogotá
    )
    Interaction.objects.create(
        project=cast.project, client=other, channel=Channel.EMAIL, status=InteractionStatus.SENT,
        campaign="De otro cliente",
    )

    # The tray's columns (its list, not the client's own two), with Mensaje de error added.
    tray_columns_set(member=cast.admin, tray="interactions",
                     columns=["scheduled_at", "direction", "channel", "campaign", "template",
                              "status", "error_message"])
    response = as_member(cast.admin).get(url(client))

    html = response.content.decode()
    assert response.status_code == 200
    for text in ("Comunicaciones · Julia Mora", "Fecha de envío", "Canal", "Tipo",
                 "Flujo, evento o campaña", "Plantilla", "Estado", "Mensaje de error",
                 "01/08/2024 10:05", "SMS", "Entrante", "Campaña agosto", "aviso_mora", "Fallida",
                 "Número inválido", "1 interacción"):
        assert text in html, text
    assert "De otro cliente" not in html


def test_it_says_so_when_there_are_none(cast, as_member):
    client = factories.make_client(cast.project)
    html = as_member(cast.admin).get(url(client)).content.decode()
    assert "Este cliente todavía no tiene comunicaciones." in html


def test_a_client_in_the_bin_keeps_its_history(cast, as_member):
    client = factories.make_client(cast.project)
    Interaction.objects.create(project=cast.project, client=client, channel=Channel.VOICE,
                               status=InteractionStatus.ANSWERED, campaign="Llamada")
    services.client_delete(client=client, actor=None)
    html = as_member(cast.admin).get(url(client)).content.decode()
    assert "Llamada" in html and "papelera" in html


def test_the_restricted_adviser_sees_their_clients_communications(cast, as_member):
    client = factories.make_client(cast.project, adviser=cast.restricted)
    assert as_member(cast.restricted).get(url(client)).status_code == 200


@pytest.mark.parametrize("who", ["restricted", "outsider"])
def test_it_answers_404_to_whoever_may_not_see_the_client(cast, as_member, who):
    client = factories.make_client(cast.project, adviser=cast.adviser)
    assert as_member(getattr(cast, who)).get(url(client)).status_code == 404


def test_interaction_base_queryset_follows_client_visibility(cast):
    from interactions.selectors import interaction_base_queryset

    mine = factories.make_client(cast.project, adviser=cast.restricted)
    theirs = factories.make_client(cast.project, adviser=cast.adviser)
    binned = factories.make_client(cast.project, adviser=cast.restricted)
    for client in (mine, theirs, binned):
        Interaction.objects.create(project=cast.project, client=client, channel=Channel.SMS,
                                   status=InteractionStatus.SENT)
    services.client_delete(client=binned, actor=None)
    assert {i.client_id for i in interaction_base_queryset(member=cast.restricted)} == {mine.pk}
    assert {i.client_id for i in interaction_base_queryset(member=cast.admin)} == {mine.pk, theirs.pk}
    assert not interaction_base_queryset(member=cast.outsider).exists()


def test_it_shows_the_trays_default_columns_without_the_clients_own(cast, as_member):
    client = factories.make_client(cast.project, name="Julia Mora")
    factories.make_interaction(client, recipients="+573001112233", template="aviso")
    response = as_member(cast.admin).get(url(client))
    headers = [h.column.label for h in response.context["tray"].headers]
    assert [str(h) for h in headers] == [
        "Fecha de envío", "Tipo", "Canal", "Flujo, evento o campaña", "Plantilla",
        "Destinatarios", "Estado", "Asesor"]
    assert "+573001112233" in response.content.decode()


def test_it_lists_every_date_newest_first_and_undated_last(cast, as_member):
    """The client's page has no default range: its whole history, pages of the kernel."""
    from datetime import timedelta

    from django.utils import timezone

    client = factories.make_client(cast.project)
    now = timezone.now()
    old = factories.make_interaction(client, campaign="Antigua", scheduled_at=now - timedelta(days=400))
    new = factories.make_interaction(client, campaign="Nueva", scheduled_at=now - timedelta(days=1))
    undated = factories.make_interaction(client, campaign="Sin fecha", scheduled_at=None)
    tray = as_member(cast.admin).get(url(client)).context["tray"]
    assert [r["id"] for r in tray.rows] == [new.pk, old.pk, undated.pk]
    tray = as_member(cast.admin).get(url(client), {"orden": "scheduled_at"}).context["tray"]
    assert [r["id"] for r in tray.rows] == [undated.pk, old.pk, new.pk]
    tray = as_member(cast.admin).get(url(client), {"por_pagina": 25}).context["tray"]
    assert tray.total.label == "3 interacciones"


def test_its_pages_follow_the_kernels_keyset(cast, as_member):
    from datetime import timedelta

    from django.utils import timezone

    client = factories.make_client(cast.project)
    now = timezone.now()
    made = [factories.make_interaction(client, scheduled_at=now - timedelta(hours=i))
            for i in range(30)]
    browser = as_member(cast.admin)
    first = browser.get(url(client), {"por_pagina": 25}).context["tray"]
    assert [r["id"] for r in first.rows] == [i.pk for i in made[:25]]
    second = browser.get(f"{url(client)}?{first.next_query}").context["tray"]
    assert [r["id"] for r in second.rows] == [i.pk for i in made[25:]]


def test_a_restricted_adviser_reads_no_other_advisers_name_on_a_shared_client(cast, as_member):
    from portfolios.models import Portfolio, PortfolioClient

    client = factories.make_client(cast.project, adviser=cast.adviser)
    portfolio = Portfolio.objects.create(project=cast.project, name="Compartida",
                                         agent=cast.restricted, active=True)
    PortfolioClient.objects.create(project=cast.project, portfolio=portfolio, client=client)
    factories.make_interaction(client, adviser=cast.adviser, campaign="Recordatorio")
    response = as_member(cast.restricted).get(url(client))
    html = response.content.decode()
    assert response.status_code == 200 and "Recordatorio" in html
    assert "Otro asesor" in html and "Asesor1" not in html
    assert response.context["tray"].total.label == "1 interacción"


def test_its_filters_apply_without_a_default_range(cast, as_member):
    client = factories.make_client(cast.project)
    factories.make_interaction(client, channel=Channel.SMS, campaign="Sí")
    factories.make_interaction(client, channel=Channel.EMAIL, campaign="No")
    response = as_member(cast.admin).get(url(client), {"canal": "sms"})
    assert [r["campaign"] for r in response.context["tray"].rows] == ["Sí"]
    assert "últimos 7 días" not in response.content.decode()
    assert 'id="tray-q"' not in response.content.decode()  # no client search on a client's page
