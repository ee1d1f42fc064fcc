"""The one way through the database's DELETE guard on audit events: ``audit_maintenance``.

Migration 0003 makes the database refuse DELETE (and TRUNCATE on PostgreSQL) of audit events
unless the connection that asks has raised a flag first: a session setting on PostgreSQL
(``csceval.audit_maintenance``), a temporary table on SQLite (seen by that connection only).
Only Django's ``flush`` (which empties a test database; see ``management/commands/flush.py``)
raises it. Nothing in the platform deletes an audit event.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

SETTING = "csceval.audit_maintenance"
FLAG_TABLE = "csceval_audit_maintenance"


@contextmanager
def audit_maintenance(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Let the connection ``using`` delete audit events inside the block (and only then)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, 'on', false)", [SETTING])
        elif connection.vendor == "sqlite":
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {FLAG_TABLE} (flag INTEGER)")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("SELECT set_config(%s, 'off', false)", [SETTING])
                elif connection.vendor == "sqlite":
                    cursor.execute(f"DROP TABLE IF EXISTS temp.{FLAG_TABLE}")
        except DatabaseError:
            connection.close()  # a connection that may still hold the flag is not reused
