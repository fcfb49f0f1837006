"""Portfolio names: unique per project compared without case, accents or repeated spaces, kept
by PostgreSQL (the generated `name_key` and its unique constraint), so a race cannot create two."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from portfolios import services
from portfolios.models import Portfolio

from .helpers import make_portfolio

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name, key", [
    ("Recuperación Julio", "recuperacion julio"),
    ("  CLIENTES   VIP - Ñandú  ", "clientes vip - nandu"),
    ("Àgueda Ïñigo Çedó", "agueda inigo cedo"),
    ("S.A.S. 2024", "s.a.s. 2024"),
])
def test_postgresql_keeps_the_key_of_every_name(cast, name, key):
    portfolio = make_portfolio(cast.project, name, agent=cast.adviser)

    assert Portfolio.objects.values_list("name_key", flat=True).get(pk=portfolio.pk) == key


def test_the_database_refuses_a_second_name_with_the_same_key_however_it_is_written(cast):
    make_portfolio(cast.project, "Recuperación Julio", agent=cast.adviser)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_portfolio(cast.project, "RECUPERACION  julio", agent=cast.adviser)


def test_a_race_between_the_check_and_the_insert_still_gets_the_clear_message(cast, monkeypatch):
    make_portfolio(cast.project, "Recuperación Julio", agent=cast.adviser)
    real, calls = services._name_taken, []

    def checked_before_the_other_insert(*args, **kwargs):
        calls.append(args)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(services, "_name_taken", checked_before_the_other_insert)

    with pytest.raises(ValidationError) as refused:
        services.portfolio_create(member=cast.admin, name="recuperacion julio",
                                  agent=cast.adviser)

    assert refused.value.code == "duplicate"
    assert "Ya existe una cartera llamada «Recuperación Julio»" in refused.value.messages[0]
    assert Portfolio.objects.count() == 1
