"""Gestiones and notes keyed by (project_id, id), with composite keys to their client
(docs/distribution.md)."""

import django.db.models.deletion
from django.db import migrations, models

from moonflow.db.project_keys import project_foreign_key, project_primary_key


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0015_project_keys'),
        ('followups', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='clientnote',
            name='client',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='notes', to='clients.client'),
        ),
        migrations.AlterField(
            model_name='followup',
            name='client',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='followups', to='clients.client'),
        ),
        project_primary_key("followups_followup"),
        project_primary_key("followups_clientnote"),
        project_foreign_key("followups_followup", "client_id", "clients_client"),
        project_foreign_key("followups_clientnote", "client_id", "clients_client"),
    ]
