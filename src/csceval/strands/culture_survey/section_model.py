"""The report's table and sentence for the three-level model (respondents in teams in sites).

The model answers the same framework-contrast question as the two-stage site comparison, and
adds the variance at each level. Its numbers are published through disclosure control like the
others: the respondent count is a COUNT column, so a fit on 1-``min_count`` respondents shows
``c`` and its estimates are withheld.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from csceval.disclosure import ColumnRole, DisclosurePolicy, PublishedColumn, TableSpec, protect
from csceval.disclosure.policy import SUPPRESSED
from csceval.report.model import TableBlock
from csceval.strands.culture_survey.three_level import ThreeLevelFit

SOURCE = "Project table data/survey_responses.csv; REML three-level model fitted by csceval"
V = ColumnRole.VALUE
DF_RULE = (
    "Intervals and p-values use a t distribution on sites minus 2 degrees of freedom (the "
    "between-within rule for a site-level predictor), not the normal approximation."
)
COLUMNS = (
    PublishedColumn("subscale", "Subscale", ColumnRole.LABEL),
    PublishedColumn("time_point", "Time point", ColumnRole.LABEL),
    PublishedColumn("sites", "Sites", V, dp=0),
    PublishedColumn("teams", "Teams", V, dp=0),
    PublishedColumn("n", "Respondents", ColumnRole.COUNT),
    PublishedColumn("diff", "Difference (framework minus contrast)", V, dp=2),
    PublishedColumn("low", "95% CI low", V, dp=2),
    PublishedColumn("high", "95% CI high", V, dp=2),
    PublishedColumn("df", "Degrees of freedom", V, dp=0),
    PublishedColumn("p", "p (t test)", V, dp=3),
    PublishedColumn("icc_site", "ICC site (share of variance between sites)", V, dp=3),
    PublishedColumn("icc_team", "ICC team (share between teams within sites)", V, dp=3),
)


def model_table(
    fits: tuple[ThreeLevelFit, ...], title_of: Callable[[str], str], policy: DisclosurePolicy
) -> TableBlock:
    """The three-level fits as a disclosure-controlled table (id ``survey-model``)."""
    frame = pd.DataFrame(
        [
            {"subscale": title_of(f.subscale), "time_point": f.time_point, "sites": f.n_sites,
             "teams": f.n_teams, "n": f.n_respondents, "diff": f.difference, "low": f.low,
             "high": f.high, "df": f.df, "p": f.p_value, "icc_site": f.share_site,
             "icc_team": f.share_team}
            for f in fits
        ],
        columns=[c.name for c in COLUMNS],
    )  # fmt: skip
    small = frame["n"].between(1, policy.min_count)
    values = [c.name for c in COLUMNS if c.role is V]
    frame = frame.astype(dict.fromkeys(values, object))
    frame.loc[small, values] = SUPPRESSED
    return TableBlock(
        table=protect(frame, TableSpec(COLUMNS), policy),
        id="survey-model",
        title="Framework against contrast sites: three-level model",
        caption="Respondents in teams in sites, fitted by REML: the framework-contrast "
        "difference and the share of the variation at each level",
        source=SOURCE,
        notes=(
            DF_RULE + " ICC site and ICC team are the shares of the total variance (after the "
            "framework effect) between sites and between teams within the same site; with few "
            "sites the site share is often estimated at 0. x: not estimable.",
        ),
    )


def model_sentence(fit: ThreeLevelFit, title: str) -> str:
    """A plain-English sentence on one three-level fit."""
    if not math.isfinite(fit.difference):
        return f"{title} at {fit.time_point} (three-level model): not estimable."
    return (
        f"{title} at {fit.time_point}, in the three-level model (respondents in teams in "
        f"{fit.n_sites} sites): framework minus contrast {fit.difference:+.2f} points (95% CI "
        f"{fit.low:+.2f} to {fit.high:+.2f}, t on {fit.df} degrees of freedom); "
        f"{100 * fit.share_site:.0f}% of the variation lies between sites and "
        f"{100 * fit.share_team:.0f}% between teams within sites."
    )
