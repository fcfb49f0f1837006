"""moonflow.db.budget: statements past their budget are cancelled, and the connection
goes on as it was (inside a transaction and outside)."""

import pytest
from django.db import connection, transaction

from moonflow.db.budget import OutOfTime, statement_budget

pytestmark = pytest.mark.django_db


def _timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('statement_timeout')")
        return cursor.fetchone()[0]


def test_a_statement_past_its_budget_is_cancelled_and_the_transaction_goes_on():
    before = _timeout()
    with pytest.raises(OutOfTime):
        with statement_budget(50), connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(1)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # the outer (test) transaction is still usable
        assert cursor.fetchone() == (1,)
    assert _timeout() == before


def test_a_statement_within_its_budget_answers_and_the_setting_is_put_back():
    before = _timeout()
    with transaction.atomic():
        with statement_budget(5_000), connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('statement_timeout')")
            assert cursor.fetchone() == ("5s",)
        assert _timeout() == before


def test_other_database_errors_are_not_taken_for_a_timeout():
    from django.db import ProgrammingError

    with pytest.raises(ProgrammingError):
        with statement_budget(1_000), connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")
