"""The cohort store: each LA's cohorts as Parquet, so a rerun does not parse the returns again.

Notes
-----
``child_level/_cohorts/<la>.parquet`` holds the LA's index referrals (pseudonymised: the key is
never stored, so the pseudonyms cannot be reversed) and ``<la>.json`` its fingerprint: the
cohort definition's version and, for every return file read, its path, size and modification
time. A rerun reads the Parquet file when the fingerprint still matches and re-reads the LA's
returns otherwise (a changed, added or removed return; a new definition). Pseudonyms are
consistent within an LA's file, which is all the analysis needs (children are never linked
across LAs). Both files are written aside and renamed into place
(:func:`csceval.atomic.write_file`), the Parquet first, so a fingerprint never describes a
half-written cohort file.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from csceval.atomic import write_file
from csceval.strands.child_impact.cohorts import la_cohorts
from csceval.strands.child_impact.pseudonym import Pseudonymiser
from csceval.strands.child_impact.returns import RETURNS_FOLDER, read_year, return_files

STORE_FOLDER = "_cohorts"
COHORT_VERSION = 2
"""Bump when the cohort definition changes, so stored cohorts are rebuilt."""


def _fingerprint(root: Path, folders: Mapping[int, Path]) -> dict[str, object]:
    files = {}
    for year in sorted(folders):
        for path in return_files(folders[year]):
            stat = path.stat()
            files[path.relative_to(root).as_posix()] = [stat.st_size, stat.st_mtime_ns]
    return {"version": COHORT_VERSION, "files": files}


def la_store(root: Path, la_code: str) -> tuple[Path, Path]:
    base = Path(root) / RETURNS_FOLDER / STORE_FOLDER
    return base / f"{la_code}.parquet", base / f"{la_code}.json"


def stored_cohorts(
    root: Path, la_code: str, folders: Mapping[int, Path], pseudo: Pseudonymiser
) -> tuple[pd.DataFrame, dict[str, int], bool]:
    """The LA's cohorts, the counts dropped, and whether they came from the store."""
    cached = cached_cohorts(root, la_code, folders)
    if cached is not None:
        return cached[0], cached[1], True
    cohorts, dropped = build_cohorts(root, la_code, folders, pseudo)
    return cohorts, dropped, False


def cached_cohorts(
    root: Path, la_code: str, folders: Mapping[int, Path]
) -> tuple[pd.DataFrame, dict[str, int]] | None:
    """The LA's stored cohorts and counts dropped, or None when the store is missing or stale."""
    parquet, meta = la_store(root, la_code)
    if not (parquet.is_file() and meta.is_file()):
        return None
    try:
        saved = json.loads(meta.read_text(encoding="utf-8"))
        if saved.get("fingerprint") == _fingerprint(Path(root), folders):
            return _read_parquet(parquet), dict(saved["dropped"])
    except (OSError, ValueError, KeyError, TypeError):
        pass  # an unreadable store is rebuilt
    return None


def build_cohorts(
    root: Path, la_code: str, folders: Mapping[int, Path], pseudo: Pseudonymiser
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Read the LA's returns, build its cohorts and store them (Parquet, then fingerprint)."""
    parquet, meta = la_store(root, la_code)
    fingerprint = _fingerprint(Path(root), folders)
    returns = {year: read_year(folder) for year, folder in sorted(folders.items())}
    cohorts, dropped = la_cohorts(la_code, returns, pseudo)
    write_file(parquet, _parquet_bytes(cohorts))
    text = json.dumps({"fingerprint": fingerprint, "dropped": dropped}, indent=1)
    write_file(meta, text.encode("utf-8"))
    return cohorts, dropped


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as Parquet (pyarrow, imported when first needed: it is slow to import)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
    return buffer.getvalue()


def _read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    frame: pd.DataFrame = pq.read_table(path).to_pandas()
    return frame
