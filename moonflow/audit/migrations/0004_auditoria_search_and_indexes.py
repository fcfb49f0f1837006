"""The Auditoría lists: the Buscar box's words, the indexes of each list, events that outlive
their project and actor.

- `audit_fold(text)`: accents plain and lower case, as moonflow.audit.search.fold does
  (tests compare them).
- `audit_search_vector(project_id, actor_label, actor_username, resource_label)`: one
  lexeme "<project id>:<word>" per folded word; a prefix query `'<project id>:<beginning>':*`
  then reads one project's words only from the GIN index.
- `actor_username` is filled in from the users for the events recorded before it existed
  (before the append-only triggers of 0005).
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import moonflow.audit.models

# Capitals too: the fold must not depend on the database's locale.
ACCENTED = "ÁÀÂÄÃÅÉÈÊËÍÌÎÏÓÒÔÖÕÚÙÛÜÑÇáàâäãåéèêëíìîïóòôöõúùûüñç"
PLAIN = "aaaaaaeeeeiiiiooooouuuuncaaaaaaeeeeiiiiooooouuuunc"

FUNCTIONS = rf"""
CREATE FUNCTION audit_fold(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(translate(t, '{ACCENTED}', '{PLAIN}')) $$;

CREATE FUNCTION audit_search_vector(project_id bigint, actor_label text, actor_username text,
                                    resource_label text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT array_to_tsvector(ARRAY(
        SELECT DISTINCT project_id::text || ':' || w
          FROM regexp_split_to_table(
                   audit_fold(concat_ws(' ', actor_label, actor_username, resource_label)),
                   '[^0-9a-z\u0080-\U0010FFFF]+') AS w
         WHERE w <> ''))
$$;
"""

DROP_FUNCTIONS = """
DROP FUNCTION audit_search_vector(bigint, text, text, text);
DROP FUNCTION audit_fold(text);
"""

BACKFILL_USERNAMES = """
UPDATE audit_auditevent e SET actor_username = u.username
  FROM auth_user u
 WHERE u.id = e.actor_id AND e.actor_username = '';
"""


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0003_portfolio_and_audit_kinds"),
        ("tenancy", "0003_project_night_window"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunSQL(FUNCTIONS, reverse_sql=DROP_FUNCTIONS),
        migrations.AddField(
            model_name="auditevent",
            name="actor_username",
            field=models.CharField(blank=True, db_default="", default="", max_length=150),
        ),
        migrations.RunSQL(BACKFILL_USERNAMES, reverse_sql=migrations.RunSQL.noop),
        migrations.AddField(
            model_name="auditevent",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=moonflow.audit.models.SearchVector(
                    models.F("project_id"), models.F("actor_label"), models.F("actor_username"),
                    models.F("resource_label"),
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="project",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="tenancy.project"),
        ),
        migrations.RemoveIndex(model_name="auditevent", name="audit_project_time_idx"),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["project", "-created_at", "-id"], name="audit_time_idx"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["project", "event", "-created_at", "-id"],
                               name="audit_event_time_idx"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["project", "resource_type", "-created_at", "-id"],
                               name="audit_type_time_idx"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["project", "resource_type", "event", "-created_at", "-id"],
                               name="audit_type_event_time_idx"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=django.contrib.postgres.indexes.GinIndex(fields=["search_vector"],
                                                           name="audit_search_idx"),
        ),
    ]
