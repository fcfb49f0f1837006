"""A foreign key between two tenant tables whose joins match the project as well.

In the database such a key is composite, `(project_id, client_id) → (project_id, id)`
(moonflow/db/project_keys.py). `ProjectForeignKey` keeps Django's ordinary single-column
field — `payment_order.client`, `client_id`, forms and `get(pk=…)` read as before — and
adds `AND <target>.project_id = <source>.project_id` to every JOIN the ORM writes through
it (`select_related`, filters across the relation, either direction). On Citus a join
between two distributed tables is routed to one shard only when it matches the
distribution column; on plain PostgreSQL the extra equality costs nothing (both rows
carry the same project). Fetching `payment_order.client` filters by the project too.

Migrations see an ordinary ForeignKey (`deconstruct`): the join condition is the ORM's
business, not the schema's.
"""

from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import Exact


class ProjectForeignKey(models.ForeignKey):
    def get_extra_restriction(self, alias, related_alias):
        # `alias` is the target's table (the client), `related_alias` the source's (the
        # order), whichever way the join goes. Django passes None where it pushes the
        # condition into a subquery instead of a JOIN: no extra condition there.
        if alias is None or related_alias is None:
            return None
        target = self.related_model._meta.get_field("project")
        source = self.model._meta.get_field("project")
        return Exact(Col(alias, target), Col(related_alias, source))

    def get_extra_descriptor_filter(self, instance):
        return {"project_id": instance.project_id}

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.ForeignKey", args, kwargs


class TenantRow(models.Model):
    """A row of a tenant table: what Django writes and reads back by primary key alone
    names the project too. In the database the primary key is (project_id, id), so
    `UPDATE … WHERE id = %s` would read the whole key on plain PostgreSQL and every shard
    on Citus; saving or refreshing a row adds `project_id = <its project>` instead."""

    class Meta:
        abstract = True

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        return super()._do_update(base_qs.filter(project_id=self.project_id), using, pk_val,
                                  values, update_fields, forced_update)

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        if from_queryset is None and self.project_id is not None:
            from_queryset = type(self)._base_manager.filter(project_id=self.project_id)
        return super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
