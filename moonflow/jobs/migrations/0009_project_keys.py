"""Jobs keyed by project (docs/distribution.md): (project_id, id) primary keys, a
composite notification → job key; the requester's and member's single-column indexes go
(job_requester_idx and notification_unread_idx start with the project); a task finds its job
by id alone, so `id` keeps an index of its own (moonflow/distribution.py FREE_INDEXES)."""

import django.db.models.deletion
from django.db import migrations, models

from moonflow.db.project_keys import project_foreign_key, project_primary_key


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0004_sftp_transfer_mode'),
        ('jobs', '0008_portfolio_and_audit_kinds'),
        ('tenancy', '0003_project_night_window'),
    ]

    operations = [
        migrations.AlterField(
            model_name='notification',
            name='job',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, to='jobs.processjob'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='member',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='tenancy.member'),
        ),
        migrations.AlterField(
            model_name='processjob',
            name='requested_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='jobs', to='tenancy.member'),
        ),
        migrations.AddIndex(
            model_name='processjob',
            index=models.Index(fields=['id'], name='job_id_idx'),
        ),
        project_primary_key("jobs_processjob"),
        project_primary_key("jobs_notification"),
        project_foreign_key("jobs_notification", "job_id", "jobs_processjob"),
    ]
