"""The per-pilot part of the key-indicators section: pre-adoption levels against comparators,
the baseline/follow-up comparison, which analyses each pilot entered, and the sensitivity of
all of it to the adoption years."""

from __future__ import annotations

import math

import pandas as pd

from csceval.disclosure import ColumnRole, DisclosurePolicy, PublishedColumn, TableSpec, protect
from csceval.indicators.catalogue import BY_ID, Kind
from csceval.report.model import Block, Finding, Prose, TableBlock
from csceval.strands.key_indicators.pilots import PilotAnalysis

SOURCE = "Project data table data/indicators.csv; comparisons computed by csceval."


HEADLINE_RERUN = {
    "random_trend": "random-trend model and its normal p-value, rerun with every pilot's "
    "adoption moved (the model refitted on the same comparators)",
    "synth_pooled": "pooled synthetic control and randomization test, rerun with every pilot's "
    "adoption moved (same specification, draws and seed)",
}
"""The headline the sensitivity table reruns, as its note names it."""


def _rerun_note(method: str | None) -> str:
    if method is None:
        return (
            "Headline: not rerun. The plan's headline (Callaway-Sant'Anna or synthetic DiD) has "
            "no adoption sensitivity here, and another method's would not be the impact "
            "section's headline."
        )
    return (
        f"Headline: the impact section's {HEADLINE_RERUN[method]}; the 'as assumed' row is the "
        "impact section's own estimate."
    )


def _label(name: str, title: str) -> PublishedColumn:
    return PublishedColumn(name, title, ColumnRole.LABEL)


def _value(name: str, title: str, dp: int = 1) -> PublishedColumn:
    return PublishedColumn(name, title, ColumnRole.VALUE, dp=dp)


def _years(years: tuple[int, ...], first: int) -> str:
    if not years:
        return f"none (data begin {first})"
    return f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0])


def _unit(indicator: str) -> str:
    ind = BY_ID[indicator]
    return "percentage points" if ind.kind is Kind.PERCENT else ind.unit_label


def _table(
    block_id: str,
    title: str,
    frame: pd.DataFrame,
    columns: list[PublishedColumn],
    policy: DisclosurePolicy,
    notes: tuple[str, ...] = (),
) -> TableBlock:
    table = protect(frame, TableSpec(columns=tuple(columns)), policy)
    return TableBlock(id=block_id, title=title, table=table, source=SOURCE, notes=notes)


def _adoption_block(analysis: PilotAnalysis, policy: DisclosurePolicy) -> TableBlock:
    rows = [
        {
            "pilot": analysis.names.get(code, code),
            "start": analysis.dates[code][0],
            "adoption_year": str(year),
            "embedded": analysis.dates[code][1],
            "source": analysis.sources.get(code) or "not given in evaluation.toml",
        }
        for code, year in analysis.adoption.items()
    ]
    assumed = sum(s.lower().startswith("assum") for s in analysis.sources.values())
    return _table(
        "adoption-years",
        "Adoption dates and where they come from",
        pd.DataFrame(rows),
        [
            _label("pilot", "Pilot"),
            _label("start", "Implementation start"),
            _label("adoption_year", "Adoption year (year ending 31 March)"),
            _label("embedded", "Fully embedded"),
            _label("source", "Source"),
        ],
        policy,
        (
            f"{assumed} of {len(rows)} pilots' dates are assumptions (their source says so); "
            "every before/after comparison and estimate depends on them (see the sensitivity "
            "table).",
        ),
    )


def _prepost_block(analysis: PilotAnalysis, policy: DisclosurePolicy) -> TableBlock:
    rows = [
        {
            "indicator": BY_ID[r.indicator].title,
            "pilot": analysis.names.get(r.la_code, r.la_code),
            "adoption_year": str(r.adoption_year),
            "pre_years": _years(r.pre_years, analysis.first_years[r.indicator]),
            "pre_level": r.pre_level,
            "pre_comparators": r.pre_comparators,
            "pre_gap": r.pre_gap,
            "post_gap": r.post_gap,
            "change_in_gap": r.change_in_gap,
        }
        for r in analysis.prepost
    ]
    follow_end = analysis.windows.followup[1]
    return _table(
        "pilots-pre-adoption",
        "Each pilot before and after adoption, against its own comparators",
        pd.DataFrame(rows),
        [
            _label("indicator", "Indicator"),
            _label("pilot", "Pilot"),
            _label("adoption_year", "Adoption year (year ending 31 March)"),
            _label("pre_years", "Pre-adoption years in the data"),
            _value("pre_level", "Pilot, pre-adoption mean"),
            _value("pre_comparators", "Its comparators, same years"),
            _value("pre_gap", "Gap before adoption (pilot minus comparators)"),
            _value("post_gap", f"Gap after adoption (adoption year to {follow_end})"),
            _value("change_in_gap", "Change in the gap"),
        ],
        policy,
        (
            "A pilot's comparators are its statistical neighbours in the comparator set. Values "
            "are in each indicator's units (rates per 10,000 children, percentages).",
            "Pilots that adopted before an indicator's data begin have no pre-adoption years: "
            "for them see the baseline/follow-up comparison.",
        ),
    )


def _baseline_blocks(analysis: PilotAnalysis, policy: DisclosurePolicy) -> list[TableBlock]:
    w = analysis.windows
    summary, per_pilot = [], []
    for ind in analysis.indicators:
        result = analysis.baseline[ind]
        summary.append(
            {
                "indicator": BY_ID[ind].title,
                "pilots": len(result.entered),
                "comparators": result.n_comparators_change,
                "baseline_gap": result.baseline_gap,
                "p_baseline": result.p_baseline,
                "change_difference": result.change_difference,
                "p_change": result.p_change,
            }
        )
        for p in result.pilots:
            per_pilot.append(
                {
                    "indicator": BY_ID[ind].title,
                    "pilot": analysis.names.get(p.la_code, p.la_code),
                    "baseline": p.baseline,
                    "comparators_baseline": p.comparators_baseline,
                    "change": p.change,
                    "comparators_change": p.comparators_change,
                    "difference": p.change_difference,
                }
            )
    b, f = w.text("baseline"), w.text("followup")
    draws = analysis.baseline[analysis.indicators[0]].n_permutations
    return [
        _table(
            "baseline-followup",
            f"Baseline ({b}) and follow-up ({f}): pilots against comparators",
            pd.DataFrame(summary),
            [
                _label("indicator", "Indicator"),
                _value("pilots", "Pilots compared", 0),
                _value("comparators", "Comparator LAs", 0),
                _value("baseline_gap", f"Pilots minus comparators, {b}"),
                _value("p_baseline", "Permutation p (baseline gap)", 3),
                _value("change_difference", f"Pilots' change minus comparators', {b} to {f}"),
                _value("p_change", "Permutation p (change)", 3),
            ],
            policy,
            (
                f"Means over the years of each window; p-values from {draws} re-draws of the "
                "pilot label among pilots and comparators (two-sided). A comparison, not an "
                "effect estimate: pilots that had adopted before the baseline window were "
                "already using the framework in it.",
            ),
        ),
        _table(
            "baseline-followup-pilots",
            f"Baseline ({b}) and follow-up ({f}), pilot by pilot",
            pd.DataFrame(per_pilot),
            [
                _label("indicator", "Indicator"),
                _label("pilot", "Pilot"),
                _value("baseline", f"Pilot, {b}"),
                _value("comparators_baseline", f"Its comparators, {b}"),
                _value("change", f"Pilot's change to {f}"),
                _value("comparators_change", "Its comparators' change"),
                _value("difference", "Difference in change"),
            ],
            policy,
        ),
    ]


def _entry_block(analysis: PilotAnalysis, policy: DisclosurePolicy) -> TableBlock:
    frame = analysis.entry_frame()
    frame = frame.assign(
        indicator=frame["indicator"].map(lambda i: BY_ID[i].title),
        adoption_year=frame["adoption_year"].astype(str),
    )
    return _table(
        "analysis-entry",
        "Which analyses each pilot entered, indicator by indicator, and why not",
        frame.drop(columns=["la_code"]),
        [
            _label("indicator", "Indicator"),
            _label("pilot", "Pilot"),
            _label("adoption_year", "Adoption year"),
            _value("pre_years", "Years before adoption in the indicator's series", 0),
            _label("causal", "Causal estimators (synthetic control, DiD, synthetic DiD, ITS)"),
            _label("baseline_followup", "Baseline/follow-up comparison"),
        ],
        policy,
        (
            f"The causal estimators need a value in every year of the indicator's latest "
            f"unbroken series and at least {analysis.min_pre_years} years before adoption "
            "([impact] min_pre_years; the impact section applies the same rule and names the "
            "pilots it left out, and any fitted exactly); the adoption year counts as adopted.",
        ),
    )


def _sensitivity_block(analysis: PilotAnalysis, policy: DisclosurePolicy) -> TableBlock:
    shift_text = {-1: "a year earlier", 0: "as assumed", 1: "a year later"}
    rows = [
        {
            "indicator": BY_ID[s.indicator].title,
            "adoption": shift_text.get(s.shift, f"{s.shift:+d} years"),
            "causal": s.causal_pilots,
            "three": s.three_pre_years,
            "pre_gap": s.mean_pre_gap,
            "change": s.mean_change_in_gap,
            "estimated": s.estimated_pilots,
            "estimate": s.estimate,
            "p_value": s.p_value,
        }
        for s in analysis.sensitivity
    ]
    return _table(
        "adoption-sensitivity",
        "Sensitivity to the adoption years: every pilot's adoption a year earlier and later",
        pd.DataFrame(rows),
        [
            _label("indicator", "Indicator"),
            _label("adoption", "Adoption years"),
            _value("causal", "Pilots entering the causal estimators", 0),
            _value("three", "... with three or more pre-years", 0),
            _value("pre_gap", "Mean pre-adoption gap to comparators"),
            _value("change", "Mean change in the gap after adoption"),
            _value("estimated", "Pilots in the headline estimate", 0),
            _value("estimate", "Headline estimate (per cent change for rates)", 2),
            _value("p_value", "Headline p-value", 3),
        ],
        policy,
        (
            "The adoption years are assumptions (see evaluation.toml); this shows how much rests "
            f"on them. {_rerun_note(analysis.headline_method)}",
        ),
    )


def _number(cell: object) -> float:
    try:
        return float(str(cell))
    except ValueError:
        return math.nan


def _findings(analysis: PilotAnalysis, pre: TableBlock, base: TableBlock) -> list[Finding]:
    """A sentence per headline indicator, quoting the published (disclosure-controlled) values."""
    published = pre.table.values.assign(
        indicator_id=[r.indicator for r in analysis.prepost],
        pre_n=[len(r.pre_years) for r in analysis.prepost],
    )
    summary = base.table.values
    out = []
    for i, ind in enumerate(analysis.indicators):
        rows = published[(published["indicator_id"] == ind) & (published["pre_n"] > 0)]
        gaps = pd.to_numeric(rows["pre_gap"], errors="coerce").dropna()
        unit = _unit(ind)
        title = BY_ID[ind].title
        if len(gaps):
            above = int((gaps > 0).sum())
            text = (
                f"{title}: before adoption, {len(gaps)} of {len(analysis.adoption)} pilots have "
                f"pre-adoption years in the data: {above} above their comparators and "
                f"{len(gaps) - above} below (mean gap {gaps.mean():+.1f} {unit})."
            )
        else:
            text = f"{title}: no pilot has a pre-adoption year in the data."
        row = summary.iloc[i]
        change = _number(row["change_difference"])
        if math.isfinite(change):
            text += (
                f" From baseline {analysis.windows.text('baseline')} to follow-up "
                f"{analysis.windows.text('followup')} the pilots' change differed from their "
                f"comparators' by {change:+.1f} {unit} (permutation p = "
                f"{row['p_change']})."
            )
        out.append(Finding(text))
    return out


def render_pilots(
    analysis: PilotAnalysis, policy: DisclosurePolicy
) -> tuple[list[Block], list[Finding]]:
    """The per-pilot blocks and findings of the key-indicators section."""
    pre = _prepost_block(analysis, policy)
    base, base_pilots = _baseline_blocks(analysis, policy)
    blocks: list[Block] = [
        Prose(
            "Each pilot against its own comparators. Most pilots started before some series "
            "begin (children in need, child protection plans and referrals from 2013; children "
            "looked after from 2010), so the tables below say, per pilot and indicator, which "
            "analyses it could enter and why not, and compare every pilot in a baseline and a "
            "follow-up window whatever its adoption year."
        ),
        _adoption_block(analysis, policy),
        pre,
        base,
        base_pilots,
        _entry_block(analysis, policy),
        _sensitivity_block(analysis, policy),
    ]
    return blocks, _findings(analysis, pre, base)
