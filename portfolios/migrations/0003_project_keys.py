"""Portfolios keyed by (project_id, id), memberships with composite keys to their portfolio
and client; Django's single-column foreign-key indexes go (portfolio_agent_idx,
portfolio_team_idx, portfolioclient_unique and portfolioclient_client_idx start with the
project). See docs/distribution.md."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from moonflow.db.project_keys import project_foreign_key, project_primary_key


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0015_project_keys'),
        ('portfolios', '0002_portfolio_name_key'),
        ('tenancy', '0003_project_night_window'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='portfolio',
            name='agent',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='portfolios', to='tenancy.member', verbose_name='Agente'),
        ),
        migrations.AlterField(
            model_name='portfolio',
            name='team',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='portfolios', to='tenancy.team', verbose_name='Equipo'),
        ),
        migrations.AlterField(
            model_name='portfolioclient',
            name='added_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='portfolioclient',
            name='client',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='portfolio_memberships', to='clients.client'),
        ),
        migrations.AlterField(
            model_name='portfolioclient',
            name='portfolio',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='portfolios.portfolio'),
        ),
        project_primary_key("portfolios_portfolio"),
        project_primary_key("portfolios_portfolioclient"),
        project_foreign_key("portfolios_portfolioclient", "portfolio_id", "portfolios_portfolio"),
        project_foreign_key("portfolios_portfolioclient", "client_id", "clients_client"),
    ]
