"""A time budget for the statements of a block: PostgreSQL cancels what runs longer.

The lists use it where the planner cannot promise a bound: a total counted on a
page view (moonflow.lists.totals) and a page sorted by a column no index keeps in
order (moonflow.lists.listing). The budget is a `statement_timeout` local to a
savepoint: outside a transaction it ends with the block, inside one the previous
value is put back, and a cancelled statement rolls back only the savepoint, so
the request goes on and answers something else.
"""

from contextlib import contextmanager

from django.db import OperationalError, connections, transaction

QUERY_CANCELED = "57014"


class OutOfTime(Exception):
    """A statement of the block ran past its budget and was cancelled."""


@contextmanager
def statement_budget(milliseconds: int, *, using: str = "default"):
    """Every statement of the block gets at most `milliseconds`; OutOfTime when one runs
    longer (the block's writes, if any, are rolled back with its savepoint)."""
    connection = connections[using]
    outer_transaction = connection.in_atomic_block
    try:
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT current_setting('statement_timeout'), "
                    "set_config('statement_timeout', %s, true)",
                    [f"{int(milliseconds)}ms"],
                )
                previous = cursor.fetchone()[0]
            yield
            if outer_transaction:
                # Outside a transaction the setting ends with this block's commit.
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == QUERY_CANCELED:
            raise OutOfTime from error
        raise
