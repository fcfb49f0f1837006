"""The rules a table must meet to be distributed by project on Citus, read from the catalogue.

Every tenant table (a table with a `project_id` column, outside the small shared
tables listed in `REFERENCE_TABLES`) is distributed by `project_id` and
co-located with the others, so the database can be split by project without a
rewrite (docs/distribution.md). Citus's rules for that, and ours:

- the primary key and every unique constraint or unique index include `project_id`
  (Citus cannot enforce uniqueness across shards otherwise);
- every index starts with `project_id` (a project's rows cluster together and a
  query for one project reads one range), but the few in `FREE_INDEXES`, each with
  its reason;
- a foreign key from a tenant table to another tenant table joins on `project_id`
  too (`(project_id, client_id) → (project_id, id)`); one to a reference table is
  free; a reference table never points at a tenant table.

`violations()` lists every breach as a line of text, read from `pg_constraint`,
`pg_index` and `pg_attribute`, so a migration that adds a table or an index is
judged by what it really created.

`distribute()` (`manage.py distribute_tables`) makes the reference tables and
distributes every tenant table on a database with the citus extension; elsewhere it
does nothing.
"""

from __future__ import annotations

from django.db import connection, transaction

# Small shared tables with a project_id that every node holds whole (Citus reference
# tables): the tenancy core. Tables without project_id are never tenant tables; those a
# tenant table points at become reference tables too (`reference_tables`).
REFERENCE_TABLES = frozenset({"tenancy_project", "tenancy_team", "tenancy_member"})

# Indexes of tenant tables that do not start with project_id, each for a reason. Citus
# allows them (only unique ones must hold the distribution column); they are the few
# reads that look across every project by design, or that project_id cannot lead.
FREE_INDEXES = {
    "jobs_processjob.job_id_idx":
        "a task carries a job's id alone; its worker finds the job's project by it, once",
    "jobs_processjob.job_unfinished_idx":
        "the watchdog's look for stalled jobs, whatever the project",
    "jobs_processjob.job_files_expire_idx":
        "the nightly removal of expired job files, whatever the project",
    "interactions_nightdownload.night_download_due_idx":
        "the beat's look for due night downloads, whatever the project",
    "audit_auditevent.audit_search_idx":
        "a GIN index over the search vector, which a B-tree column cannot lead without the "
        "btree_gin extension; every search filters by project as well",
}

_COLUMNS = """
    SELECT array_agg(a.attname::text ORDER BY k.ord)
    FROM unnest({keys}) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.attnum
"""


def _tables(cursor) -> dict[str, bool]:
    """Every ordinary (or partitioned) table of the schema → whether it has project_id."""
    cursor.execute("""
        SELECT c.relname,
               EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                       AND a.attname = 'project_id' AND NOT a.attisdropped)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
          AND NOT c.relispartition
    """)
    return dict(cursor.fetchall())


def tenant_tables(cursor) -> set[str]:
    return {name for name, has_project in _tables(cursor).items()
            if has_project and name not in REFERENCE_TABLES}


def violations() -> list[str]:
    with connection.cursor() as cursor:
        tables = _tables(cursor)
        tenants = {name for name, has in tables.items() if has and name not in REFERENCE_TABLES}
        found: list[str] = []
        cursor.execute(f"""
            SELECT c.relname, con.conname, con.contype, f.relname,
                   ({_COLUMNS.format(keys='con.conkey', rel='con.conrelid')}),
                   ({_COLUMNS.format(keys='con.confkey', rel='con.confrelid')})
            FROM pg_constraint con
            JOIN pg_class c ON c.oid = con.conrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_class f ON f.oid = con.confrelid
            WHERE n.nspname = current_schema() AND con.contype IN ('p', 'u', 'f')
        """)
        for table, name, kind, target, columns, target_columns in cursor.fetchall():
            if table not in tables:
                continue  # a partition: judged by its parent
            shown = f"{table}.{name} ({', '.join(columns)})"
            if table in tenants and kind in "pu" and "project_id" not in columns:
                label = "primary key" if kind == "p" else "unique constraint"
                found.append(f"{label} without project_id: {shown}")
            elif kind == "f" and table in tenants and target in tenants:
                pairs = dict(zip(columns, target_columns))
                if pairs.get("project_id") != "project_id":
                    found.append(f"foreign key without project_id on both sides: {shown} "
                                 f"→ {target}")
            elif kind == "f" and table not in tenants and target in tenants:
                found.append(f"reference table points at a tenant table: {shown} → {target}")
        cursor.execute(f"""
            SELECT c.relname, i.relname, x.indisunique, x.indisprimary,
                   ({_COLUMNS.format(keys='x.indkey::int2[]', rel='x.indrelid')}),
                   x.indkey[0] = 0
            FROM pg_index x
            JOIN pg_class c ON c.oid = x.indrelid
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema()
        """)
        constraint_backed = {line.split(".", 1)[1].split(" ", 1)[0] for line in found}
        for table, index, unique, primary, columns, expression in cursor.fetchall():
            if table not in tenants or primary:
                continue
            columns = [c for c in (columns or []) if c]
            shown = f"{table}.{index} ({', '.join(columns) or 'expression'})"
            if f"{table}.{index}" in FREE_INDEXES and not unique:
                continue
            if expression or not columns or columns[0] != "project_id":
                if unique and index in constraint_backed:
                    continue  # already listed as its unique constraint
                found.append(f"index not starting with project_id: {shown}")
        return sorted(found)


# --- Distributing the tables (`manage.py distribute_tables`) ------------------------------------


def citus_installed(cursor) -> bool:
    cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')")
    return cursor.fetchone()[0]


def _foreign_keys(cursor) -> list[tuple[str, str, str, str]]:
    """(table, constraint, referenced table, definition) of every foreign key of the schema."""
    cursor.execute("""
        SELECT c.relname, con.conname, f.relname, pg_get_constraintdef(con.oid)
        FROM pg_constraint con
        JOIN pg_class c ON c.oid = con.conrelid
        JOIN pg_class f ON f.oid = con.confrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND con.contype = 'f'
        ORDER BY 1, 2
    """)
    return cursor.fetchall()


def _referenced_first(tables: set[str], keys) -> list[str]:
    """`tables` ordered so that a table comes after those it points at (cycles broken by name)."""
    targets = {table: sorted({target for source, _n, target, _d in keys
                              if source == table and target in tables and target != table})
               for table in tables}
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(table):
        if table in ordered or table in visiting:
            return
        visiting.add(table)
        for target in targets[table]:
            visit(target)
        visiting.discard(table)
        ordered.append(table)

    for table in sorted(tables):
        visit(table)
    return ordered


def reference_tables(cursor) -> set[str]:
    """The tables every node holds whole: the tenancy core, and every table without
    project_id that a tenant or reference table points at (users, …), transitively. The
    rest of the framework's tables (sessions, permissions, the login throttle's) stay on
    the coordinator alone: no tenant table joins them."""
    tables = _tables(cursor)
    keys = _foreign_keys(cursor)
    tenants = {name for name, has in tables.items() if has and name not in REFERENCE_TABLES}
    chosen = set(REFERENCE_TABLES)
    while True:
        more = {target for source, _n, target, _d in keys
                if (source in tenants or source in chosen) and target not in tenants
                and target not in chosen and target in tables}
        if not more:
            return chosen
        chosen |= more


def _distributed(cursor) -> set[str]:
    cursor.execute("SELECT logicalrelid::regclass::text FROM pg_dist_partition")
    return {name for (name,) in cursor.fetchall()}


def without_local_execution() -> None:
    """On a database with Citus, turn the coordinator's local execution off.

    The coordinator holds a copy of every reference table. A transaction that writes
    one there (a project, a member) runs that write locally, and Citus then refuses to
    send a later statement of the same transaction to the nodes over connections
    ("cannot switch local execution status"): a request or a test that writes a tenancy
    row and then reads tenant tables would fail. Without local execution the
    coordinator's copy is written over a connection like the others. Set for the
    database, so every new session gets it, and for this one; never inside the
    transaction that distributes the tables (that needs it as it was)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if not citus_installed(cursor):
            return
        cursor.execute("SELECT current_database()")
        (database,) = cursor.fetchone()
        # The coordinator's only: on a worker, the search-term trigger that fires on a
        # shard writes the co-located shard through local execution.
        cursor.execute("SET LOCAL citus.enable_ddl_propagation = off")
        cursor.execute(f'ALTER DATABASE "{database}" SET citus.enable_local_execution = off')
    with connection.cursor() as cursor:
        cursor.execute("SET citus.enable_local_execution = off")


def truncate_in_replica_mode() -> None:
    """On a database with Citus, let TRUNCATE reach the shards under
    `session_replication_role = replica` (the audit table's maintenance path,
    docs/audit.md, and the flush that ends a transactional test).

    Citus sends a distributed table's TRUNCATE to its shards from a trigger of its own
    (`citus_truncate_trigger`), which replica mode silences like any ordinary trigger:
    the coordinator's empty shell table would be truncated and the shards would keep
    their rows. Marked ALWAYS, it fires in replica mode too; with
    `citus.propagate_set_commands = local` in the same transaction, the workers run the
    shards' TRUNCATE in replica mode as well. Run after every distribution (a new table
    gets a new trigger); on the coordinator only (shards have no such trigger)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if not citus_installed(cursor):
            return
        cursor.execute("SET LOCAL citus.enable_ddl_propagation = off")
        cursor.execute("SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
                       "WHERE tgfoid = 'citus_truncate_trigger'::regproc AND tgenabled <> 'A'")
        for table, trigger in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {table} ENABLE ALWAYS TRIGGER "{trigger}"')


def distribute() -> list[str]:
    """Make the reference tables reference tables and distribute every tenant table by
    project_id, co-located with the first, on a database with Citus; returns what it did
    (nothing on plain PostgreSQL, nothing the second time).

    The foreign keys between the tables taken are dropped first and added back once every
    table is distributed or reference (Citus then creates them on every shard), so the
    order of the calls never meets a key to a table Citus does not know yet."""
    with connection.cursor() as cursor:
        if not citus_installed(cursor):
            return []
        done = _distributed(cursor)
        references = reference_tables(cursor)
        tenants = tenant_tables(cursor)
        keys = _foreign_keys(cursor)
        pending = (references | tenants) - done
        if not pending:
            return []
        # The audit table's append-only triggers and the clients' search-term triggers act on
        # the row's own project only (the same shard, or a co-located one): Citus lets them
        # be distributed with this switch.
        cursor.execute("SET LOCAL citus.enable_unsafe_triggers = on")
        # Keys to reference tables are added in the same transaction: one connection a node.
        cursor.execute("SET LOCAL citus.multi_shard_modify_mode = 'sequential'")
        held = [(source, name, definition) for source, name, target, definition in keys
                if source in pending or target in pending]
        for source, name, _definition in held:
            cursor.execute(f'ALTER TABLE "{source}" DROP CONSTRAINT "{name}"')
        steps: list[str] = []
        for table in _referenced_first(references - done, keys):
            cursor.execute("SELECT create_reference_table(%s)", [table])
            steps.append(f"reference table: {table}")
        ordered = _referenced_first(tenants, keys)
        first = ordered[0]
        for table in ordered:
            if table in done:
                continue
            if table == first:
                cursor.execute("SELECT create_distributed_table(%s, 'project_id')", [table])
            else:
                cursor.execute("SELECT create_distributed_table(%s, 'project_id', "
                               "colocate_with => %s)", [table, first])
            steps.append(f"distributed by project_id: {table}")
        for source, name, definition in held:
            cursor.execute(f'ALTER TABLE "{source}" ADD CONSTRAINT "{name}" {definition}')
        return steps
