"""A client's communications (the envelope "Ver comunicaciones")."""

from datetime import datetime, timezone as dt_timezone

import pytest
from django.urls import reverse

from clients import services
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
