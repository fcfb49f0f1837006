"""Reading gestiones: Mis gestiones (overdue, today, upcoming) of the adviser who holds them, a
client's gestiones in order, and the one access path (404 outside it)."""

from datetime import date, timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from clients.situation import project_today
from followups.choices import FollowUpKind, FollowUpStatus
from followups.selectors import (
    adviser_day,
    client_followups,
    followup_base_queryset,
    get_followup_for_member,
    open_followup_counts,
)
from tests import factories

from .helpers import make_followup


def test_mis_gestiones_splits_the_advisers_open_ones_by_day(cast):
    today = project_today(cast.project)
    mine = factories.make_client(cast.project, adviser=cast.restricted)
    late = make_followup(mine, due_on=today - timedelta(days=3))
    now = make_followup(mine, kind=FollowUpKind.PROMISE, due_on=today)
    soon = make_followup(mine, kind=FollowUpKind.CONTACT, due_on=today + timedelta(days=7))
    make_followup(mine, due_on=today + timedelta(days=8))  # beyond the week
    make_followup(mine, due_on=today, status=FollowUpStatus.DONE)  # closed
    someone_elses = factories.make_client(cast.project, adviser=cast.adviser)
    make_followup(someone_elses, due_on=today)
    binned = factories.make_client(cast.project, adviser=cast.restricted,
                                   deleted_at=timezone.now())
    make_followup(binned, due_on=today)

    day = adviser_day(member=cast.restricted)
    assert day.today == today
    assert list(day.overdue) == [late]
    assert list(day.due_today) == [now]
    assert list(day.upcoming) == [soon]


def test_a_clients_gestiones_list_the_open_ones_first(cast):
    client = factories.make_client(cast.project, adviser=cast.adviser)
    closed = make_followup(client, status=FollowUpStatus.DONE, due_on=date(2020, 1, 1))
    later = make_followup(client, due_on=date.today() + timedelta(days=9))
    sooner = make_followup(client, due_on=date.today() + timedelta(days=1))
    assert list(client_followups(client=client)) == [sooner, later, closed]


def test_open_counts_say_what_a_transfer_would_move(cast):
    client = factories.make_client(cast.project, adviser=cast.adviser)
    make_followup(client)
    make_followup(client, kind=FollowUpKind.PROMISE, amount=100)
    make_followup(client, kind=FollowUpKind.PROMISE, amount=50)
    make_followup(client, kind=FollowUpKind.PROMISE, amount=70, status=FollowUpStatus.BROKEN)
    assert open_followup_counts(project_id=cast.project.pk, client_ids=[client.pk]) == {
        "task": 1, "promise": 2, "contact": 0, "promised": 150}


@pytest.mark.parametrize("who, sees", [("admin", True), ("supervisor", True), ("adviser", True),
                                       ("restricted", False), ("outsider", False)])
def test_a_gestion_is_reached_only_through_its_clients_visibility(cast, who, sees):
    followup = make_followup(factories.make_client(cast.project, adviser=cast.adviser))
    member = getattr(cast, who)
    assert followup_base_queryset(member=member).filter(pk=followup.pk).exists() is sees
    if sees:
        assert get_followup_for_member(member, followup.pk) == followup
    else:
        with pytest.raises(Http404):
            get_followup_for_member(member, followup.pk)
