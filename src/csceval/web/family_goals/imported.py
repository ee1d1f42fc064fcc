"""Family goals that came with an imported project (``data/family_goals.csv`` and
``data/goal_ratings.csv``), read for the pages: shown beside the platform's families, read-only.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from csceval.strands.family_goals.tables import FAMILY_GOALS, GOAL_RATINGS
from csceval.web.evaluation.models import ProjectFile


@dataclass
class ImportedFamily:
    """One imported family at one time point: its goals (weight by goal) and first entries."""

    la_code: str
    time_point: str
    family: str
    weights: dict[str, float] = field(default_factory=dict)
    ratings: dict[tuple[str, str], float | None] = field(default_factory=dict)
    """(rater role, goal) -> level of entry 1 (None: not rated)."""
    goals: dict[str, dict[str, str]] = field(default_factory=dict)
    """goal -> its row of data/family_goals.csv (for the read-only detail page)."""
    entries: dict[tuple[str, str, str], str] = field(default_factory=dict)
    """(goal, rater role, entry) -> the rating as written ('' when not rated)."""


def _rows(path: str) -> list[dict[str, str]]:
    stored = ProjectFile.objects.filter(path=path).first()
    if stored is None:
        return []
    text = bytes(stored.content).decode("utf-8-sig")
    return [
        {k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(io.StringIO(text))
    ]


def imported_families(la_code: str | None = None) -> dict[tuple[str, str, str], ImportedFamily]:
    """The imported families (of one LA, or all), by (LA code, time point, pseudonym)."""
    families: dict[tuple[str, str, str], ImportedFamily] = {}
    for row in _rows(FAMILY_GOALS.file):
        key = (row.get("la_code", ""), row.get("time_point", ""), row.get("family", ""))
        if la_code is not None and key[0] != la_code:
            continue
        found = families.setdefault(key, ImportedFamily(*key))
        found.goals[row.get("goal", "")] = row
        try:
            found.weights[row.get("goal", "")] = float(row.get("weight", ""))
        except ValueError:
            continue
    for row in _rows(GOAL_RATINGS.file):
        key = (row.get("la_code", ""), row.get("time_point", ""), row.get("family", ""))
        if key not in families:
            continue
        text = row.get("rating", "")
        entry = (row.get("goal", ""), row.get("rater_role", ""), row.get("entry", ""))
        families[key].entries[entry] = text
        if row.get("entry") != "1":
            continue
        try:
            level = float(text) if text else None
        except ValueError:
            continue
        families[key].ratings[(row.get("rater_role", ""), row.get("goal", ""))] = level
    return families
