"""The culture-survey analysis: scores, aggregation checks, site means, T-scores, framework
against contrast sites and change between time points. Pure: no file is read or written.

Groups: sites with role ``pilot`` or ``exited`` are framework sites; ``contrast`` and
``comparator`` sites are contrast sites. A site with fewer than ``k`` responses at a time point
is left out at that time point (its figures would show one small team); teams with fewer than
``k`` responses (5, or the disclosure policy's ``min_count + 1`` if larger) count in their
site's figures only (see :mod:`~csceval.strands.culture_survey.anonymity`).
Free-text answers are counted, never carried into the result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import pandas as pd

from csceval.site_comparison import flat_row
from csceval.strands.culture_survey.aggregation import (
    RWG_CUT,
    ScaleAggregation,
    scale_aggregation,
    team_agreement,
)
from csceval.strands.culture_survey.anonymity import MIN_TEAM_RESPONSES, shown_teams
from csceval.strands.culture_survey.compare import SiteComparison, compare_sites
from csceval.strands.culture_survey.freetext import screen
from csceval.strands.culture_survey.instrument import Instrument, default_instrument
from csceval.strands.culture_survey.norms import Norm
from csceval.strands.culture_survey.scoring import items_wide, subscale_scores
from csceval.strands.culture_survey.three_level import ThreeLevelFit, fit_three_level
from csceval.strands.strand import StrandInputs

FRAMEWORK_ROLES = ("pilot", "exited")
CONTRAST_ROLES = ("contrast", "comparator")
CHANGE = "change"


@dataclass(frozen=True)
class SurveyResult:
    """What the culture survey found (no team under ``min_team`` responses appears here)."""

    instrument: Instrument
    sites: pd.DataFrame
    """Per site and time point: la_code, site, group, time_point, n_respondents, n_teams, a
    column per subscale (mean of team means) and ``t_<subscale>`` T-scores when norms exist."""
    teams: pd.DataFrame
    """Teams that may be shown: la_code, site, team, time_point, subscale, n, mean, rwg_j,
    rwg_j_skew, low_agreement."""
    aggregation: tuple[ScaleAggregation, ...]
    comparisons: tuple[SiteComparison, ...]
    time_points: tuple[str, ...]
    n_respondents: int
    n_free_text: int
    n_free_text_flagged: int
    n_hidden_teams: int
    min_team: int = MIN_TEAM_RESPONSES
    has_norms: bool = False
    notes: tuple[str, ...] = field(default=())
    models: tuple[ThreeLevelFit, ...] = field(default=())
    """The three-level model (respondents in teams in sites) per subscale and time point: the
    same framework-contrast question with the variance at each level (t on ``J - 2`` df)."""

    def to_frame(self) -> pd.DataFrame:
        """One row per subscale and time point (``time_point`` ``change`` for T1 to T2):
        the framework-contrast comparison (``SiteComparison`` fields: means of site means,
        difference, se, df, 95% interval, t and permutation p-values, effect size over the total
        SD with its interval, minimum detectable effect, the strength word with its rates on the
        design) joined with the aggregation statistics
        (alpha, omega, r_wg(j) mean and median, ICC(1), ICC(2), ``reading``)."""
        comp = pd.DataFrame([flat_row(c) for c in self.comparisons])
        agg = pd.DataFrame([{**asdict(a), "reading": a.reading} for a in self.aggregation]).drop(
            columns=["n_items"], errors="ignore"
        )
        if comp.empty:
            return agg
        if agg.empty:
            return comp
        return comp.merge(agg, on=["subscale", "time_point"], how="outer", suffixes=("", "_agg"))

    def summary(self) -> str:
        """The framework-contrast differences, then whether aggregation holds."""
        lines = []
        for c in self.comparisons:
            if c.time_point == CHANGE or not math.isfinite(c.difference):
                continue
            lines.append(
                f"{self.instrument.title_of(c.subscale)} at {c.time_point}: framework minus "
                f"contrast sites {c.difference:+.2f} points ({c.n_sites_framework} v "
                f"{c.n_sites_contrast} sites; effect size {c.effect_size:+.2f} SD; site "
                f"permutation p = {c.p_permutation:.3f}; minimum detectable effect "
                f"{c.mde_sd:.2f} SD)."
            )
        ok = sum(a.justified for a in self.aggregation)
        lines.append(
            f"{self.n_respondents} responses; team-level aggregation supported for {ok} of "
            f"{len(self.aggregation)} subscale-time points (r_wg(j) >= {RWG_CUT:.2f}, ICC(1))."
        )
        return "\n".join(lines)


def _groups(inputs: StrandInputs) -> tuple[dict[str, str], dict[str, str]]:
    sites = inputs.settings.sites
    group = {s.la_code: "framework" for s in sites if s.role in FRAMEWORK_ROLES}
    group.update({s.la_code: "contrast" for s in sites if s.role in CONTRAST_ROLES})
    return group, {s.la_code: s.name for s in sites}


def _site_means(scores: pd.DataFrame, scales: list[str]) -> pd.DataFrame:
    teams = scores.groupby(["la_code", "time_point", "team"])[scales].mean()
    means = teams.groupby(["la_code", "time_point"]).mean()
    counts = scores.groupby(["la_code", "time_point"]).agg(
        n_respondents=("response_id", "size"), n_teams=("team", "nunique")
    )
    columns = ["la_code", "time_point", "n_respondents", "n_teams", *scales]
    return counts.join(means).reset_index().reindex(columns=columns)


def _comparisons(
    scores: pd.DataFrame, sites: pd.DataFrame, scales: list[str], time_points: list[str]
) -> list[SiteComparison]:
    out = []
    for scale in scales:
        for tp in time_points:
            at = sites[(sites["time_point"] == tp) & sites[scale].notna()].set_index("la_code")
            if at.empty:
                continue
            answered = scores.loc[scores["time_point"] == tp, scale].dropna()
            sd = float(answered.std(ddof=1)) if len(answered) > 1 else math.nan
            out.append(
                compare_sites(at[scale], at["group"] == "framework", sd, len(answered), scale, tp)
            )
        if len(time_points) >= 2:
            wide = sites.pivot_table(index="la_code", columns="time_point", values=scale)
            first, last = time_points[0], time_points[-1]
            if {first, last} <= set(wide.columns):
                change = (wide[last] - wide[first]).dropna()
                if not change.empty:
                    group = sites.groupby("la_code")["group"].first()
                    sd = float(scores[scale].std(ddof=1))
                    n = int(scores[scores["la_code"].isin(change.index)][scale].notna().sum())
                    out.append(compare_sites(change, group == "framework", sd, n, scale, CHANGE))
    return out


def _models(
    scores: pd.DataFrame, group: dict[str, str], scales: list[str], time_points: list[str]
) -> tuple[ThreeLevelFit, ...]:
    """The three-level fit per subscale and time point (skipped where it cannot be fitted)."""
    framework = {code for code, g in group.items() if g == "framework"}
    fits = (fit_three_level(scores, s, tp, framework) for s in scales for tp in time_points)
    return tuple(f for f in fits if f is not None)


def analyse_survey(inputs: StrandInputs, *, k: int = MIN_TEAM_RESPONSES) -> SurveyResult:
    """Run the culture-survey analysis on a project's survey responses.

    The anonymity threshold is ``k`` or, when larger, the disclosure policy's ``min_count + 1``:
    a team whose count disclosure control would suppress must not be recoverable from its site's
    figures either, so it is hidden by the same rule.
    """
    k = max(k, inputs.settings.disclosure.min_count + 1)
    instrument = inputs.file("culture_survey") or default_instrument()
    norms: Mapping[str, Norm] = inputs.file("culture_survey_norms") or {}
    group, names = _groups(inputs)
    responses = inputs.table("survey_responses")
    responses = responses[responses["la_code"].isin(list(group))].copy()
    notes: list[str] = []
    texts = responses[responses["item"].isin([q.name for q in instrument.free_text])]
    answers = texts["value"].dropna().astype(str)
    answers = answers[answers.str.strip() != ""]
    flagged = sum(bool(screen(t)) for t in answers)
    known = {q.name for q in instrument.questions}
    unknown = responses.loc[~responses["item"].isin(known), "item"]
    if len(unknown):
        notes.append(f"{len(unknown)} answers to {unknown.nunique()} item(s) not in the instrument "
                     "were left out.")  # fmt: skip
    wide = items_wide(responses, instrument)
    scores = subscale_scores(wide, instrument)
    scales = list(instrument.subscales)
    size = scores.groupby(["la_code", "time_point"])["response_id"].transform("size")
    small_sites = scores.loc[size < k, ["la_code", "time_point"]].drop_duplicates()
    if len(small_sites):
        notes.append(
            f"{len(small_sites)} site-time point(s) with fewer than {k} responses were left out."
        )
    keep = size >= k
    wide, scores = wide[keep].reset_index(drop=True), scores[keep].reset_index(drop=True)
    teams = team_agreement(wide, scores, instrument)
    aggregation = scale_aggregation(wide, scores, instrument, teams)
    sizes = scores.groupby(["la_code", "team", "time_point"]).size().rename("n").reset_index()
    visible = shown_teams(sizes, k)
    parts = [str(g).partition("/") for g in teams["group"]]
    teams = teams.assign(la_code=[p[0] for p in parts], team=[p[2] for p in parts])
    teams = teams.drop(columns="group")
    mask = [
        (c, t, tp) in visible
        for c, t, tp in zip(teams["la_code"], teams["team"], teams["time_point"], strict=True)
    ]
    teams = teams[pd.Series(mask, index=teams.index, dtype=bool)].copy()
    teams["site"] = teams["la_code"].map(names)
    teams["low_agreement"] = teams["rwg_j"] < RWG_CUT
    sites = _site_means(scores, scales)
    sites["site"] = sites["la_code"].map(names)
    sites["group"] = sites["la_code"].map(group)
    for scale in scales:
        norm = norms.get(scale)
        sites[f"t_{scale}"] = sites[scale].map(norm.t_score) if norm else math.nan
    time_points = sorted(scores["time_point"].unique())
    return SurveyResult(
        instrument=instrument,
        sites=sites,
        teams=teams.reset_index(drop=True),
        aggregation=aggregation,
        comparisons=tuple(_comparisons(scores, sites, scales, time_points)),
        time_points=tuple(time_points),
        n_respondents=len(scores),
        n_free_text=len(answers),
        n_free_text_flagged=flagged,
        n_hidden_teams=len(sizes) - len(visible),
        min_team=k,
        has_norms=bool(norms),
        notes=tuple(notes),
        models=_models(scores, group, scales, time_points),
    )


def survey_available(inputs: StrandInputs) -> bool:
    return not inputs.table("survey_responses").empty
