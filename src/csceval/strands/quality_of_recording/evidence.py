"""What the case-file audit found, for the theory-of-change evidence map.

One finding per time point (reference ``instrument:case_file_audit``): the section's sentence
on overall recording quality in framework against contrast sites, with the section's strength.
Higher scores are better; the difference is clear when the site permutation p is below 0.05.
"""

from __future__ import annotations

from csceval.disclosure import DisclosurePolicy
from csceval.report.model import Section
from csceval.strands.evidence_finding import EvidenceFinding, contrast_finding
from csceval.strands.quality_of_recording.analysis import QualityResult
from csceval.strands.quality_of_recording.section import describe


def quality_evidence(
    result: QualityResult, section: Section, policy: DisclosurePolicy
) -> tuple[EvidenceFinding, ...]:
    """A finding per overall comparison of framework with contrast sites."""
    return tuple(
        contrast_finding(section, "instrument:case_file_audit", "quality-of-recording",
                         describe(c, "Overall quality"), c.difference, c.verdict)
        for c in result.comparisons
        if c.measure == "overall"
    )  # fmt: skip
