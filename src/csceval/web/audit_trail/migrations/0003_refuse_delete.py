"""Make the database itself refuse DELETE of audit events (and TRUNCATE on PostgreSQL).

Why a flag rather than no way at all: Django empties a test database between tests with
``flush`` (``DELETE FROM`` each table on SQLite, ``TRUNCATE`` on PostgreSQL), and pytest-django
does so after every transactional test, so a trigger that refused every delete would make the
platform untestable, and dropping it in the test set-up would leave the tests running without
the guard they are meant to check. The triggers therefore let a delete through only when the
connection asking has raised a flag that no request path raises:

- PostgreSQL: the session setting ``csceval.audit_maintenance = 'on'`` (``current_setting`` with
  ``missing_ok``; any other connection, psql included, is refused);
- SQLite: a temporary table ``csceval_audit_maintenance``, which exists only in the connection
  that made it (a trigger in the main schema cannot name the temp schema, so it asks
  ``pragma_table_info(..., 'temp')``; with ``PRAGMA trusted_schema=OFF`` that table-valued
  function is refused inside a trigger, so every delete is refused, flush included).

Only :func:`csceval.web.audit_trail.maintenance.audit_maintenance` raises the flag, and only the
audit app's ``flush`` command (which overrides Django's) calls it. Someone who owns the database
can still drop the triggers; the keyed chain and the anchors outside the database catch what
they then do (``csceval audit verify``). A later migration that rebuilds this table on SQLite
drops the triggers and must create them again.
"""

from typing import Any

from django.db import migrations

TABLE = "audit_trail_auditevent"
MESSAGE = "audit events are append-only"
SQLITE = (
    f"CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON {TABLE} "
    "WHEN NOT EXISTS (SELECT 1 FROM pragma_table_info('csceval_audit_maintenance', 'temp')) "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
)
SQLITE_UNDO = ("DROP TRIGGER IF EXISTS audit_event_no_delete",)
POSTGRES = (
    "CREATE OR REPLACE FUNCTION csceval_audit_no_delete() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN "
    "IF current_setting('csceval.audit_maintenance', true) = 'on' THEN RETURN OLD; END IF; "
    f"RAISE EXCEPTION '{MESSAGE}'; END $$",
    f"CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION csceval_audit_no_delete()",
    f"CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION csceval_audit_no_delete()",
)
POSTGRES_UNDO = (
    f"DROP TRIGGER IF EXISTS audit_event_no_truncate ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_event_no_delete ON {TABLE}",
    "DROP FUNCTION IF EXISTS csceval_audit_no_delete()",
)


def _run(schema_editor: Any, postgres: tuple[str, ...], sqlite: tuple[str, ...]) -> None:
    for statement in postgres if schema_editor.connection.vendor == "postgresql" else sqlite:
        schema_editor.execute(statement, params=None)


def create_triggers(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, POSTGRES, SQLITE)


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, POSTGRES_UNDO, SQLITE_UNDO)


class Migration(migrations.Migration):
    dependencies = [("audit_trail", "0002_keyed_chain_append_only")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
