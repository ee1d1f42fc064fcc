"""Output folders that are complete or absent: write aside, then rename into place.

A command writes its folder into a hidden temporary sibling, adds ``manifest.json`` (every file
with its SHA-256) last, and only then renames it over the old folder. Ctrl-C, an error or a
killed process therefore leave the old complete folder (or nothing), never a half-written one,
and a rerun never keeps stale files from an earlier run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from csceval.errors import Problem

MANIFEST = "manifest.json"


def write_file(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a file beside it, renamed into place when complete,
    so a reader never sees half a file and an error or a kill leaves the old one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def is_earlier_output(folder: Path) -> bool:
    """A folder csceval wrote: it has a manifest, or (csceval before manifests) a report and its
    provenance."""
    if (folder / MANIFEST).is_file():
        return True
    return (folder / "provenance.json").is_file() and (folder / "report" / "index.html").is_file()


def output_problems(out: Path, source: Path | None = None) -> list[Problem]:
    """Why ``out`` cannot take a command's output folder ([] when it can), checked before work.

    ``out`` may be absent, an empty folder or an earlier output (it has a manifest); never a
    file, a folder of other things (it would be replaced), or ``source`` or a folder inside it.
    """
    out = Path(out)
    where = str(out)
    if source is not None:
        resolved, root = out.resolve(), Path(source).resolve()
        if resolved == root or root in resolved.parents:
            return [
                Problem(
                    "CSC-E5005",
                    "the output folder is the project folder or inside it",
                    file=where,
                    fix="write the output beside the project, e.g. --out output",
                )
            ]
    if out.exists() and not out.is_dir():
        return [Problem("CSC-E5002", "a file stands where the output folder should be", file=where)]
    if out.is_dir() and any(out.iterdir()) and not is_earlier_output(out):
        return [
            Problem(
                "CSC-E5004",
                "the folder exists and is not an earlier csceval output (it has no "
                f"{MANIFEST}); it would be replaced whole",
                file=where,
                fix="give a new or empty folder, or an earlier output folder",
            )
        ]
    return []


Describe = Callable[[str], Mapping[str, object]]
"""``relative path -> extra manifest fields`` for a file (e.g. its scope, see
:mod:`csceval.output_scopes`; the pipeline passes one)."""

_HASHED = ("bytes", "sha256")


def file_hashes(folder: Path, describe: Describe | None = None) -> dict[str, dict[str, object]]:
    """Every file under ``folder`` (but the manifest) with its size and SHA-256, sorted, and what
    ``describe`` adds for it."""
    files: dict[str, dict[str, object]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST):
        data = path.read_bytes()
        relative = path.relative_to(folder).as_posix()
        files[relative] = {
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            **(describe(relative) if describe is not None else {}),
        }
    return files


def check_manifest(folder: Path) -> list[str]:
    """What differs from the folder's manifest (missing, changed or extra files); [] if intact."""
    path = folder / MANIFEST
    if not path.is_file():
        return [f"{MANIFEST} is missing"]
    recorded = json.loads(path.read_text(encoding="utf-8")).get("files", {})
    actual = file_hashes(folder)
    wrong = [
        f"changed or missing: {n}"
        for n in recorded
        if {k: recorded[n].get(k) for k in _HASHED} != actual.get(n)
    ]
    return wrong + [f"not in the manifest: {n}" for n in actual if n not in recorded]


def read_manifest(folder: Path, limit: int = 16 * 1024 * 1024) -> dict[str, dict[str, object]]:
    """The files a complete output folder's manifest records ({} when there is no readable
    manifest, or it is larger than ``limit`` bytes)."""
    path = folder / MANIFEST
    try:
        if path.is_symlink() or path.stat().st_size > limit:
            return {}
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = record.get("files") if isinstance(record, dict) else None
    if not isinstance(files, dict):
        return {}
    return {str(k): v for k, v in files.items() if isinstance(v, dict)}


def _tidy(out: Path) -> None:
    """Remove what killed runs left beside ``out`` (their process no longer exists)."""
    for prefix in (f".{out.name}-partial-", f".{out.name}-old-"):
        for leftover in out.parent.glob(f"{prefix}*"):
            pid = leftover.name.removeprefix(prefix).split("-", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def staged_folder(out: Path, describe: Describe | None = None) -> Iterator[Path]:
    """A temporary sibling of ``out`` to write into; on success it replaces ``out``.

    The staging folder is made first (so an unwritable place fails at once, before any work),
    the manifest is written when the block ends without error (each file with its hash and what
    ``describe`` adds, e.g. its scope), then the old ``out`` (if any) is
    moved aside, the new one renamed into place and the old one removed. On any exception,
    KeyboardInterrupt included, the staging folder is removed and ``out`` is untouched.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    _tidy(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-partial-{os.getpid()}-", dir=out.parent))
    try:
        yield staging
        record = {"complete": True, "files": file_hashes(staging, describe)}
        (staging / MANIFEST).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-{os.getpid()}-", dir=out.parent))
            os.replace(out, old / out.name)
        os.replace(staging, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
