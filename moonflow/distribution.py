"""The rules a table must meet to be distributed by project on Citus, read from the catalogue.

Every tenant table (a table with a `project_id` column, outside the small shared
tables listed in `REFERENCE_TABLES`) is distributed by `project_id` and
co-located with the others, so the database can be split by project without a
rewrite (docs/distribution.md). Citus's rules for that, and ours:

- the primary key and every unique constraint or unique index include `project_id`
  (Citus cannot enforce uniqueness across shards otherwise);
- every index starts with `project_id` (a project's rows cluster together and a
  query for one project reads one range);
- a foreign key from a tenant table to another tenant table joins on `project_id`
  too (`(project_id, client_id) → (project_id, id)`); one to a reference table is
  free; a reference table never points at a tenant table.

`violations()` lists every breach as a line of text, read from `pg_constraint`,
`pg_index` and `pg_attribute`, so a migration that adds a table or an index is
judged by what it really created.
"""

from __future__ import annotations

from django.db import connection

# Small tables every node holds whole (Citus reference tables): the tenancy core and
# the framework's own. A table without a project_id column is one as well.
REFERENCE_TABLES = frozenset({"tenancy_project", "tenancy_team", "tenancy_member"})

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
            if expression or not columns or columns[0] != "project_id":
                if unique and index in constraint_backed:
                    continue  # already listed as its unique constraint
                found.append(f"index not starting with project_id: {shown}")
        return sorted(found)
