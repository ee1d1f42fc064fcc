"""The report section for family goals: T-scores by site, the comparison, agreement.

Every table goes through :func:`csceval.disclosure.protect`. Family and goal counts are COUNT
columns, so a site with 1 to ``min_count`` families shows ``c`` and its means, shares and
agreement are withheld too (a mean of very few families says too much about them). Goal texts
are free text and never enter the report; the proposed goal pairs stay in the result for review.
"""

from __future__ import annotations

import math

import pandas as pd

from csceval.disclosure import ColumnRole, DisclosurePolicy, PublishedColumn, TableSpec, protect
from csceval.disclosure.policy import SUPPRESSED
from csceval.report.model import BarChart, Block, Finding, Prose, Section, Series, TableBlock
from csceval.report.questions import contrast_answers
from csceval.strands.family_goals.analysis import Comparison, GoalsResult

SOURCE = "Project data tables data/family_goals.csv and data/goal_ratings.csv; goal attainment "
SOURCE += "T-scores computed by csceval (Kiresuk & Sherman 1968)"
GROUPS = {"framework": "Framework", "contrast": "Contrast"}
V, C, L, P = ColumnRole.VALUE, ColumnRole.COUNT, ColumnRole.LABEL, ColumnRole.PERCENT


def _col(name: str, title: str, role: ColumnRole = V, dp: int | None = 1) -> PublishedColumn:
    return PublishedColumn(name, title, role, dp=None if role in (L, C) else dp)


def _block(
    frame: pd.DataFrame,
    columns: list[PublishedColumn],
    policy: DisclosurePolicy,
    id: str,
    title: str,
    caption: str,
    notes: tuple[str, ...],
) -> TableBlock:
    """A protected table of this section (every table passes through disclosure control)."""
    table = protect(frame, TableSpec(columns=tuple(columns)), policy)
    return TableBlock(id, title, table, caption=caption, source=SOURCE, notes=notes)


def _withhold(frame: pd.DataFrame, count: str, columns: list[str], n: int) -> pd.DataFrame:
    out = frame.astype(dict.fromkeys(columns, object))
    out.loc[frame[count].between(1, n), columns] = SUPPRESSED
    return out


def _site_frame(result: GoalsResult) -> pd.DataFrame:
    several = len(result.time_points) > 1
    agree = {str(r["la_code"]): r for r in result.sites_agreement.to_dict("records")}
    rows = []
    for (code, tp), part in result.sites.groupby(["la_code", "time_point"], sort=True):
        by = {str(r["rater"]): r for r in part.to_dict("records")}
        name = result.site_names.get(str(code), str(code))
        row: dict[str, object] = {
            "time_point": tp,
            "site": f"{name} ({tp})" if several else name,
            "group": GROUPS.get(str(part["group"].iat[0]), ""),
            "n_families": int(part["n_families"].max()),
        }
        for rater in ("parent", "worker"):
            r = by.get(rater, {})
            for key, col in (("mean", "mean_t"), ("low", "low_t"), ("high", "high_t")):
                row[f"{rater}_{key}"] = float(r.get(col, math.nan))
            row[f"{rater}_met"] = 100 * float(r.get("share_met", math.nan))
        site_agree = agree.get(str(code), {}) if not several else {}
        row["n_both"] = int(site_agree.get("n_both", 0))
        row["exact"] = 100 * float(site_agree.get("exact", math.nan))
        row["kappa"] = float(site_agree.get("kappa", math.nan))
        rows.append(row)
    frame = pd.DataFrame(rows)
    return frame.sort_values(["time_point", "group", "site"], ascending=[True, False, True])


def _site_table(result: GoalsResult, policy: DisclosurePolicy) -> tuple[TableBlock, BarChart]:
    frame = _site_frame(result).reset_index(drop=True)
    values = [f"{r}_{k}" for r in ("parent", "worker") for k in ("mean", "low", "high", "met")]
    frame = _withhold(frame, "n_families", values, policy.min_count)
    frame = _withhold(frame, "n_both", ["exact", "kappa"], policy.min_count)
    columns = [
        _col("time_point", "Time point", L), _col("site", "Site", L), _col("group", "Sites", L),
        _col("n_families", "Families", C),
        _col("parent_mean", "Parent-rated: mean T"), _col("parent_low", "95% CI low"),
        _col("parent_high", "95% CI high"),
        _col("worker_mean", "Worker-rated: mean T"), _col("worker_low", "95% CI low"),
        _col("worker_high", "95% CI high"),
        _col("parent_met", "Goals met, parent-rated (%)", P),
        _col("worker_met", "Goals met, worker-rated (%)", P),
        _col("n_both", "Goals rated by both", C),
        _col("exact", "Parent and worker agree exactly (%)", P),
        _col("kappa", "Weighted kappa", V, 2),
    ]  # fmt: skip
    block = _block(
        frame,
        columns,
        policy,
        id="goals-by-site",
        title="Goal attainment by site: mean family T-score, goals met and agreement",
        caption="Mean over each site's families of the goal attainment T-score (50 = goals met "
        "as expected), with a t interval over families; a goal is met when rated 0 (as "
        "expected) or better",
        notes=(
            f"T-scores with rho = {result.rho:g}, the conventional assumed correlation between "
            "goals (Kiresuk & Sherman 1968); goals not rated are left out of the family's score.",
            "Weighted kappa: Cohen's kappa with quadratic weights on the five levels, over the "
            "site's goals rated by both the parent and the worker.",
        ),
    )
    chart = BarChart(
        id="chart-goals-by-site",
        title="Mean goal attainment T-score by site, as rated by parents and by workers",
        table_id=block.id,
        label="site",
        series=(Series("parent_mean", "Parent-rated"), Series("worker_mean", "Worker-rated")),
        x_label="Mean family T-score (50 = goals attained as expected)",
        description="Horizontal bar chart of each site's mean family goal attainment T-score, "
        "rated by parents and by social workers, drawn from 50 (every goal attained as "
        "expected); the table below gives the values and their intervals.",
        base=50.0,
        base_label="50: as expected",
    )
    return block, chart


def _comparison_table(result: GoalsResult, policy: DisclosurePolicy) -> TableBlock:
    frame = pd.DataFrame(
        [
            {
                "time_point": c.time_point, "rater": f"{c.rater.capitalize()}-rated",
                "sites": f"{c.n_sites_framework} v {c.n_sites_contrast}",
                "families": f"{c.n_families_framework} v {c.n_families_contrast}",
                "framework": c.mean_framework, "contrast": c.mean_contrast,
                "difference": c.difference, "low": c.low, "high": c.high, "p_t": c.p_t,
                "p_perm": c.p_permutation, "g": c.g, "g_low": c.g_low, "g_high": c.g_high,
                "mde": c.mde, "icc": c.icc,
            }
            for c in result.comparisons
        ],
        columns=["time_point", "rater", "sites", "families", "framework", "contrast",
                 "difference", "low", "high", "p_t", "p_perm", "g", "g_low", "g_high", "mde",
                 "icc"],
    )  # fmt: skip
    columns = [
        _col("time_point", "Time point", L), _col("rater", "T-score", L),
        _col("sites", "Sites (framework v contrast)", L),
        _col("families", "Families (framework v contrast)", L),
        _col("framework", "Framework: mean of site means"),
        _col("contrast", "Contrast: mean of site means"),
        _col("difference", "Difference (T points)"), _col("low", "95% CI low"),
        _col("high", "95% CI high"), _col("p_t", "Site-mean t-test p", V, 3),
        _col("p_perm", "Site permutation p", V, 3), _col("g", "Hedges' g", V, 2),
        _col("g_low", "g: 95% CI low", V, 2), _col("g_high", "g: 95% CI high", V, 2),
        _col("mde", "Minimum detectable effect (T points)"),
        _col("icc", "Intraclass correlation (sites)", V, 3),
    ]  # fmt: skip
    return _block(
        frame,
        columns,
        policy,
        id="goals-comparison",
        title="Framework against contrast sites: mean family T-score",
        caption="Difference in the mean of site mean T-scores (framework minus contrast), with "
        "inference on sites",
        notes=(
            "The t-test and interval use site means (sites minus 2 degrees of freedom); the "
            "permutation test relabels whole sites; Hedges' g divides by the SD of family "
            "T-scores within groups (small-sample corrected) and its interval is the site-mean "
            "interval on that scale.",
            "Minimum detectable effect: the smallest true difference this design (these numbers "
            "of sites and families, this intraclass correlation) would detect with 80% power at "
            "the 5% level, two-sided (Bloom 2005).",
        ),
    )


def _agreement_table(result: GoalsResult, policy: DisclosurePolicy) -> TableBlock:
    a = result.agreement
    n_double, same = result.double_entry
    pairs = result.pairs
    nan = math.nan
    shown_pairs = 100 * float(pairs["proposed"].mean()) if len(pairs) else nan
    # (measure, count, value, low, high, the count the value rests on)
    rows = [
        ("Goals rated by both parent and worker", a.n_goals, nan, nan, nan, a.n_goals),
        ("Exact agreement (%)", nan, 100 * a.exact, nan, nan, a.n_goals),
        ("Mean rating, parent minus worker (levels)", nan, a.mean_difference, nan, nan,
         a.n_goals),
    ]  # fmt: skip
    for label, r in (("Weighted kappa (quadratic)", a.kappa),
                     ("Krippendorff's alpha (ordinal)", a.alpha)):  # fmt: skip
        if r is not None:
            low = nan if r.ci_low is None else r.ci_low
            high = nan if r.ci_high is None else r.ci_high
            rows.append((label, nan, r.estimate, low, high, a.n_goals))
    rows += [
        ("Rating forms entered twice", n_double, nan, nan, nan, n_double),
        ("Of those, both entries identical (%)", nan, 100 * same, nan, nan, n_double),
        ("Parent goals", len(pairs), nan, nan, nan, len(pairs)),
        (f"Of those, a worker goal proposed as the same goal (%; word similarity "
         f">= {result.threshold:g})", nan, shown_pairs, nan, nan, len(pairs)),
    ]  # fmt: skip
    reviewed = pairs["reviewed"].isin(["yes", "no"])
    if reviewed.any():
        same = 100 * float((pairs.loc[reviewed, "reviewed"] == "yes").mean())
        rows += [
            ("Parent goals reviewed against a worker goal", int(reviewed.sum()), nan, nan, nan,
             int(reviewed.sum())),
            ("Of those, judged the same goal (%)", nan, same, nan, nan, int(reviewed.sum())),
        ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["measure", "n", "value", "low", "high", "base"])
    frame = _withhold(frame, "base", ["value", "low", "high"], policy.min_count)
    columns = [
        _col("measure", "Measure", L), _col("n", "Number", C), _col("value", "Value", V, 2),
        _col("low", "95% CI low", V, 2), _col("high", "95% CI high", V, 2),
    ]  # fmt: skip
    return _block(
        frame,
        columns,
        policy,
        id="goals-agreement",
        title="Parents and workers: agreement on ratings and on goals",
        caption="Agreement between parents' and social workers' ratings of the same goals, the "
        "double-entry check, and how many parents' goals match a worker's goal",
        notes=(
            "Intervals: percentile bootstrap over goals. Goal pairs are matched on shared words "
            "(Jaccard index of normalised word sets) and are proposals for review, not a "
            "verdict: synonyms are missed and shared words can mislead.",
        ),
    )


def describe(c: Comparison) -> str:
    """A plain-English sentence on one comparison, with the minimum detectable effect."""
    who = "parents" if c.rater == "parent" else "social workers"
    if not math.isfinite(c.difference):
        return f"Goal attainment rated by {who} at {c.time_point}: not estimable."
    side = "higher" if c.difference > 0 else "lower"
    text = (
        f"Goal attainment rated by {who} at {c.time_point}: families in framework sites scored "
        f"{abs(c.difference):.1f} T-score points {side} than in contrast sites "
        f"({c.n_sites_framework} against {c.n_sites_contrast} sites; 95% CI {c.low:.1f} to "
        f"{c.high:.1f}; site permutation p = {c.p_permutation:.3f}; Hedges' g {c.g:.2f})."
    )
    if math.isfinite(c.mde):
        text += (
            f" With these sites and families, only a difference of about {c.mde:.1f} points or "
            "more would reliably be detected"
            + (
                ", so a real difference smaller than that may be missed."
                if abs(c.difference) < c.mde
                else "."
            )
        )
    return f"{text} The evidence is {c.verdict.clause()}."


def render_goals(result: GoalsResult, policy: DisclosurePolicy) -> Section:
    """The family goals section of the report."""
    site_block, chart = _site_table(result, policy)
    n = result.families[["la_code", "time_point", "family"]].drop_duplicates()
    blocks: list[Block] = [
        Prose(
            f"{len(n)} families in {n['la_code'].nunique()} framework and contrast sites had "
            "goals set from their plan, by their social worker and by the parent, each with a "
            "five-level attainment scale (-2 much less than expected to +2 much more than "
            "expected). At review both the worker and the parent rated every goal. Each "
            "family's goal attainment T-score (Kiresuk & Sherman 1968) combines its goals, "
            f"weighted by importance, assuming a correlation of {result.rho:g} between goals; 50 "
            "means the goals were attained as expected, and about 10 points is one standard "
            "deviation." + ("\n\n" + " ".join(result.notes) if result.notes else "")
        ),
        chart,
        site_block,
        _comparison_table(result, policy),
        _agreement_table(result, policy),
    ]
    findings = [Finding(describe(c), c.verdict.strength) for c in result.comparisons]
    a = result.agreement
    if a.kappa is not None and a.n_goals > policy.min_count:
        side = "higher" if a.mean_difference > 0 else "lower"
        findings.append(
            Finding(
                f"Parents and social workers gave the same rating to {100 * a.exact:.0f}% of the "
                f"goals both rated (weighted kappa {a.kappa.estimate:.2f}); parents rated "
                f"attainment {abs(a.mean_difference):.2f} levels {side} than workers on average."
            )
        )
    return Section(
        id="family-goals",
        title="Family outcomes against goals",
        summary="How far families attained the goals in their plans and the goals they and "
        "their social workers set, in framework and contrast sites, and how far parents and "
        "workers agreed.",
        findings=tuple(findings),
        blocks=tuple(blocks),
        answers=contrast_answers(
            [c for c in result.comparisons if c.rater == "parent"],
            "Families' goal attainment rated by parents at {time_point}",
            "T-score points",
            lambda c: "low" if c.p_permutation < 0.05 else "none",
            lambda c: f"Only a difference of about {c.mde:.1f} points or more could reliably "
            "be detected."
            if math.isfinite(c.mde)
            else "",
        ),
    )
