"""``csceval backup OUT``: a consistent, verifiable snapshot of everything the platform holds.

The folder holds ``database.sqlite3`` (the SQLite online backup API) or ``database.pgdump``
(``pg_dump``, custom format), ``files/runs/`` (the analysis runs' snapshots and reports; the
project's own files live in the database), ``backup.json`` (engine, time, the audit chain's
head in the snapshot, and a keyed signature over every file's SHA-256) and, written last,
``manifest.json`` (every file and its SHA-256). It is written aside and renamed into place
(:func:`csceval.atomic.staged_folder`), so a killed backup leaves the old folder or nothing.
Files are 0600 and folders 0700. Each backup appends the head to the anchors file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

from csceval.atomic import MANIFEST, is_earlier_output, output_problems, staged_folder
from csceval.errors import InputError, Problem
from csceval.version import __version__
from csceval.web.audit_trail.anchors import Anchor, write_anchor
from csceval.web.audit_trail.models import GENESIS_HASH, audit_key
from csceval.web.audit_trail.services import ChainHead, chain_head
from csceval.web.backup.databases import copy_sqlite, database_alias, engine_of, pg_dump
from csceval.web.evaluation.runs import runs_folder

DETAILS = "backup.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"
RUNS = "files/runs"
KIND = "csceval-backup"


def signature(details: Mapping[str, Any], files: Mapping[str, str]) -> str:
    """HMAC-SHA256 (the audit key) over the backup's details and every file's SHA-256: without
    the key, nobody can change a file and recompute a matching ``backup.json``."""
    body = {k: v for k, v in details.items() if k != "signature"}
    text = json.dumps(
        {"details": body, "files": dict(sorted(files.items()))},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hmac.new(audit_key(), text.encode("utf-8"), hashlib.sha256).hexdigest()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def hashes(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` but the manifest and ``backup.json``, with its SHA-256."""
    return {
        path.relative_to(folder).as_posix(): sha256_of(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.relative_to(folder).as_posix() not in {MANIFEST, DETAILS}
    }


@dataclass(frozen=True)
class BackupSummary:
    folder: Path
    engine: str
    head: ChainHead
    files: int
    anchor: Anchor | None

    def lines(self) -> list[str]:
        lines = [
            f"Backed up the {self.engine} database and {self.files - 1} run files to "
            f"{self.folder}.",
            f"Audit chain head in the backup: {self.head}.",
        ]
        if self.anchor is not None:
            lines.append(f"Anchored: {self.anchor}")
        return lines


def _copy_runs(target: Path) -> None:
    """Copy the runs folder (regular files only; no links; no half-written staging folders)."""
    source = runs_folder()
    if not source.is_dir():
        return

    def ignore(folder: str, names: list[str]) -> set[str]:
        return {
            n
            for n in names
            if os.path.islink(os.path.join(folder, n))
            or (n.startswith(".") and ("-partial-" in n or "-old-" in n))
        }

    shutil.copytree(source, target, ignore=ignore, symlinks=False)


def _sqlite_head(snapshot: Path, using: str) -> ChainHead:
    """The audit head stored in a SQLite snapshot (genesis when it has no audit table yet)."""
    with database_alias({"NAME": str(snapshot)}, using) as alias:
        try:
            return chain_head(using=alias)
        except DatabaseError:  # an old or empty database (before the audit app's tables)
            return ChainHead(0, GENESIS_HASH)


def _dump_postgres(target: Path, using: str) -> ChainHead:
    """pg_dump in the same snapshot as the head read here (REPEATABLE READ, exported)."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        head = chain_head(using=using)
        pg_dump(connection.settings_dict, target, str(snapshot))
    return head


def _tighten(folder: Path) -> None:
    """Folders 0700, files 0600."""
    folder.chmod(0o700)
    for path in folder.rglob("*"):
        path.chmod(0o700 if path.is_dir() else 0o600)


def create_backup(
    out: Path, *, anchor: bool = True, using: str = DEFAULT_DB_ALIAS
) -> BackupSummary:
    """Write a backup of the database ``using`` and the runs folder to ``out``.

    ``out`` must be new, empty or an earlier backup (replaced whole). Raises
    :class:`InputError` with coded problems when it cannot be written.
    """
    out = Path(out)
    problems = output_problems(out)
    runs = runs_folder().resolve()
    if out.resolve() == runs or runs in out.resolve().parents:
        problems.append(
            Problem(
                "CSC-E6065",
                "the backup folder is inside the runs folder it backs up",
                file=str(out),
                fix="write backups elsewhere",
            )
        )
    if problems:
        raise InputError(problems)
    settings_dict = connections[using].settings_dict
    engine = engine_of(settings_dict)
    try:
        with staged_folder(out) as staging:
            staging.chmod(0o700)
            if engine == "sqlite":
                copy_sqlite(Path(settings_dict["NAME"]), staging / SQLITE_FILE)
                head = _sqlite_head(staging / SQLITE_FILE, using)
            else:
                head = _dump_postgres(staging / POSTGRES_FILE, using)
            _copy_runs(staging / RUNS)
            details: dict[str, Any] = {
                "kind": KIND,
                "csceval": __version__,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "engine": engine,
                "database_file": SQLITE_FILE if engine == "sqlite" else POSTGRES_FILE,
                "runs_folder": str(runs),
                "audit_head": str(head),
            }
            files = hashes(staging)
            details["signature"] = signature(details, files)
            (staging / DETAILS).write_text(json.dumps(details, indent=1) + "\n", encoding="utf-8")
            _tighten(staging)
    except OSError as exc:
        raise InputError(
            [
                Problem(
                    "CSC-E6065",
                    f"cannot write the backup ({exc.strerror or exc})",
                    file=str(exc.filename or out),
                )
            ]
        ) from exc
    (out / MANIFEST).chmod(0o600)
    written = write_anchor(head, "backup") if anchor else None
    return BackupSummary(out, engine, head, len(files), written)


def rotate(parent: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` backups in ``parent`` (by their recorded time; only
    folders that are csceval backups are considered). Returns the folders removed."""
    found: list[tuple[str, Path]] = []
    for folder in parent.iterdir() if parent.is_dir() else []:
        details = folder / DETAILS
        if (
            folder.is_dir()
            and not folder.is_symlink()
            and is_earlier_output(folder)
            and (details.is_file())
        ):
            try:
                record = json.loads(details.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(record, dict) and record.get("kind") == KIND:
                found.append((f"{record.get('created_at', '')} {folder.name}", folder))
    found.sort(reverse=True)
    removed = [folder for _, folder in found[keep:]]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return removed
