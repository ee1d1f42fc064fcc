"""Self-profiles that came with an imported project (``data/self_profiles.csv``), read for the
pages and for the export.

Methodological choices: an imported row with an empty status was entered by the evaluation team
and counts as reviewed (the strand's rule, ``ANALYSED_STATUSES``). A profile collected in the
platform replaces the imported profile of the same pilot and time point only once an evaluator
has reviewed it: a submitted (unreviewed) profile must not push a reviewed imported one out of
the next analysis run.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from csceval.strands.implementation.elements import ANALYSED_STATUSES
from csceval.strands.implementation.tables import SELF_PROFILES
from csceval.web.evaluation.models import ProjectFile


@dataclass
class ImportedProfile:
    """One pilot's imported profile at one time point."""

    la_code: str
    time_point: str
    statuses: set[str] = field(default_factory=set)
    ratings: dict[str, tuple[str, str]] = field(default_factory=dict)
    """(rating, evidence) by element id."""

    @property
    def analysed(self) -> bool:
        """Whether the analysis uses it (every row reviewed, or imported without a status)."""
        return bool(self.statuses) and self.statuses <= ANALYSED_STATUSES

    @property
    def label(self) -> str:
        return "Imported (reviewed)" if self.analysed else "Imported (not reviewed)"


def parse_profiles(content: bytes | None) -> dict[tuple[str, str], ImportedProfile]:
    """The profiles in a ``data/self_profiles.csv``, by (LA code, time point)."""
    if not content:
        return {}
    profiles: dict[tuple[str, str], ImportedProfile] = {}
    for row in csv.DictReader(io.StringIO(content.decode("utf-8-sig"))):
        key = ((row.get("la_code") or "").strip(), (row.get("time_point") or "").strip())
        profile = profiles.setdefault(key, ImportedProfile(*key))
        profile.statuses.add((row.get("status") or "").strip())
        profile.ratings[(row.get("element") or "").strip()] = (
            (row.get("rating") or "").strip(),
            (row.get("evidence") or "").strip(),
        )
    return profiles


def imported_profiles() -> dict[tuple[str, str], ImportedProfile]:
    """The imported project's self-profiles (none if the project had none)."""
    stored = ProjectFile.objects.filter(path=SELF_PROFILES.file).first()
    return parse_profiles(bytes(stored.content) if stored is not None else None)
