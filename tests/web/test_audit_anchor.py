"""Anchoring the audit chain's head: deleting the newest events is detected."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from test_web_audit_trail import as_database_owner

from csceval.web.audit_trail.models import AuditEvent
from csceval.web.audit_trail.services import ChainHead, audit_record, chain_head, verify_chain

pytestmark = pytest.mark.django_db


def _record(n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            audit_record(actor="tester", action="test.event", object_id=str(i))


def test_head_round_trips_and_an_empty_chain_has_the_genesis_head() -> None:
    assert chain_head().sequence == 0
    _record(2)
    head = chain_head()
    assert ChainHead.parse(str(head)) == head
    with pytest.raises(ValueError, match="SEQUENCE:HASH"):
        ChainHead.parse("2:abc")


def test_deleting_the_newest_events_is_caught_only_with_the_anchor() -> None:
    _record(3)
    anchor = chain_head()
    _record(1)
    assert verify_chain(anchor) == []
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    as_database_owner(f"DELETE FROM {table} WHERE sequence >= %s", [3])
    assert verify_chain() == []  # the chain alone looks intact
    assert [(p.code, p.sequence) for p in verify_chain(anchor)] == [("CSC-E6050", 3)]


def test_audit_head_and_verify_with_an_anchor_from_the_command_line() -> None:
    from click.testing import CliRunner

    from csceval.cli import main

    _record(3)
    runner = CliRunner()
    head = runner.invoke(main, ["audit", "head"]).output.strip()
    assert head == str(chain_head())
    assert runner.invoke(main, ["audit", "verify", "--anchor", head]).exit_code == 0
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    as_database_owner(f"DELETE FROM {table} WHERE sequence = %s", [3])
    result = runner.invoke(main, ["audit", "verify", "--anchor", head])
    assert result.exit_code == 2
    assert "CSC-E6050" in result.output
    bad = runner.invoke(main, ["audit", "verify", "--anchor", "nonsense"])
    assert bad.exit_code == 2
    assert "Traceback" not in bad.output
