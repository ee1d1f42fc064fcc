"""Finding and reading the child-level returns of a project: ``child_level/<la>/<year>/``.

Each LA-year folder holds the CIN census (``cin_census.xml``) and, optionally, the SSDA903
return (``ssda903/*.csv`` or ``ssda903.xml``). Files are checked for size before they are read
(:data:`MAX_RETURN_BYTES`), read by csceval's streaming readers (:mod:`csceval.data`) one LA
at a time, so memory holds one LA's returns, not the country's. A reader's problems come back
behind a CSC-E3806 problem naming the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from csceval.data.cin_census import read_cin_census
from csceval.data.ssda903 import read_903_folder, read_903_xml
from csceval.errors import InputError, Problem
from csceval.strands.child_impact.cohorts import YearReturns

RETURNS_FOLDER = "child_level"
CIN_FILE = "cin_census.xml"
MAX_RETURN_BYTES = 2_000_000_000
"""A return file larger than this (2 GB) is refused before it is read (CSC-E3801)."""
_LA = re.compile(r"^[0-9]{3}$")
_YEAR = re.compile(r"^(20[0-9]{2})$")


def _problem(code: str, message: str, file: Path | str, fix: str = "") -> Problem:
    return Problem(code, message, file=str(file), fix=fix)


def find_returns(root: Path) -> dict[str, dict[int, Path]]:
    """LA code -> collection year -> folder, for every ``child_level/<la>/<year>/`` with a
    CIN census. Folders starting with ``_`` or ``.`` (the cohort store) are skipped."""
    base = Path(root) / RETURNS_FOLDER
    if not base.is_dir():
        raise InputError(
            [
                _problem(
                    "CSC-E3802",
                    "there is no child_level/ folder",
                    base,
                    "Put each LA's returns in child_level/<la_code>/<year>/.",
                )
            ]
        )
    found: dict[str, dict[int, Path]] = {}
    problems = []
    for la in sorted(p for p in base.iterdir() if p.is_dir() and p.name[:1] not in "_."):
        if not _LA.match(la.name):
            problems.append(
                _problem("CSC-E3802", f"folder {la.name!r} is not a 3-digit LA code", la)
            )
            continue
        for year in sorted(p for p in la.iterdir() if p.is_dir()):
            if not _YEAR.match(year.name):
                problems.append(
                    _problem(
                        "CSC-E3802",
                        f"folder {year.name!r} is not a collection year (e.g. 2019)",
                        year,
                    )
                )
            elif (year / CIN_FILE).is_file():
                found.setdefault(la.name, {})[int(year.name)] = year
    if problems:
        raise InputError(problems)
    if not found:
        raise InputError(
            [_problem("CSC-E3802", "no child_level/<la>/<year>/cin_census.xml was found", base)]
        )
    return found


def return_files(folder: Path) -> list[Path]:
    """The files of one LA-year folder that are read (for the store's fingerprint)."""
    files = [folder / CIN_FILE]
    if (folder / "ssda903.xml").is_file():
        files.append(folder / "ssda903.xml")
    files += sorted((folder / "ssda903").glob("*.csv"))
    return files


def _bounded(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError([_problem("CSC-E3801", f"cannot read the file ({exc})", path)]) from None
    if size > MAX_RETURN_BYTES:
        raise InputError(
            [
                _problem(
                    "CSC-E3801",
                    f"the file is {size:,} bytes, more than the {MAX_RETURN_BYTES:,} csceval reads",
                    path,
                )
            ]
        )


def _guarded(path: Path, read: Callable[[], YearReturns]) -> YearReturns:
    try:
        return read()
    except InputError as exc:
        head = _problem("CSC-E3806", "this return is invalid; the reader's problems follow", path)
        raise InputError([head, *exc.problems]) from None


def read_year(folder: Path) -> YearReturns:
    """One LA-year's returns (the CIN census, and the SSDA903 episodes when present)."""
    for path in return_files(folder):
        _bounded(path)

    def read() -> YearReturns:
        cin = read_cin_census(folder / CIN_FILE).tables
        episodes: pd.DataFrame | None = None
        if (folder / "ssda903.xml").is_file():
            episodes = read_903_xml(folder / "ssda903.xml")["episodes"]
        elif (folder / "ssda903").is_dir():
            episodes = read_903_folder(folder / "ssda903")["episodes"]
        return YearReturns(cin, episodes)

    return _guarded(folder, read)
