"""The report section "Child-level impact": estimates, event studies, balance and counts.

Every table goes through disclosure control: counts of children by group and year are counts
(small ones suppressed as ``c``, with secondary suppression); estimates, standardised
differences and p-values are statistics of many children (values). Charts draw published
values only.
"""

from __future__ import annotations

import math

import pandas as pd

from csceval.disclosure import ColumnRole, DisclosurePolicy, PublishedColumn, TableSpec, protect
from csceval.report.model import (
    Block,
    Figure,
    Finding,
    LineChart,
    Marker,
    Prose,
    Section,
    Series,
    TableBlock,
)
from csceval.strands.child_impact.cohorts import OUTCOME_TITLES
from csceval.strands.child_impact.estimate import METHOD_TITLES
from csceval.strands.child_impact.love_plot import render_love_plot
from csceval.strands.child_impact.result import ChildImpactResult
from csceval.strands.child_impact.section_design import (
    meaning_sentence,
    operating_table,
    outcome_words,
)

SOURCE = (
    "Child-level CIN census and SSDA903 returns of the pilot and comparator LAs "
    "(child_impact.json, written by csceval impact child-did)"
)
POINTS = "percentage points"
EVENT_SERIES = (
    Series("estimate", "Estimated effect", "focus"),
    Series("low", "95% interval (lower)", "comparison"),
    Series("high", "95% interval (upper)", "comparison"),
)


def _published(
    block: str,
    title: str,
    frame: pd.DataFrame,
    columns: tuple[PublishedColumn, ...],
    caption: str,
    policy: DisclosurePolicy,
    notes: tuple[str, ...] = (),
) -> TableBlock:
    """A section table: the frame's ``columns`` through disclosure control, with the source."""
    table = protect(frame, TableSpec(columns=columns), policy)
    return TableBlock(block, title, table, caption=caption, source=SOURCE, notes=notes)


def _label(name: str, title: str) -> PublishedColumn:
    return PublishedColumn(name, title, ColumnRole.LABEL)


def _value(name: str, title: str, dp: int = 2) -> PublishedColumn:
    return PublishedColumn(name, title, ColumnRole.VALUE, dp=dp)


def _count(name: str, title: str) -> PublishedColumn:
    return PublishedColumn(name, title, ColumnRole.COUNT)


def _estimates(result: ChildImpactResult, policy: DisclosurePolicy) -> TableBlock:
    columns = (
        _label("title", "Outcome"),
        _label("method_title", "Matching"),
        _value("estimate", f"Effect ({POINTS})"),
        _value("low", "95% interval: lower"),
        _value("high", "95% interval: upper"),
        _value("mde", "Detectable effect (80% power)"),
        _value("p_cr2", "p (CR2)", 3),
        _value("p_wild", "p (wild cluster bootstrap)", 3),
        _value("baseline", "Pilots before adoption (%)", 1),
        _count("n_clusters", "LA clusters"),
        _count("n_children", "Children (matched)"),
    )
    frame = result.to_frame()
    frame["method_title"] = frame["method"].map(METHOD_TITLES).fillna(frame["method"])
    frame["n_clusters"] = frame["n_clusters_treated"] + frame["n_clusters_control"]
    return _published(
        "child-impact-estimates",
        "Effect of the framework on children referred to pilot LAs",
        frame,
        columns,
        "Matched staggered difference-in-differences on index referrals, pilot against "
        "comparator LAs; 95% intervals and p-values from CR2 standard errors with "
        "Bell-McCaffrey degrees of freedom, the restricted wild cluster bootstrap (Webb "
        "weights) beside them; the detectable effect is the smallest the CR2 test at 5% would "
        "find four times in five",
        policy,
        notes=(
            "Effects are in percentage points of children referred: -2 means 2 fewer "
            "children in every 100 referred had the outcome.",
            *result.notes,
        ),
    )


def _event_blocks(result: ChildImpactResult, policy: DisclosurePolicy) -> list[Block]:
    blocks: list[Block] = []
    es = result.event_study
    for outcome in dict.fromkeys(e.outcome for e in result.headline):
        rows = es[(es["outcome"] == outcome) & (es["method"] == "cem")].sort_values("event_time")
        title = OUTCOME_TITLES.get(outcome, outcome)
        frame = rows.assign(event_time=rows["event_time"].astype(int).astype(str))
        columns = (
            _label("event_time", "Years since adoption"),
            _value("estimate", "Effect"),
            _value("low", "95% interval: lower"),
            _value("high", "95% interval: upper"),
            _count("n_children", "Children"),
            _count("n_clusters", "LA clusters"),
        )
        table = _published(
            f"child-impact-es-{outcome}"[:64],
            f"{title}: effect by years since adoption",
            frame,
            columns,
            "Event study on the matched sample (coarsened exact matching); pointwise 95% "
            "intervals from CR2 standard errors (normal approximation)",
            policy,
            notes=("Negative years are before adoption: their effects should be near zero.",),
        )
        blocks.append(
            LineChart(
                id=f"child-impact-es-chart-{outcome}"[:64],
                title=f"{title}: effect by years since adoption (event study)",
                table_id=table.id,
                x="event_time",
                series=EVENT_SERIES,
                y_label=POINTS,
                x_label="Years since adoption (0 = adoption year)",
                description=f"Line chart of the effect on {title.lower()} by years since adoption "
                "with its 95% interval; the data are in the table below.",
                markers=(Marker(-0.5, "Adoption"),),
            )
        )
        blocks.append(table)
    return blocks


def _balance_blocks(result: ChildImpactResult, policy: DisclosurePolicy) -> list[Block]:
    wide = result.balance.pivot_table(index="covariate", columns="method", values="smd_after")
    before = result.balance.groupby("covariate")["smd_before"].first()
    methods = [m for m in ("cem", "propensity") if m in wide.columns]
    frame = pd.DataFrame(
        {
            "covariate": before.index.str.replace(r"^x0?:", "", regex=True),
            "before": before.to_numpy(),
        }
    )
    for m in methods:
        frame[m] = wide[m].reindex(before.index).to_numpy()
    frame = frame.reindex(frame["before"].abs().sort_values(ascending=False).index)
    after = [(m, f"After {METHOD_TITLES[m].lower()}") for m in methods]
    columns = (
        _label("covariate", "Covariate"),
        _value("before", "Before matching", 3),
        *(_value(m, text, 3) for m, text in after),
    )
    table = _published(
        "child-impact-balance",
        "Balance of pilot and comparator children before and after matching",
        frame.reset_index(drop=True),
        columns,
        "Standardised mean differences (pilot minus comparator, in pooled standard deviations) "
        "of each covariate's indicator; within 0.1 is conventionally balanced",
        policy,
    )
    description = (
        f"Love plot of the standardised mean differences of {len(frame)} covariate "
        "indicators before and after matching; the data are in the table below."
    )
    svg = render_love_plot("child-impact-love", table.title, description, table.table, after)
    return [Figure("child-impact-love", table.title, svg, description, table.id), table]


def _counts_table(result: ChildImpactResult, policy: DisclosurePolicy) -> TableBlock:
    outcomes = [o for o in OUTCOME_TITLES if o in result.counts.columns]
    columns = (
        _label("group", "Group"),
        _label("cohort_year", "Cohort year (ending 31 March)"),
        _count("children", "Children referred (matched)"),
        *(_count(o, f"{OUTCOME_TITLES[o]}") for o in outcomes),
    )
    frame = result.counts.assign(cohort_year=result.counts["cohort_year"].astype(str))
    return _published(
        "child-impact-counts",
        "Children in the matched sample and their outcomes, by group and year",
        frame,
        columns,
        "Index referrals kept by coarsened exact matching and how many had each outcome within "
        "12 months (small numbers suppressed)",
        policy,
    )


def _matching_table(result: ChildImpactResult, policy: DisclosurePolicy) -> TableBlock:
    frame = result.matching.assign(method=result.matching["method"].map(METHOD_TITLES))
    dropped = pd.DataFrame(
        [
            {
                "method": "Cohort building",
                "step": k,
                "treated_kept": None,
                "control_kept": None,
                "dropped": v,
            }
            for k, v in result.dropped.items()
        ]
    )
    frame = pd.concat([dropped, frame], ignore_index=True) if len(dropped) else frame
    columns = (
        _label("method", "Stage"),
        _label("step", "Step"),
        _count("treated_kept", "Pilot children kept"),
        _count("control_kept", "Comparator children kept"),
        _count("dropped", "Dropped"),
    )
    return _published(
        "child-impact-matching",
        "How many referrals each step keeps and drops",
        frame,
        columns,
        "From the returns to the matched sample: cohort building, then each matching method's "
        "steps (common support for the propensity score)",
        policy,
    )


def _findings(result: ChildImpactResult) -> list[Finding]:
    head = result.headline
    if not head:
        return [Finding("No child-level estimate could be made.")]
    n_t, n_c = head[0].n_clusters_treated, head[0].n_clusters_control
    out = [
        Finding(
            f"The inference rests on {n_t + n_c} LA clusters ({n_t} pilot and {n_c} comparator "
            f"LAs), not on the {head[0].n_children:,} children: with so few pilot clusters the "
            "intervals and p-values come from CR2 standard errors with Bell-McCaffrey degrees "
            "of freedom, built for few clusters (the restricted wild cluster bootstrap's "
            f"p-values are shown beside them). {meaning_sentence(result)}",
        )
    ]
    for e, word, design_p in outcome_words(result):
        change = "fewer" if e.estimate < 0 else "more"
        detectable = f"; detectable: {e.mde:.1f}" if math.isfinite(e.mde) else ""
        out.append(
            Finding(
                f"{e.title}: {abs(e.estimate):.1f} percentage points {change} among children "
                f"referred to pilot LAs after adoption than matched comparators suggest "
                f"(95% interval {e.low:.1f} to {e.high:.1f}; {e.p_text}{design_p}{detectable}; "
                f"{e.baseline:.1f}% before adoption).",
                word,
            )
        )
    return out


def render_child_impact(result: ChildImpactResult, policy: DisclosurePolicy) -> Section:
    """The child-level impact section."""
    intro = Prose(
        "This section follows children rather than LA rates: every referral to a pilot or "
        "comparator LA that was not itself a re-referral (an index referral), with what happened "
        "within 12 months (DfE definitions). Pilot children are matched to comparator children "
        "of the same cohort year on their characteristics and history, and the change in pilot "
        "children's outcomes after adoption is compared with the change among matched "
        "comparators (staggered difference-in-differences, with an event study). Child "
        "identifiers were pseudonymised with a keyed hash on reading and only aggregates leave "
        "the analysis."
    )
    blocks: list[Block] = [
        intro,
        _estimates(result, policy),
        *(
            [operating_table(result, result.operating, policy)]
            if result.operating and result.operating.outcomes
            else []
        ),
        *_event_blocks(result, policy),
        *_balance_blocks(result, policy),
        _matching_table(result, policy),
        _counts_table(result, policy),
    ]
    return Section(
        id="child-impact",
        title="Child-level impact",
        summary="Matched difference-in-differences on children's CIN census and SSDA903 "
        "records: re-referrals, child protection plans and entries to care within 12 months.",
        findings=tuple(_findings(result)),
        blocks=tuple(blocks),
    )
