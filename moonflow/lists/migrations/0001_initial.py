"""The lists' preferences and saved views, taken over from clients (state only: the tables exist)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("tenancy", "0002_member_code_without_case"),
        ("clients", "0008_move_list_preferences_to_lists"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="TrayPreference",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                                   serialize=False, verbose_name="ID")),
                        ("tray", models.CharField(max_length=30)),
                        ("columns", models.JSONField(default=list)),
                        ("member", models.ForeignKey(
                            on_delete=django.db.models.deletion.CASCADE, related_name="+",
                            to="tenancy.member")),
                        ("project", models.ForeignKey(
                            on_delete=django.db.models.deletion.CASCADE, related_name="+",
                            to="tenancy.project")),
                    ],
                    options={"db_table": "clients_traypreference"},
                ),
                migrations.AddConstraint(
                    model_name="traypreference",
                    constraint=models.UniqueConstraint(
                        fields=("project", "member", "tray"), name="traypreference_unique"),
                ),
                migrations.CreateModel(
                    name="SavedView",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                                   serialize=False, verbose_name="ID")),
                        ("tray", models.CharField(max_length=30)),
                        ("name", models.CharField(max_length=80, verbose_name="Nombre")),
                        ("query", models.CharField(blank=True, max_length=2000)),
                        ("columns", models.JSONField(default=list)),
                        ("shared", models.BooleanField(
                            default=False, verbose_name="Compartida con el proyecto")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("owner", models.ForeignKey(
                            on_delete=django.db.models.deletion.CASCADE, related_name="+",
                            to="tenancy.member")),
                        ("project", models.ForeignKey(
                            on_delete=django.db.models.deletion.CASCADE, related_name="+",
                            to="tenancy.project")),
                    ],
                    options={"db_table": "clients_savedview", "ordering": ["name"]},
                ),
                migrations.AddIndex(
                    model_name="savedview",
                    index=models.Index(fields=["project", "tray", "owner"], name="savedview_idx"),
                ),
            ],
            database_operations=[],
        ),
    ]
