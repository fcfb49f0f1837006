"""Every clients table keyed by project (docs/distribution.md): the primary keys become
(project_id, id), the foreign keys between tenant tables composite, Django's single-column
foreign-key indexes go (the (project_id, client_id, …) indexes serve every query), and the
claim ↔ payment order link gets a project_id through an explicit model on the same table."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from moonflow.db.project_keys import project_foreign_key, project_primary_key

TABLES = ("clients_client", "clients_segment", "clients_customvariable", "clients_clientcontact",
          "clients_clientreference", "clients_paymentorder", "clients_claim",
          "clients_claim_payment_orders", "clients_clientassignment", "clients_clientdeletion")
CLIENT_CHILDREN = ("clients_clientcontact", "clients_clientreference", "clients_paymentorder",
                   "clients_claim", "clients_clientassignment", "clients_clientdeletion")

# The link table Django made for the many-to-many field becomes the explicit model's: it
# gains project_id (its claim's), loses Django's single-column keys and indexes.
LINK_TABLE = [
    "ALTER TABLE clients_claim_payment_orders ADD COLUMN project_id bigint",
    """UPDATE clients_claim_payment_orders link SET project_id = claim.project_id
         FROM clients_claim claim WHERE claim.id = link.claim_id""",
    """ALTER TABLE clients_claim_payment_orders ALTER COLUMN project_id SET NOT NULL,
         ADD CONSTRAINT clients_claim_payment_orders_project_id_fk FOREIGN KEY (project_id)
         REFERENCES tenancy_project (id) DEFERRABLE INITIALLY DEFERRED,
         DROP CONSTRAINT IF EXISTS clients_claim_paymen_claim_id_2306fbea_fk_clients_c,
         DROP CONSTRAINT IF EXISTS clients_claim_paymen_paymentorder_id_42609a78_fk_clients_p,
         DROP CONSTRAINT IF EXISTS clients_claim_payment_or_claim_id_paymentorder_id_8b1f76a2_uniq,
         ADD CONSTRAINT claim_payment_order_unique UNIQUE (project_id, claim_id, paymentorder_id)""",
    "DROP INDEX IF EXISTS clients_claim_payment_orders_claim_id_2306fbea",
    "DROP INDEX IF EXISTS clients_claim_payment_orders_paymentorder_id_42609a78",
    """CREATE INDEX claim_payment_order_idx
         ON clients_claim_payment_orders (project_id, paymentorder_id)""",
]


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0014_fk_indexes_covered_by_tray_indexes'),
        # The tables that point at clients exist before the clients' keys change.
        ('followups', '0001_initial'),
        ('interactions', '0003_night_downloads'),
        ('portfolios', '0002_portfolio_name_key'),
        ('jobs', '0009_project_keys'),
        ('tenancy', '0003_project_night_window'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='claim',
            name='client',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='claims', to='clients.client'),
        ),
        migrations.AlterField(
            model_name='claim',
            name='opened_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='client',
            name='segment',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, to='clients.segment', verbose_name='Segmento'),
        ),
        migrations.AlterField(
            model_name='clientassignment',
            name='client',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to='clients.client'),
        ),
        migrations.AlterField(
            model_name='clientassignment',
            name='job',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='jobs.processjob'),
        ),
        migrations.AlterField(
            model_name='clientcontact',
            name='client',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='contacts', to='clients.client'),
        ),
        migrations.AlterField(
            model_name='clientdeletion',
            name='client',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='deletions', to='clients.client'),
        ),
        migrations.AlterField(
            model_name='clientdeletion',
            name='job',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='jobs.processjob'),
        ),
        migrations.AlterField(
            model_name='clientreference',
            name='client',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='references', to='clients.client'),
        ),
        migrations.AlterField(
            model_name='customvariable',
            name='key',
            field=models.SlugField(db_index=False, max_length=40, verbose_name='Clave'),
        ),
        migrations.AlterField(
            model_name='paymentorder',
            name='client',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='payment_orders', to='clients.client'),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ClaimPaymentOrder',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('claim', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='clients.claim')),
                        ('paymentorder', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='clients.paymentorder')),
                        ('project', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.project')),
                    ],
                    options={
                        'db_table': 'clients_claim_payment_orders',
                    },
                ),
                migrations.AlterField(
                    model_name='claim',
                    name='payment_orders',
                    field=models.ManyToManyField(blank=True, related_name='claims', through='clients.ClaimPaymentOrder', to='clients.paymentorder'),
                ),
                migrations.AddIndex(
                    model_name='claimpaymentorder',
                    index=models.Index(fields=['project', 'paymentorder'], name='claim_payment_order_idx'),
                ),
                migrations.AddConstraint(
                    model_name='claimpaymentorder',
                    constraint=models.UniqueConstraint(fields=('project', 'claim', 'paymentorder'), name='claim_payment_order_unique'),
                ),
            ],
            database_operations=[migrations.RunSQL(LINK_TABLE, migrations.RunSQL.noop)],
        ),
        *[project_primary_key(table) for table in TABLES],
        project_foreign_key("clients_client", "segment_id", "clients_segment"),
        *[project_foreign_key(table, "client_id", "clients_client") for table in CLIENT_CHILDREN],
        project_foreign_key("clients_clientassignment", "job_id", "jobs_processjob"),
        project_foreign_key("clients_clientdeletion", "job_id", "jobs_processjob"),
        project_foreign_key("clients_claim_payment_orders", "claim_id", "clients_claim"),
        project_foreign_key("clients_claim_payment_orders", "paymentorder_id",
                            "clients_paymentorder"),
    ]
