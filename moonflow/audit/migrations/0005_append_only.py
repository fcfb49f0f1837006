"""The audit log is append-only in PostgreSQL itself.

BEFORE UPDATE and BEFORE DELETE (each row) and BEFORE TRUNCATE (the statement)
raise `insufficient_privilege` (42501). Ordinary triggers do not fire under
`session_replication_role = replica`, which only a superuser may set: that is
the one maintenance path (docs/audit.md). No product code updates or deletes
an event, and nothing purges them.
"""

from django.db import migrations

TRIGGERS = """
CREATE FUNCTION audit_event_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_auditevent is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              DETAIL = 'Audit events are never changed or removed.',
              HINT = 'See docs/audit.md for the one maintenance path.';
END
$$;

CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change();
CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change();
CREATE TRIGGER audit_auditevent_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change();
"""

DROP = """
DROP TRIGGER audit_auditevent_no_truncate ON audit_auditevent;
DROP TRIGGER audit_auditevent_no_delete ON audit_auditevent;
DROP TRIGGER audit_auditevent_no_update ON audit_auditevent;
DROP FUNCTION audit_event_refuse_change();
"""


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0004_auditoria_search_and_indexes"),
    ]

    operations = [
        migrations.RunSQL(TRIGGERS, reverse_sql=DROP),
    ]
