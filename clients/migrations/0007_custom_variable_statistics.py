"""Planner statistics on `extra -> key` for the custom variables that exist already
(new ones get theirs when they are created: clients/variable_statistics.py)."""

import re

from django.db import migrations

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def create_statistics(apps, schema_editor):
    CustomVariable = apps.get_model("clients", "CustomVariable")
    quote = schema_editor.connection.ops.quote_name
    keys = CustomVariable.objects.values_list("key", flat=True).distinct()
    with schema_editor.connection.cursor() as cursor:
        for key in filter(KEY_RE.match, keys):
            cursor.execute(
                f"CREATE STATISTICS IF NOT EXISTS {quote(f'client_extra_{key}'[:63])} "
                "ON ((extra -> %s)) FROM clients_client",
                [key],
            )


class Migration(migrations.Migration):
    dependencies = [("clients", "0006_open_payment_orders_index")]

    operations = [migrations.RunPython(create_statistics, migrations.RunPython.noop)]
