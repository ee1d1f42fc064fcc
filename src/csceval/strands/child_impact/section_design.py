"""The child-level section's words and their calibration: each outcome's strength of evidence,
the sentence saying what the words mean on this design, and the table of each word's rates.

With the design's draws in the result (:mod:`.design_verdicts`) a word needs both the CR2 test
and the project's own null worlds; without them (``--null-draws 0``, or a result written
before) the CR2 rule of :mod:`.verdicts` decides, with the simulator's rates and a sentence
that says they are not this project's.
"""

from __future__ import annotations

import pandas as pd

from csceval.disclosure import ColumnRole, DisclosurePolicy, PublishedColumn, TableSpec, protect
from csceval.report.model import Strength, TableBlock
from csceval.strands.child_impact.design_figures import DesignOperating
from csceval.strands.child_impact.design_verdicts import design_strength
from csceval.strands.child_impact.result import ChildImpactResult, OutcomeEstimate
from csceval.strands.child_impact.verdicts import (
    FAMILY_P,
    MODERATE_P,
    holm,
    operating,
    span_text,
    strength,
)

OPERATING_SOURCE = (
    "Worlds with no effect, and with each outcome's detectable effect, drawn on the matched "
    "sample of child_impact.json (csceval impact child-did --null-draws)"
)


def outcome_words(result: ChildImpactResult) -> list[tuple[OutcomeEstimate, Strength, str]]:
    """Each headline estimate, its word and the design p-value's text (empty without draws)."""
    head = result.headline
    op = result.operating
    out = []
    for e, p_holm in zip(head, holm([e.p_cr2 for e in head]), strict=True):
        fig = op.get(e.outcome) if op else None
        if fig is None:
            out.append((e, strength(e.p_cr2, p_holm, e.low, e.high), ""))
            continue
        word = design_strength(e.p_cr2, fig.p_design, p_holm, fig.p_family_design)
        out.append((e, word, f"; design p = {fig.p_design:.3f}"))
    return out


def meaning_sentence(result: ChildImpactResult) -> str:
    """What a word means here: the rule, and its rates on this design (or the fallback's)."""
    n = len(result.headline)
    rule = (
        'A word of evidence means what it means in the LA-level section: "moderate" needs p at '
        f"most {MODERATE_P:g} and at most {FAMILY_P:g} after adjustment over the {n} outcomes"
    )
    op = result.operating
    if op is None or not op.outcomes:
        return f"{rule} (Holm's). {operating().sentence()}"
    rates = {o.outcome: o for o in op.outcomes}

    def span(field: str) -> str:
        return span_text({k: getattr(v, field) for k, v in rates.items()})

    return (
        f"{rule}, on the CR2 test and on this project's own design alike: its p-values are "
        f"also ranked among {op.draws:,} worlds with no effect drawn on this matched sample "
        "(the same children, LAs, years and weights, with LA-by-year shocks estimated from "
        "its records; the table of operating characteristics below). In those worlds the CR2 "
        f'test rejected at 5% in {span("size_cr2")} per outcome; "low" or stronger occurred '
        f'in {span("null_low")} and "moderate" in {span("null_moderate")} per outcome, and '
        f'"moderate" for any outcome in {100 * op.moderate_any:.1f}%. With an effect of each '
        f'outcome\'s detectable size, "moderate" occurred in {span("mde_moderate")} and '
        f'"low" or stronger in {span("mde_low")}.'
    )


def _column(name: str, title: str, dp: int) -> PublishedColumn:
    return PublishedColumn(name, title, ColumnRole.VALUE, dp=dp)


def operating_table(
    result: ChildImpactResult, op: DesignOperating, policy: DisclosurePolicy
) -> TableBlock:
    """Each outcome's rates on the design's draws (per cent of worlds)."""
    titles = {e.outcome: e.title for e in result.headline}
    rows = [
        {
            "title": titles.get(o.outcome, o.outcome),
            "mde": o.mde,
            "size_cr2": 100 * o.size_cr2,
            "null_low": 100 * o.null_low,
            "null_moderate": 100 * o.null_moderate,
            "power_cr2": 100 * o.power_cr2,
            "mde_low": 100 * o.mde_low,
            "mde_moderate": 100 * o.mde_moderate,
            "p_design": o.p_design,
            "shock_sd": o.shock_sd,
        }
        for o in op.outcomes
    ]
    columns = (
        PublishedColumn("title", "Outcome", ColumnRole.LABEL),
        _column("mde", "Detectable effect (percentage points)", 1),
        _column("size_cr2", "No effect: CR2 test rejects (%)", 1),
        _column("null_low", 'No effect: "low" or stronger (%)', 1),
        _column("null_moderate", 'No effect: "moderate" (%)', 1),
        _column("power_cr2", "Detectable effect: CR2 test rejects (%)", 1),
        _column("mde_low", 'Detectable effect: "low" or stronger (%)', 1),
        _column("mde_moderate", 'Detectable effect: "moderate" (%)', 1),
        _column("p_design", "This estimate's design p", 3),
        _column("shock_sd", "LA-by-year shocks: SD (percentage points)", 2),
    )
    table = protect(pd.DataFrame(rows), TableSpec(columns=columns), policy)
    worst = max((o.null_moderate for o in op.outcomes), default=0.0)
    return TableBlock(
        "child-impact-operating",
        "What the words of evidence do on this design",
        table,
        caption=f"Shares of {op.draws:,} worlds drawn on this project's matched sample with no "
        "effect, and as many with each outcome's detectable effect added to pilot children "
        f"after adoption (seed {op.seed}); a rate near 2% is measured to about "
        f"{100 * op.mc_error(max(worst, 0.02)):.1f} points (Monte Carlo error)",
        source=OPERATING_SOURCE,
        notes=(
            "A detectable effect larger than the outcome can move (near or above 100 points, "
            "or beyond the children without the outcome) means the design cannot detect a "
            "change in it.",
            f'"Moderate" for any outcome with no effect: {100 * op.moderate_any:.1f}% of worlds.',
        ),
    )
