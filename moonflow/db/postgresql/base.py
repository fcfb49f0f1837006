"""Django's PostgreSQL backend, with one feature off for tenant tables keyed by project.

In the database a tenant table's primary key is (project_id, id) while Django's pk field
stays `id` (docs/distribution.md). Django groups an aggregate query by the pk alone when
the pk is selected, counting on PostgreSQL to find the other columns functionally
dependent on it; with `id` no longer the primary key, PostgreSQL refuses. Off, Django
groups by every selected column, which PostgreSQL and Citus both accept.
"""

from django.db.backends.postgresql import base


class DatabaseFeatures(base.DatabaseFeatures):
    allows_group_by_selected_pks = False


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
