"""Saved views and column choices keyed by (project_id, id) (docs/distribution.md); their
member indexes go (savedview_idx and traypreference_unique start with the project)."""

import django.db.models.deletion
from django.db import migrations, models

from moonflow.db.project_keys import project_foreign_key, project_primary_key


class Migration(migrations.Migration):

    dependencies = [
        ('lists', '0001_initial'),
        ('tenancy', '0003_project_night_window'),
    ]

    operations = [
        migrations.AlterField(
            model_name='savedview',
            name='owner',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.member'),
        ),
        migrations.AlterField(
            model_name='traypreference',
            name='member',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.member'),
        ),
        project_primary_key("clients_savedview"),
        project_primary_key("clients_traypreference"),
    ]
