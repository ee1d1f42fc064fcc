"""Where each change in activity of the cost-benefit analysis comes from, in words.

An impact-derived change names the indicator, the method and its estimate; a row of
``data/activity_changes.csv`` is named as the evaluator's assumption ("entered by the evaluator,
not estimated"). The sentences keep the costs section in step with the impact section: when
the estimates are increases, the changes are costs, and the findings say so.
"""

from __future__ import annotations

from csceval.report.model import Prose
from csceval.strands.costs.analysis import CostsResult
from csceval.strands.costs.cba import BenefitLine

ASSUMPTION = "entered by the evaluator, not estimated (data/activity_changes.csv)"


SOURCES = {
    "la-level": "the impact section's LA-level estimates (strand impact)",
    "child-level": "the child-level matched difference-in-differences (strand child-impact)",
}
"""``[costs] activity_source`` in words."""


def origin(line: BenefitLine, result: CostsResult) -> str:
    """``impact estimate`` or the override's wording."""
    if line.change.activity in result.overridden and line.change.baseline is None:
        return f"Assumption: {ASSUMPTION}"
    if result.activity_source == "child-level":
        return "Child-level impact estimate"
    return "Impact estimate" if line.change.baseline is not None else "Given"


def _line_text(line: BenefitLine, result: CostsResult) -> str:
    low, high = line.change.interval()
    change = line.change.change
    direction = "less activity" if change < 0 else "more activity"
    head = (
        f"{line.label}: a change of {change:+,.1f} a year in units of {line.unit} ({direction}; "
        f"95% interval {low:+,.1f} to {high:+,.1f}), "
    )
    if origin(line, result).startswith("Assumption"):
        return head + f"an assumption {ASSUMPTION}; source given: {line.change.source}."
    return head + f"from the {line.change.source}."


def changes_prose(result: CostsResult) -> Prose:
    """A paragraph naming the source of every change valued, and the estimates left out."""
    model = result.model
    lines = model.lines if model is not None else ()
    source = SOURCES.get(result.activity_source, result.activity_source)
    parts = [
        f"Where the changes in activity come from: {source}, as [costs] activity_source = "
        f'"{result.activity_source}" in evaluation.toml chooses (one source only, so no change '
        "is counted twice)."
    ]
    parts += [_line_text(line, result) for line in lines]
    parts += list(result.change_notes)
    if result.overridden:
        parts.append(
            f"The change in {', '.join(result.overridden)} replaces the impact estimate: it is "
            f"{ASSUMPTION}, and the conclusion rests on it."
        )
    return Prose("\n\n".join(parts))


def direction_sentence(result: CostsResult) -> str | None:
    """A finding when the valued changes are increases in activity (costs, not savings)."""
    model, cba = result.model, result.cba
    if model is None or cba is None:
        return None
    more = [line.unit for line in model.lines if line.change.change > 0]
    if not more:
        return None
    return (
        f"The estimated changes are increases in activity ({'; '.join(more)}): valued at unit "
        "costs they "
        "add to the framework's cost rather than save money"
        + (", so the analysis shows costs, not savings." if cba.pv_benefits < 0 else ".")
    )
