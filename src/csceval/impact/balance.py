"""Covariate balance before and after matching: standardised mean differences, variance ratios.

The standardised mean difference (SMD) of a covariate is ``(mean_T - mean_C) / s`` with ``s``
the pooled standard deviation ``sqrt((s_T^2 + s_C^2) / 2)`` of the *unmatched* sample, used both
before and after matching, so the change in SMD is a change in means only (Stuart 2010; Austin
2009). A covariate whose values are all 0 or 1 is binary: its variance is ``p (1 - p)``.
Otherwise the variance is the sample variance (``n - 1``) before matching and, after matching,
the weighted variance with the reliability-weights correction ``sum(w (x - m)^2) / (sum(w) -
sum(w^2) / sum(w))`` (as R ``cobalt`` does). The variance ratio (treated over control, after
matching) is reported for continuous covariates only; ``|SMD| < 0.1`` and a variance ratio
between 0.5 and 2 are the usual marks of balance.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from csceval.impact.cluster_moments import FloatArray, estimator_problem

__all__ = ["balance_table", "treated_indicator"]

BALANCE_COLUMNS = [
    "covariate",
    "mean_treated_before",
    "mean_control_before",
    "smd_before",
    "mean_treated_after",
    "mean_control_after",
    "smd_after",
    "variance_ratio_after",
]


def treated_indicator(frame: pd.DataFrame, treated: str) -> FloatArray:
    """The ``treated`` column as 0.0/1.0; CSC-E7103 unless it is 0/1 (or boolean) and both
    values occur."""
    if treated not in frame.columns:
        raise estimator_problem("the frame has no such column", column=treated)
    values = pd.to_numeric(frame[treated], errors="coerce").astype(float)
    bad = ~values.isin([0.0, 1.0])
    if bad.any():
        first = frame[treated][bad].iloc[0]
        raise estimator_problem(
            f"{int(bad.sum())} row(s) are neither 0 nor 1", column=treated, value=str(first)
        )
    d = np.asarray(values, dtype=np.float64)
    if d.sum() == 0 or d.sum() == d.size:
        raise estimator_problem("matching needs both treated and control rows", column=treated)
    return d


def _weighted_var(x: FloatArray, w: FloatArray) -> float:
    total = float(w.sum())
    if total <= 0:
        return float("nan")
    mean = float(np.sum(w * x) / total)
    denom = total - float(np.sum(w * w)) / total
    return float(np.sum(w * (x - mean) ** 2) / denom) if denom > 0 else float("nan")


def _mean(x: FloatArray, w: FloatArray) -> float:
    total = float(w.sum())
    return float(np.sum(w * x) / total) if total > 0 else float("nan")


def balance_table(
    frame: pd.DataFrame,
    *,
    treated: str,
    covariates: Sequence[str],
    weights: pd.Series,
) -> pd.DataFrame:
    """One row per covariate: means of treated and control rows and the SMD before (unweighted)
    and after (weighted by ``weights``, aligned on the frame's index) matching, and the
    variance ratio after matching (``nan`` for binary covariates). Columns: ``covariate``,
    ``mean_treated_before``, ``mean_control_before``, ``smd_before``, ``mean_treated_after``,
    ``mean_control_after``, ``smd_after``, ``variance_ratio_after``."""
    d = treated_indicator(frame, treated)
    w = weights.reindex(frame.index).to_numpy(dtype=np.float64)
    if np.isnan(w).any() or (w < 0).any():
        raise estimator_problem(
            "weights must be given, and not negative, for every row", column="weights"
        )
    t, c = d == 1, d == 0
    rows = []
    for col in covariates:
        if col not in frame.columns:
            raise estimator_problem("the frame has no such column", column=col)
        x = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=np.float64)
        if np.isnan(x).any():
            raise estimator_problem("balance needs numeric covariates without gaps", column=col)
        binary = bool(np.isin(x, (0.0, 1.0)).all())
        ones_t, ones_c = np.ones(int(t.sum())), np.ones(int(c.sum()))
        mt, mc = _mean(x[t], ones_t), _mean(x[c], ones_c)
        mt_w, mc_w = _mean(x[t], w[t]), _mean(x[c], w[c])
        if binary:
            var_t, var_c = mt * (1 - mt), mc * (1 - mc)
            ratio = float("nan")
        else:
            var_t, var_c = float(np.var(x[t], ddof=1)), float(np.var(x[c], ddof=1))
            after_c = _weighted_var(x[c], w[c])
            ratio = _weighted_var(x[t], w[t]) / after_c if after_c > 0 else float("nan")
        sd = float(np.sqrt((var_t + var_c) / 2))
        smd_before = (mt - mc) / sd if sd > 0 else float("nan")
        smd_after = (mt_w - mc_w) / sd if sd > 0 else float("nan")
        rows.append([col, mt, mc, smd_before, mt_w, mc_w, smd_after, ratio])
    return pd.DataFrame(rows, columns=BALANCE_COLUMNS)
