"""Strength-of-evidence words for the child-level estimates, meaning what they mean elsewhere.

Notes
-----
**The test.** The p-value is the CR2 t-test's, on Bell-McCaffrey degrees of freedom (the same
test as the 95% interval, so "p < 0.05" and "the interval excludes zero" agree). The restricted
wild cluster bootstrap (Webb weights) is computed and shown beside it, but does not decide the
word: on the simulated null worlds of ``docs/methods.md`` ("Child-level impact: recovery") it
rejected more often than its nominal 5% on plans and time to permanence, where the CR2 test
held its size (:func:`operating`).

**The rule** is the LA-level impact strand's (:mod:`csceval.strands.impact.verdicts`) with the
child-level test in place of the design-calibrated one, so a word means the same in both
sections (thresholds and :func:`holm` from :mod:`csceval.impact.multiplicity`):

- **moderate**: ``p <= 0.02`` and Holm's adjusted p-value over the headline outcomes ``<= 0.05``
  (family-wise);
- **low**: ``p < 0.10`` or the 95% interval excludes zero, short of moderate;
- **none**: the rest, or no test (no child had the outcome).

There is no "high": one child-level method, nothing to corroborate it.

**On the project's own design** (the default): ``csceval impact child-did`` draws worlds with no
effect on the project's own matched sample, and a word then also needs the design's own
p-values (:mod:`.design_verdicts`); the report quotes each word's rates on those draws. This
module's rule, with the rates measured on the simulator's null worlds (:func:`operating`,
written by ``benchmarks/child_impact_operating.py`` from
``benchmarks/child_impact_null_cache.py``'s rows: a design of 10 pilot and 10 comparator LAs,
five cohorts, not the project's), is the fallback for a result written with ``--null-draws 0``
(or before the draws existed), and the report says so.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from csceval.impact.multiplicity import FAMILY_P, LOW_P, MODERATE_P, holm
from csceval.report.model import Strength

__all__ = [
    "FAMILY_P", "LOW_P", "MODERATE_P", "Operating", "holm", "is_moderate", "operating",
    "span_text", "strength",
]  # fmt: skip


def is_moderate(p: float, p_family: float) -> bool:
    """The rule's "moderate": ``p`` at most MODERATE_P and, after Holm, at most FAMILY_P (the
    interval plays no part, so the operating study needs only the two p-values)."""
    return math.isfinite(p) and p <= MODERATE_P and p_family <= FAMILY_P


def strength(p: float, p_family: float, low: float, high: float) -> Strength:
    """The word for one estimate (see the module notes)."""
    if not math.isfinite(p):
        return "none"
    if is_moderate(p, p_family):
        return "moderate"
    if p < LOW_P or low * high > 0:
        return "low"
    return "none"


def span_text(values: Mapping[str, float]) -> str:
    """The range of shares as per cent, ``4.0-6.5%`` (one value: ``5.0%``)."""
    lo, hi = min(values.values()), max(values.values())
    return f"{100 * lo:.1f}%" if lo == hi else f"{100 * lo:.1f}-{100 * hi:.1f}%"


@dataclass(frozen=True)
class Operating:
    """What the rule did on simulated null worlds (no effect anywhere)."""

    worlds: dict[str, int]
    """Null worlds per outcome."""
    size_cr2: dict[str, float]
    """Share of null worlds whose CR2 test rejected at 5%, per outcome."""
    size_wild: dict[str, float]
    """The same for the restricted wild cluster bootstrap (Webb weights)."""
    moderate: dict[str, float]
    """Share of null worlds rated "moderate", per outcome."""
    moderate_any: float
    """Share of null worlds in which any of the family's outcomes was rated "moderate"."""
    family: tuple[str, ...]
    """The outcomes tested together in each of those worlds."""
    source: str
    """How the figures were made (command, worlds, date)."""
    design: str
    """The simulated worlds' design in words (pilots, comparators, cohorts)."""

    def sentence(self) -> str:
        """The operating characteristics in one sentence for the report."""
        n = min(self.worlds.values())
        return (
            f"On {n:,} or more simulated worlds with no effect (a design of {self.design}, not "
            f"this project's), the CR2 test rejected at 5% in "
            f"{span_text(self.size_cr2)} of worlds per outcome and the wild bootstrap in "
            f'{span_text(self.size_wild)}; "moderate" occurred in '
            f"{span_text(self.moderate)} per outcome and in "
            f"{100 * self.moderate_any:.1f}% of worlds for any outcome."
        )


@cache
def operating() -> Operating:
    """The measured operating characteristics (``operating.json`` beside this module)."""
    text = resources.files(__package__).joinpath("operating.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return Operating(
        worlds={str(k): int(v) for k, v in data["worlds"].items()},
        size_cr2={str(k): float(v) for k, v in data["size_cr2"].items()},
        size_wild={str(k): float(v) for k, v in data["size_wild"].items()},
        moderate={str(k): float(v) for k, v in data["moderate"].items()},
        moderate_any=float(data["moderate_any"]),
        family=tuple(str(o) for o in data["family"]),
        source=str(data["source"]),
        design=str(data["design"]),
    )
