"""The one maintenance mode: ordinary triggers off for one transaction (docs/audit.md).

`session_replication_role = replica` (a superuser's setting) silences the audit table's
append-only triggers, the foreign-key checks and the search-term triggers, for a
maintenance task, a bulk load that writes what the triggers would have written, or the
test suite's flush. On Citus the shards' triggers run on the workers: the setting is sent
there too (`citus.propagate_set_commands = local`; on plain PostgreSQL that line sets a
placeholder nobody reads). `SET LOCAL` ends with the transaction.
"""

REPLICA_MODE = (
    "SET LOCAL citus.propagate_set_commands = 'local'",
    "SET LOCAL session_replication_role = replica",
)
ORIGIN_MODE = "SET LOCAL session_replication_role = origin"


def enter_replica_mode(cursor) -> None:
    for statement in REPLICA_MODE:
        cursor.execute(statement)
