"""get_<entity>_for_member: another project's id, or one the member may not see,
answers 404 exactly like a missing one."""

import pytest
from django.http import Http404

from clients import selectors, services
from clients.choices import ClaimCategory
from clients.models import CustomVariable
from tests import factories

pytestmark = pytest.mark.django_db

MISSING = 999_999_999


@pytest.fixture
def book(cast):
    mine = factories.make_client(cast.project, adviser=cast.restricted)
    theirs = factories.make_client(cast.project, adviser=cast.adviser)
    foreign = factories.make_client(cast.other_project)
    return {
        "mine": mine,
        "theirs": theirs,
        "foreign": foreign,
        "order_mine": factories.make_payment_order(mine),
        "order_theirs": factories.make_payment_order(theirs),
        "order_foreign": factories.make_payment_order(foreign),
    }


def test_a_payment_order_of_a_visible_client_is_found(cast, book):
    order = selectors.get_payment_order_for_member(cast.restricted, book["order_mine"].pk)
    assert order == book["order_mine"]
    assert selectors.get_payment_order_for_member(cast.admin, book["order_theirs"].pk)


@pytest.mark.parametrize("who, which", [
    ("restricted", "order_theirs"), ("admin", "order_foreign"), ("outsider", "order_mine"),
])
def test_a_payment_order_out_of_reach_answers_404(cast, book, who, which):
    with pytest.raises(Http404):
        selectors.get_payment_order_for_member(getattr(cast, who), book[which].pk)
    with pytest.raises(Http404):
        selectors.get_payment_order_for_member(getattr(cast, who), MISSING)


def test_an_order_of_a_client_in_the_bin_answers_404(cast, book):
    services.client_delete(client=book["mine"], actor=None)
    with pytest.raises(Http404):
        selectors.get_payment_order_for_member(cast.admin, book["order_mine"].pk)


def test_a_claim_is_found_only_through_a_visible_client(cast, book):
    services.claim_set_category(client=book["theirs"], category=ClaimCategory.BILLING, actor=None)
    claim = book["theirs"].claims.get()
    assert selectors.get_claim_for_member(cast.admin, claim.pk, client=book["theirs"]) == claim
    for member, client in ((cast.restricted, None), (cast.outsider, None),
                           (cast.admin, book["mine"])):
        with pytest.raises(Http404):
            selectors.get_claim_for_member(member, claim.pk, client=client)


def test_segments_and_variables_of_another_project_answer_404(cast):
    segment = factories.make_segment(cast.project, "Pyme")
    variable = CustomVariable.objects.create(project=cast.project, key="plan", label="Plan",
                                             type="text")
    assert selectors.get_segment_for_member(cast.admin, segment.pk) == segment
    assert selectors.get_custom_variable_for_member(cast.admin, variable.pk) == variable
    for pk in (segment.pk, MISSING):
        with pytest.raises(Http404):
            selectors.get_segment_for_member(cast.outsider, pk)
    for pk in (variable.pk, MISSING):
        with pytest.raises(Http404):
            selectors.get_custom_variable_for_member(cast.outsider, pk)
