# Written by hand: the database refuses to change or delete an audit entry.
#
# SQLite: BEFORE UPDATE and BEFORE DELETE triggers that RAISE(ABORT) (an IntegrityError).
# PostgreSQL: a plpgsql function raising SQLSTATE 23001 (restrict_violation, an IntegrityError)
# on UPDATE, DELETE (each row) and TRUNCATE (the statement).
#
# This migration must stay the last to alter the table on SQLite: SQLite's schema editor rebuilds
# a table to alter it, and the rebuild drops its triggers. A later migration that alters
# ``audit_auditentry`` must create them again (``ketacare audit-verify`` and a test report them
# missing).

from django.db import migrations

MESSAGE = "audit entries are append-only"

SQLITE_UP = [
    "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END",
    "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_auditentry "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update",
    "DROP TRIGGER IF EXISTS audit_entry_no_delete",
]
POSTGRES_UP = [
    f"""CREATE OR REPLACE FUNCTION audit_entry_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP
            USING ERRCODE = 'restrict_violation',
                  HINT = 'KetaCare never changes or deletes an audit entry; add one instead.';
    END;
    $$""",
    "CREATE TRIGGER audit_entry_no_update_delete BEFORE UPDATE OR DELETE ON audit_auditentry "
    "FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change()",
    "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_auditentry "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse_change()",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry",
    "DROP TRIGGER IF EXISTS audit_entry_no_update_delete ON audit_auditentry",
    "DROP FUNCTION IF EXISTS audit_entry_refuse_change()",
]


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql, params=None)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_UP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_UP)
    else:  # pragma: no cover - the two databases KetaCare supports
        raise RuntimeError(f"no append-only trigger for database {vendor!r}")


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, SQLITE_DOWN if vendor == "sqlite" else POSTGRES_DOWN)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_chain_constraints")]

    operations = [migrations.RunPython(create, drop)]
