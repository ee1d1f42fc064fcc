"""The impact section's words for the calibration, the outcomes and each verdict's meaning.

Everything quoted here comes from the result's :attr:`~.results.ImpactResult.assessment`, which
``csceval impact calibrate-project`` prints too, so the report and the command agree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from csceval.impact.calibrate import LABELS
from csceval.impact.multiplicity import MIN_RANK_DRAWS
from csceval.strands.impact.design_stats import mde_text
from csceval.strands.impact.frames import effect_unit
from csceval.strands.impact.results import (
    ImpactResult,
    IndicatorImpact,
    calibrated_size,
    calibration_words,
    over_rejecting,
    size_mc_error,
)
from csceval.strands.impact.verdicts import STRENGTHS, headline_of

LABEL_MEANING = (
    'Verdicts: "moderate" or stronger needs a design-calibrated p-value of at most 2% and a '
    "family-wise p-value of at most 5% over the indicators, with the methods agreeing in sign "
    'and no pre-trend; "high" needs in addition another method whose interval excludes zero on '
    "the same side and whose real size is not beyond nominal by more than two Monte Carlo "
    '(MC) errors (an over-rejecting method never corroborates); "low" is some signal '
    '(p below 10% or another interval excluding zero); "none" the rest. So "moderate" or '
    "stronger occurs in at most 2% of null worlds per indicator and 5% over the set "
    "(docs/methods.md, Impact: verdicts)."
)


def size_text(calibration: dict[str, object], method: str, indicator: str) -> str:
    """``5.5% (MC error 1.6%)``, flagged `` (over-rejects)`` beyond two MC errors."""
    size = calibrated_size(calibration, method, indicator)
    if size is None:
        return "not measured"
    error = size_mc_error(calibration, method, indicator)
    text = f"{size:.1%}" + (f" (MC error {error:.1%})" if error is not None else "")
    return text + (" (over-rejects)" if over_rejecting(calibration, method, indicator) else "")


def mde_cell(result: ImpactResult, impact: IndicatorImpact, method: str) -> str:
    """The MDE of ``method`` on the indicator, as the estimates table shows it."""
    unit = effect_unit(impact.indicator, impact.scale)
    return mde_text(result.stats(impact.indicator.id, method), impact.scale, unit)


def calibration_prose(result: ImpactResult) -> str:
    """Where the sizes, MDEs and p-values come from, and what the verdicts mean."""
    a = result.assessment
    design = result.design
    source = str(result.calibration.get("source") or "the shipped real-panel figures")
    if design is None:
        drawn = (
            "The design was not calibrated in this run (no draws), so the verdicts use the "
            "headline's nominal p-value with Holm's adjustment and no MDE is stated."
        )
    else:
        drawn = (
            f"The tests were calibrated on this design: {design.draws} sets of pseudo-pilots "
            "drawn from the comparator pool with the pilots' adoption years and pre-periods, "
            f"every method run on each as here (cache key {design.key[:12]}: the same data and "
            "design give the same draws). Each real size is given with its MC error."
        )
        if design.draws < MIN_RANK_DRAWS:
            drawn += (
                f" With fewer than {MIN_RANK_DRAWS} draws a design p-value cannot reach 2%, "
                "so the verdicts use the nominal p-values with Holm's adjustment; set [impact] "
                "calibration_draws (default 200) for publication."
            )
    override = (
        f" The real sizes quoted are an explicit override: {source} (impact_calibration.json)."
        if result.calibration.get("source") and "calibrate-project" in source
        else ""
    )
    rate = (
        f' Measured on these draws, "moderate" or stronger occurred on some indicator in '
        f"{a.family_null_rate:.1%} of null draws (family-wise)."
        if math.isfinite(a.family_null_rate)
        else ""
    )
    return (
        f"{drawn}{override} {result.plan.describe()} P-values: {calibration_words(result)}."
        f"{rate} {LABEL_MEANING}"
    )


def _rates(rates: Mapping[str, float] | None) -> str:
    if not rates:
        return "not measured"
    return ", ".join(f"{s} {rates.get(s, 0.0):.1%}" for s in STRENGTHS)


def verdict_prose(result: ImpactResult, impact: IndicatorImpact) -> str:
    """The verdict, its p-values and its operating characteristics on this design."""
    a = result.assessment
    v = a.verdicts[impact.indicator.id]
    head = headline_of(impact)
    if head is None or not math.isfinite(v.p_value):
        return f"{impact.indicator.title}: strength of evidence {v.strength} ({v.reason})."
    kind = "design-calibrated" if a.mode == "design" else "nominal"
    shown = (
        "unadjusted: the primary outcome"
        if impact.indicator.id == result.plan.primary
        else f"adjusted within the family by {a.adjustment}: {v.p_adjusted:.3f}"
    )
    text = (
        f"{impact.indicator.title}: strength of evidence {v.strength} ({v.reason}). Headline "
        f"test ({LABELS.get(head.method, head.label)}): {kind} p = {v.p_value:.3f}, "
        f"family-wise p = {v.p_family:.3f} "
        f"({a.adjustment} over {len(result.indicators)} indicators); p-value {shown}."
    )
    if v.null_rates is not None:
        mde = mde_cell(result, impact, head.method)
        text += (
            f" On this design each label occurs, with no effect, in: {_rates(v.null_rates)} of "
            f"{a.draws} null draws; with an effect of the MDE ({mde}), in: {_rates(v.mde_rates)}."
        )
    return text
