"""A restricted adviser who loses a client gets 404 on it at once; the one who receives it sees its
whole history at once (orders, interactions, gestiones done by the former adviser, notes)."""

import pytest
from django.http import Http404
from django.urls import reverse

from clients.selectors import get_client_for_member, payment_order_base_queryset
from followups.selectors import (
    adviser_day,
    client_followups,
    client_notes,
    followup_base_queryset,
    get_followup_for_member,
)
from tests import factories
from tests.conftest import login
from transfers.services import transfer_clients

from .helpers import make_held_client


@pytest.fixture
def newcomer(cast):
    """A restricted adviser of the same team, who receives the client."""
    return factories.make_member(cast.project, username="nuevo", team=cast.restricted.team,
                                 restricted=True, code="N-01")


def _pages(cast, client):
    slug = cast.project.slug
    return [reverse("clients:detail", kwargs={"project": slug, "pk": client.pk}),
            reverse("interactions:client_list", kwargs={"project": slug, "pk": client.pk})]


def test_the_former_adviser_gets_404_at_once_and_the_new_one_sees_everything(cast, newcomer):
    client = make_held_client(cast.project, cast.restricted, name="Ana Gómez")
    followup = client_followups(client=client).first()
    former, new = login(cast.restricted), login(newcomer)
    for page in _pages(cast, client):
        assert former.get(page).status_code == 200
        assert new.get(page).status_code == 404
    assert followup_base_queryset(member=newcomer).filter(client=client).count() == 0

    transfer_clients(project=cast.project, actor=cast.admin.user, clients=[client.pk],
                     to_adviser=newcomer, through="screen")

    # The former adviser: 404 on the client, its pages, its gestiones and orders.
    for page in _pages(cast, client):
        assert former.get(page).status_code == 404, page
    with pytest.raises(Http404):
        get_client_for_member(cast.restricted, client.pk)
    with pytest.raises(Http404):
        get_followup_for_member(cast.restricted, followup.pk)
    assert not payment_order_base_queryset(member=cast.restricted).filter(client=client).exists()
    assert not adviser_day(member=cast.restricted).upcoming.exists()

    # The new adviser: the whole history at once.
    for page in _pages(cast, client):
        assert new.get(page).status_code == 200, page
    assert get_client_for_member(newcomer, client.pk).pk == client.pk
    assert payment_order_base_queryset(member=newcomer).filter(client=client).count() == 2
    interactions = new.get(_pages(cast, client)[1]).content.decode()
    assert interactions.count("<tr") >= 3  # the header and the former adviser's two
    visible = followup_base_queryset(member=newcomer).filter(client=client)
    assert visible.count() == 5  # three open, handed over; two closed by the former adviser
    assert set(visible.filter(status="done").values_list("closed_by", flat=True)) == {
        cast.restricted.user_id}
    assert get_followup_for_member(newcomer, followup.pk).adviser_id == newcomer.pk
    assert [n.author_id for n in client_notes(client=client)] == [cast.restricted.user_id]
    # Mis gestiones: the three open ones are now the new adviser's.
    assert adviser_day(member=newcomer).upcoming.count() == 3
