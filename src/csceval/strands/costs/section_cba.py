"""The cost-benefit part of the costs section: present values, uncertainty and sensitivity.

The tables give the central CBA beside the mean and 95% interval of the Monte Carlo simulations,
the valued changes in activity, switching values, one-way sensitivity (with its tornado chart)
and the discounted years; the reading says in words how likely the framework is to repay its
cost, and what the intervals leave out.
"""

from __future__ import annotations

import re

import pandas as pd

from csceval.disclosure import DisclosurePolicy
from csceval.report.model import BarChart, Block, Prose, Series, TableBlock
from csceval.strands.costs.analysis import CostsResult
from csceval.strands.costs.cba import CBAResult
from csceval.strands.costs.psa import PSAResult
from csceval.strands.costs.psa_operating import LIKELY, VERY_LIKELY, PhraseRates
from csceval.strands.costs.section_blocks import M, _block, _label, _value
from csceval.strands.costs.section_changes import changes_prose, direction_sentence, origin

CBA_SOURCE = (
    "data/cost_ledger.csv, the impact section's headline estimates or the child-level impact "
    "section's, as [costs] activity_source chooses (or data/activity_changes.csv where entered) "
    "and unit costs (docs/methods.md); csceval cost-benefit analysis"
)


_SNAKE_ID = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")


def readable(text: str) -> str:
    """An activity id in a label read as words (``looked_after_child_year`` -> ``looked after
    child year``), so tables and charts show no raw ids."""
    return _SNAKE_ID.sub(lambda m: m.group(0).replace("_", " "), text)


def _verdict(p: float) -> str:
    if p >= VERY_LIKELY:
        return "very likely"
    if p >= LIKELY:
        return "likely"
    if p >= 0.5:
        return "more likely than not, though far from certain,"
    if p >= 0.2:
        return "unlikely"
    return "very unlikely"


def phrase_sentence(phrases: PhraseRates | None) -> str:
    """How often the reading's words occur on this design (or that it was not measured)."""
    if phrases is None:
        return (
            'How often this reading would say "likely" with no effect was not measured: the '
            "estimates behind the savings carry no design calibration."
        )

    def pct(rate: float) -> str:
        return f"{100 * rate:.1f}%"

    return (
        f"How often this reading says so on this design ({phrases.worlds:,} worlds, each "
        "estimate behind the savings redrawn from its own spread with no effect, costs as "
        f'entered): with no effect, "likely" or "very likely" in {pct(phrases.null_likely)} '
        f'of worlds ("very likely" in {pct(phrases.null_very_likely)}); with each estimate '
        f"reduced by its detectable effect, in {pct(phrases.mde_likely)} "
        f"({pct(phrases.mde_very_likely)})."
    )


def uncertainty_reading(
    cba: CBAResult, psa: PSAResult, horizon: int, phrases: PhraseRates | None = None
) -> str:
    """A plain-English reading of the Monte Carlo results and how often its words occur."""
    p = psa.prob_benefits_exceed_costs
    lo, hi = psa.npv_interval()
    blo, bhi = psa.bcr_interval()
    return (
        f"Taking the uncertainty in the impact estimates, the unit costs and the recorded costs "
        f"together ({psa.draws:,} simulations), the savings exceeded the costs in "
        f"{100 * p:.0f}% of simulations: on this evidence the framework is {_verdict(p)} to "
        f"repay its cost over {horizon} years. The net present value was "
        f"GBP {psa.mean_npv / M:,.1f} million on average, and 95% of simulations lay between "
        f"GBP {lo / M:,.1f} million and GBP {hi / M:,.1f} million (benefit-cost ratio "
        f"{blo:.2f} to {bhi:.2f}). {phrase_sentence(phrases)}\n\n"
        "These intervals cover only the uncertainty the model was given. They do not cover "
        "bias in the impact estimates, how long the effects last, or the horizon chosen; the "
        "switching values and the one-way sensitivity chart below show how far those would have "
        "to move to change the conclusion."
    )


def cba_blocks(result: CostsResult, policy: DisclosurePolicy) -> tuple[list[Block], list[str]]:
    """The CBA tables, the tornado chart and the sentences for the findings."""
    cba, psa, model = result.cba, result.psa, result.model
    if cba is None or psa is None or model is None:
        return [], []
    base = result.base_year
    s = result.settings
    npv_lo, npv_hi = psa.npv_interval()
    bcr_lo, bcr_hi = psa.bcr_interval()
    rows = [
        (
            "Present value of savings",
            cba.pv_benefits / M,
            float(psa.pv_benefits.mean()) / M,
            *(x / M for x in _pct(psa.pv_benefits)),
            "GBP million",
        ),
        (
            "Present value of costs before optimism bias",
            cba.pv_costs_before_ob / M,
            float("nan"),
            float("nan"),
            float("nan"),
            "GBP million",
        ),
        (
            f"Present value of costs with optimism bias ({100 * s.optimism_bias:g}%)",
            cba.pv_costs / M,
            float(psa.pv_costs.mean()) / M,
            *(x / M for x in _pct(psa.pv_costs)),
            "GBP million",
        ),
        ("Net present value", cba.npv / M, psa.mean_npv / M, npv_lo / M, npv_hi / M, "GBP million"),
        (
            "Benefit-cost ratio",
            cba.bcr if cba.bcr is not None else float("nan"),
            float(psa.bcr.mean()),
            bcr_lo,
            bcr_hi,
            "ratio",
        ),
        (
            "Probability that savings exceed costs",
            float("nan"),
            psa.prob_benefits_exceed_costs,
            float("nan"),
            float("nan"),
            "share of simulations",
        ),
    ]
    frame = pd.DataFrame(rows, columns=["measure", "central", "mean", "low", "high", "unit"])
    results = _block(
        frame,
        [
            _label("measure", "Measure"),
            _value("central", "Central estimate", dp=2),
            _value("mean", "Mean of simulations", dp=2),
            _value("low", "95% interval: low", dp=2),
            _value("high", "95% interval: high", dp=2),
            _label("unit", "Unit"),
        ],
        policy,
        id="cba-results",
        title="Cost-benefit analysis: present values, net present value and benefit-cost ratio",
        caption=f"{base} prices, discounted to year 0 ({result.financial_years[0]}) with the "
        f"Green Book {s.discount_schedule} schedule over {model.horizon} years",
        source=CBA_SOURCE,
        note=f"Break-even year: {_break_even(cba, result)}. Intervals are the 2.5th and "
        f"97.5th percentiles of {psa.draws:,} Monte Carlo simulations (seed {psa.seed}).",
    )
    lines = pd.DataFrame(
        [
            {
                "activity": readable(line.label),
                "unit": line.unit,
                "change": line.change.change,
                "low": line.change.interval()[0],
                "high": line.change.interval()[1],
                "origin": origin(line, result),
                "unit_cost": line.unit_cost,
                "saving": line.annual_saving / M,
                "source": f"{line.change.source}; unit cost: {line.unit_cost_source}",
            }
            for line in model.lines
        ]
    )
    lines_block = _block(
        lines,
        [
            _label("activity", "Activity"),
            _label("unit", "Unit"),
            _value("change", "Change a year", dp=1),
            _value("low", "95% interval: low", dp=1),
            _value("high", "95% interval: high", dp=1),
            _label("origin", "Origin"),
            _value("unit_cost", "Unit cost", f"GBP, {base} prices", dp=0),
            _value("saving", "Saving a year", "GBP million", dp=2),
            _label("source", "Sources"),
        ],
        policy,
        id="cba-lines",
        title="Savings: changes in activity attributable to the framework, valued",
        caption="A negative change is less activity; the saving is minus the change times the "
        "unit cost (a negative saving is an extra cost)",
        source=CBA_SOURCE,
    )
    switching = pd.DataFrame(
        [
            {
                "input": readable(sv.input),
                "base": sv.base,
                "switching": float("nan") if sv.switching is None else sv.switching,
                "percent": float("nan") if sv.percent_change is None else sv.percent_change,
            }
            for sv in cba.switching
        ]
    )
    switching_block = _block(
        switching,
        [
            _label("input", "Input"),
            _value("base", "Value used", dp=2),
            _value("switching", "Switching value (NPV = 0)", dp=2),
            _value("percent", "Change needed", "%", dp=1),
        ],
        policy,
        id="cba-switching",
        title="Switching values: how far each input would have to move for the net present "
        "value to be zero",
        caption="Each input moved alone, all others held at their central values",
        source=CBA_SOURCE,
        note="x: no admissible value of this input alone makes the NPV zero.",
    )
    bars = list(cba.tornado[:10])
    tornado = pd.DataFrame(
        [
            {
                "input": readable(b.input),
                "low_value": b.low_value,
                "high_value": b.high_value,
                "npv_low": b.npv_low / M,
                "npv_high": b.npv_high / M,
            }
            for b in bars
        ]
    )
    tornado_block = _block(
        tornado,
        [
            _label("input", "Input"),
            _value("low_value", "Low value", dp=2),
            _value("high_value", "High value", dp=2),
            _value("npv_low", "NPV at low value", "GBP million", dp=2),
            _value("npv_high", "NPV at high value", "GBP million", dp=2),
        ],
        policy,
        id="cba-tornado",
        title="One-way sensitivity of the net present value",
        caption="Each input over its 95% interval, the others at their central values",
        source=CBA_SOURCE,
    )
    widest = readable(bars[0].input if bars else "")
    chart = BarChart(
        id="chart-cba-tornado",
        title="Tornado chart: net present value as each input moves over its 95% interval",
        table_id=tornado_block.id,
        label="input",
        series=(
            Series("npv_low", "Input at its low value"),
            Series("npv_high", "Input at its high value"),
        ),
        x_label="Net present value (GBP million)",
        description=f"Tornado chart of the net present value (central GBP "
        f"{cba.npv / M:,.1f} million) when each of {len(bars)} inputs moves alone over its 95% "
        f"interval. The widest bar, and so the input that matters most, is: {widest}.",
        base=cba.npv / M,
        base_label=f"Central NPV {cba.npv / M:,.1f}",
    )
    years = _year_table(result, policy)
    blocks: list[Block] = [
        Prose(uncertainty_reading(cba, psa, model.horizon, result.phrases)),
        changes_prose(result),
        results,
        lines_block,
        chart,
        tornado_block,
        switching_block,
        years,
    ]
    benefit_sv = next(sv for sv in cba.switching if sv.input.startswith("Benefits"))
    direction = direction_sentence(result)
    sentences = [
        *([direction] if direction else []),
        (
            f"Over {model.horizon} years the savings have a present value of GBP "
            f"{cba.pv_benefits / M:,.1f} million against costs of GBP {cba.pv_costs / M:,.1f} "
            f"million: a net present value of GBP {cba.npv / M:,.1f} million"
            + (f" and a benefit-cost ratio of {cba.bcr:.2f}." if cba.bcr is not None else ".")
        )
        if cba.pv_benefits >= 0
        else (
            f"Over {model.horizon} years the extra activity costs GBP "
            f"{-cba.pv_benefits / M:,.1f} million in present value on top of implementation "
            f"costs of GBP {cba.pv_costs / M:,.1f} million: a net present value of GBP "
            f"{cba.npv / M:,.1f} million (no savings, so no meaningful benefit-cost ratio)."
        ),
        f"The savings exceeded the costs in {100 * psa.prob_benefits_exceed_costs:.0f}% of "
        f"{psa.draws:,} simulations (95% interval for the NPV: GBP {npv_lo / M:,.1f} million to "
        f"GBP {npv_hi / M:,.1f} million).",
    ]
    if cba.pv_benefits <= 0:
        sentences.append(
            "The framework would pay for itself only if it reduced activity enough to save GBP "
            f"{cba.pv_costs / M:,.1f} million in present value; the impact estimates do not show "
            "that."
        )
    elif benefit_sv.percent_change is not None:
        sentences.append(
            f"The savings would have to be {abs(benefit_sv.percent_change):.0f}% "
            f"{'lower' if benefit_sv.percent_change < 0 else 'higher'} for the framework "
            "only to break even."
        )
    return blocks, sentences


def _pct(draws: object) -> tuple[float, float]:
    import numpy as np

    lo, hi = np.percentile(np.asarray(draws, dtype=float), [2.5, 97.5])
    return float(lo), float(hi)


def _break_even(cba: CBAResult, result: CostsResult) -> str:
    year = cba.break_even_year
    if year is None:
        return "not reached within the horizon"
    return f"year {year} ({_fy_label(result, year)})"


def _fy_label(result: CostsResult, t: int) -> str:
    start = int(result.financial_years[0][:4]) + t
    return f"{start}-{(start + 1) % 100:02d}"


def _year_table(result: CostsResult, policy: DisclosurePolicy) -> TableBlock:
    cba = result.cba
    assert cba is not None
    frame = pd.DataFrame(
        {
            "year": [str(t) for t in range(len(cba.costs))],
            "financial_year": [_fy_label(result, t) for t in range(len(cba.costs))],
            "costs": cba.costs / M,
            "benefits": cba.benefits / M,
            "factor": cba.factors,
            "cumulative": cba.cumulative_net / M,
        }
    )
    return _block(
        frame,
        [
            _label("year", "Year"),
            _label("financial_year", "Financial year"),
            _value("costs", "Costs with optimism bias", "GBP million", dp=3),
            _value("benefits", "Savings", "GBP million", dp=3),
            _value("factor", "Discount factor", dp=4),
            _value("cumulative", "Cumulative discounted net benefit", "GBP million", dp=3),
        ],
        policy,
        id="cba-years",
        title="Costs and savings by year of the appraisal",
        caption=f"{result.base_year} prices; year 0 is not discounted",
        source=CBA_SOURCE,
    )
