"""The one clock the security rules read, so tests can freeze it (monkeypatch ``now``)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    """The current time (aware, UTC)."""
    return timezone.now()
