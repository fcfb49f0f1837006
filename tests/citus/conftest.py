"""Tests of the Citus cluster (`make test-citus`): collected only where MOONFLOW_CITUS=1.

Elsewhere (`make test`, plain PostgreSQL) they are left out at collection, not skipped:
the database they need is not there.
"""

import os

import pytest


def pytest_collection_modifyitems(config, items):
    if os.environ.get("MOONFLOW_CITUS") == "1":
        return
    kept = [item for item in items if "tests/citus/" not in str(item.fspath).replace(os.sep, "/")]
    dropped = [item for item in items if item not in kept]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture
def citus_cursor(django_db_blocker):
    """A cursor on the coordinator's test database, outside any test transaction
    (Citus distributes tables and moves shards in transactions of its own)."""
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        yield cursor
