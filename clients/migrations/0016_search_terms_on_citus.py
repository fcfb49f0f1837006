"""On Citus, the search terms are kept by row triggers (docs/distribution.md).

The insert and delete triggers of 0010 run per statement and read the statement's rows
from a transition table. On a distributed `clients_client` they fire on a shard, and
their INSERT … SELECT into the distributed `clients_clientsearchterm` is planned by Citus,
which cannot read a transition table ("could not find named tuplestore"). Where the
citus extension is installed they are replaced by row triggers doing the same per row
(the update trigger is one already); a client's terms go to the shard of its own project.
On plain PostgreSQL nothing changes: a COPY import keeps writing its terms in one
statement.
"""

from django.db import migrations

# One statement per call: Citus sends each to the workers on its own.
ROW_TRIGGERS = [
    "SET LOCAL citus.enable_unsafe_triggers = on",
    """
CREATE FUNCTION clients_search_terms_insert_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO clients_clientsearchterm (project_id, term, name, client_id)
    SELECT NEW.project_id, t.term, NEW.name, NEW.id
      FROM client_search_terms(NEW.name, NEW.email, NEW.phone, NEW.document_number) t(term);
    RETURN NULL;
END $$""",
    """
CREATE FUNCTION clients_search_terms_delete_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM clients_clientsearchterm s
     USING client_search_terms(OLD.name, OLD.email, OLD.phone, OLD.document_number) t(term)
     WHERE s.project_id = OLD.project_id AND s.term = t.term AND s.name = OLD.name
       AND s.client_id = OLD.id;
    RETURN NULL;
END $$""",
    "DROP TRIGGER clients_search_terms_insert ON clients_client",
    "DROP TRIGGER clients_search_terms_delete ON clients_client",
    """CREATE TRIGGER clients_search_terms_insert AFTER INSERT ON clients_client
           FOR EACH ROW EXECUTE FUNCTION clients_search_terms_insert_row()""",
    """CREATE TRIGGER clients_search_terms_delete AFTER DELETE ON clients_client
           FOR EACH ROW EXECUTE FUNCTION clients_search_terms_delete_row()""",
]


def on_citus(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')")
        if cursor.fetchone()[0]:
            for statement in ROW_TRIGGERS:
                cursor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [("clients", "0015_project_keys")]

    operations = [migrations.RunPython(on_citus, migrations.RunPython.noop)]
