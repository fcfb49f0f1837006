"""Planner statistics for the project's custom variables.

A custom variable lives in `Client.extra` (jsonb). PostgreSQL keeps no
statistics on `extra -> 'key'` unless asked, so it guesses 0.5 % of the rows
for any value: the tray's total, which is the planner's estimate on a large
book, would read "≈ 5.000" for a filter that matches 150,000 clients, and the
page would first spend its count budget trying to count them. An expression
statistics object per key (PostgreSQL 14+) gives the planner the real
distribution at the next ANALYZE (autovacuum's).
"""

from django.db import connection

from .models import CUSTOM_VARIABLE_KEY_RE, Client


def statistics_name(key: str) -> str:
    return f"client_extra_{key}"[:63]


def ensure_variable_statistics(key: str) -> None:
    """Create, once per key, the statistics on `extra -> key` the tray filters use."""
    if not CUSTOM_VARIABLE_KEY_RE.match(key):  # nothing else goes into DDL
        raise ValueError(f"Not a custom variable key: {key!r}")
    table = connection.ops.quote_name(Client._meta.db_table)
    name = connection.ops.quote_name(statistics_name(key))
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {name} ON ((extra -> %s)) FROM {table}", [key]
        )
