"""client_create: an adviser's new client is theirs, whoever asked for another adviser."""

import pytest

from clients import services
from clients.models import ClientAssignment

pytestmark = pytest.mark.django_db


def create(cast, member, **fields):
    return services.client_create(
        project=cast.project, actor=member.user, member=member, document_type="CC",
        document_number="1020304050", name="Ana Gómez", **fields,
    )


@pytest.mark.parametrize("who", ["restricted", "adviser"])
def test_an_advisers_new_client_is_theirs(cast, who):
    adviser = getattr(cast, who)
    client = create(cast, adviser, adviser=cast.supervisor)
    assert client.adviser == adviser
    assert ClientAssignment.objects.get(client=client).adviser == adviser


def test_a_manager_hands_it_to_whoever_they_choose_or_to_nobody(cast):
    assert create(cast, cast.supervisor, adviser=cast.restricted).adviser == cast.restricted
    assert services.client_create(
        project=cast.project, actor=None, member=cast.admin, document_type="CC",
        document_number="55512345", name="Sin asesor",
    ).adviser is None


def test_the_system_and_imports_without_a_member_keep_the_adviser_given(cast):
    client = services.client_create(
        project=cast.project, actor=None, document_type="CC", document_number="777888",
        name="Importado", adviser=cast.adviser,
    )
    assert client.adviser == cast.adviser
