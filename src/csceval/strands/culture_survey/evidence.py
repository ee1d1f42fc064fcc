"""What the practitioner survey found, for the theory-of-change evidence map.

One finding per subscale at the latest time point (reference ``instrument:staff_survey``; the
map also joins it to boxes citing the culture measure ``instrument:osc``, which this strand
collects): the section's sentence on framework against contrast sites, with its strength. The
instrument's subscales are keyed so that higher is better (reverse-keyed items are scored);
the difference is clear when the site permutation p is below 0.05.
"""

from __future__ import annotations

from csceval.disclosure import DisclosurePolicy
from csceval.report.model import Section
from csceval.strands.culture_survey.analysis import SurveyResult
from csceval.strands.culture_survey.section import describe
from csceval.strands.evidence_finding import EvidenceFinding, contrast_finding


def survey_evidence(
    result: SurveyResult, section: Section, policy: DisclosurePolicy
) -> tuple[EvidenceFinding, ...]:
    """A finding per subscale comparison at the latest time point."""
    latest = result.time_points[-1] if result.time_points else ""
    title = result.instrument.title_of
    return tuple(
        contrast_finding(section, "instrument:staff_survey", "culture-survey",
                         describe(c, title(c.subscale)), c.difference, c.verdict)
        for c in result.comparisons
        if c.time_point == latest
    )  # fmt: skip
