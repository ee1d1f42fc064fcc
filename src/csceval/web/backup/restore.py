"""``csceval restore BACKUP``: check everything first, then replace the database and run files.

Before anything is replaced: the folder must be a csceval backup (CSC-E6060), every file must
match ``manifest.json`` (CSC-E6061), ``backup.json``'s keyed signature must match the files
(CSC-E6062: changed, or made with another key), the backup's engine must be the configured one
(CSC-E6063), and the audit chain inside the snapshot must verify with this platform's key and
end at the head the backup recorded (CSC-E6064). A SQLite snapshot is checked in a private
copy; a PostgreSQL dump is loaded into a scratch database beside the live one (the database
user needs CREATEDB) and checked there. Every problem is reported, and nothing is replaced.

Then the database is replaced (SQLite: the online backup API writes the snapshot into the
live file under its lock; PostgreSQL: ``pg_restore --clean`` in one transaction), the runs
folder is swapped for the backup's, runs are pointed at this machine's runs folder, the restore
is audited, and the restored head is anchored (so ``audit verify`` checks against it).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

from csceval.atomic import MANIFEST, check_manifest
from csceval.errors import InputError, Problem
from csceval.web.audit_trail.anchors import Anchor, write_anchor
from csceval.web.audit_trail.services import ChainHead, audit_record, chain_head, verify_chain
from csceval.web.backup.create import DETAILS, KIND, RUNS, hashes, signature
from csceval.web.backup.databases import (
    copy_sqlite,
    database_alias,
    engine_of,
    pg_restore,
    scratch_postgres_database,
    write_sqlite_into,
)
from csceval.web.evaluation.runs import runs_folder

SAME_KEY = (
    "restore with the CSCEVAL_AUDIT_KEY (or CSCEVAL_SECRET_KEY) of the platform that made the "
    "backup, or use an earlier backup"
)


@dataclass(frozen=True)
class RestoreSummary:
    engine: str
    head: ChainHead
    run_files: int
    anchor: Anchor | None

    def lines(self) -> list[str]:
        lines = [
            f"Restored the {self.engine} database (audit chain verified up to {self.head}) and "
            f"{self.run_files} run files."
        ]
        if self.anchor is not None:
            lines.append(f"Anchored: {self.anchor}")
        return lines


def _details(folder: Path) -> dict[str, Any]:
    problem = Problem(
        "CSC-E6060",
        f"not a csceval backup (no readable {MANIFEST} and {DETAILS})",
        file=str(folder),
        fix="give a folder written by `csceval backup`",
    )
    path = folder / DETAILS
    try:
        if not (folder / MANIFEST).is_file() or path.stat().st_size > 1_000_000:
            raise InputError([problem])
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError([problem]) from exc
    if not isinstance(record, dict) or record.get("kind") != KIND:
        raise InputError([problem])
    if record.get("database_file") not in {"database.sqlite3", "database.pgdump"}:
        raise InputError([problem])
    return record


def check_files(folder: Path, engine: str) -> tuple[dict[str, Any], list[Problem]]:
    """The backup's details and what is wrong with its files ([]: intact and signed)."""
    folder = Path(folder)
    details = _details(folder)
    problems = [
        Problem(
            "CSC-E6061",
            f"the backup's files differ from its manifest: {what}",
            file=str(folder),
            fix="use another copy of the backup",
        )
        for what in check_manifest(folder)
    ]
    if signature(details, hashes(folder)) != details.get("signature"):
        problems.append(
            Problem(
                "CSC-E6062",
                "backup.json's keyed signature does not match the files (they "
                "were changed, or the backup was made with another key)",
                file=str(folder),
                fix=SAME_KEY,
            )
        )
    if details.get("engine") != engine:
        problems.append(
            Problem(
                "CSC-E6063",
                f"the backup holds a {details.get('engine')} database and this "
                f"platform uses {engine}",
                file=str(folder),
                fix="set DATABASE_URL to a database of the backup's engine",
            )
        )
    return details, problems


def _chain_problems(alias: str, recorded: str, folder: Path) -> list[Problem]:
    """Problems with the snapshot's chain: it must verify and end at the recorded head."""
    try:
        found = verify_chain(using=alias)
        head = chain_head(using=alias)
    except DatabaseError as exc:
        return [
            Problem(
                "CSC-E6064", f"the snapshot's audit trail cannot be read ({exc})", file=str(folder)
            )
        ]
    problems = [
        Problem(
            "CSC-E6064",
            f"the audit chain in the backup does not verify: {p}",
            file=str(folder),
            fix=SAME_KEY,
        )
        for p in found
    ]
    if str(head) != recorded:
        problems.append(
            Problem(
                "CSC-E6064",
                f"the snapshot's audit head {head} is not the head the backup "
                f"recorded ({recorded})",
                file=str(folder),
            )
        )
    return problems


def _swap_runs(source: Path) -> int:
    """Replace the runs folder with ``source`` (copied aside first, then renamed into place)."""
    target = runs_folder()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".runs-restore-", dir=target.parent))
    try:
        if source.is_dir():
            shutil.copytree(source, staging / "runs", symlinks=False)
        else:
            (staging / "runs").mkdir()
        count = sum(1 for p in (staging / "runs").rglob("*") if p.is_file())
        aside = staging / "old"
        if target.exists():
            os.replace(target, aside)
        os.replace(staging / "runs", target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return count


def _point_runs_here(old: str) -> None:
    """Runs record their folder's absolute path: move those under the backup's runs folder to
    this machine's."""
    from csceval.web.evaluation.models import AnalysisRun

    here = runs_folder()
    if not old or old == str(here):
        return
    for run in AnalysisRun.objects.filter(folder__startswith=old + os.sep):
        AnalysisRun.objects.filter(pk=run.pk).update(
            folder=str(here / Path(run.folder).relative_to(old))
        )


def restore_backup(
    folder: Path, *, actor: str = "cli", using: str = DEFAULT_DB_ALIAS
) -> RestoreSummary:
    """Check the backup ``folder`` whole, then restore it over the database ``using`` and the
    runs folder. Raises :class:`InputError` (nothing replaced) when any check fails."""
    try:
        summary = _restore(Path(folder), actor, using)
    except OSError as exc:
        raise InputError(
            [
                Problem(
                    "CSC-E6065",
                    f"cannot restore ({exc.strerror or exc})",
                    file=str(exc.filename or folder),
                )
            ]
        ) from exc
    anchor = write_anchor(chain_head(using=using), "restore")  # OSError: the CLI says CSC-E6066
    return RestoreSummary(summary.engine, summary.head, summary.run_files, anchor)


def _restore(folder: Path, actor: str, using: str) -> RestoreSummary:
    connection = connections[using]
    settings_dict = dict(connection.settings_dict)
    engine = engine_of(settings_dict)
    details, problems = check_files(folder, engine)
    database = folder / str(details["database_file"])
    recorded = str(details.get("audit_head", ""))
    damaged = any(database.name in p.message for p in problems if p.code == "CSC-E6061")
    connections.close_all()
    if engine == "sqlite":
        target = Path(settings_dict["NAME"])
        target.parent.mkdir(parents=True, exist_ok=True)
        private = Path(tempfile.mkdtemp(prefix=f".{target.name}.restore-", dir=target.parent))
        try:
            copy = private / "snapshot.sqlite3"
            if not damaged and details.get("engine") == "sqlite":
                copy_sqlite(database, copy)
                with database_alias({"NAME": str(copy)}, using) as alias:
                    problems += _chain_problems(alias, recorded, folder)
            if problems:
                raise InputError(problems)
            write_sqlite_into(copy, target)
        finally:
            shutil.rmtree(private, ignore_errors=True)
    else:
        if problems:
            raise InputError(problems)
        with scratch_postgres_database(using) as scratch:
            pg_restore(settings_dict, database, scratch, clean=False)
            with database_alias({"NAME": scratch}, using) as alias:
                problems += _chain_problems(alias, recorded, folder)
            if problems:
                raise InputError(problems)
            connections.close_all()
            pg_restore(settings_dict, database, str(settings_dict["NAME"]), clean=True)
    connections.close_all()
    run_files = _swap_runs(folder / RUNS)
    with transaction.atomic(using=using):
        _point_runs_here(str(details.get("runs_folder", "")))
        audit_record(
            actor=actor,
            action="backup.restore",
            object_type="backup",
            object_id=folder.name[:64],
            new_values={
                "backup": str(folder.resolve()),
                "created_at": details.get("created_at"),
                "engine": engine,
                "restored_head": recorded,
                "run_files": run_files,
            },
        )
    return RestoreSummary(engine, ChainHead.parse(recorded), run_files, None)
