"""Audit events keyed by (project_id, id) (docs/distribution.md); the actor's single-column
index goes (the Auditoría always filters by project first)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from moonflow.db.project_keys import project_foreign_key, project_primary_key


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0006_changes_text'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='actor',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        project_primary_key("audit_auditevent"),
    ]
