"""The impact section's words for a change (direction, not a sign) and its summary answer.

Everything here reads the section's published tables, so the summary page repeats what the
section shows and never recomputes it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from csceval.indicators import Better
from csceval.report.model import Strength, TableBlock
from csceval.report.questions import IMPACT, Answer
from csceval.strands.impact.results import IndicatorImpact
from csceval.strands.impact.verdicts import STRENGTHS


@dataclass(frozen=True, slots=True)
class Headline:
    """One indicator's published headline estimate and its strength of evidence."""

    impact: IndicatorImpact
    estimate: float
    half_width: float
    strength: Strength
    mde: str = ""
    """The headline's minimum detectable effect as text (empty when not measured)."""


def change_words(impact: IndicatorImpact, estimate: float, dp: int = 1) -> str:
    """``referral rate rose by 17.7% (worse: lower is better)``: direction words, the number
    beside them, and whether the change is good or bad where the indicator says which is better.
    """
    ind = impact.indicator
    if estimate == 0:
        return f"{ind.title.lower()} did not change"
    verb = "rose" if estimate > 0 else "fell"
    unit = "%" if impact.scale == "log" else f" {_plain_unit(impact)}"
    words = f"{ind.title.lower()} {verb} by {abs(estimate):.{dp}f}{unit}"
    if ind.better is Better.NEITHER:
        return words
    better = (estimate < 0) == (ind.better is Better.LOWER)
    return f"{words} ({'better' if better else 'worse'}: {ind.better.value} is better)"


def _plain_unit(impact: IndicatorImpact) -> str:
    kind = impact.indicator.kind.value
    return "percentage points" if kind == "percent" else impact.indicator.unit_label


def headline(
    impact: IndicatorImpact, table: TableBlock, label: str, strength: Strength
) -> Headline | None:
    """The published headline row of ``table`` (method ``label``), if it has an estimate."""
    cells, values = table.table.cells, table.table.values
    rows = [i for i, m in enumerate(cells["method"]) if m == label]
    if not rows:
        return None
    estimate = float(values["estimate"].iloc[rows[0]])
    low, high = float(values["low"].iloc[rows[0]]), float(values["high"].iloc[rows[0]])
    if not math.isfinite(estimate):
        return None
    half = (high - low) / 2 if math.isfinite(low) and math.isfinite(high) else math.nan
    return Headline(impact, estimate, half, strength)


def impact_answer(heads: Sequence[Headline], primary: str | None = None) -> Answer | None:
    """One sentence: the primary outcome's change when one was stated, else the indicators with
    the strongest evidence of a change, in words; and what the design could detect."""
    if not heads:
        return None
    first = next((h for h in heads if h.impact.indicator.id == primary), None)
    if first is not None:
        text = (
            f"On the primary outcome, {change_words(first.impact, first.estimate)}: strength of "
            f"evidence {first.strength}."
        )
        detect = (
            f"This design detects a change of {first.mde} or more on it four times in five."
            if first.mde
            else ""
        )
        return Answer(IMPACT, text, first.strength, detect)
    best = min((STRENGTHS.index(h.strength) for h in heads), default=len(STRENGTHS) - 1)
    strength = STRENGTHS[best]
    widths = sorted(
        (h.half_width, "%" if h.impact.scale == "log" else f" {_plain_unit(h.impact)}")
        for h in heads
        if math.isfinite(h.half_width)
    )
    mdes = [f"{h.impact.indicator.title.lower()} {h.mde}" for h in heads if h.mde]
    detectable = (
        "This design detects, four times in five, changes of at least: " + "; ".join(mdes) + "."
        if mdes
        else "With these pilots a 95% interval typically runs {:.0f}{} either side of its "
        "estimate: a smaller effect cannot be told from none.".format(*widths[len(widths) // 2])
        if widths
        else ""
    )
    if strength in ("none", "low"):
        text = (
            f"No clear change on any of the {len(heads)} indicators analysed: the evidence of "
            f"an effect is {strength} at best."
        )
        return Answer(IMPACT, text, strength, detectable)
    strongest = [h for h in heads if h.strength == strength]
    changes = "; ".join(change_words(h.impact, h.estimate) for h in strongest)
    others = len(heads) - len(strongest)
    tail = f" Evidence on the other {others} indicators is weaker." if others else ""
    text = f"{changes[0].upper()}{changes[1:]}.{tail}"
    return Answer(IMPACT, text, strength, detectable)
