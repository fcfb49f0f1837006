"""Distribute the schema by project on a database with Citus (docs/distribution.md).

The reference tables (the tenancy core and the tables without project_id that tenant
tables point at) are copied to every node; every tenant table is distributed by
project_id, co-located with the others. On plain PostgreSQL it does nothing; run twice,
the second run finds nothing to do. It also turns the coordinator's local execution off
for the database (moonflow.distribution.without_local_execution) and lets TRUNCATE reach
the shards in replica mode (moonflow.distribution.truncate_in_replica_mode).
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from moonflow.distribution import distribute, truncate_in_replica_mode, without_local_execution


class Command(BaseCommand):
    help = "Distribute every tenant table by project_id on Citus (a no-op on plain PostgreSQL)."

    def handle(self, *args, **options):
        with transaction.atomic():
            steps = distribute()
        without_local_execution()
        truncate_in_replica_mode()
        for step in steps:
            self.stdout.write(step)
        self.stdout.write(f"{len(steps)} tables distributed." if steps
                          else "Nothing to distribute.")
