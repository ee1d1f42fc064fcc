"""The report section for the team culture and climate survey.

Every table goes through :func:`csceval.disclosure.protect`. Response counts are COUNT columns,
so a row with 1-``min_count`` responses shows ``c`` and its means are withheld too. Teams with
fewer than the anonymity threshold of responses never reach the result, let alone a table.
"""

from __future__ import annotations

import math

import pandas as pd

from csceval.disclosure import ColumnRole, DisclosurePolicy, PublishedColumn, TableSpec, protect
from csceval.disclosure.policy import SUPPRESSED
from csceval.report.model import BarChart, Block, Finding, Prose, Section, Series, TableBlock
from csceval.report.questions import contrast_answers
from csceval.strands.culture_survey.aggregation import ICC2_CUT
from csceval.strands.culture_survey.analysis import CHANGE, SurveyResult
from csceval.strands.culture_survey.compare import SiteComparison
from csceval.strands.culture_survey.section_model import model_sentence, model_table

SOURCE = "Project table data/survey_responses.csv; scored by csceval (see docs/methods.md)"
GROUPS = {"framework": "Framework site", "contrast": "Contrast site"}
V = ColumnRole.VALUE


def _label(name: str, title: str) -> PublishedColumn:
    return PublishedColumn(name, title, ColumnRole.LABEL)


def _block(
    frame: pd.DataFrame,
    columns: list[PublishedColumn],
    policy: DisclosurePolicy,
    count: str | None = None,
    **kw: object,
) -> TableBlock:
    frame = frame.reset_index(drop=True)
    if count is not None:
        small = frame[count].between(1, policy.min_count)
        values = [c.name for c in columns if c.role is V]
        frame = frame.astype(dict.fromkeys(values, object))
        frame.loc[small, values] = SUPPRESSED
    table = protect(frame[[c.name for c in columns]], TableSpec(tuple(columns)), policy)
    return TableBlock(table=table, **kw)  # type: ignore[arg-type]


def _site_table(result: SurveyResult, policy: DisclosurePolicy) -> tuple[TableBlock, BarChart]:
    ins = result.instrument
    frame = result.sites.sort_values(["time_point", "group", "site"]).copy()
    frame["label"] = frame["site"].fillna(frame["la_code"]) + " (" + frame["time_point"] + ")"
    frame["group"] = frame["group"].map(GROUPS)
    columns = [
        _label("label", "Site (time point)"),
        _label("group", "Sites"),
        PublishedColumn("n_respondents", "Responses", ColumnRole.COUNT),
        PublishedColumn("n_teams", "Teams", V, dp=0),
        *(PublishedColumn(s, ins.title_of(s), V, unit="mean score", dp=2) for s in ins.subscales),
    ]
    block = _block(
        frame,
        columns,
        policy,
        "n_respondents",
        id="survey-site-means",
        title="Team climate by site and time point",
        caption="Mean subscale score (mean of the site's team means; 1 = strongly "
        "disagree, 5 = strongly agree, reverse-keyed items reversed)",
        source=SOURCE,
    )
    chart = BarChart(
        id="chart-survey-site-means",
        title="Team climate subscales by site",
        table_id=block.id,
        label="label",
        series=tuple(Series(s, ins.title_of(s)) for s in ins.subscales),
        x_label="Mean score (1-5)",
        description="Horizontal bar chart of each site's mean score on each subscale at each "
        "time point; the table below gives the values and the number of responses.",
        base=1.0,
    )
    return block, chart


def _aggregation_table(result: SurveyResult, policy: DisclosurePolicy) -> TableBlock:
    ins = result.instrument
    frame = pd.DataFrame(
        [
            {
                "subscale": ins.title_of(a.subscale),
                "time_point": a.time_point,
                "items": a.n_items,
                "n": a.n_respondents,
                "teams": a.n_teams,
                "alpha": a.alpha,
                "omega": a.omega,
                "rwg": a.rwg_median,
                "rwg_mean": a.rwg_mean,
                "rwg_skew": a.rwg_skew_median,
                "share": 100 * a.share_teams_agree,
                "icc1": a.icc1,
                "icc2": a.icc2,
                "reading": a.reading,
            }
            for a in result.aggregation
        ],
        columns=[
            "subscale",
            "time_point",
            "items",
            "n",
            "teams",
            "alpha",
            "omega",
            "rwg",
            "rwg_mean",
            "rwg_skew",
            "share",
            "icc1",
            "icc2",
            "reading",
        ],
    )
    columns = [
        _label("subscale", "Subscale"),
        _label("time_point", "Time point"),
        PublishedColumn("items", "Items", V, dp=0),
        PublishedColumn("n", "Respondents", ColumnRole.COUNT),
        PublishedColumn("teams", "Teams", V, dp=0),
        PublishedColumn("alpha", "Cronbach's alpha", V, dp=2),
        PublishedColumn("omega", "McDonald's omega", V, dp=2),
        PublishedColumn("rwg", "r_wg(j) median (uniform null)", V, dp=2),
        PublishedColumn("rwg_mean", "r_wg(j) mean (uniform null)", V, dp=2),
        PublishedColumn("rwg_skew", "r_wg(j) median (slightly skewed null)", V, dp=2),
        PublishedColumn("share", "Teams with r_wg(j) >= 0.70 (%)", V, dp=0),
        PublishedColumn("icc1", "ICC(1)", V, dp=3),
        PublishedColumn("icc2", "ICC(2)", V, dp=2),
        _label("reading", "Can team means be used?"),
    ]
    return _block(
        frame,
        columns,
        policy,
        "n",
        id="survey-aggregation",
        title="Reliability of the subscales and agreement within teams",
        caption="Whether answers agree enough within teams, and differ enough between "
        "them, to speak of a team's climate",
        source=SOURCE,
        notes=(
            "r_wg(j): agreement within a team against random answering (uniform null) "
            "and against mild leniency (slightly skewed null, LeBreton & Senter 2008); "
            "0.70 or more is the usual threshold. ICC(1): share of the variation that "
            "lies between teams; ICC(2): reliability of team means.",
        ),
    )


def _team_table(result: SurveyResult, policy: DisclosurePolicy) -> TableBlock:
    ins = result.instrument
    order = {scale: k for k, scale in enumerate(ins.subscales)}
    frame = result.teams.assign(order=result.teams["subscale"].map(order))
    frame = frame.sort_values(["time_point", "site", "team", "order"])
    frame["subscale"] = frame["subscale"].map(ins.title_of)
    frame["flag"] = frame["low_agreement"].map({True: "low agreement", False: ""})
    columns = [
        _label("time_point", "Time point"),
        _label("site", "Site"),
        _label("team", "Team"),
        _label("subscale", "Subscale"),
        PublishedColumn("n", "Responses", ColumnRole.COUNT),
        PublishedColumn("mean", "Team mean", V, dp=2),
        PublishedColumn("rwg_j", "r_wg(j) (uniform null)", V, dp=2),
        _label("flag", "Flag"),
    ]
    return _block(
        frame,
        columns,
        policy,
        "n",
        id="survey-teams",
        title="Agreement within teams",
        source=SOURCE,
        caption=f"Teams with at least {result.min_team} responses (others count in "
        "their site's figures only)",
        notes=(
            f"{result.n_hidden_teams} team-time point(s) are not shown on their own "
            "(too few responses, or a smaller team could be worked out from them).",
        ),
    )


def _comparison_table(result: SurveyResult, policy: DisclosurePolicy) -> TableBlock:
    ins = result.instrument
    frame = pd.DataFrame(
        [
            {
                "subscale": ins.title_of(c.subscale),
                "time_point": "T1 to T2 change" if c.time_point == CHANGE else c.time_point,
                "sites": f"{c.n_sites_framework} v {c.n_sites_contrast}",
                "fw": c.mean_framework,
                "ct": c.mean_contrast,
                "diff": c.difference,
                "low": c.low,
                "high": c.high,
                "d": c.effect_size,
                "d_low": c.effect_low,
                "d_high": c.effect_high,
                "p": c.p_permutation,
                "smallest": c.smallest_p,
                "mde": c.mde_sd,
            }
            for c in result.comparisons
        ],
        columns=[
            "subscale",
            "time_point",
            "sites",
            "fw",
            "ct",
            "diff",
            "low",
            "high",
            "d",
            "d_low",
            "d_high",
            "p",
            "smallest",
            "mde",
        ],
    )
    columns = [
        _label("subscale", "Subscale"),
        _label("time_point", "Time point"),
        _label("sites", "Sites (framework v contrast)"),
        PublishedColumn("fw", "Framework: mean of site means", V, dp=2),
        PublishedColumn("ct", "Contrast: mean of site means", V, dp=2),
        PublishedColumn("diff", "Difference", V, dp=2),
        PublishedColumn("low", "95% CI low", V, dp=2),
        PublishedColumn("high", "95% CI high", V, dp=2),
        PublishedColumn("d", "Effect size (SD)", V, dp=2),
        PublishedColumn("d_low", "Effect size: CI low", V, dp=2),
        PublishedColumn("d_high", "Effect size: CI high", V, dp=2),
        PublishedColumn("p", "Site permutation p", V, dp=3),
        PublishedColumn("smallest", "Smallest possible p", V, dp=3),
        PublishedColumn("mde", "Minimum detectable effect (SD)", V, dp=2),
    ]
    return _block(
        frame,
        columns,
        policy,
        id="survey-comparison",
        title="Framework against contrast sites",
        source=SOURCE,
        caption="Differences in mean subscale score (framework minus contrast), with "
        "inference on whole sites",
        notes=(
            "Intervals are t intervals on site means (sites minus 2 degrees of "
            "freedom); the permutation test relabels whole sites; effect sizes divide "
            "by the standard deviation over all respondents; the minimum detectable "
            "effect is for 80% power at the 5% level with these sites. x: not "
            "estimable with these sites.",
        ),
    )


def _tscore_table(result: SurveyResult, policy: DisclosurePolicy) -> TableBlock:
    ins = result.instrument
    frame = result.sites.sort_values(["time_point", "group", "site"]).copy()
    frame["group"] = frame["group"].map(GROUPS)
    columns = [
        _label("time_point", "Time point"),
        _label("site", "Site"),
        _label("group", "Sites"),
        PublishedColumn("n_respondents", "Responses", ColumnRole.COUNT),
        *(
            PublishedColumn(f"t_{s}", f"{ins.title_of(s)} (T-score)", V, dp=0)
            for s in ins.subscales
        ),
    ]
    return _block(
        frame,
        columns,
        policy,
        "n_respondents",
        id="survey-tscores",
        title="T-scores against the evaluation's norms",
        source=SOURCE,
        caption="T = 50 + 10 (site mean - norm mean) / norm SD",
    )


def describe(c: SiteComparison, title: str) -> str:
    """A plain-English sentence on one comparison."""
    if not math.isfinite(c.difference):
        return f"{title} at {c.time_point}: not estimable."
    side = "higher" if c.difference > 0 else "lower"
    text = (
        f"{title} at {c.time_point}: staff in framework sites scored {abs(c.difference):.2f} "
        f"points {side} than in contrast sites ({c.n_sites_framework} against "
        f"{c.n_sites_contrast} sites"
    )
    if math.isfinite(c.low):
        text += f"; 95% CI {c.low:+.2f} to {c.high:+.2f}"
    text += f"; site permutation p = {c.p_permutation:.3f}"
    if c.smallest_p > 0.05:
        text += f", which with so few sites cannot fall below {c.smallest_p:.3f}"
    if math.isfinite(c.mde_sd):
        text += f"; only a difference of {c.mde_sd:.1f} SD or more could reliably be detected"
    return text + f"; {c.verdict.clause()})."


def _aggregation_finding(result: SurveyResult) -> str:
    titles = result.instrument.title_of
    bad = sorted({titles(a.subscale) for a in result.aggregation if not a.justified})
    unreliable = sum(a.icc2 < ICC2_CUT for a in result.aggregation)
    text = (
        f"Staff in the same team agreed enough, and teams differed enough, to speak of a team's "
        f"climate for {len(result.aggregation) - sum(not a.justified for a in result.aggregation)}"
        f" of {len(result.aggregation)} subscale-time points"
    )
    text += f"; not for {', '.join(bad)}." if bad else "."
    if unreliable:
        text += (
            f" In {unreliable} of them team means rest on too few answers to be reliable "
            f"(ICC(2) below {ICC2_CUT:.2f}): compare sites and groups, not single teams."
        )
    return text


def render_survey(result: SurveyResult, policy: DisclosurePolicy) -> Section:
    """The culture-survey section of the report."""
    ins = result.instrument
    sites, chart = _site_table(result, policy)
    caveat = (
        f"{result.n_respondents} staff answered '{ins.title}' (version {ins.version}) at "
        f"{len(result.time_points)} time point(s). A team is shown only with at least "
        f"{result.min_team} responses. Team and site means speak for a team only when its members "
        "agree (r_wg(j)) and teams really differ (ICC(1)); the aggregation table says where "
        "that holds. With few sites, differences between framework and contrast sites are "
        "descriptive: they may reflect the sites rather than the framework."
    )
    if result.n_free_text:
        caveat += (
            f"\n\n{result.n_free_text} free-text comments were received; they are not "
            f"published ({result.n_free_text_flagged} would fail the name screen)."
        )
    blocks: list[Block] = [
        Prose(caveat + ("\n\n" + " ".join(result.notes) if result.notes else "")),
        chart,
        sites,
        _aggregation_table(result, policy),
        _comparison_table(result, policy),
    ]
    if result.models:
        latest_fits = [f for f in result.models if f.time_point == result.time_points[-1]]
        sentences = " ".join(model_sentence(f, ins.title_of(f.subscale)) for f in latest_fits)
        blocks += [Prose(sentences), model_table(result.models, ins.title_of, policy)]
    blocks.append(_team_table(result, policy))
    if result.has_norms:
        blocks.append(_tscore_table(result, policy))
    latest = result.time_points[-1] if result.time_points else ""
    findings = [
        Finding(describe(c, ins.title_of(c.subscale)), c.verdict.strength)
        for c in result.comparisons
        if c.time_point == latest
    ]
    findings.append(Finding(_aggregation_finding(result)))
    shown = [c for c in result.comparisons if c.time_point == latest][:1]
    return Section(
        id="culture-survey",
        title="Team culture and climate",
        summary="How staff in framework and contrast sites describe their team's climate, and "
        "whether their answers agree enough to speak of a team's climate.",
        findings=tuple(findings),
        blocks=tuple(blocks),
        answers=contrast_answers(
            shown,
            f"Team climate ({ins.title_of(shown[0].subscale).lower()})" + " at {time_point}"
            if shown
            else "",
            "points",
            lambda c: "low",
            lambda c: f"Only a difference of {c.mde_sd:.1f} SD or more could reliably be detected."
            if math.isfinite(c.mde_sd)
            else "",
        ),
    )
