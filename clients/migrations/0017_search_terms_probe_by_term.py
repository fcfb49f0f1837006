"""The search-term triggers delete a client's old terms by probing the primary key with
every column, terms included.

Written as a join with the terms' function, PostgreSQL planned the update trigger's
DELETE with an index condition on the project, the name and the client but not the term
(the primary key's second column): every call read all of the project's search terms
(about six per client) to find a handful, 30 ms a call in a 100,000-client project. An
import changing phones or e-mails of 5,000 clients spent 17 s a batch in that trigger
(bench-api's «changed» pass: 280 rows a second, file and API alike). Now one DELETE per
old term, each naming the whole key.
"""

from django.db import migrations

# One DELETE per old term, each naming the whole primary key: the planner cannot leave
# the term out of the index condition (it did, even with `term = ANY(ARRAY(…))`).
DELETE_OLD_TERMS = """
    FOR old_term IN
        SELECT client_search_terms(OLD.name, OLD.email, OLD.phone, OLD.document_number)
    LOOP
        DELETE FROM clients_clientsearchterm s
         WHERE s.project_id = OLD.project_id AND s.term = old_term
           AND s.name = OLD.name AND s.client_id = OLD.id;
    END LOOP;"""

UPDATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION clients_search_terms_update() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE old_term text;
BEGIN{DELETE_OLD_TERMS}
    INSERT INTO clients_clientsearchterm (project_id, term, name, client_id)
    SELECT NEW.project_id, t.term, NEW.name, NEW.id
      FROM client_search_terms(NEW.name, NEW.email, NEW.phone, NEW.document_number) t(term);
    RETURN NULL;
END $$"""

# The row trigger Citus uses for deletes (0016), where it exists.
DELETE_ROW_FUNCTION = f"""
CREATE OR REPLACE FUNCTION clients_search_terms_delete_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE old_term text;
BEGIN{DELETE_OLD_TERMS}
    RETURN NULL;
END $$"""

PREVIOUS_UPDATE_FUNCTION = """
CREATE OR REPLACE FUNCTION clients_search_terms_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM clients_clientsearchterm s
     USING client_search_terms(OLD.name, OLD.email, OLD.phone, OLD.document_number) t(term)
     WHERE s.project_id = OLD.project_id AND s.term = t.term AND s.name = OLD.name
       AND s.client_id = OLD.id;
    INSERT INTO clients_clientsearchterm (project_id, term, name, client_id)
    SELECT NEW.project_id, t.term, NEW.name, NEW.id
      FROM client_search_terms(NEW.name, NEW.email, NEW.phone, NEW.document_number) t(term);
    RETURN NULL;
END $$"""


def forwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(UPDATE_FUNCTION)
        cursor.execute("SELECT to_regprocedure('clients_search_terms_delete_row()') IS NOT NULL")
        if cursor.fetchone()[0]:
            cursor.execute(DELETE_ROW_FUNCTION)


def backwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(PREVIOUS_UPDATE_FUNCTION)


class Migration(migrations.Migration):

    dependencies = [("clients", "0016_search_terms_on_citus")]

    operations = [migrations.RunPython(forwards, backwards)]
