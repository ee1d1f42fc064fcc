"""What families' goal attainment shows, for the theory-of-change evidence map.

One finding per rater and time point (reference ``instrument:goal_attainment``): the section's
sentence on framework against contrast sites, with its strength. A higher goal attainment
T-score is better; the difference is clear when the site permutation p is below 0.05.
"""

from __future__ import annotations

from csceval.disclosure import DisclosurePolicy
from csceval.report.model import Section
from csceval.strands.evidence_finding import EvidenceFinding, contrast_finding
from csceval.strands.family_goals.analysis import GoalsResult
from csceval.strands.family_goals.section import describe


def goals_evidence(
    result: GoalsResult, section: Section, policy: DisclosurePolicy
) -> tuple[EvidenceFinding, ...]:
    """A finding per comparison of framework with contrast sites."""
    return tuple(
        contrast_finding(section, "instrument:goal_attainment", "family-goals", describe(c),
                         c.difference, c.verdict)
        for c in result.comparisons
    )  # fmt: skip
