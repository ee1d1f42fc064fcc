"""Writing to and checking the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection
from django.utils import timezone

from csceval.web.audit_trail.models import GENESIS_HASH, AuditEvent

# One advisory-lock key for appending to the chain on PostgreSQL ("csceval" in ASCII).
_CHAIN_LOCK_KEY = 0x63736365766C


@dataclass(frozen=True)
class ChainProblem:
    """One way the stored chain differs from an untouched one."""

    code: str
    sequence: int
    message: str

    def __str__(self) -> str:
        return f"{self.code} event #{self.sequence}: {self.message}"


def audit_record(
    *,
    actor: str,
    action: str,
    object_type: str = "",
    object_id: str = "",
    old_values: dict[str, Any] | None = None,
    new_values: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain.

    Must be called inside the ``transaction.atomic`` block that makes the change, so the change
    and its audit row commit or roll back together.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside transaction.atomic")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    last = AuditEvent.objects.order_by("-sequence").only("sequence", "hash").first()
    event = AuditEvent(
        sequence=(last.sequence + 1) if last else 1,
        occurred_at=timezone.now(),
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        old_values=old_values,
        new_values=new_values,
        previous_hash=last.hash if last else GENESIS_HASH,
    )
    event.hash = event.compute_hash()
    event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class ChainHead:
    """The newest event's sequence number and hash: publish it elsewhere (a ticket, an email,
    the evaluation's log book) so that deleting the newest events can be detected later."""

    sequence: int
    hash: str

    def __str__(self) -> str:
        return f"{self.sequence}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> ChainHead:
        """``SEQUENCE:HASH`` as printed by ``csceval audit head`` (ValueError if malformed)."""
        sequence, _, digest = text.strip().partition(":")
        if not sequence.isdigit() or len(digest) != 64:
            raise ValueError("write the anchor as SEQUENCE:HASH, as `csceval audit head` prints it")
        return cls(int(sequence), digest.lower())


def chain_head(using: str = DEFAULT_DB_ALIAS) -> ChainHead:
    """The head of the chain now (sequence 0 and the genesis hash when it is empty), in the
    database ``using`` (another alias: a backup's snapshot being checked)."""
    last = AuditEvent.objects.using(using).order_by("-sequence").only("sequence", "hash").first()
    return ChainHead(last.sequence, last.hash) if last else ChainHead(0, GENESIS_HASH)


def verify_chain(
    anchor: ChainHead | None = None, using: str = DEFAULT_DB_ALIAS
) -> list[ChainProblem]:
    """Check every stored event; an empty list means the chain is intact.

    Notes
    -----
    Detects an edited row (CSC-E6001: its keyed hash no longer matches), a row whose link to
    the one before is wrong
    (CSC-E6002) and missing rows between the first and the last (CSC-E6003). Removing the
    newest rows cannot be seen from the chain alone: given an ``anchor`` (a head published
    earlier), the chain must still contain that event with that hash (CSC-E6050).
    ``using`` names the database (a backup's snapshot is checked before it is restored).
    """
    problems: list[ChainProblem] = []
    expected_sequence = 1
    previous_hash = GENESIS_HASH
    for event in AuditEvent.objects.using(using).order_by("sequence").iterator():
        if event.sequence != expected_sequence:
            problems.append(
                ChainProblem(
                    "CSC-E6003",
                    event.sequence,
                    f"events #{expected_sequence}..#{event.sequence - 1} are missing (deleted)",
                )
            )
        if event.previous_hash != previous_hash:
            problems.append(
                ChainProblem(
                    "CSC-E6002",
                    event.sequence,
                    "previous_hash does not match the hash of the event before it",
                )
            )
        if event.compute_hash() != event.hash:
            problems.append(
                ChainProblem(
                    "CSC-E6001",
                    event.sequence,
                    "the stored hash does not match the row's contents (the row was edited)",
                )
            )
        expected_sequence = event.sequence + 1
        previous_hash = event.hash
    if anchor is not None and anchor.sequence > 0:
        stored = AuditEvent.objects.using(using).filter(sequence=anchor.sequence)
        anchored = stored.only("hash").first()
        if anchored is None or anchored.hash != anchor.hash:
            problems.append(
                ChainProblem(
                    "CSC-E6050",
                    anchor.sequence,
                    "the anchored head is missing or differs (events up to it were deleted or "
                    "rewritten)",
                )
            )
    return problems
