"""What the cost-benefit analysis found, for the theory-of-change evidence map.

One finding (reference ``instrument:costs``): the section's own answer to the cost-benefit
question (the net present value, or why the savings are unknown) with the grade it gives it.
A positive net present value supports the boxes the costs evidence, a negative one is against
them; ``inconclusive`` when the grade is none or there is no cost-benefit result.
"""

from __future__ import annotations

import math

from csceval.disclosure import DisclosurePolicy
from csceval.indicators import Better
from csceval.report.model import Section
from csceval.report.questions import COST_BENEFIT
from csceval.strands.costs.analysis import CostsResult
from csceval.strands.evidence_finding import EvidenceFinding, direction_of


def costs_evidence(
    result: CostsResult, section: Section, policy: DisclosurePolicy
) -> tuple[EvidenceFinding, ...]:
    """The cost-benefit answer of the section as one finding (none without one)."""
    answers = [a for a in section.answers if a.question == COST_BENEFIT]
    if not answers:
        return ()
    answer = answers[0]
    npv = result.cba.npv if result.cba is not None else math.nan
    clear = answer.strength not in (None, "none")
    return (
        EvidenceFinding(
            "instrument:costs",
            "costs",
            direction_of(npv, Better.HIGHER, clear=clear),
            answer.strength,
            answer.text,
        ),
    )
