"""Interactions and night downloads keyed by project (docs/distribution.md): (project_id, id)
primary keys, composite keys to clients and jobs; a night download's job is unique within
its project."""

import django.db.models.deletion
from django.db import migrations, models

from moonflow.db.project_keys import project_foreign_key, project_primary_key


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0015_project_keys'),
        ('interactions', '0003_night_downloads'),
        ('jobs', '0009_project_keys'),
        ('tenancy', '0003_project_night_window'),
    ]

    operations = [
        migrations.AlterField(
            model_name='interaction',
            name='client',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='interactions', to='clients.client'),
        ),
        migrations.AlterField(
            model_name='nightdownload',
            name='job',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='jobs.processjob'),
        ),
        migrations.AddConstraint(
            model_name='nightdownload',
            constraint=models.UniqueConstraint(fields=('project', 'job'), name='night_download_one_job'),
        ),
        project_primary_key("interactions_interaction"),
        project_primary_key("interactions_nightdownload"),
        project_foreign_key("interactions_interaction", "client_id", "clients_client"),
        project_foreign_key("interactions_nightdownload", "job_id", "jobs_processjob"),
    ]
