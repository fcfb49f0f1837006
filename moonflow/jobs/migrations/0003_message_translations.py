from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("jobs", "0002_job_delivery"),
    ]

    operations = [
        migrations.AddField(
            model_name="processjob",
            name="message_translations",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="notification",
            name="message_translations",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
