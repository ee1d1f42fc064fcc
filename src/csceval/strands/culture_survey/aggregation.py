"""Scale reliability and the statistics that justify aggregating answers to team level.

For each subscale (and time point): Cronbach's alpha and McDonald's omega over respondents
(reversed items, listwise); r_wg(j) for every team with 2 or more respondents against two null
distributions; ICC(1) and ICC(2) of the subscale scores by team (one-way ANOVA, Bliese 2000).

Notes
-----
- Null distributions for r_wg(j) (LeBreton & Senter 2008): the uniform null,
  ``(A^2 - 1)/12`` for ``A`` options, and the "slightly skewed" null, for a 5-option scale the
  distribution (.05, .15, .20, .35, .25) whose variance is 1.34, which allows for the leniency
  staff often show when rating their own team. csceval defines the skewed null only for 5
  options; other scales get the uniform null alone.
- Aggregation is flagged when the median team r_wg(j) (uniform null) is below 0.70 (the usual
  cut-off; LeBreton & Senter 2008), when ICC(1) is below 0.05 (teams hardly differ, so team
  means mostly carry noise; Bliese 2000 reports typical values of 0.05-0.20), or when ICC(2), the
  reliability of team means, is below 0.70. Teams whose own r_wg(j) is below 0.70 are flagged
  in the team table.
- ``group`` is the grouping column: ``team`` groups by site and team (a team code is only unique
  within its site); any other column is used as it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from csceval.reliability import aggregation_icc, cronbach_alpha, mcdonald_omega, rwg_j
from csceval.strands.culture_survey.instrument import Instrument

RWG_CUT = 0.70
ICC1_CUT = 0.05
ICC2_CUT = 0.70
SLIGHT_SKEW = {5: (0.05, 0.15, 0.20, 0.35, 0.25)}
"""LeBreton & Senter's (2008) slightly skewed null distributions, by number of options."""


def null_variance(n_options: int, distribution: str = "uniform") -> float:
    """Null variance of ``n_options`` answers: ``uniform`` or ``slight_skew`` (NaN if undefined)."""
    if distribution == "uniform":
        return (n_options**2 - 1) / 12
    probs = SLIGHT_SKEW.get(n_options)
    if distribution != "slight_skew" or probs is None:
        return math.nan
    values = np.arange(1, n_options + 1)
    mean = float(np.dot(probs, values))
    return float(np.dot(probs, (values - mean) ** 2))


@dataclass(frozen=True)
class ScaleAggregation:
    """Reliability and aggregation statistics of one subscale at one time point."""

    subscale: str
    time_point: str
    n_items: int
    n_respondents: int
    n_teams: int
    alpha: float
    omega: float
    rwg_mean: float
    rwg_median: float
    rwg_skew_mean: float
    rwg_skew_median: float
    share_teams_agree: float
    icc1: float
    icc2: float

    @property
    def flags(self) -> tuple[str, ...]:
        out = []
        if not self.rwg_median >= RWG_CUT:
            out.append(f"median r_wg(j) below {RWG_CUT:.2f}")
        if not self.icc1 >= ICC1_CUT:
            out.append(f"ICC(1) below {ICC1_CUT:.2f}")
        if not self.icc2 >= ICC2_CUT:
            out.append(f"ICC(2) below {ICC2_CUT:.2f}")
        return tuple(out)

    @property
    def justified(self) -> bool:
        """Whether agreement within and differences between teams support team means."""
        return self.rwg_median >= RWG_CUT and self.icc1 >= ICC1_CUT

    @property
    def reading(self) -> str:
        if self.justified and not self.flags:
            return "team means can be used"
        if self.justified:
            return "team means usable, with care: " + "; ".join(self.flags)
        return "aggregation not supported: " + "; ".join(self.flags)


def group_keys(frame: pd.DataFrame, group: str) -> pd.Series:
    """The grouping key of each row (site and team for ``team``)."""
    if group == "team" and "la_code" in frame:
        return frame["la_code"].astype(str) + "/" + frame["team"].astype(str)
    return frame[group].astype(str)


def _rwg(matrix: np.ndarray, variance: float) -> float:
    if not math.isfinite(variance) or len(matrix) < 2:
        return math.nan
    return rwg_j(matrix, null_variance=variance).estimate


def team_agreement(
    wide: pd.DataFrame, scores: pd.DataFrame, instrument: Instrument, group: str = "team"
) -> pd.DataFrame:
    """Per group, time point and subscale: ``n`` (respondents with a score), ``mean``,
    ``rwg_j`` (uniform null) and ``rwg_j_skew`` (slightly skewed null; NaN when undefined)."""
    keys = group_keys(scores, group)
    rows = []
    for scale, questions in instrument.subscales.items():
        options = instrument.n_options(questions[0])
        uniform, skew = null_variance(options), null_variance(options, "slight_skew")
        items = [q.name for q in questions]
        has = scores[scale].notna().to_numpy()
        matrix = wide[items].to_numpy(dtype=float)[has]
        values = scores[scale].to_numpy(dtype=float)[has]
        by = pd.DataFrame({"key": keys[has].to_numpy(), "tp": scores["time_point"][has].to_numpy()})
        for label, positions in by.groupby(["key", "tp"]).indices.items():
            key, tp = (str(part) for part in label)  # type: ignore[attr-defined]
            rows.append({
                "group": key, "time_point": tp, "subscale": scale, "n": len(positions),
                "mean": float(values[positions].mean()),
                "rwg_j": _rwg(matrix[positions], uniform),
                "rwg_j_skew": _rwg(matrix[positions], skew),
            })  # fmt: skip
    columns = ["group", "time_point", "subscale", "n", "mean", "rwg_j", "rwg_j_skew"]
    return pd.DataFrame(rows, columns=columns)


def _median(values: pd.Series) -> float:
    clean = values.dropna()
    return float(clean.median()) if len(clean) else math.nan


def _mean(values: pd.Series) -> float:
    clean = values.dropna()
    return float(clean.mean()) if len(clean) else math.nan


def scale_aggregation(
    wide: pd.DataFrame,
    scores: pd.DataFrame,
    instrument: Instrument,
    teams: pd.DataFrame,
    group: str = "team",
) -> tuple[ScaleAggregation, ...]:
    """Alpha, omega, r_wg(j) over teams and ICC(1)/ICC(2) per subscale and time point."""
    keys = group_keys(scores, group)
    out = []
    for scale, questions in instrument.subscales.items():
        items = [q.name for q in questions]
        for tp in sorted(scores["time_point"].unique()):
            at = scores["time_point"] == tp
            matrix = wide.loc[at, items].to_numpy(dtype=float)
            complete = matrix[~np.isnan(matrix).any(axis=1)]
            alpha = omega = math.nan
            if len(complete) > len(items):
                alpha = cronbach_alpha(complete).estimate
                omega = mcdonald_omega(complete).estimate
            has = at & scores[scale].notna()
            icc1, icc2 = aggregation_icc(scores.loc[has, scale].to_numpy(), keys[has].to_numpy())
            t = teams[(teams["subscale"] == scale) & (teams["time_point"] == tp)]
            judged = t["rwg_j"].dropna()
            out.append(
                ScaleAggregation(
                    subscale=scale,
                    time_point=str(tp),
                    n_items=len(items),
                    n_respondents=int(has.sum()),
                    n_teams=int(keys[has].nunique()),
                    alpha=float(alpha),
                    omega=float(omega),
                    rwg_mean=_mean(t["rwg_j"]),
                    rwg_median=_median(t["rwg_j"]),
                    rwg_skew_mean=_mean(t["rwg_j_skew"]),
                    rwg_skew_median=_median(t["rwg_j_skew"]),
                    share_teams_agree=float((judged >= RWG_CUT).mean())
                    if len(judged)
                    else math.nan,
                    icc1=icc1.estimate,
                    icc2=icc2.estimate,
                )
            )
    return tuple(out)
