"""Import tables keyed by project (docs/distribution.md): (project_id, id) primary keys
(the write checkpoint's (project_id, job_id)), composite keys to jobs, templates and SFTP
sources, Django's single-column foreign-key indexes gone."""

import django.db.models.deletion
from django.db import migrations, models

from moonflow.db.project_keys import project_foreign_key, project_primary_key


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0004_sftp_transfer_mode'),
        ('jobs', '0009_project_keys'),
        ('tenancy', '0003_project_night_window'),
    ]

    operations = [
        migrations.AlterField(
            model_name='mappingtemplate',
            name='created_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='tenancy.member'),
        ),
        migrations.AlterField(
            model_name='rowerror',
            name='job',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='jobs.processjob'),
        ),
        migrations.AlterField(
            model_name='sftpfile',
            name='job',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='jobs.processjob'),
        ),
        migrations.AlterField(
            model_name='sftpfile',
            name='source',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='files', to='imports.sftpsource'),
        ),
        migrations.AlterField(
            model_name='sftpsource',
            name='scope_adviser',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='tenancy.member', verbose_name='Alcance'),
        ),
        migrations.AlterField(
            model_name='sftpsource',
            name='template',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='imports.mappingtemplate', verbose_name='Plantilla de mapeo'),
        ),
        migrations.AlterField(
            model_name='writecheckpoint',
            name='job',
            field=models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='jobs.processjob'),
        ),
        project_primary_key("imports_mappingtemplate"),
        project_primary_key("imports_sftpsource"),
        project_primary_key("imports_sftpfile"),
        project_primary_key("imports_writecheckpoint", "job_id"),
        project_foreign_key("imports_rowerror", "job_id", "jobs_processjob"),
        project_foreign_key("imports_writecheckpoint", "job_id", "jobs_processjob"),
        project_foreign_key("imports_sftpfile", "job_id", "jobs_processjob"),
        project_foreign_key("imports_sftpfile", "source_id", "imports_sftpsource"),
        project_foreign_key("imports_sftpsource", "template_id", "imports_mappingtemplate"),
    ]
