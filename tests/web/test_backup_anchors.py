"""Anchors outside the database (issue 16): `csceval audit anchor` (for cron) and every backup
append the head to the anchors file, and `csceval audit verify` checks against the newest one by
default. test_audit_anchor.py covers ``--anchor`` given by hand; this covers the default."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from django.db import connection, transaction
from test_web_audit_trail import as_database_owner

from csceval.cli import main
from csceval.web.audit_trail.anchors import Anchor, latest_anchor
from csceval.web.audit_trail.models import AuditEvent
from csceval.web.audit_trail.services import audit_record, chain_head

pytestmark = pytest.mark.django_db


def _record(n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            audit_record(actor="tester", action="test.event", object_id=str(i))


def test_verify_uses_the_newest_anchor_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    anchors = tmp_path / "elsewhere" / "anchors.log"
    monkeypatch.setenv("CSCEVAL_AUDIT_ANCHORS", str(anchors))
    runner = CliRunner()
    _record(2)
    first = runner.invoke(main, ["audit", "verify"])
    assert first.exit_code == 0
    assert "no anchor" in first.output  # none yet: the chain alone, and it says so
    _record(1)
    line = runner.invoke(main, ["audit", "anchor"]).output.strip()
    assert line.endswith(f"cron {chain_head()}")
    assert oct(anchors.stat().st_mode & 0o777) == "0o600"
    anchors.write_text(anchors.read_text() + "a line that is not an anchor\n")
    assert latest_anchor() == Anchor.parse(line)
    _record(1)
    intact = runner.invoke(main, ["audit", "verify"])
    assert intact.exit_code == 0
    assert "up to the anchor of" in intact.output
    assert "#3" in intact.output

    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    as_database_owner(f"DELETE FROM {table} WHERE sequence >= %s", [3])  # the newest two
    caught = runner.invoke(main, ["audit", "verify"])
    assert caught.exit_code == 2
    assert "CSC-E6050" in caught.output
    assert runner.invoke(main, ["audit", "verify", "--no-anchor"]).exit_code == 0

    anchors.unlink()
    anchors.mkdir()  # unreadable as a file: a coded problem, no traceback
    broken = runner.invoke(main, ["audit", "anchor"])
    assert broken.exit_code == 2
    assert "CSC-E6066" in broken.output
    assert "Traceback" not in broken.output
