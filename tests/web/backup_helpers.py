"""Shared by the backup and import-atomicity tests: the test database as a URL, a subprocess
environment that uses it, and two anchors-file-safe settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper


def database_url(name: str | None = None) -> str:
    """The test database (or the database ``name`` on the same server) as a DATABASE_URL."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{name or settings['NAME']}"
    user = quote(settings["USER"] or "")
    password = f":{quote(settings['PASSWORD'])}" if settings["PASSWORD"] else ""
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgresql://{user}{password}@{settings['HOST']}{port}/{name or settings['NAME']}"


def subprocess_env(data: Path, url: str) -> dict[str, str]:
    """This process's environment (the same secret key, hence audit key) with another data
    folder and database; its own anchors file in ``data``."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CSCEVAL_WEB_DATA"}}
    env.pop("CSCEVAL_AUDIT_ANCHORS", None)
    env.update({"DATABASE_URL": url, "CSCEVAL_WEB_DATA": str(data)})
    return env


RUN_COMMANDS = """
import sys
from csceval.cli import main
for args in [a.split("\\x1f") for a in sys.argv[1:]]:
    try:
        main(args)
    except SystemExit as exc:
        if exc.code:
            raise
"""


def run_commands(env: dict[str, str], *commands: list[str]) -> subprocess.CompletedProcess[str]:
    """Run csceval commands one after another in one fresh process (one start-up, not one per
    command); stops at the first that fails."""
    return subprocess.run(
        [sys.executable, "-c", RUN_COMMANDS, *("\x1f".join(c) for c in commands)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def snapshot_aliases(
    transactional_db: None, django_db_blocker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Let the code under test open a backup's snapshot as an extra database alias
    (``csceval_snapshot_*``): Django's test case refuses connections to aliases it was not told
    about when it started, and the snapshot's alias is made later, by the code under test.
    Every other alias stays as the test case set it."""
    real = django_db_blocker._real_ensure_connection
    patched = BaseDatabaseWrapper.ensure_connection

    def ensure_connection(self: BaseDatabaseWrapper) -> None:
        if self.alias.startswith("csceval_snapshot_"):
            real(self)
        else:
            patched(self)

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", ensure_connection)
