"""The report section "Truth check (synthetic project)": estimates beside the injected truth.

The table goes through disclosure control (estimates describe groups of LAs: values, no
small-number suppression); the forest plots draw its published values and the findings quote
its published cells.
"""

from __future__ import annotations

import pandas as pd

from csceval.disclosure import ColumnRole, DisclosurePolicy, PublishedColumn, TableSpec, protect
from csceval.report.model import Block, Figure, Finding, Prose, Section, TableBlock
from csceval.strands.truth_check.analysis import Luck, TruthCheckResult
from csceval.strands.truth_check.forest import render_forest
from csceval.strands.truth_check.luck import DOCUMENTED_RANGE, RECOVERY_SOURCE, UNLUCKY, one_in

TABLE_ID = "truth-check-estimates"
HEADLINE_WORDS = {
    "random_trend": "random-trend",
    "synth_pooled": "pooled synthetic-control",
    "did": "Callaway-Sant'Anna",
    "sdid": "synthetic DiD",
}
"""The headline methods as the finding names them (the impact frame's ``headline`` rows)."""
SOURCE = (
    "Impact estimates: this report's impact section. Truth: truth.json, written by the "
    "simulator (csceval simulate) beside the project."
)
COLUMNS = (
    PublishedColumn("indicator", "Indicator", ColumnRole.LABEL),
    PublishedColumn("method", "Method", ColumnRole.LABEL),
    PublishedColumn("unit", "Unit", ColumnRole.LABEL),
    PublishedColumn("estimate", "Estimate", ColumnRole.VALUE, dp=2),
    PublishedColumn("low", "95% interval: lower", ColumnRole.VALUE, dp=2),
    PublishedColumn("high", "95% interval: upper", ColumnRole.VALUE, dp=2),
    PublishedColumn("truth", "True effect (injected)", ColumnRole.VALUE, dp=2),
    PublishedColumn("covered", "Interval covers the truth", ColumnRole.LABEL),
    PublishedColumn("sign_right", "Sign right", ColumnRole.LABEL),
)


def _yes_no(flag: bool | None, missing: str) -> str:
    return missing if flag is None else ("yes" if flag else "no")


def _table(result: TruthCheckResult, policy: DisclosurePolicy) -> TableBlock:
    frame = pd.DataFrame(
        [
            {
                "indicator": r.title,
                "method": r.label,
                "unit": r.unit,
                "estimate": r.estimate,
                "low": r.low,
                "high": r.high,
                "truth": r.truth,
                "covered": _yes_no(r.covered, "no interval"),
                "sign_right": _yes_no(r.sign_right, "no effect injected"),
            }
            for r in result.pooled
        ],
        columns=[c.name for c in COLUMNS],
    )
    trend = any(r.method == "random_trend" for r in result.pooled)  # when the plan has it
    equally = "synthetic control" + (" and the random-trend model" if trend else "")
    return TableBlock(
        id=TABLE_ID,
        title="Each impact estimate beside the effect the simulator injected",
        table=protect(frame, TableSpec(columns=COLUMNS), policy),
        caption="Pooled estimates of every method (per-pilot rows are in the result's frame)",
        source=SOURCE,
        notes=(
            "True effect: the effect injected on the pilots the method used, averaged over their "
            f"post-adoption years as the method weights them (pilots equally for {equally}, "
            "pilot-years equally for Callaway-Sant'Anna and synthetic DiD); per cent "
            "changes for rates (estimated on the log scale), percentage points for percentages.",
            *result.notes,
        ),
    )


def _figures(result: TruthCheckResult, table: TableBlock) -> list[Block]:
    blocks: list[Block] = []
    pooled = result.pooled
    for indicator in dict.fromkeys(r.indicator for r in pooled):
        rows = [i for i, r in enumerate(pooled) if r.indicator == indicator]
        title, unit = pooled[rows[0]].title, pooled[rows[0]].unit
        figure_id = f"truth-check-{indicator}"[:64]
        heading = f"{title}: estimates and the true effect"
        description = (
            f"Forest plot of the {len(rows)} estimates of the effect on {title.lower()}, each "
            "with its 95% interval, and the true effect marked as a diamond; the data are in "
            "the table below."
        )
        svg = render_forest(figure_id, heading, description, table.table, rows, unit)
        blocks.append(Figure(figure_id, heading, svg, description, TABLE_ID))
    return blocks


def _cell(table: TableBlock, i: int, column: str) -> str:
    return str(table.table.cells[column].iloc[i])


def _number(text: str) -> float:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return float("inf")


def _misses(result: TruthCheckResult, table: TableBlock) -> list[Finding]:
    """One finding per indicator with a wrong-signed estimate or an interval missing the truth."""
    out = []
    pooled = result.pooled
    for indicator in dict.fromkeys(r.indicator for r in pooled):
        rows = [(i, r) for i, r in enumerate(pooled) if r.indicator == indicator]
        wrong = [(i, r) for i, r in rows if r.sign_right is False]
        missed = [(i, r) for i, r in rows if r.covered is False]
        if not wrong and not missed:
            continue
        first = rows[0][1]
        suffix = "%" if first.unit == "% change" else f" {first.unit}"
        truths = sorted({_cell(table, i, "truth") for i, _ in rows}, key=_number)
        parts = [f"{first.title}: the true effect is {' to '.join(truths)}{suffix}"]
        if wrong:
            listed = ", ".join(f"{r.label} {_cell(table, i, 'estimate')}{suffix}" for i, r in wrong)
            verb = "has" if len(wrong) == 1 else "have"
            parts.append(f"{len(wrong)} of {len(rows)} estimates {verb} the wrong sign ({listed})")
        if missed:
            listed = ", ".join(
                f"{r.label}, {_cell(table, i, 'low')} to {_cell(table, i, 'high')}{suffix}"
                for i, r in missed
            )
            verb = "misses" if len(missed) == 1 else "miss"
            parts.append(f"{len(missed)} of {len(rows)} intervals {verb} it ({listed})")
        out.append(Finding("; ".join(parts) + "."))
    return out


def _luck_text(luck: Luck) -> str:
    verdict = "This world is an unlucky draw" if luck.unlucky else "This world is not unusual"
    return (
        f"If every interval covered its truth 95% of the time, independently, {luck.covered} or "
        f"fewer of {luck.intervals} would cover with probability {luck.p_nominal:.4f}. At the "
        f"coverage the recovery study measured for each indicator and method ({RECOVERY_SOURCE}: "
        f"{DOCUMENTED_RANGE}), so few covered happens in {one_in(luck.p_documented)} "
        f"(probability {luck.p_documented:.4f}). {verdict} (unlucky: rarer than 1 world in "
        f"{round(1 / UNLUCKY)}). "
        "The estimates on one world share its pilots, comparators and yearly pressure, so they "
        "miss together more often than independent estimates would: bad worlds are more "
        "common than these figures say."
    )


def render_truth_check(result: TruthCheckResult, policy: DisclosurePolicy) -> Section:
    """The truth-check section of a synthetic project's report."""
    table = _table(result, policy)
    luck = result.luck
    headline = [r for r in result.pooled if r.headline and r.covered is not None]
    head_covered = sum(bool(r.covered) for r in headline)
    kinds = " / ".join(dict.fromkeys(HEADLINE_WORDS.get(r.method, r.method) for r in headline))
    findings = [
        Finding(
            f"On this synthetic world (seed {result.seed}), {luck.covered} of {luck.intervals} "
            f"95% intervals cover the true effect ({head_covered} of {len(headline)} headline "
            f"{kinds} intervals); {luck.sign_right} of {luck.signed} estimates "
            "of an injected effect have the right sign."
        ),
        *_misses(result, table),
        Finding(_luck_text(luck)),
    ]
    intro = Prose(
        "This project is synthetic: the simulator injected known effects and wrote them to "
        "truth.json. Here each impact estimate stands beside the truth it targets, so a reader "
        "can see how far the methods' answers are from the right one on this one world. An "
        "interval that misses the truth, or an estimate with the wrong sign, is what a real "
        "evaluation with the same design would give in some worlds without anyone knowing. "
        'The truth is defined as in the recovery study (docs/methods.md, "Recovery on '
        'synthetic England" and "Truth check on synthetic projects").'
    )
    return Section(
        id="truth-check",
        title="Truth check (synthetic project)",
        summary="Each impact estimate beside the effect the simulator injected: covered or not, "
        "sign right or not, and whether this synthetic world is an unlucky draw.",
        findings=tuple(findings),
        blocks=(intro, *_figures(result, table), table),
    )
