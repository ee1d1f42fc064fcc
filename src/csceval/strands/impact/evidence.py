"""What the impact strand found on each indicator, for the theory-of-change evidence map.

One finding per analysed indicator (reference ``indicator:<id>``): the section's own headline
sentence (its headline method, :func:`~.verdicts.headline_of`), with the strength of evidence the
section states. Direction: the headline estimate's sign read against the indicator's desirable
direction (the catalogue's ``better``), ``inconclusive`` unless the section's verdict is moderate
or high (an interval that excludes zero with a low verdict is not a clear change once the
design's calibration and the other indicators are counted: the map never reads more into an
estimate than the impact section does).
"""

from __future__ import annotations

import math

from csceval.disclosure import DisclosurePolicy
from csceval.report.model import Section
from csceval.strands.evidence_finding import EvidenceFinding, direction_of, section_finding
from csceval.strands.impact.results import ImpactResult
from csceval.strands.impact.verdicts import headline_of


def impact_evidence(
    result: ImpactResult, section: Section, policy: DisclosurePolicy
) -> tuple[EvidenceFinding, ...]:
    """A finding per indicator with a headline estimate, in the section's own words."""
    out = []
    for impact in result.indicators:
        ind = impact.indicator
        head = headline_of(impact)
        said = section_finding(section, f"{ind.title}:")
        if head is None or said is None:
            continue
        estimate = head.estimate if head.estimable else math.nan
        clear = said.strength in ("moderate", "high")
        out.append(
            EvidenceFinding(
                f"indicator:{ind.id}",
                "impact",
                direction_of(estimate, ind.better, clear=clear),
                said.strength,
                said.text,
            )
        )
    return tuple(out)
