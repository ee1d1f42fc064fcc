"""Backups of the web platform: the database and the run files, checked before any restore.

:mod:`~csceval.web.backup.create` writes a backup folder (``csceval backup OUT``, and one
before every migration: :func:`backup_before_migrating`), :mod:`~csceval.web.backup.restore`
checks one whole and restores it (``csceval restore BACKUP``), :mod:`~csceval.web.backup.databases`
holds the engines' consistent copies (SQLite online backup API, ``pg_dump``/``pg_restore``).
docs/security.md gives the schedule, retention and restore procedure.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from csceval.web.backup.create import BackupSummary, create_backup, rotate
from csceval.web.backup.restore import RestoreSummary, check_files, restore_backup

KEEP_ENV = "CSCEVAL_BACKUP_KEEP"
DEFAULT_KEEP = 7


def backups_folder() -> Path:
    """Where the automatic backups before a migration go: ``CSCEVAL_WEB_DATA/backups``."""
    return Path(settings.CSCEVAL_DATA_DIR) / "backups"


def keep_count() -> int:
    """How many automatic backups to keep (``CSCEVAL_BACKUP_KEEP``, default 7, at least 1)."""
    text = os.environ.get(KEEP_ENV, "").strip()
    return max(1, int(text)) if text.isdigit() else DEFAULT_KEEP


def backup_before_migrating(database: Path, *, now: datetime | None = None) -> BackupSummary | None:
    """Back the SQLite file up to ``backups/pre-migrate-<UTC time>`` and keep the newest
    :func:`keep_count`; None when there is no database file yet."""
    if not database.is_file():
        return None
    parent = backups_folder()
    parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    parent.chmod(0o700)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    summary = create_backup(parent / f"pre-migrate-{stamp}")
    rotate(parent, keep_count())
    return summary


__all__ = [
    "BackupSummary",
    "RestoreSummary",
    "backup_before_migrating",
    "backups_folder",
    "check_files",
    "create_backup",
    "keep_count",
    "restore_backup",
    "rotate",
]
