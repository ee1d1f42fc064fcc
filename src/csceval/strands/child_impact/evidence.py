"""What the child-level impact analysis found on each outcome, for the evidence map.

One finding per headline outcome (coarsened exact matching), on the key indicator the outcome
measures at child level (:data:`REFERENCES`): the section's own sentence and strength. Every
outcome is one the theory of change expects to fall (fewer re-referrals, plans and entries to
care), so a fall supports the box and a rise is against it; ``inconclusive`` when the 95%
interval includes zero.
"""

from __future__ import annotations

from csceval.disclosure import DisclosurePolicy
from csceval.indicators import Better
from csceval.report.model import Section
from csceval.strands.child_impact.result import ChildImpactResult
from csceval.strands.evidence_finding import EvidenceFinding, direction_of, section_finding

REFERENCES = {
    "rereferral_12m": "indicator:rereferral_within_12m_pct",
    "cpp_12m": "indicator:cpp_rate_per_10k",
    "repeat_cpp_12m": "indicator:repeat_cpp_pct",
    "cla_12m": "indicator:cla_starts_rate_per_10k",
}
"""Child-level outcome -> the key indicator it measures at child level."""


def child_impact_evidence(
    result: ChildImpactResult, section: Section, policy: DisclosurePolicy
) -> tuple[EvidenceFinding, ...]:
    """A finding per headline outcome estimate, in the section's own words."""
    out = []
    for e in result.headline:
        said = section_finding(section, f"{e.title}:")
        if said is None or e.outcome not in REFERENCES:
            continue
        out.append(
            EvidenceFinding(
                REFERENCES[e.outcome],
                "child-impact",
                direction_of(e.estimate, Better.LOWER, clear=e.low * e.high > 0),
                said.strength,
                said.text,
            )
        )
    return tuple(out)
