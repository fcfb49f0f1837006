"""Every tenant table is ready to be distributed by project (moonflow/distribution.py).

The catalogue is read after every migration has run. A breach that is not in
tests/distribution_debt.txt fails: a new table, index or foreign key must meet
the rules from the start. The debt file lists what the schema carried before
the rules were checked; the distribution pass (docs/distribution.md) empties
it, and a line whose breach is gone fails too, so the file never lies.
"""

from pathlib import Path

import pytest

from moonflow.distribution import FREE_INDEXES, REFERENCE_TABLES, tenant_tables, violations

DEBT = Path(__file__).with_name("distribution_debt.txt")

pytestmark = pytest.mark.django_db


def _debt() -> set[str]:
    return {line for line in DEBT.read_text().splitlines() if line.strip()}


def test_no_new_table_index_or_key_breaks_the_distribution_rules():
    new = sorted(set(violations()) - _debt())
    assert not new, "Breaches of the distribution rules (docs/distribution.md):\n" + "\n".join(new)


def test_the_debt_list_names_only_breaches_that_still_exist():
    gone = sorted(_debt() - set(violations()))
    assert not gone, ("Mended: remove these lines from tests/distribution_debt.txt:\n"
                      + "\n".join(gone))


def test_every_table_of_a_project_is_a_tenant_table_and_the_shared_ones_are_few():
    from django.db import connection

    with connection.cursor() as cursor:
        tenants = tenant_tables(cursor)
    for table in ("clients_client", "clients_paymentorder", "interactions_interaction",
                  "followups_followup", "portfolios_portfolioclient", "audit_auditevent",
                  "jobs_processjob", "clients_clientsearchterm"):
        assert table in tenants
    assert not tenants & REFERENCE_TABLES


def test_a_new_table_without_project_in_its_keys_is_caught(django_db_blocker):
    from django.db import connection

    with connection.cursor() as cursor:
        # Its parent is keyed the old way (`id` alone), as every tenant table once was.
        cursor.execute("""
            CREATE TABLE zz_parent (id bigserial PRIMARY KEY, project_id bigint NOT NULL);
            CREATE TABLE zz_probe (id bigserial PRIMARY KEY,
                                   project_id bigint NOT NULL,
                                   parent_id bigint REFERENCES zz_parent (id),
                                   code text UNIQUE)
        """)
        cursor.execute("CREATE INDEX zz_probe_code ON zz_probe (code)")
    found = [line for line in violations() if "zz_probe" in line]
    assert any(line.startswith("primary key without project_id: zz_probe") for line in found)
    assert any(line.startswith("unique constraint without project_id: zz_probe") for line in found)
    assert any(line.startswith("foreign key without project_id on both sides: zz_probe")
               for line in found)
    assert any(line.startswith("index not starting with project_id: zz_probe.zz_probe_code")
               for line in found)


def test_every_index_let_off_the_project_rule_exists_and_is_not_unique():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT c.relname || '.' || i.relname FROM pg_index x
            JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
            WHERE NOT x.indisunique
        """)
        existing = {name for (name,) in cursor.fetchall()}
    assert set(FREE_INDEXES) <= existing


def test_every_tenant_table_is_keyed_by_project_and_its_links_join_on_it():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid = 'interactions_interaction'::regclass AND contype IN ('p', 'f')
            ORDER BY contype DESC, conname
        """)
        keys = [definition for (definition,) in cursor.fetchall()]
    assert keys[0] == "PRIMARY KEY (project_id, id)"
    assert ("FOREIGN KEY (project_id, client_id) REFERENCES clients_client(project_id, id) "
            "DEFERRABLE INITIALLY DEFERRED") in keys
