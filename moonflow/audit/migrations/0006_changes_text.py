"""The Cambios column of a download, written by PostgreSQL in the screen's words.

`audit_changes_text(changes, event, resource_type, labels)` renders an event's
changes as "Field: before → after; …" (an export's description as
"Field: value; …"); `labels` (moonflow.audit.changes_text.labels_for_sql) holds the
field names, the choice labels and the words for yes, no and empty, in the reader's
language; a field it does not name reads as its key, capitalised, without underscores.
"""

from django.db import migrations

FUNCTIONS = r"""
CREATE FUNCTION audit_value_text(v jsonb, choices jsonb, words jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    s text;
BEGIN
    CASE jsonb_typeof(v)
        WHEN 'null' THEN
            RETURN words ->> 'empty';
        WHEN 'boolean' THEN
            RETURN CASE WHEN v = 'true'::jsonb THEN words ->> 'yes' ELSE words ->> 'no' END;
        WHEN 'string' THEN
            s := v #>> '{}';
            IF s = '' THEN
                RETURN words ->> 'empty';
            END IF;
            IF choices IS NOT NULL AND jsonb_typeof(choices) = 'object' AND choices ? s THEN
                RETURN choices ->> s;
            END IF;
            IF s ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
                RETURN substr(s, 9, 2) || '/' || substr(s, 6, 2) || '/' || substr(s, 1, 4);
            END IF;
            RETURN s;
        WHEN 'array' THEN
            RETURN coalesce((SELECT string_agg(audit_value_text(x, choices, words), ', ' ORDER BY n)
                               FROM jsonb_array_elements(v) WITH ORDINALITY AS a(x, n)),
                            words ->> 'empty');
        WHEN 'object' THEN
            RETURN coalesce((SELECT string_agg(k || ': ' || audit_value_text(x, NULL, words), ', ')
                               FROM jsonb_each(v) AS e(k, x)),
                            words ->> 'empty');
        ELSE
            RETURN v::text;
    END CASE;
END
$$;

CREATE FUNCTION audit_changes_text(changes jsonb, event text, resource_type text, labels jsonb)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT string_agg(
        coalesce(labels #>> ARRAY['fields', resource_type, c.key],
                 labels #>> ARRAY['common', c.key],
                 upper(left(replace(c.key, '_', ' '), 1))
                 || lower(substr(replace(c.key, '_', ' '), 2)))
        || ': ' ||
        CASE WHEN event <> 'exported' AND jsonb_typeof(c.value) = 'array'
                  AND jsonb_array_length(c.value) = 2
             THEN audit_value_text(c.value -> 0, labels #> ARRAY['choices', resource_type, c.key],
                                   labels -> 'words')
                  || ' → ' ||
                  audit_value_text(c.value -> 1, labels #> ARRAY['choices', resource_type, c.key],
                                   labels -> 'words')
             ELSE audit_value_text(c.value, labels #> ARRAY['choices', resource_type, c.key],
                                   labels -> 'words')
        END,
        '; ')
    FROM jsonb_each(CASE WHEN jsonb_typeof(changes) = 'object' THEN changes
                         ELSE '{}'::jsonb END) AS c
$$;
"""

DROP = """
DROP FUNCTION audit_changes_text(jsonb, text, text, jsonb);
DROP FUNCTION audit_value_text(jsonb, jsonb, jsonb);
"""


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0005_append_only"),
    ]

    operations = [
        migrations.RunSQL(FUNCTIONS, reverse_sql=DROP),
    ]
