"""Shared test configuration.

Core tests (tests/core) touch no database. Web tests (tests/web) run on a real database: SQLite by
default, PostgreSQL when DATABASE_URL points at one (CI runs them on both).
"""

from typing import Any


def _flush_past_the_audit_triggers() -> None:
    """Let the test runner empty the audit table between transactional tests.

    The database refuses DELETE and TRUNCATE on ``audit_auditentry`` (migration
    ``audit.0006_append_only``), and Django's ``flush`` (run by pytest-django after each
    ``transaction=True`` test and live-server test) empties every table. Tests only: the flush's
    own statements are wrapped so that the triggers are disabled (PostgreSQL) or dropped and made
    again (SQLite) around it, in the flush's transaction.
    """
    import importlib

    from django.core.management.commands import flush

    original = flush.sql_flush
    if getattr(original, "_past_audit_triggers", False):
        return
    migration = importlib.import_module("ketacare.web.audit.migrations.0006_append_only")

    def sql_flush(style: Any, connection: Any, *args: Any, **kwargs: Any) -> list[str]:
        statements: list[str] = original(style, connection, *args, **kwargs)
        if not any("audit_auditentry" in s for s in statements):
            return statements
        if connection.vendor == "postgresql":
            table = "audit_auditentry"
            return [
                f"ALTER TABLE {table} DISABLE TRIGGER USER",
                *statements,
                f"ALTER TABLE {table} ENABLE TRIGGER USER",
            ]
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                    " AND tbl_name = 'audit_auditentry'"
                )
                present = {row[0] for row in cursor.fetchall()}
            drops = [s for s in migration.SQLITE_DOWN if any(n in s for n in present)]
            makes = [s for s in migration.SQLITE_UP if any(n in s for n in present)]
            return [*drops, *statements, *makes]
        return statements

    sql_flush._past_audit_triggers = True  # type: ignore[attr-defined]
    flush.sql_flush = sql_flush


def pytest_configure(config: Any) -> None:
    import contextlib

    # a checkout without Django installed: the core tests still run
    with contextlib.suppress(ImportError):
        _flush_past_the_audit_triggers()
