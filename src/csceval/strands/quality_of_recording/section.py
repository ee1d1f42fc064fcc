"""The report section for the quality of recording: scores, comparisons and reliability.

Every table goes through :func:`csceval.disclosure.protect`. Case counts are COUNT columns, so a
group or site with 1-``min_count`` audited cases shows ``c``, and its mean scores are withheld
too (a mean of very few case files says too much about them).
"""

from __future__ import annotations

import math

import pandas as pd

from csceval.disclosure import ColumnRole, DisclosurePolicy, PublishedColumn, TableSpec, protect
from csceval.disclosure.policy import SUPPRESSED
from csceval.report.model import Block, Finding, LineChart, Prose, Section, Series, TableBlock
from csceval.report.questions import contrast_answers
from csceval.strands.quality_of_recording.analysis import Comparison, QualityResult

SOURCE = "Project data tables data/case_samples.csv and data/case_audits.csv; scores computed by "
SOURCE += "csceval (0 = lowest, 100 = highest answer on every item)"
COMPARISON_COLUMNS = ["time_point", "measure", "sites", "framework", "contrast", "difference",
                      "g", "g_low", "g_high", "p", "ml", "ml_low", "ml_high"]  # fmt: skip
GROUPS = {"framework": "Framework sites", "contrast": "Contrast sites"}


def _titles(result: QualityResult) -> dict[str, str]:
    titles = {"overall": "Overall"}
    titles.update({s.id: s.title for s in result.instrument.sections if s.weight > 0})
    return titles


def _withhold(
    frame: pd.DataFrame, count: str, columns: list[str], policy: DisclosurePolicy
) -> pd.DataFrame:
    small = frame[count].between(1, policy.min_count)
    out = frame.astype(dict.fromkeys(columns, object))
    out.loc[small, columns] = SUPPRESSED
    return out


def _group_table(result: QualityResult, policy: DisclosurePolicy) -> TableBlock:
    titles = _titles(result)
    measures = list(titles)
    cases = result.cases
    frame = (
        cases.groupby(["time_point", "group"])[measures]
        .mean()
        .join(cases.groupby(["time_point", "group"]).size().rename("n_cases"))
        .join(cases.groupby(["time_point", "group"])["la_code"].nunique().rename("n_sites"))
        .reset_index()
    )
    frame["group"] = frame["group"].map(GROUPS)
    columns = [
        PublishedColumn("time_point", "Time point", ColumnRole.LABEL),
        PublishedColumn("group", "Sites", ColumnRole.LABEL),
        PublishedColumn("n_sites", "Sites audited", ColumnRole.VALUE, dp=0),
        PublishedColumn("n_cases", "Cases audited", ColumnRole.COUNT),
        *(PublishedColumn(m, titles[m], ColumnRole.VALUE, unit="score", dp=1) for m in measures),
    ]
    frame = _withhold(frame, "n_cases", measures, policy)
    table = protect(frame, TableSpec(columns=tuple(columns)), policy)
    return TableBlock(
        id="quality-by-group",
        title="Quality of recording by time point: framework and contrast sites",
        table=table,
        caption="Mean score (0-100) over audited cases, overall and by section of the instrument",
        source=SOURCE,
        notes=(f"Instrument: {result.instrument.title} (version {result.instrument.version}).",),
    )


def _trend(result: QualityResult, policy: DisclosurePolicy) -> tuple[TableBlock, LineChart]:
    means = result.sites.groupby(["time_point", "group"])["overall"].mean().unstack("group")
    frame = pd.DataFrame({"time_point": list(result.time_points)})
    for g in GROUPS:
        frame[g] = [
            means.at[tp, g] if g in means and tp in means.index else math.nan
            for tp in result.time_points
        ]
    columns = [
        PublishedColumn("time_point", "Time point", ColumnRole.LABEL),
        *(PublishedColumn(g, f"{GROUPS[g]}: mean of site means", ColumnRole.VALUE, dp=1)
          for g in GROUPS),
    ]  # fmt: skip
    table = protect(frame, TableSpec(columns=tuple(columns)), policy)
    block = TableBlock(
        id="quality-overall-trend",
        title="Overall quality of recording by time point",
        table=table,
        caption="Mean over sites of each site's mean overall score (0-100)",
        source=SOURCE,
    )
    chart = LineChart(
        id="chart-quality-overall",
        title="Overall quality of recording, framework and contrast sites",
        table_id=block.id,
        x="time_point",
        series=(
            Series("framework", GROUPS["framework"], "focus"),
            Series("contrast", GROUPS["contrast"], "comparison"),
        ),
        y_label="Overall score (0-100)",
        x_label="Time point",
        description="Line chart of the mean overall audit score of framework and contrast sites "
        "at each time point; the table below gives the values.",
    )
    return block, chart


def _site_table(result: QualityResult, policy: DisclosurePolicy) -> TableBlock:
    titles = _titles(result)
    measures = list(titles)
    frame = result.sites.copy()
    frame["site"] = frame["la_code"].map(lambda c: result.site_names.get(c, c))
    frame["group"] = frame["group"].map(GROUPS)
    frame = frame.sort_values(["time_point", "group", "site"])
    columns = [
        PublishedColumn("time_point", "Time point", ColumnRole.LABEL),
        PublishedColumn("site", "Site", ColumnRole.LABEL),
        PublishedColumn("group", "Sites", ColumnRole.LABEL),
        PublishedColumn("n_cases", "Cases audited", ColumnRole.COUNT),
        *(PublishedColumn(m, titles[m], ColumnRole.VALUE, unit="score", dp=1) for m in measures),
    ]
    frame = _withhold(frame.reset_index(drop=True), "n_cases", measures, policy)
    table = protect(frame, TableSpec(columns=tuple(columns)), policy)
    return TableBlock(
        id="quality-by-site",
        title="Quality of recording by site and time point",
        table=table,
        caption="Mean score (0-100) over each site's audited cases",
        source=SOURCE,
    )


def _comparison_table(result: QualityResult, policy: DisclosurePolicy) -> TableBlock:
    titles = _titles(result)
    frame = pd.DataFrame(
        [
            {
                "time_point": c.time_point,
                "measure": titles.get(c.measure, c.measure),
                "sites": f"{c.n_sites_framework} v {c.n_sites_contrast}",
                "framework": c.mean_framework,
                "contrast": c.mean_contrast,
                "difference": c.difference,
                "g": c.g,
                "g_low": c.g_low,
                "g_high": c.g_high,
                "p": c.p_permutation,
                "ml": c.ml_estimate,
                "ml_low": c.ml_low,
                "ml_high": c.ml_high,
            }
            for c in result.comparisons
        ],
        columns=COMPARISON_COLUMNS,
    )
    v = ColumnRole.VALUE
    columns = [
        PublishedColumn("time_point", "Time point", ColumnRole.LABEL),
        PublishedColumn("measure", "Measure", ColumnRole.LABEL),
        PublishedColumn("sites", "Sites (framework v contrast)", ColumnRole.LABEL),
        PublishedColumn("framework", "Framework: mean of site means", v, dp=1),
        PublishedColumn("contrast", "Contrast: mean of site means", v, dp=1),
        PublishedColumn("difference", "Difference", v, dp=1),
        PublishedColumn("g", "Hedges' g", v, dp=2),
        PublishedColumn("g_low", "g: 95% CI low", v, dp=2),
        PublishedColumn("g_high", "g: 95% CI high", v, dp=2),
        PublishedColumn("p", "Site permutation p", v, dp=3),
        PublishedColumn("ml", "Multilevel difference", v, dp=1),
        PublishedColumn("ml_low", "Multilevel: 95% CI low", v, dp=1),
        PublishedColumn("ml_high", "Multilevel: 95% CI high", v, dp=1),
    ]
    table = protect(frame, TableSpec(columns=tuple(columns)), policy)
    return TableBlock(
        id="quality-comparison",
        title="Framework against contrast sites",
        table=table,
        caption="Differences in mean score (framework minus contrast), with small-sample methods",
        source=SOURCE,
        notes=(
            "Hedges' g treats cases as independent (exact noncentral-t interval); the "
            "permutation test relabels whole sites; the multilevel difference is the framework "
            "coefficient of a random-intercept model of cases within sites (REML, t interval "
            "on sites minus 2 degrees of freedom). x: not estimable with these sites.",
        ),
    )


def _reliability_table(result: QualityResult, policy: DisclosurePolicy) -> TableBlock:
    frame = pd.DataFrame(
        [
            {
                "item": r.item,
                "section": _titles(result).get(r.section, r.section),
                "n": r.n_units,
                "agreement": 100 * r.agreement,
                "alpha": r.alpha,
                "alpha_low": math.nan if r.alpha_low is None else r.alpha_low,
                "alpha_high": math.nan if r.alpha_high is None else r.alpha_high,
                "gwet": r.gwet,
                "reading": r.reading,
            }
            for r in result.reliability
        ],
        columns=["item", "section", "n", "agreement", "alpha", "alpha_low", "alpha_high", "gwet",
                 "reading"],
    )  # fmt: skip
    v = ColumnRole.VALUE
    columns = [
        PublishedColumn("item", "Item", ColumnRole.LABEL),
        PublishedColumn("section", "Section", ColumnRole.LABEL),
        PublishedColumn("n", "Cases rated twice", v, dp=0),
        PublishedColumn("agreement", "Exact agreement (%)", v, dp=1),
        PublishedColumn("alpha", "Krippendorff's alpha", v, dp=3),
        PublishedColumn("alpha_low", "alpha: 95% CI low", v, dp=3),
        PublishedColumn("alpha_high", "alpha: 95% CI high", v, dp=3),
        PublishedColumn("gwet", "Gwet's AC2 (AC1 for yes/no)", v, dp=3),
        PublishedColumn("reading", "What it means", ColumnRole.LABEL),
    ]
    table = protect(frame, TableSpec(columns=tuple(columns)), policy)
    return TableBlock(
        id="quality-reliability",
        title="How far auditors agree, item by item",
        table=table,
        caption="Inter-rater reliability on the cases given a blind second rating",
        source=SOURCE,
        notes=(
            "Krippendorff's alpha at the ordinal level (nominal for yes/no items) with a "
            "percentile bootstrap interval over cases; 0.800 or more is conventionally reliable, "
            "0.667-0.800 good enough for tentative conclusions (Krippendorff 2004).",
            "Gwet's AC2 (linear weights) stays meaningful when nearly every case gets the same "
            "answer, where alpha and kappa can be low despite high agreement.",
        ),
    )


def describe(c: Comparison, title: str) -> str:
    """A plain-English sentence on one comparison."""
    if not math.isfinite(c.difference):
        return f"{title} at {c.time_point}: not estimable."
    side = "higher" if c.difference > 0 else "lower"
    text = (
        f"{title} at {c.time_point}: framework sites scored {abs(c.difference):.1f} points "
        f"{side} than contrast sites ({c.n_sites_framework} against {c.n_sites_contrast} sites; "
        f"Hedges' g {c.g:.2f}, 95% CI {c.g_low:.2f} to {c.g_high:.2f}; site permutation "
        f"p = {c.p_permutation:.3f}"
    )
    if c.smallest_p > 0.05:
        text += f", and with so few sites p cannot fall below {c.smallest_p:.3f}"
    if math.isfinite(c.ml_estimate):
        text += f"; multilevel estimate {c.ml_estimate:.1f}, {c.ml_low:.1f} to {c.ml_high:.1f}"
    if math.isfinite(c.mde):
        text += f"; only a difference of {c.mde:.1f} points or more could reliably be detected"
    return text + f"; {c.verdict.clause()})."


def render_quality(result: QualityResult, policy: DisclosurePolicy) -> Section:
    """The quality-of-recording section of the report."""
    trend, chart = _trend(result, policy)
    n_cases = len(result.cases)
    blocks: list[Block] = [
        Prose(
            f"{n_cases} case files were audited with the instrument '{result.instrument.title}' "
            f"(version {result.instrument.version}) at {len(result.time_points)} time point(s) "
            f"in {result.cases['la_code'].nunique()} sites. Samples were drawn at random within "
            "strata from each site's case list and carry pseudonyms only. Scores run from 0 "
            "(lowest answer on every item) to 100; 'not applicable' answers are left out."
            + ("\n\n" + " ".join(result.notes) if result.notes else "")
        ),
        chart,
        trend,
        _group_table(result, policy),
        _comparison_table(result, policy),
        _site_table(result, policy),
        _reliability_table(result, policy),
    ]
    findings = [
        Finding(describe(c, "Overall quality"), c.verdict.strength)
        for c in result.comparisons
        if c.measure == "overall"
    ]
    readings = [r.reading for r in result.reliability]
    judged = [r for r in readings if not r.startswith("too few")]
    if judged:
        good = sum(r.startswith("auditors agree well") for r in judged)
        findings.append(
            Finding(
                f"Auditors agreed well (Krippendorff's alpha 0.8 or more) on {good} of "
                f"{len(judged)} items with enough double-rated cases; see the reliability table "
                "for the items whose guidance needs tightening."
            )
        )
    return Section(
        id="quality-of-recording",
        title="Quality of recording",
        summary="How well assessments and plans were recorded in a random sample of case files, "
        "in framework and contrast sites, and how far the auditors agreed.",
        findings=tuple(findings),
        blocks=tuple(blocks),
        answers=contrast_answers(
            [c for c in result.comparisons if c.measure == "overall"],
            "Case-file quality at {time_point}",
            "points (of 100)",
            lambda c: "low",
        ),
    )
