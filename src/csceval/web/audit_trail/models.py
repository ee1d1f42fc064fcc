"""AuditEvent: one row per audited action, append-only and hash-chained with a key.

``hash`` is HMAC-SHA256 over the canonical JSON of the row (every field but ``hash`` itself,
which includes ``previous_hash``), keyed with :func:`audit_key`, a secret kept outside the
database. Editing a row, or deleting one, breaks the chain, and someone with write access to the
database alone cannot compute a consistent new one. A chain written by an earlier version
(plain SHA-256) is re-keyed by migration 0002; anchors published before it no longer apply.

The ORM refuses to update or delete rows, a database trigger refuses UPDATE (migration 0002),
and ``verify_chain`` catches the rest.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from datetime import UTC
from typing import Any, NoReturn

from django.conf import settings
from django.db import models

GENESIS_HASH = "0" * 64


def audit_key() -> bytes:
    """The chain's key: from ``CSCEVAL_AUDIT_KEY`` if set, else derived from the secret key.

    Both live outside the database (environment or a 0600 file). Changing the one in use makes
    every keyed event fail verification: rotate only with a fresh chain, after a backup.
    """
    secret = os.environ.get("CSCEVAL_AUDIT_KEY") or settings.SECRET_KEY
    return hmac.new(secret.encode("utf-8"), b"csceval audit chain v1", hashlib.sha256).digest()


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit event through the ORM."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are append-only: update is not allowed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit events are append-only: delete is not allowed")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are append-only: bulk_update is not allowed")


class AuditEvent(models.Model):
    sequence = models.PositiveBigIntegerField(unique=True)
    occurred_at = models.DateTimeField()
    actor = models.CharField(max_length=150)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    old_values = models.JSONField(null=True)
    new_values = models.JSONField(null=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} by {self.actor}"

    def canonical_json(self) -> str:
        """The row as canonical JSON (sorted keys, no spaces, UTC timestamp)."""
        row = {
            "sequence": self.sequence,
            "occurred_at": self.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": self.actor,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "old_values": self.old_values,
            "new_values": self.new_values,
            "previous_hash": self.previous_hash,
        }
        return json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def compute_hash(self) -> str:
        return hmac.new(
            audit_key(), self.canonical_json().encode("utf-8"), hashlib.sha256
        ).hexdigest()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events are append-only: a saved event cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are append-only: delete is not allowed")
