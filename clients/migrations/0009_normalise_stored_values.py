"""Store every client's document number, phone and email in their normalised form.

The form, the imports and the demo generator store what `clients.validation`
returns ("888605031" for the NIT typed "888.605.031-8", "+573094617291" for
"+57 309 461 7291", "ana@example.com"); rows written before that rule held
everywhere are rewritten to it here, so that Editar → Guardar without
changes writes nothing and an import matches them by their external ID.

- Rows are read once with a server-side cursor and cleaned by the same
  functions a form uses; only the values that change are staged (COPY into
  a temporary table) and written by one `UPDATE … FROM`. `updated_at` is left
  as it was: the data did not change, only how it is written.
- A value the rules refuse (a phone with letters, a malformed number) is left
  as stored and reported: a person fixes it the next time the client is
  edited, where the form says what is wrong.
- Collisions: when the normalised number is already held by another client
  of the project with the same document type, or several stored spellings of
  one number ("888605031-8", "888.605.031") would become the same, none of
  the clients involved is renumbered — neither merged nor renamed, since
  each may carry its own orders and history — and every one is reported with
  the client that holds or wants the same number. Their phones and emails
  are still normalised. Editing one of them later says "ya existe el cliente
  … con el documento …", so the duplicate is resolved by a person.
The report (counts, then up to REPORT_LIMIT rows of each kind) is written to
the migration's output.
"""

import sys

from django.db import migrations

BATCH = 5000
REPORT_LIMIT = 200

_STAGE = "client_normalised_stage"


def _clean(fn, *args):
    """(clean value, None) or (None, the refusal's text)."""
    from clients.validation import FieldError

    try:
        return fn(*args), None
    except FieldError as error:
        return None, error.text


def _changes(rows):
    """Staged rows and refusals for a batch of (id, project, type, number, phone, email)."""
    from clients.validation import clean_document_number, clean_email, clean_phone

    staged, refused = [], []
    for pk, project_id, document_type, number, phone, email in rows:
        new_number, problem = _clean(clean_document_number, document_type, number)
        if problem:
            refused.append((pk, project_id, "document_number", number, problem))
        new_phone, problem = _clean(clean_phone, phone) if phone else (phone, None)
        if problem:
            refused.append((pk, project_id, "phone", phone, problem))
        new_email, problem = _clean(clean_email, email) if email else (email, None)
        if problem:
            refused.append((pk, project_id, "email", email, problem))
        new_number = new_number if new_number not in (None, number) else None
        new_phone = new_phone if new_phone not in (None, phone) else None
        new_email = new_email if new_email not in (None, email) else None
        if new_number is not None or new_phone is not None or new_email is not None:
            staged.append((pk, project_id, document_type, new_number, new_phone, new_email))
    return staged, refused


def normalise_stored_values(connection, out=None) -> dict:
    """Normalise every client's stored values (see the module docstring); return the report."""
    out = out if out is not None else sys.stdout
    refused, staged_count = [], 0
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_STAGE}")
        cursor.execute(
            f"""
            CREATE TEMPORARY TABLE {_STAGE} (
                id bigint PRIMARY KEY,
                project_id bigint NOT NULL,
                document_type varchar(5) NOT NULL,
                document_number varchar(30),
                phone varchar(30),
                email varchar(200)
            )
            """
        )
        raw = connection.connection.cursor()
        with connection.chunked_cursor() as reader:
            reader.execute(
                "SELECT id, project_id, document_type, document_number, phone, email "
                "FROM clients_client ORDER BY id"
            )
            while rows := reader.fetchmany(BATCH):
                staged, batch_refused = _changes(rows)
                refused.extend(batch_refused)
                staged_count += len(staged)
                if staged:
                    with raw.copy(
                        f"COPY {_STAGE} (id, project_id, document_type, document_number, "
                        "phone, email) FROM STDIN"
                    ) as copy:
                        for row in staged:
                            copy.write_row(row)
        cursor.execute(
            f"CREATE INDEX ON {_STAGE} (project_id, document_type, document_number) "
            "WHERE document_number IS NOT NULL"
        )
        cursor.execute(f"ANALYZE {_STAGE}")
        # A staged number another client holds now, or that another staged row wants.
        cursor.execute(
            f"""
            SELECT s.id, s.project_id, s.document_type, c.document_number, s.document_number,
                   coalesce(
                       (SELECT min(o.id) FROM clients_client o
                         WHERE o.project_id = s.project_id AND o.document_type = s.document_type
                           AND o.document_number = s.document_number AND o.id <> s.id),
                       (SELECT min(t.id) FROM {_STAGE} t
                         WHERE t.project_id = s.project_id AND t.document_type = s.document_type
                           AND t.document_number = s.document_number AND t.id <> s.id)
                   ) AS other_id
              FROM {_STAGE} s JOIN clients_client c ON c.id = s.id
             WHERE s.document_number IS NOT NULL
               AND (EXISTS (SELECT 1 FROM clients_client o
                             WHERE o.project_id = s.project_id
                               AND o.document_type = s.document_type
                               AND o.document_number = s.document_number AND o.id <> s.id)
                    OR EXISTS (SELECT 1 FROM {_STAGE} t
                                WHERE t.project_id = s.project_id
                                  AND t.document_type = s.document_type
                                  AND t.document_number = s.document_number AND t.id <> s.id))
             ORDER BY s.project_id, s.document_type, s.document_number, s.id
            """
        )
        collisions = cursor.fetchall()
        if collisions:
            cursor.execute(
                f"UPDATE {_STAGE} SET document_number = NULL WHERE id = ANY(%s)",
                [[row[0] for row in collisions]],
            )
        cursor.execute(
            f"""
            UPDATE clients_client c
               SET document_number = coalesce(s.document_number, c.document_number),
                   phone = coalesce(s.phone, c.phone),
                   email = coalesce(s.email, c.email)
              FROM {_STAGE} s
             WHERE c.id = s.id
               AND (s.document_number IS NOT NULL OR s.phone IS NOT NULL OR s.email IS NOT NULL)
            """
        )
        updated = cursor.rowcount
        cursor.execute(
            f"SELECT count(document_number), count(phone), count(email) FROM {_STAGE}"
        )
        numbers, phones, emails = cursor.fetchone()
        cursor.execute(f"DROP TABLE {_STAGE}")
    report = {
        "clients_updated": updated,
        "document_numbers": numbers,
        "phones": phones,
        "emails": emails,
        "collisions": collisions,
        "refused": refused,
    }
    _write_report(report, out)
    return report


def _write_report(report: dict, out) -> None:
    if not (report["clients_updated"] or report["collisions"] or report["refused"]):
        return
    out.write(
        f"\n  Normalised {report['clients_updated']} clients: "
        f"{report['document_numbers']} document numbers, {report['phones']} phones, "
        f"{report['emails']} emails.\n"
    )
    collisions = report["collisions"]
    if collisions:
        out.write(
            f"  {len(collisions)} document numbers left as stored: their normalised form "
            "belongs to another client of the project (resolve by hand):\n"
        )
        for pk, project_id, document_type, stored, wanted, other in collisions[:REPORT_LIMIT]:
            out.write(
                f"    project {project_id} client {pk}: {document_type} {stored!r} "
                f"-> {wanted!r}, as client {other}\n"
            )
        if len(collisions) > REPORT_LIMIT:
            out.write(f"    … and {len(collisions) - REPORT_LIMIT} more.\n")
    refused = report["refused"]
    if refused:
        out.write(
            f"  {len(refused)} values left as stored: the rules refuse them "
            "(the form asks for a valid value on the next edit):\n"
        )
        for pk, project_id, field, value, problem in refused[:REPORT_LIMIT]:
            out.write(f"    project {project_id} client {pk}: {field} {value!r}: {problem}\n")
        if len(refused) > REPORT_LIMIT:
            out.write(f"    … and {len(refused) - REPORT_LIMIT} more.\n")


def forwards(apps, schema_editor):
    normalise_stored_values(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0008_move_list_preferences_to_lists"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
