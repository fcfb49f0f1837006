"""Drop the search indexes of clients_client: the search boxes read clients_clientsearchterm.

The GIN over the folded name and the document, e-mail and phone prefix
btrees answered the old search box; no plan uses them since 0010, and each
was rewritten by every balance or situation update of a client (those
updates are not HOT: other indexes hold the balance and the situation).
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("clients", "0011_tray_sort_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="client", name="client_name_search_idx"),
        migrations.RemoveIndex(model_name="client", name="client_doc_prefix_idx"),
        migrations.RemoveIndex(model_name="client", name="client_email_prefix_idx"),
        migrations.RemoveIndex(model_name="client", name="client_phone_suffix_idx"),
    ]
