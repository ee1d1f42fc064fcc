"""Re-key the chain with HMAC-SHA256 and make the database refuse UPDATE of audit events.

Rows written by an earlier version (plain SHA-256) get keyed hashes, in sequence order, each
covering the new hash of the one before; run ``csceval audit verify`` before upgrading (anchors
published before this migration no longer apply). The trigger makes the database itself refuse
UPDATE, whoever asks (the ORM already refuses). DELETE is left to the chain and the anchors:
``flush`` and test databases must be able to empty the table. A later migration that rebuilds
this table on SQLite drops the trigger and must create it again.
"""

from typing import Any

from django.db import migrations

TABLE = "audit_trail_auditevent"
MESSAGE = "audit events are append-only"
SQLITE = (
    f"CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
)
SQLITE_UNDO = ("DROP TRIGGER IF EXISTS audit_event_no_update",)
POSTGRES = (
    "CREATE OR REPLACE FUNCTION csceval_audit_append_only() RETURNS trigger "
    f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$",
    f"CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION csceval_audit_append_only()",
)
POSTGRES_UNDO = (
    f"DROP TRIGGER IF EXISTS audit_event_no_update ON {TABLE}",
    "DROP FUNCTION IF EXISTS csceval_audit_append_only()",
)


def rekey(apps: Any, schema_editor: Any) -> None:
    from csceval.web.audit_trail.models import GENESIS_HASH, AuditEvent

    stored = apps.get_model("audit_trail", "AuditEvent")
    previous = GENESIS_HASH
    for row in stored.objects.order_by("sequence"):
        event = AuditEvent(
            sequence=row.sequence,
            occurred_at=row.occurred_at,
            actor=row.actor,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            old_values=row.old_values,
            new_values=row.new_values,
            previous_hash=previous,
        )
        previous = event.compute_hash()
        stored.objects.filter(pk=row.pk).update(previous_hash=event.previous_hash, hash=previous)


def _run(schema_editor: Any, postgres: tuple[str, ...], sqlite: tuple[str, ...]) -> None:
    for statement in postgres if schema_editor.connection.vendor == "postgresql" else sqlite:
        schema_editor.execute(statement, params=None)


def create_trigger(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, POSTGRES, SQLITE)


def drop_trigger(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, POSTGRES_UNDO, SQLITE_UNDO)


class Migration(migrations.Migration):
    dependencies = [("audit_trail", "0001_initial")]

    operations = [
        migrations.RunPython(rekey, migrations.RunPython.noop),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
