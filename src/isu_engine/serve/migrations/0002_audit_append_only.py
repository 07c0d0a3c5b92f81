"""The audit log is append-only in the database itself: UPDATE and DELETE (and TRUNCATE) are refused."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER isu_audit_no_update BEFORE UPDATE ON isu_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    "CREATE TRIGGER isu_audit_no_delete BEFORE DELETE ON isu_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
]
POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION isu_audit_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql;",
    "CREATE TRIGGER isu_audit_no_change BEFORE UPDATE OR DELETE ON isu_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION isu_audit_append_only();",
    "CREATE TRIGGER isu_audit_no_truncate BEFORE TRUNCATE ON isu_auditevent "
    "FOR EACH STATEMENT EXECUTE FUNCTION isu_audit_append_only();",
]


def add_triggers(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(schema_editor.connection.vendor)
    if statements is None:
        raise RuntimeError(f"no append-only trigger for the database {schema_editor.connection.vendor}")
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("isu", "0001_initial")]
    operations = [migrations.RunPython(add_triggers, migrations.RunPython.noop)]
