"""The keyed audit chain: database write access alone cannot forge a chain that verifies.

Issue 16 measured an unkeyed chain: UPDATE a row and recompute the hashes from it, and
``audit verify`` said intact. Here the forger has the database (the trigger dropped, any SQL)
but not the key, which lives outside it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, transaction
from test_web_audit_trail import _record_three, as_database_owner

from csceval.web.audit_trail.models import GENESIS_HASH, AuditEvent, audit_key
from csceval.web.audit_trail.services import verify_chain

pytestmark = pytest.mark.django_db
TABLE = connection.ops.quote_name(AuditEvent._meta.db_table)


def test_new_events_are_keyed_and_verify() -> None:
    events = _record_three()
    assert events[0].hash != hashlib.sha256(events[0].canonical_json().encode()).hexdigest()
    assert verify_chain() == []


def test_the_database_itself_refuses_update() -> None:
    _record_three()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {TABLE} SET actor = %s WHERE sequence = %s", ["mallory", 2])
    assert verify_chain() == []


def _rewrite_from(sequence: int, digest: Callable[[bytes], str]) -> None:
    """The forger's move: change event ``sequence`` and recompute every hash from it on."""
    as_database_owner(f"UPDATE {TABLE} SET actor = %s WHERE sequence = %s", ["mallory", sequence])
    previous = AuditEvent.objects.get(sequence=sequence - 1).hash if sequence > 1 else GENESIS_HASH
    for event in AuditEvent.objects.filter(sequence__gte=sequence).order_by("sequence"):
        event.previous_hash = previous
        forged = digest(event.canonical_json().encode())
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {TABLE} SET previous_hash = %s, hash = %s WHERE sequence = %s",
                [previous, forged, event.sequence],
            )
        previous = forged


def test_a_chain_recomputed_without_the_key_does_not_verify() -> None:
    _record_three()
    _rewrite_from(2, lambda data: hashlib.sha256(data).hexdigest())
    assert {p.sequence for p in verify_chain() if p.code == "CSC-E6001"} == {2, 3}


def test_a_chain_recomputed_with_a_guessed_key_does_not_verify() -> None:
    _record_three()
    guess = hashlib.sha256(b"not the key").digest()
    _rewrite_from(2, lambda data: hmac.new(guess, data, hashlib.sha256).hexdigest())
    assert {p.sequence for p in verify_chain() if p.code == "CSC-E6001"} == {2, 3}


def test_the_same_rewrite_with_the_key_would_verify() -> None:
    """The control: the tests above fail only for want of the key."""
    _record_three()
    _rewrite_from(2, lambda data: hmac.new(audit_key(), data, hashlib.sha256).hexdigest())
    assert verify_chain() == []


def test_another_key_fails_every_event(monkeypatch: pytest.MonkeyPatch) -> None:
    _record_three()
    monkeypatch.setenv("CSCEVAL_AUDIT_KEY", "a different key entirely")
    assert {p.sequence for p in verify_chain()} == {1, 2, 3}
