"""TrayPreference and SavedView belong to every list now (moonflow.lists): state only.

The tables stay where they are (`clients_traypreference`, `clients_savedview`);
`lists.0001_initial` takes the models over with those table names.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0007_custom_variable_statistics"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="TrayPreference"),
                migrations.DeleteModel(name="SavedView"),
            ],
            database_operations=[],
        ),
    ]
