"""The audit chain's head kept outside the database: the anchors file.

Every backup, every restore and every ``csceval audit anchor`` (run it from cron, e.g. hourly;
docs/security.md) appends one line ``<UTC time> <source> SEQUENCE:HASH`` to the anchors file
and prints it, so that cron's mail or the host's journal keeps a second copy. The file is
``CSCEVAL_AUDIT_ANCHORS`` if set, else ``audit-anchors.log`` in the platform's data folder
(``CSCEVAL_WEB_DATA``), mode 0600; put it on another volume, or ship its lines elsewhere, for
an anchor that someone with the server's database alone cannot touch.

``csceval audit verify`` checks the chain against the newest line by default: deleting the
newest events, or replacing the whole chain, is caught although the chain alone looks intact.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from csceval.web.audit_trail.services import ChainHead

ANCHORS_ENV = "CSCEVAL_AUDIT_ANCHORS"
_TAIL_BYTES = 64 * 1024


@dataclass(frozen=True)
class Anchor:
    """One line of the anchors file: when, who wrote it (backup, restore, cron) and the head."""

    at: str
    source: str
    head: ChainHead

    def __str__(self) -> str:
        return f"{self.at} {self.source} {self.head}"

    @classmethod
    def parse(cls, line: str) -> Anchor | None:
        """The anchor on ``line``, or None when the line is not one."""
        parts = line.split()
        if len(parts) != 3:
            return None
        try:
            return cls(parts[0], parts[1], ChainHead.parse(parts[2]))
        except ValueError:
            return None


def anchors_path() -> Path:
    """Where anchors are kept: ``CSCEVAL_AUDIT_ANCHORS``, else the data folder's file."""
    configured = os.environ.get(ANCHORS_ENV, "").strip()
    if configured:
        return Path(configured)
    return Path(settings.CSCEVAL_DATA_DIR) / "audit-anchors.log"


def write_anchor(head: ChainHead, source: str, path: Path | None = None) -> Anchor:
    """Append ``head`` to the anchors file (created 0600) and flush it to disk.

    Raises OSError when the file cannot be written (the caller reports it, coded).
    """
    target = path or anchors_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    anchor = Anchor(
        datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), source.replace(" ", "-"), head
    )
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, f"{anchor}\n".encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return anchor


def latest_anchor(path: Path | None = None) -> Anchor | None:
    """The newest well-formed line of the anchors file (None: no file, or no anchor in it).

    Only the file's last 64 KiB are read, however long it has grown. Raises OSError when the
    file exists but cannot be read.
    """
    source = path or anchors_path()
    if not source.exists():
        return None
    with source.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - _TAIL_BYTES))
        tail = handle.read().decode("ascii", errors="replace")
    for line in reversed(tail.splitlines()):
        anchor = Anchor.parse(line)
        if anchor is not None:
            return anchor
    return None
