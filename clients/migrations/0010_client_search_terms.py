"""The search boxes' terms: one row per word a client is found by, kept by triggers.

`clients_clientsearchterm` holds, for every client (the recycle bin's too),
its name words, "@" + its e-mail, "#" + its document number without
punctuation and "+" + its phone's digits reversed, each with the client's
name; its primary key (project, term, name, client) answers every kind of
search as one range of one index within one project (clients/search.py).

The normalisation is SQL here and Python in `clients.search` (`fold`,
`document_term`, `phone_term`, `name_terms`); tests compare them.

Triggers keep the table in step with `clients_client`:

- INSERT, per statement, from the statement's new rows: COPY imports and
  bulk inserts write their terms in one INSERT … SELECT.
- UPDATE, per row, only when name, e-mail, phone, document number or
  project changed (the WHEN is checked before any function runs), so the
  nightly balance and situation updates and a save that changes nothing
  searched cost nothing more.
- DELETE, per statement. (TRUNCATE fires no row trigger: truncate both tables,
  as Django's flush does.)

A load that disables triggers (`session_replication_role = replica`, as
seed_demo does) builds the terms of its rows itself
(demo/load.py).

The backfill reads every client once and builds the primary key after the
rows are in (a sort instead of millions of index insertions); the triggers
are created first, so no client written meanwhile is missed (creating them
locks out writers until this migration commits).
"""

from django.db import migrations, models
import django.db.models.deletion

FUNCTIONS = r"""
CREATE FUNCTION search_fold(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN translate(lower(t), 'ÁÉÍÓÚÜÑáéíóúüñ.', 'aeiouunaeiouun');

CREATE FUNCTION search_document(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN regexp_replace(upper(t), '[^0-9A-Z]', '', 'g');

CREATE FUNCTION search_phone(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN reverse(regexp_replace(t, '[^0-9]', '', 'g'));

CREATE FUNCTION client_search_terms(name text, email text, phone text, document_number text)
RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT DISTINCT t FROM (
        SELECT regexp_split_to_table(search_fold(name), '[^0-9a-z\u0080-\U0010FFFF]+')
        UNION ALL SELECT '@' || lower(email)
        UNION ALL SELECT '#' || search_document(document_number)
        UNION ALL SELECT '+' || search_phone(phone)
    ) s(t)
    WHERE t IS NOT NULL AND t NOT IN ('', '@', '#', '+')
$$;
"""

TABLE = """
CREATE TABLE clients_clientsearchterm (
    project_id bigint NOT NULL,
    term varchar(255) COLLATE "C" NOT NULL,
    name varchar(200) NOT NULL,
    client_id bigint NOT NULL
) WITH (autovacuum_vacuum_insert_scale_factor = 0.01);
ALTER TABLE clients_clientsearchterm ALTER COLUMN term SET STATISTICS 1000;
"""

TRIGGERS = """
CREATE FUNCTION clients_search_terms_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO clients_clientsearchterm (project_id, term, name, client_id)
    SELECT n.project_id, t.term, n.name, n.id
      FROM inserted_clients n,
           LATERAL client_search_terms(n.name, n.email, n.phone, n.document_number) t(term);
    RETURN NULL;
END $$;

CREATE FUNCTION clients_search_terms_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM clients_clientsearchterm s
     USING deleted_clients o,
           LATERAL client_search_terms(o.name, o.email, o.phone, o.document_number) t(term)
     WHERE s.project_id = o.project_id AND s.term = t.term AND s.name = o.name
       AND s.client_id = o.id;
    RETURN NULL;
END $$;

CREATE FUNCTION clients_search_terms_update() RETURNS trigger
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
END $$;

CREATE TRIGGER clients_search_terms_insert
    AFTER INSERT ON clients_client REFERENCING NEW TABLE AS inserted_clients
    FOR EACH STATEMENT EXECUTE FUNCTION clients_search_terms_insert();

CREATE TRIGGER clients_search_terms_update
    AFTER UPDATE OF name, email, phone, document_number, project_id ON clients_client
    FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.email IS DISTINCT FROM NEW.email
          OR OLD.phone IS DISTINCT FROM NEW.phone
          OR OLD.document_number IS DISTINCT FROM NEW.document_number
          OR OLD.project_id IS DISTINCT FROM NEW.project_id)
    EXECUTE FUNCTION clients_search_terms_update();

CREATE TRIGGER clients_search_terms_delete
    AFTER DELETE ON clients_client REFERENCING OLD TABLE AS deleted_clients
    FOR EACH STATEMENT EXECUTE FUNCTION clients_search_terms_delete();
"""

BACKFILL = """
SET LOCAL maintenance_work_mem = '256MB';
INSERT INTO clients_clientsearchterm (project_id, term, name, client_id)
SELECT c.project_id, t.term, c.name, c.id
  FROM clients_client c,
       LATERAL client_search_terms(c.name, c.email, c.phone, c.document_number) t(term);
ALTER TABLE clients_clientsearchterm
    ADD CONSTRAINT clients_clientsearchterm_pkey PRIMARY KEY (project_id, term, name, client_id);
ANALYZE clients_clientsearchterm;
"""

DROP = """
DROP TRIGGER clients_search_terms_delete ON clients_client;
DROP TRIGGER clients_search_terms_update ON clients_client;
DROP TRIGGER clients_search_terms_insert ON clients_client;
DROP FUNCTION clients_search_terms_delete();
DROP FUNCTION clients_search_terms_update();
DROP FUNCTION clients_search_terms_insert();
DROP TABLE clients_clientsearchterm;
DROP FUNCTION client_search_terms(text, text, text, text);
DROP FUNCTION search_phone(text);
DROP FUNCTION search_document(text);
DROP FUNCTION search_fold(text);
"""


class Migration(migrations.Migration):

    dependencies = [
        ("clients", "0009_normalise_stored_values"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(FUNCTIONS + TABLE + TRIGGERS + BACKFILL, reverse_sql=DROP),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="ClientSearchTerm",
                    fields=[
                        ("pk", models.CompositePrimaryKey(
                            "project_id", "term", "name", "client_id", blank=True, editable=False,
                            primary_key=True, serialize=False)),
                        ("term", models.CharField(db_collation="C", max_length=255)),
                        ("name", models.CharField(max_length=200)),
                        ("client", models.ForeignKey(
                            db_constraint=False, db_index=False,
                            on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                            to="clients.client")),
                        ("project", models.ForeignKey(
                            db_constraint=False, db_index=False,
                            on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                            to="tenancy.project")),
                    ],
                ),
            ],
        ),
    ]
