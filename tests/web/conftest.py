"""pytest-django set-up for csceval.web: SQLite by default, PostgreSQL with DATABASE_URL."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csceval.web.settings")
os.environ.setdefault("CSCEVAL_SECRET_KEY", "tests-only-not-secret")
# Audit anchors of the tests' own (an anchors file left in ./var by a `csceval serve` there would
# otherwise be what `audit verify` checks the test database against).
os.environ.setdefault(
    "CSCEVAL_AUDIT_ANCHORS",
    os.path.join(tempfile.mkdtemp(prefix="csceval-anchors-"), "audit-anchors.log"),
)

import django

django.setup()

from datetime import datetime, timedelta  # noqa: E402

import pytest  # noqa: E402
from django.contrib.auth.hashers import Argon2PasswordHasher  # noqa: E402
from django.utils import timezone  # noqa: E402

# Argon2id as configured (SEC-B2), at a test cost: the platform's cost (100 MiB, 2 passes) takes
# 0.15 s of CPU a hash, and the web tests hash a few hundred passwords. A hash made here says
# argon2id with m=1024,t=1,p=1; the hasher, its variant and every check on them are unchanged.
# The browser journeys' server runs in its own process at the platform's cost.
Argon2PasswordHasher.memory_cost = 1024
Argon2PasswordHasher.time_cost = 1
Argon2PasswordHasher.parallelism = 1


class FrozenClock:
    """A clock for csceval.web.security.clock.now that moves only when told to."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """SQLite tests use a database file, as the platform does, not Django's shared-cache
    in-memory test database: there a background analysis run writing its progress while the
    test reads the same table fails at once with "database table is locked" (SQLITE_LOCKED
    has no busy timeout), which made the background-run test fail now and then.

    The parallel suffix (pytest-django's own fixture) gives each xdist worker its own
    PostgreSQL test database (``test_test_gw0``, ...); overriding this fixture without it made
    the workers share one. A further suffix names the test run (xdist's run id, shared by its
    workers, or this process's id), so that two test suites on one machine (two checkouts, or
    ``make test`` twice) do not drop each other's PostgreSQL databases. A run killed before its
    teardown leaves its databases behind (``test_test_gw0_<run>``); drop them by hand."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    test = database.setdefault("TEST", {})
    if database["ENGINE"].endswith("sqlite3"):
        path = tmp_path_factory.mktemp("sqlite") / "test-csceval-web.sqlite3"
        test["NAME"] = str(path)
    else:
        run = os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid()))[:8]
        test["NAME"] = f"{test.get('NAME') or 'test_' + database['NAME']}_{run}"


@pytest.fixture(autouse=True)
def _own_anchors(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test has its own audit anchors file: an anchor another test wrote (a backup) would
    otherwise be what `audit verify` checks this test's database against."""
    folder = tmp_path_factory.mktemp("anchors")
    monkeypatch.setenv("CSCEVAL_AUDIT_ANCHORS", str(folder / "audit-anchors.log"))


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache (the sign-in rate limits live there)."""
    from django.core.cache import cache

    cache.clear()
    return


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    """Freeze the clock the session limits and one-time passwords read."""
    clock = FrozenClock(timezone.now())
    monkeypatch.setattr("csceval.web.security.clock.now", clock)
    return clock


# Browser-journey fixtures (a real server process and headless Chromium): tests/web/browser.py.
from browser import browser, server  # noqa: E402, F401
from case_audit_helpers import two_la_evaluation  # noqa: E402, F401
from job_helpers import export_files  # noqa: E402, F401
from returns_helpers import approved_returns  # noqa: E402, F401
