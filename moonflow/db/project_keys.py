"""Migration steps that put `project_id` into a tenant table's keys (docs/distribution.md).

Django keeps `id` as each model's primary key field (every `get(pk=…)`, URL and form
reads as before); in the database the primary key becomes `(project_id, id)` and a
foreign key between tenant tables `(project_id, client_id) → (project_id, id)`, which
is what Citus needs to distribute every tenant table by project and keep a project's
rows of every table on one node. The sequence behind `id` keeps ids unique.

The model's foreign key field says `db_constraint=False` (Django's single-column
constraint is dropped by its own AlterField); the composite one is added here with the
ON DELETE Django gives its own constraints (NO ACTION, deferred to the commit), so
Django's on_delete, which runs in Python, is never blocked half-way.
"""

from __future__ import annotations

from django.db import migrations


def project_primary_key(table: str, column: str = "id") -> migrations.RunSQL:
    """`table`'s primary key becomes (project_id, column). CASCADE drops the single-column
    foreign keys that still point at the old key (the migrations that depend on this one
    add their composite replacements)."""
    return migrations.RunSQL(
        sql=[
            f"ALTER TABLE {table} DROP CONSTRAINT {table}_pkey CASCADE",
            f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY (project_id, {column})",
        ],
        reverse_sql=[
            f"ALTER TABLE {table} DROP CONSTRAINT {table}_pkey CASCADE",
            f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY ({column})",
        ],
        state_operations=[],
    )


def project_foreign_key(table: str, column: str, target: str) -> migrations.RunSQL:
    """(project_id, column) of `table` → (project_id, id) of `target`."""
    name = f"{table}_{column}_fk"[:63]
    return migrations.RunSQL(
        sql=f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY (project_id, {column}) "
            f"REFERENCES {target} (project_id, id) DEFERRABLE INITIALLY DEFERRED",
        reverse_sql=f"ALTER TABLE {table} DROP CONSTRAINT {name}",
        state_operations=[],
    )
