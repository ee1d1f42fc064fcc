"""The impact section of the report: estimates side by side, event study, gap chart, verdict.

Every table goes through disclosure control; the charts draw from those published tables and
the findings quote the published (rounded) estimates.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd

from csceval.disclosure import ColumnRole, DisclosurePolicy, PublishedColumn, TableSpec, protect
from csceval.indicators.catalogue import Kind
from csceval.report.model import (
    Block,
    Finding,
    LineChart,
    Marker,
    Prose,
    Section,
    Series,
    Strength,
    TableBlock,
)
from csceval.strands.impact.its_chart import its_blocks
from csceval.strands.impact.results import (
    Estimate,
    ImpactResult,
    IndicatorImpact,
    calibrated_size,
)
from csceval.strands.impact.section_answer import change_words, headline, impact_answer
from csceval.strands.impact.section_verdict import (
    calibration_prose,
    mde_cell,
    size_text,
    verdict_prose,
)
from csceval.strands.impact.synth_table import synth_fit_block
from csceval.strands.impact.verdicts import HEADLINE_ORDER, headline_of

SOURCE = "Project data table data/indicators.csv; estimates computed by csceval.impact."
HEADLINE_NAMES = {
    "random_trend": "random-trend model",
    "synth_pooled": "pooled synthetic control",
    "did": "Callaway-Sant'Anna DiD",
    "sdid": "synthetic DiD",
}
CALIBRATION_SOURCE = "the real LA panel (csceval impact calibrate, shipped figures)"


def _label(name: str, title: str) -> PublishedColumn:
    return PublishedColumn(name, title, ColumnRole.LABEL)


def _value(name: str, title: str, unit: str = "", dp: int = 2) -> PublishedColumn:
    return PublishedColumn(name, title, ColumnRole.VALUE, unit=unit, dp=dp)


def _unit(impact: IndicatorImpact) -> str:
    ind = impact.indicator
    if impact.scale == "log":
        return "% change"
    return "percentage points" if ind.kind is Kind.PERCENT else ind.unit_label


def calibration_source(calibration: dict[str, object]) -> str:
    """Where the quoted real sizes come from: the project's own file or the shipped figures."""
    return str(calibration.get("source") or CALIBRATION_SOURCE)


def _estimates_table(
    result: ImpactResult, impact: IndicatorImpact, policy: DisclosurePolicy
) -> TableBlock:
    ind, unit, calibration = impact.indicator, _unit(impact), result.calibration
    head = headline_of(impact)
    rows = [
        {
            "method": row_label(e, head),
            "estimate": e.estimate,
            "low": e.low,
            "high": e.high,
            "p_value": e.p_value,
            "fit": e.fit,
            "size": size_text(calibration, e.method, ind.id)
            if e.method != "synth_rmspe" or e.estimable
            else "not measured",
            "mde": mde_cell(result, impact, e.method) if not e.unit else "",
            "note": e.note,
        }
        for e in impact.estimates
    ]
    columns = [
        _label("method", "Method"),
        _value("estimate", f"Estimated effect ({unit})", unit),
        _value("low", "95% interval: lower", unit),
        _value("high", "95% interval: upper", unit),
        _value("p_value", "p-value", dp=3),
        _value("fit", f"Pre-period RMSPE ({unit})", unit),
        _label("size", "Real size of the 5% test (calibrated)"),
        _label("mde", "Change this design detects 4 times in 5 (MDE)"),
        _label("note", "Note"),
    ]
    frame = pd.DataFrame(rows, columns=[c.name for c in columns])
    notes = [
        "Effect: pilots minus their counterfactual, averaged over pilots and post-adoption "
        "years"
        + (
            " on the log scale, shown as a per cent change of the rate"
            if impact.scale == "log"
            else ""
        )
        + f". The headline is the first of {HEADLINE_ORDER} that ran.",
        f"Real size: how often the method's nominal 5% test rejected a true null on "
        f"{calibration_source(calibration)}, with pseudo-pilots, and its Monte Carlo (MC) "
        "error; beyond two MC errors above 5% the method over-rejects and its p-values and "
        "intervals are too optimistic.",
        "MDE: the smallest effect this design detects with 80% power at 5% (two-sided), "
        "(1.96 + 0.84) times the spread of the method's estimates over the null draws.",
        *impact.notes,
    ]
    return TableBlock(
        id=f"impact-{ind.id}"[:64],
        title=f"{ind.title}: estimated effect of the framework, by method",
        table=protect(frame, TableSpec(columns=tuple(columns)), policy),
        caption=f"{ind.title} ({ind.unit_label}): estimates side by side",
        source=f"{ind.source}. {SOURCE} Calibrated size: {calibration_source(calibration)}.",
        notes=tuple(notes),
    )


def _event_blocks(impact: IndicatorImpact, policy: DisclosurePolicy) -> list[Block]:
    if impact.event_study is None:
        return []
    ind, unit = impact.indicator, _unit(impact)
    columns = [
        _label("event_time", "Years since adoption"),
        _value("att", f"Effect ({unit})", unit),
        _value("low", "Uniform 95% band: lower", unit),
        _value("high", "Uniform 95% band: upper", unit),
    ]
    frame = impact.event_study.assign(event_time=impact.event_study["event_time"].astype(str))
    table = TableBlock(
        id=f"impact-es-{ind.id}"[:64],
        title=f"{ind.title}: Callaway-Sant'Anna event study",
        table=protect(frame, TableSpec(columns=tuple(columns)), policy),
        caption="Dynamic aggregation of the group-time effects, with a simultaneous (sup-t) "
        "95% band from the multiplier bootstrap clustered by LA",
        source=SOURCE,
        notes=("Negative years are pre-adoption placebo effects: they should be near zero.",),
    )
    chart = LineChart(
        id=f"impact-es-chart-{ind.id}"[:64],
        title=f"{ind.title}: effect by years since adoption (event study)",
        table_id=table.id,
        x="event_time",
        series=(
            Series("att", "Estimated effect", "focus"),
            Series("low", "Uniform 95% band (lower)", "comparison"),
            Series("high", "Uniform 95% band (upper)", "comparison"),
        ),
        y_label=unit,
        x_label="Years since adoption (0 = adoption year)",
        description=f"Line chart of the Callaway-Sant'Anna effect on {ind.title.lower()} by "
        "years since adoption, with its uniform 95% band; the data are in the table below.",
        markers=(Marker(-0.5, "Adoption"),),
    )
    return [chart, table]


def _gap_blocks(impact: IndicatorImpact, policy: DisclosurePolicy) -> list[Block]:
    if impact.synth_gaps is None:
        return []
    ind, unit = impact.indicator, _unit(impact)
    placebos = [c for c in impact.synth_gaps.columns if c.startswith("placebo_")]
    columns = [
        _label("event_time", "Years since adoption"),
        _value("pilots", f"Pilots' pooled gap ({unit})", unit),
        *(_value(c, f"Placebo {c.removeprefix('placebo_')} gap ({unit})", unit) for c in placebos),
    ]
    frame = impact.synth_gaps.assign(event_time=impact.synth_gaps["event_time"].astype(str))
    table = TableBlock(
        id=f"impact-gap-{ind.id}"[:64],
        title=f"{ind.title}: synthetic-control gaps, pilots and placebos",
        table=protect(frame, TableSpec(columns=tuple(columns)), policy),
        caption="Gap = actual minus synthetic control, by years since adoption. Pilots: mean "
        "over pilots. Placebo k: a comparator LA refitted as if it had adopted with each pilot, "
        f"averaged the same way ({len(placebos)} comparators with the best pre-period fit)",
        source=SOURCE,
    )
    chart = LineChart(
        id=f"impact-gap-chart-{ind.id}"[:64],
        title=f"{ind.title}: synthetic-control gap, pilots against placebos",
        table_id=table.id,
        x="event_time",
        series=(
            *(Series(c, "Placebo comparators", "faint") for c in placebos),
            Series("pilots", "Pilots (pooled)", "focus"),
        ),
        y_label=unit,
        x_label="Years since adoption (0 = adoption year)",
        description=f"Line chart of the pilots' pooled synthetic-control gap in "
        f"{ind.title.lower()} by years since adoption, drawn over the faint gaps of "
        f"{len(placebos)} placebo comparators; the data are in the table below.",
        markers=(Marker(-0.5, "Adoption"),),
    )
    return [chart, table]


def _synth_fit_blocks(impact: IndicatorImpact, policy: DisclosurePolicy) -> list[Block]:
    if impact.synth_fits is None or impact.synth_fits.empty:
        return []
    ind = impact.indicator
    block = synth_fit_block(
        impact.synth_fits,
        f"impact-sc-{ind.id}",
        f"{ind.title}: synthetic control per pilot (fit, placebo ratio, donor weights)",
        _unit(impact),
        SOURCE,
        policy,
    )
    return [block]


def row_label(e: Estimate, head: Estimate | None) -> str:
    """The method as the estimates table names it: the headline row says so."""
    return f"{e.label} (headline)" if head is not None and e.method == head.method else e.label


def _published_estimate(table: TableBlock, label: str) -> tuple[float, str, str] | None:
    """The headline's published estimate, interval and p-value text."""
    values, cells = table.table.values, table.table.cells
    rows = [i for i, m in enumerate(cells["method"]) if m == label]
    if not rows or not math.isfinite(float(values["estimate"].iloc[rows[0]])):
        return None
    i = rows[0]
    interval = f"{cells['low'].iloc[i]} to {cells['high'].iloc[i]}"
    return float(values["estimate"].iloc[i]), interval, str(cells["p_value"].iloc[i])


def _finding(
    impact: IndicatorImpact, table: TableBlock, strength: Strength, reason: str, head: Estimate
) -> Finding:
    ind = impact.indicator
    published = _published_estimate(table, row_label(head, headline_of(impact)))
    if published is None:
        return Finding(f"{ind.title}: no impact estimate ({reason}).", strength)
    estimate, interval, p_text = published
    p_kind = "randomization p" if head.method == "synth_pooled" else "p"
    # per cent changes read "rose by 6.30%, 95% interval -2.04 to 13.04%"; points follow the number
    interval_unit = "%" if impact.scale == "log" else ""
    words = change_words(impact, estimate, dp=2)
    return Finding(
        f"{ind.title}: by the {HEADLINE_NAMES.get(head.method, head.label)}, {words}; 95% interval "
        f"{interval}{interval_unit}, {p_kind} = {p_text} ({reason}).",
        strength,
    )


def _its_size(result: ImpactResult) -> str:
    """`` (its real size is a-b%)`` over the analysed indicators, when measured."""
    sizes = [
        size
        for impact in result.indicators
        if (size := calibrated_size(result.calibration, "its", impact.indicator.id)) is not None
    ]
    if not sizes:
        return ""
    low, high = min(sizes), max(sizes)
    span = f"{low:.0%}" if f"{low:.0%}" == f"{high:.0%}" else f"{low:.0%}-{high:.0%}"
    return f" (its real size is {span} at nominal 5%)"


def render_impact(result: ImpactResult, policy: DisclosurePolicy) -> Section:
    """The impact section of the report."""
    pilots = ", ".join(
        f"{result.pilot_names.get(code, code)} ({year})"
        for code, year in sorted(result.adoption.items())
    )
    blocks: list[Block] = [
        Prose(
            f"This section estimates the framework's effect on {len(result.indicators)} key "
            f"indicators for the pilots (adoption year in brackets: {pilots}) against "
            f"{result.comparators.describe()}. Methods run: {', '.join(result.estimators)}.\n\n"
            + " ".join(result.notes)
            + f"\n\nThe headline test on each indicator is the first of {HEADLINE_ORDER} that "
            f"ran. Beside each result are the method's real size, measured on "
            f"{calibration_source(result.calibration)}, and the smallest effect this design "
            f"detects (MDE). Interrupted time series is descriptive only{_its_size(result)}.\n\n"
            + calibration_prose(result)
        )
    ]
    findings, heads = [], []
    for impact in result.indicators:
        table = _estimates_table(result, impact, policy)
        v = result.assessment.verdicts[impact.indicator.id]
        strength, reason = v.strength, v.reason
        head = headline_of(impact) or (impact.estimates[0] if impact.estimates else None)
        if head is not None:
            findings.append(_finding(impact, table, strength, reason, head))
            published = headline(impact, table, row_label(head, headline_of(impact)), strength)
            mde = mde_cell(result, impact, head.method)
            if published is not None:
                heads.append(replace(published, mde="" if mde == "not measured" else mde))
        blocks += [
            Prose(
                verdict_prose(result, impact)
                + " "
                + (
                    f"{len(impact.pilots_used)} pilots and {impact.n_donors} comparators with "
                    f"complete data, {impact.years[0]}-{impact.years[1]}."
                    if impact.years
                    else ""
                )
            ),
            table,
            *_event_blocks(impact, policy),
            *_gap_blocks(impact, policy),
            *_synth_fit_blocks(impact, policy),
            *its_blocks(
                impact.its_gaps,
                impact.indicator.id,
                impact.indicator.title,
                _unit(impact),
                SOURCE,
                policy,
            ),
        ]
    return Section(
        id="impact",
        title="Impact on key indicators",
        summary="Whether adopting the framework changed the pilots' key indicators, estimated "
        "by several methods against comparator LAs, one of them the headline in a fixed order, "
        "with each test's measured real size beside it.",
        findings=tuple(findings),
        blocks=tuple(blocks),
        answers=tuple(a for a in (impact_answer(heads, result.plan.primary),) if a is not None),
    )
