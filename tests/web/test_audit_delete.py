"""The database itself refuses DELETE of audit events (migration 0003), on SQLite and PostgreSQL,
while Django's flush (the audit app's override) can still empty a test database."""

from __future__ import annotations

import sqlite3

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from csceval.web.audit_trail.maintenance import audit_maintenance
from csceval.web.audit_trail.models import AuditEvent
from csceval.web.audit_trail.services import audit_record, verify_chain

TABLE = connection.ops.quote_name(AuditEvent._meta.db_table)


def _record(n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            audit_record(actor="tester", action="test.event", object_id=str(i))


@pytest.mark.django_db
def test_the_database_refuses_delete_of_one_row_or_all() -> None:
    _record(3)
    for statement in (f"DELETE FROM {TABLE} WHERE sequence = 3", f"DELETE FROM {TABLE}"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    if connection.vendor == "postgresql":
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"TRUNCATE {TABLE}")
    assert AuditEvent.objects.count() == 3
    assert verify_chain() == []


def _other_connection_delete() -> None:
    """DELETE from a connection of its own (not Django's), as psql or sqlite3 would."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        other = sqlite3.connect(settings["NAME"], timeout=10)
        try:
            other.execute(f"DELETE FROM {TABLE}")
            other.commit()
        finally:
            other.close()
        return
    import psycopg

    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    ) as other:
        other.execute(f"DELETE FROM {TABLE}")


@pytest.mark.django_db(transaction=True)
def test_only_the_flagged_connection_may_delete_and_flush_empties_the_table() -> None:
    """The flag is per connection: another connection is refused while it is raised; flush
    (Django's, through the audit app's override) empties the table, as pytest-django's
    teardown of this very test does again."""
    _record(3)
    with audit_maintenance():
        with pytest.raises((sqlite3.DatabaseError, DatabaseError, Exception), match="append-only"):
            _other_connection_delete()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE sequence = 3")
    assert AuditEvent.objects.count() == 2
    with pytest.raises(DatabaseError, match="append-only"), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # the flag is down again
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 0
    _record(1)
