"""Case samples and audits that came with an imported project, summarised for the index page.

The imported ``data/case_samples.csv`` and ``data/case_audits.csv`` are kept verbatim (they are
exported and analysed as they are); the pages show, per site and time point, how many cases
were sampled, how many reserves, and how many of the cases have audit answers. No pseudonym is
shown: the summary is for anyone who may see the LA's case-audit pages or draw its samples.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from csceval.strands.quality_of_recording.tables import CASE_AUDITS, CASE_SAMPLES
from csceval.web.evaluation.models import ProjectFile

IN_PLAY = frozenset({"sampled", "used"})


@dataclass
class ImportedSample:
    la_code: str
    time_point: str
    sampled: int = 0
    reserves: int = 0
    audited: set[str] = field(default_factory=set)
    """Pseudonyms with imported audit answers (counted, never shown)."""

    @property
    def cases_audited(self) -> int:
        return len(self.audited)


def _rows(path: str) -> Iterable[dict[str, str]]:
    stored = ProjectFile.objects.filter(path=path).first()
    if stored is None:
        return []
    return csv.DictReader(io.StringIO(bytes(stored.content).decode("utf-8-sig")))


def _key(row: dict[str, str]) -> tuple[str, str]:
    return (row.get("la_code") or "").strip(), (row.get("time_point") or "").strip()


def imported_samples(la_codes: Iterable[str]) -> list[ImportedSample]:
    """The imported samples of ``la_codes``, in LA code and time point order."""
    wanted = set(la_codes)
    samples: dict[tuple[str, str], ImportedSample] = {}
    for row in _rows(CASE_SAMPLES.file):
        key = _key(row)
        if key[0] not in wanted:
            continue
        sample = samples.setdefault(key, ImportedSample(*key))
        if (row.get("status") or "").strip() in IN_PLAY:
            sample.sampled += 1
        else:
            sample.reserves += 1
    for row in _rows(CASE_AUDITS.file):
        found = samples.get(_key(row))
        if found is not None:
            found.audited.add((row.get("pseudonym") or "").strip())
    return [samples[key] for key in sorted(samples)]
