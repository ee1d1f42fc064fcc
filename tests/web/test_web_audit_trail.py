"""The audit trail: hash chain verifies, detects raw UPDATE and DELETE, refuses ORM changes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.db import connection, transaction

from csceval.cli import main
from csceval.web.audit_trail.models import AppendOnlyError, AuditEvent
from csceval.web.audit_trail.services import audit_record, verify_chain

pytestmark = pytest.mark.django_db


def as_database_owner(sql: str, params: list[object]) -> None:
    """Raw SQL by someone who owns the database: the UPDATE and DELETE triggers are dropped
    first (with the test's transaction, the drop is rolled back)."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    on = f" ON {table}" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER audit_event_no_update{on}")
        cursor.execute(f"DROP TRIGGER audit_event_no_delete{on}")
        cursor.execute(sql, params)


def _record_three() -> list[AuditEvent]:
    events = []
    for i in range(3):
        with transaction.atomic():
            events.append(
                audit_record(
                    actor="tester",
                    action="test.event",
                    object_type="thing",
                    object_id=str(i),
                    old_values={"n": i, "note": "£ – é"},
                    new_values={"n": i + 1, "nested": {"b": [1, 2], "a": None}},
                )
            )
    return events


def test_untouched_chain_verifies_and_links() -> None:
    first, second, third = _record_three()
    assert verify_chain() == []
    assert [first.sequence, second.sequence, third.sequence] == [1, 2, 3]
    assert second.previous_hash == first.hash
    assert third.previous_hash == second.hash
    assert AuditEvent.objects.get(sequence=2).compute_hash() == second.hash


def test_raw_sql_update_is_detected() -> None:
    _record_three()
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    as_database_owner(f"UPDATE {table} SET actor = %s WHERE sequence = %s", ["mallory", 2])
    problems = verify_chain()
    assert [(p.code, p.sequence) for p in problems] == [("CSC-E6001", 2)]


def test_raw_sql_update_of_json_values_is_detected() -> None:
    _record_three()
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    as_database_owner(f"UPDATE {table} SET new_values = %s WHERE sequence = %s", ['{"n": 99}', 1])
    assert [p.code for p in verify_chain()] == ["CSC-E6001"]


def test_raw_sql_delete_is_detected() -> None:
    _record_three()
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    as_database_owner(f"DELETE FROM {table} WHERE sequence = %s", [2])
    codes = {(p.code, p.sequence) for p in verify_chain()}
    assert codes == {("CSC-E6003", 3), ("CSC-E6002", 3)}


def test_orm_update_and_delete_are_refused() -> None:
    event = _record_three()[0]
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(actor="mallory")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        event.delete()
    event.actor = "mallory"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["actor"])
    assert AuditEvent.objects.count() == 3
    assert verify_chain() == []


def test_audit_record_outside_a_transaction_is_refused() -> None:
    # pytest-django wraps each test in a transaction; leave it to see the guard.
    with transaction.atomic():
        audit_record(actor="t", action="ok")
    connection.in_atomic_block, saved = False, connection.in_atomic_block
    try:
        with pytest.raises(RuntimeError, match=r"transaction\.atomic"):
            audit_record(actor="t", action="not.atomic")
    finally:
        connection.in_atomic_block = saved


def test_audit_verify_command_exit_codes() -> None:
    _record_three()
    runner = CliRunner()
    ok = runner.invoke(main, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "intact (3 events)" in ok.output
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    as_database_owner(f"UPDATE {table} SET action = %s WHERE sequence = %s", ["x", 3])
    bad = runner.invoke(main, ["audit", "verify"])
    assert bad.exit_code == 2
    assert "CSC-E6001 event #3" in bad.output


def test_createadmin_creates_a_superuser_once_with_a_random_password() -> None:
    from django.contrib.auth import get_user_model

    runner = CliRunner()
    first = runner.invoke(main, ["createadmin", "--username", "root1"])
    assert first.exit_code == 0, first.output
    password = first.output.strip().splitlines()[-1]
    user = get_user_model().objects.get(username="root1")
    assert user.is_superuser
    assert user.check_password(password)
    assert user.password.startswith("argon2$argon2id$")
    again = runner.invoke(main, ["createadmin", "--username", "root1"])
    assert again.exit_code == 2
    assert "CSC-E6004" in again.output
    assert AuditEvent.objects.filter(action="user.create_admin").count() == 1


def test_commands_on_an_unmigrated_database_give_a_coded_message(tmp_path: Path) -> None:
    """A fresh database: `csceval audit verify` says to migrate first, no traceback."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-m", "csceval.cli", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "CSC-E6005" in done.stderr
    assert "Traceback" not in done.stderr
