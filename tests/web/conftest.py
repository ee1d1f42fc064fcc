"""pytest-django set-up for csceval.web: SQLite by default, PostgreSQL with DATABASE_URL."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csceval.web.settings")
os.environ.setdefault("CSCEVAL_SECRET_KEY", "tests-only-not-secret")

import django

django.setup()

from datetime import datetime, timedelta  # noqa: E402

import pytest  # noqa: E402
from django.utils import timezone  # noqa: E402


class FrozenClock:
    """A clock for csceval.web.security.clock.now that moves only when told to."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    """Freeze the clock the session limits and one-time passwords read."""
    clock = FrozenClock(timezone.now())
    monkeypatch.setattr("csceval.web.security.clock.now", clock)
    return clock


# Browser-journey fixtures (a real server process and headless Chromium): tests/web/browser.py.
from browser import browser, server  # noqa: E402, F401
