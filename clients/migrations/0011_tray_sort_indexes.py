"""Indexes in the order of every sort of the clients tray that had none.

A sort without an index in its order sorts every client of the project that
the filters let through, on every page view (1.4–1.6 s at a million clients
for Correo, Teléfono and Ciudad). With one index per sort order, a filter
independent of that order costs at most about √(26 × N) rows: the planner
walks the sort's index while the filter lets most rows through, and sorts the
filter's rows when it lets few. Two filters are not independent of the
balance: a finished or up-to-date client owes nothing, and the loan sizes
depend on the segment; their composites keep "Situación/Segmento + sort by
Saldo" to one index range (docs/benchmarks.md).

Choice columns sort (column, name, id) and segment, adviser and supervisor
by the related row's name, then name, id (clients/columns.py): the existing
(project, column, name, id) indexes serve those.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("clients", "0010_client_search_terms"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="client",
            index=models.Index(condition=models.Q(("deleted_at__isnull", True)),
                               fields=["project", "email", "id"], name="client_email_tray_idx"),
        ),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(condition=models.Q(("deleted_at__isnull", True)),
                               fields=["project", "phone", "id"], name="client_phone_tray_idx"),
        ),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(condition=models.Q(("deleted_at__isnull", True)),
                               fields=["project", "city", "id"], name="client_city_tray_idx"),
        ),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(condition=models.Q(("deleted_at__isnull", True)),
                               fields=["project", "situation", "balance", "id"],
                               name="client_sit_balance_tray_idx"),
        ),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(condition=models.Q(("deleted_at__isnull", True)),
                               fields=["project", "segment", "balance", "id"],
                               name="client_seg_balance_tray_idx"),
        ),
    ]
