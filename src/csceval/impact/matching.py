"""Matching treated to control children for the ATT: coarsened exact matching and propensity
scores (weighting or nearest neighbour), with balance diagnostics.

Every function takes one row per child (or child-episode) and returns a :class:`Matching`: a
weight per row (0 = dropped) to use in a weighted regression, the number of treated and control
rows each step keeps, and the common support. Weights are for the average treatment effect on
the treated (ATT): treated rows keep weight 1 and control rows are reweighted to look like them.
``within`` names columns (e.g. the cohort year) inside whose values the matching is exact, so a
2019 pilot child is only ever compared with 2019 comparator children.

Bad input (missing values, a ``treated`` column that is not 0/1, no treated or no control rows,
cut points that are not increasing, a covariate that separates the groups) raises
:class:`~csceval.errors.InputError` with code CSC-E7103 naming the column. :func:`balance_table`
is in :mod:`csceval.impact.balance`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from csceval.impact.balance import balance_table, treated_indicator
from csceval.impact.cluster_moments import FloatArray, estimator_problem, require_columns
from csceval.impact.logistic import fit_logistic

__all__ = ["Matching", "balance_table", "coarsened_exact_match", "propensity_match"]


@dataclass(frozen=True, eq=False)
class Matching:
    """The result of a matching step.

    ``weights``: per input row (same index), the ATT weight; 0 for dropped rows. ``steps``: one
    row per step (``step``, ``treated_kept``, ``control_kept``, ``dropped``: rows dropped at
    that step), starting with ``input``. ``method``: ``"cem"``, ``"ps-weighting"`` or
    ``"ps-nearest"``. ``common_support``: the propensity-score interval kept (``None`` for
    CEM). ``score``: the propensity score per row (``None`` for CEM); ``strata``: the CEM
    stratum per row (``-1`` when unmatched; ``None`` for propensity methods)."""

    weights: pd.Series
    steps: pd.DataFrame
    method: str
    common_support: tuple[float, float] | None
    score: pd.Series | None = None
    strata: pd.Series | None = None

    @property
    def n_treated(self) -> int:
        """Treated rows kept."""
        return int(self.steps["treated_kept"].iloc[-1])

    @property
    def n_control(self) -> int:
        """Control rows kept (with a non-zero weight)."""
        return int(self.steps["control_kept"].iloc[-1])


class _Steps:
    """Counts of treated and control rows kept after each step."""

    def __init__(self, d: FloatArray) -> None:
        self.d = d
        self.rows: list[dict[str, object]] = []
        self.previous = d.size
        self.add("input", np.ones(d.size, dtype=bool))

    def add(self, step: str, kept: np.ndarray) -> None:
        n_kept = int(kept.sum())
        treated = int(np.count_nonzero(kept & (self.d == 1)))
        self.rows.append(
            {
                "step": step,
                "treated_kept": treated,
                "control_kept": n_kept - treated,
                "dropped": self.previous - n_kept,
            }
        )
        self.previous = n_kept

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=["step", "treated_kept", "control_kept", "dropped"])


def _columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    require_columns(frame, columns, ": recode missing values as a category first")


def _stratum_ids(frame: pd.DataFrame, keys: list[pd.Series]) -> np.ndarray:
    if not keys:
        return np.zeros(len(frame), dtype=np.int64)
    table = pd.DataFrame({i: np.asarray(key) for i, key in enumerate(keys)})
    return np.asarray(table.groupby(list(table.columns), sort=True).ngroup(), dtype=np.int64)


def _keys(frame: pd.DataFrame, columns: Sequence[str]) -> list[pd.Series]:
    return [frame[c] for c in columns]


def coarsened_exact_match(
    frame: pd.DataFrame,
    *,
    treated: str,
    exact: Sequence[str],
    coarsen: Mapping[str, Sequence[float]],
    within: Sequence[str] = (),
) -> Matching:
    """Coarsened exact matching (Iacus, King & Porro 2012) with ATT weights.

    Each row's stratum is its values of ``within`` and ``exact`` and the bin of each ``coarsen``
    column (``coarsen={"age": [1, 5, 10, 16]}`` cuts at those points: bin ``i`` holds values
    ``cuts[i-1] <= x < cuts[i]``). Strata without both a treated and a control row are dropped.
    In a kept stratum ``s``, treated rows weigh 1 and control rows ``(m_C / m_T) * (m_T^s /
    m_C^s)``, where ``m`` counts the matched rows overall and in ``s`` (R ``cem``'s weights): the
    control weights then sum to ``m_C`` overall and reproduce the treated distribution over
    strata."""
    coarsen = dict(coarsen)
    _columns(frame, [treated, *exact, *coarsen, *within])
    d = treated_indicator(frame, treated)
    bins = []
    for col, cuts in coarsen.items():
        edges = np.asarray(cuts, dtype=np.float64)
        if edges.ndim != 1 or (np.diff(edges) <= 0).any() or not np.isfinite(edges).all():
            raise estimator_problem("cut points must be finite and increasing", column=col)
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=np.float64)
        if np.isnan(values).any():
            raise estimator_problem("coarsened columns must be numeric", column=col)
        bins.append(pd.Series(np.searchsorted(edges, values, side="right")))
    keys = [*_keys(frame, [*within, *exact]), *bins]
    strata = _stratum_ids(frame, keys)
    n_t = np.bincount(strata, weights=d)
    n_c = np.bincount(strata, weights=1.0 - d)
    matched_stratum = (n_t > 0) & (n_c > 0)
    kept = matched_stratum[strata]
    steps = _Steps(d)
    steps.add("strata with both groups", kept)
    m_t = float(np.sum(d[kept]))
    m_c = float(np.sum(1.0 - d[kept]))
    weights = np.zeros(d.size)
    if m_t > 0:
        ratio = np.divide(n_t, n_c, out=np.zeros_like(n_t), where=n_c > 0)[strata]
        weights = np.where(kept, np.where(d == 1, 1.0, (m_c / m_t) * ratio), 0.0)
    return Matching(
        weights=pd.Series(weights, index=frame.index, name="weight"),
        steps=steps.frame(),
        method="cem",
        common_support=None,
        strata=pd.Series(np.where(kept, strata, -1), index=frame.index, name="stratum"),
    )


def _design(frame: pd.DataFrame, covariates: Sequence[str], within: Sequence[str]) -> FloatArray:
    parts = []
    for c in covariates:
        values = pd.to_numeric(frame[c], errors="coerce")
        if values.isna().any():
            raise estimator_problem(
                "propensity covariates must be numeric (encode categories as 0/1 columns)",
                column=c,
            )
        parts.append(values.to_numpy(dtype=np.float64)[:, None])
    if within:
        dummies = pd.get_dummies(frame[list(within)].astype(str), drop_first=True, dtype=float)
        parts.append(dummies.to_numpy(dtype=np.float64))
    return np.hstack(parts) if parts else np.zeros((len(frame), 0))


def propensity_match(
    frame: pd.DataFrame,
    *,
    treated: str,
    covariates: Sequence[str],
    within: Sequence[str] = (),
    method: Literal["nearest", "weighting"] = "weighting",
    caliper: float = 0.2,
    trim: tuple[float, float] = (0.01, 0.99),
) -> Matching:
    """Propensity-score weighting or nearest-neighbour matching for the ATT.

    The score is a logistic regression of ``treated`` on ``covariates`` and dummies of the
    ``within`` strata (:mod:`csceval.impact.logistic`). Rows whose score is outside ``trim`` are
    dropped, then rows outside the common support ``[max(min_T, min_C), min(max_T, max_C)]``.

    - ``"weighting"``: treated rows weigh 1, control rows the odds ``e / (1 - e)``, rescaled in
      each ``within`` stratum so they sum to its number of treated rows (a stratum's treated
      rows are dropped when it has no control row).
    - ``"nearest"``: each treated row is matched, within its ``within`` stratum, to the control
      row nearest on the logit of the score, **with replacement**, if it is closer than
      ``caliper`` times the pooled standard deviation of the logit (Austin 2011); a control's
      weight is the number of times it is used, and unmatched treated rows are dropped. With
      replacement the result does not depend on the order of matching and is vectorised; at
      equal distances the lower score wins, and among controls with the same score the first
      row."""
    if method not in ("nearest", "weighting"):
        raise estimator_problem("method must be 'nearest' or 'weighting'", value=str(method))
    if not 0.0 <= trim[0] < trim[1] <= 1.0:
        raise estimator_problem("trim must be two shares 0 <= low < high <= 1", value=str(trim))
    _columns(frame, [treated, *covariates, *within])
    d = treated_indicator(frame, treated)
    score = fit_logistic(_design(frame, covariates, within), d, [*covariates, *within])
    steps = _Steps(d)
    kept = (score >= trim[0]) & (score <= trim[1])
    steps.add(f"propensity within [{trim[0]:g}, {trim[1]:g}]", kept)
    support = _support(score, d, kept)
    if support is not None:
        kept &= (score >= support[0]) & (score <= support[1])
    steps.add("common support", kept)
    strata = _stratum_ids(frame, _keys(frame, within))
    if method == "weighting":
        weights = _odds_weights(score, d, kept, strata)
        steps.add("strata with both groups", weights > 0)
    else:
        weights = _nearest(np.log(score / (1.0 - score)), d, kept, strata, caliper)
        steps.add(f"matched within caliper {caliper:g} SD", weights > 0)
    return Matching(
        weights=pd.Series(weights, index=frame.index, name="weight"),
        steps=steps.frame(),
        method=f"ps-{method}",
        common_support=support,
        score=pd.Series(score, index=frame.index, name="propensity"),
    )


def _support(score: FloatArray, d: FloatArray, kept: np.ndarray) -> tuple[float, float] | None:
    t, c = score[kept & (d == 1)], score[kept & (d == 0)]
    if t.size == 0 or c.size == 0:
        return None
    return (float(max(t.min(), c.min())), float(min(t.max(), c.max())))


def _odds_weights(
    score: FloatArray, d: FloatArray, kept: np.ndarray, strata: np.ndarray
) -> FloatArray:
    odds = np.where(kept & (d == 0), score / (1.0 - score), 0.0)
    n_t = np.bincount(strata, weights=(kept & (d == 1)).astype(float))
    odds_sum = np.bincount(strata, weights=odds)
    scale = np.divide(n_t, odds_sum, out=np.zeros_like(n_t), where=odds_sum > 0)
    has_controls = (odds_sum > 0)[strata]
    return np.where(d == 1, (kept & has_controls).astype(float), odds * scale[strata])


def _nearest(
    logit: FloatArray, d: FloatArray, kept: np.ndarray, strata: np.ndarray, caliper: float
) -> FloatArray:
    t_rows, c_rows = kept & (d == 1), kept & (d == 0)
    if not t_rows.any() or not c_rows.any():
        return np.zeros(d.size)
    pooled_sd = float(np.sqrt((np.var(logit[t_rows], ddof=1) + np.var(logit[c_rows], ddof=1)) / 2))
    width = caliper * pooled_sd
    weights = np.zeros(d.size)
    for s in np.unique(strata[t_rows]):
        controls = np.flatnonzero(c_rows & (strata == s))
        treated_rows = np.flatnonzero(t_rows & (strata == s))
        if controls.size == 0:
            continue
        order = np.argsort(logit[controls], kind="stable")
        sorted_logit = logit[controls][order]
        pos = np.searchsorted(sorted_logit, logit[treated_rows])
        left = np.clip(pos - 1, 0, controls.size - 1)
        right = np.clip(pos, 0, controls.size - 1)
        dist_left = np.abs(logit[treated_rows] - sorted_logit[left])
        dist_right = np.abs(sorted_logit[right] - logit[treated_rows])
        choose = np.where(dist_right < dist_left, right, left)
        # among controls with the same score, the first row (the sort is stable)
        choose = np.searchsorted(sorted_logit, sorted_logit[choose], side="left")
        best = np.minimum(dist_left, dist_right)
        ok = best <= width
        weights[treated_rows[ok]] = 1.0
        np.add.at(weights, controls[order][choose[ok]], 1.0)
    return weights
