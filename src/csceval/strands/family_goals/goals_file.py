"""Read a goals file for ``csceval goals score``: long layout, bounded, all-or-nothing.

One row per goal of a family: ``family``, ``goal``, ``weight`` (greater than 0) and ``rating``
(-2 ... 2, blank when the goal was not rated), and optionally ``site``. The file is refused
before it is read when larger than :data:`MAX_BYTES`; every problem is collected (up to
:data:`MAX_PROBLEMS`) and coded, and no frame is returned unless the whole file is valid.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pandas as pd

from csceval.errors import InputError, Problem

MAX_BYTES = 5_000_000
MAX_PROBLEMS = 200
REQUIRED = ("family", "goal", "weight", "rating")
RATINGS = {"-2": -2.0, "-1": -1.0, "0": 0.0, "1": 1.0, "2": 2.0, "+1": 1.0, "+2": 2.0}


def _text(path: Path) -> str:
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError([Problem("CSC-E3311", f"cannot open the file ({exc.strerror})",
                                  file=name)]) from exc  # fmt: skip
    if size > MAX_BYTES:
        raise InputError(
            [Problem("CSC-E3311", f"the file is {size:,} bytes, over the limit of "
                     f"{MAX_BYTES:,}", file=name, fix="split it by site")]
        )  # fmt: skip
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_BYTES + 1).decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            [Problem("CSC-E3311", f"cannot read the file as UTF-8 CSV ({exc})", file=name,
                     fix="save it as CSV UTF-8 from your spreadsheet program")]
        ) from exc  # fmt: skip


def read_goals_file(path: Path) -> pd.DataFrame:
    """The goals as a frame (``la_code``, ``family``, ``goal``, ``weight``, ``rating``)."""
    name = str(path)
    try:
        rows = list(csv.reader(io.StringIO(_text(path))))
    except csv.Error as exc:
        raise InputError([Problem("CSC-E3311", f"not a CSV file ({exc})", file=name)]) from exc
    if not rows or not any(c.strip() for c in rows[0]):
        raise InputError([Problem("CSC-E3311", "the file is empty", file=name)])
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(
            [Problem("CSC-E3312", "required column is missing", file=name, row=1, column=c,
                     fix=f"the columns are {', '.join(REQUIRED)} and optionally site")
             for c in missing]
        )  # fmt: skip
    at = {h: i for i, h in enumerate(header)}
    problems: list[Problem] = []
    records: list[dict[str, object]] = []
    seen: dict[tuple[str, str], int] = {}
    site_of: dict[str, str] = {}
    for line, raw in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in raw):
            continue
        cells = {h: raw[i].strip() if i < len(raw) else "" for h, i in at.items()}
        site = cells.get("site", "")
        family, goal = cells["family"], cells["goal"]

        def problem(
            code: str, message: str, column: str, fix: str = "", *, at: int = line,
            shown: dict[str, str] = cells,
        ) -> None:  # fmt: skip
            problems.append(Problem(code, message, file=name, row=at, column=column,
                                    value=shown.get(column, ""), fix=fix))  # fmt: skip

        if not family or not goal:
            problem("CSC-E3316", "a family and a goal id are required",
                    "family" if not family else "goal")  # fmt: skip
        elif site_of.setdefault(family, site) != site:
            problem("CSC-E3316", f"the family is already in site {site_of[family]!r}", "site")
        try:
            weight = float(cells["weight"])
        except ValueError:
            weight = math.nan
        if not (math.isfinite(weight) and weight > 0):
            problem("CSC-E3313", "the weight must be a number greater than 0", "weight",
                    "give every goal a weight above 0 (1 for equal weights)")  # fmt: skip
        rating = math.nan if not cells["rating"] else RATINGS.get(cells["rating"])
        if rating is None:
            problem("CSC-E3314", "the rating is not on the scale", "rating",
                    "use -2, -1, 0, 1 or 2, or leave it blank when not rated")  # fmt: skip
        if (family, goal) in seen and family and goal:
            problem("CSC-E3315", f"the goal is already given in row {seen[(family, goal)]}",
                    "goal", "keep one row for each family and goal")  # fmt: skip
        seen.setdefault((family, goal), line)
        records.append({"la_code": site, "family": family, "goal": goal, "weight": weight,
                        "rating": rating})  # fmt: skip
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise InputError(problems)
    if not records:
        raise InputError([Problem("CSC-E3311", "the file has no goals", file=name)])
    return pd.DataFrame(records, columns=["la_code", "family", "goal", "weight", "rating"])
