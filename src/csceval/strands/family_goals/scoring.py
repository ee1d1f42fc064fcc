"""Goal attainment scaling: the Kiresuk-Sherman T-score per family and summaries per site.

The T-score of a family's goals with attainment levels ``x_i`` (-2 ... +2) and importance
weights ``w_i`` is (Kiresuk & Sherman 1968, as corrected in the erratum to Turner-Stokes 2009)::

    T = 50 + 10 * sum(w_i x_i) / sqrt((1 - rho) * sum(w_i^2) + rho * (sum w_i)^2)

with ``rho`` the assumed correlation between goals' attainment, conventionally 0.3
(:data:`DEFAULT_RHO`). With equal weights and every goal at the expected level T = 50; the
scale is built so that T has mean 50 and SD 10 when goals are set well.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from csceval.errors import Problem

DEFAULT_RHO = 0.3
"""The conventional assumed inter-goal correlation (Kiresuk & Sherman 1968)."""

FAMILY_COLUMNS = ("la_code", "family", "n_goals", "n_rated", "n_missing", "n_met", "t_score")
SITE_COLUMNS = (
    "la_code", "n_families", "n_goals", "n_rated", "n_missing", "n_met", "share_met",
    "mean_t", "sd_t", "se_t", "low_t", "high_t",
)  # fmt: skip


class RhoError(ValueError):
    """``rho`` outside [0, 1] (the CLI reports it as CSC-E3317)."""

    def problem(self) -> Problem:
        return Problem(
            "CSC-E3317", str(self), column="rho", fix="give a value from 0 to 1 (default 0.3)"
        )


def check_rho(rho: float) -> float:
    if not (math.isfinite(rho) and 0.0 <= rho <= 1.0):
        raise RhoError(f"rho must be between 0 and 1, got {rho!r}")
    return float(rho)


def t_score(
    levels: Sequence[float] | np.ndarray,
    weights: Sequence[float] | np.ndarray | None = None,
    rho: float = DEFAULT_RHO,
) -> float:
    """The Kiresuk-Sherman goal attainment T-score of one family's goals.

    Parameters
    ----------
    levels
        Attainment level of each goal, -2 to +2; NaN for a goal not rated.
    weights
        Importance weight of each goal (greater than 0); equal weights when None.
    rho
        Assumed correlation between the goals' attainment, 0 to 1 (default 0.3).

    Returns
    -------
    float
        T; NaN when no goal is rated.

    Notes
    -----
    A goal without a rating is left out of both sums (numerator and denominator), so T is the
    score of the goals that were rated; the caller reports how many were missing. Imputing -1
    or 0 for them instead would claim an outcome nobody observed.
    """
    rho = check_rho(rho)
    x = np.asarray(levels, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != x.shape:
        raise ValueError(f"{len(x)} levels but {len(w)} weights")
    rated = np.isfinite(x)
    if not rated.any():
        return math.nan
    x, w = x[rated], w[rated]
    if (w <= 0).any() or not np.isfinite(w).all():
        raise ValueError("weights must be finite and greater than 0")
    denominator = math.sqrt((1 - rho) * float(np.sum(w**2)) + rho * float(np.sum(w)) ** 2)
    return 50.0 + 10.0 * float(np.dot(w, x)) / denominator


@dataclass(frozen=True)
class Scores:
    """Family T-scores and site summaries from one set of ratings."""

    families: pd.DataFrame
    """One row per family: ``FAMILY_COLUMNS``."""
    sites: pd.DataFrame
    """One row per site: ``SITE_COLUMNS`` (mean T with a t interval over families)."""
    rho: float


def family_scores(goals: pd.DataFrame, rho: float = DEFAULT_RHO) -> pd.DataFrame:
    """T-score per family from a long frame with ``la_code, family, weight, rating``.

    ``rating`` is NaN for a goal not rated. A goal is *met* when rated 0 (as expected) or more.
    """
    check_rho(rho)
    rows = []
    for (code, family), part in goals.groupby(["la_code", "family"], sort=True):
        x = part["rating"].to_numpy(dtype=float)
        rated = np.isfinite(x)
        rows.append(
            {
                "la_code": str(code),
                "family": str(family),
                "n_goals": len(x),
                "n_rated": int(rated.sum()),
                "n_missing": int((~rated).sum()),
                "n_met": int((x[rated] >= 0).sum()),
                "t_score": t_score(x, part["weight"].to_numpy(dtype=float), rho),
            }
        )
    return pd.DataFrame(rows, columns=list(FAMILY_COLUMNS))


def site_summaries(families: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Per site: families, goals rated, missing and met, and the mean family T-score.

    Notes
    -----
    The interval is the t interval over the site's families with a T-score (n - 1 degrees of
    freedom); families are the units, so goals within a family are not treated as independent.
    """
    rows = []
    for code, part in families.groupby("la_code", sort=True):
        t = part["t_score"].dropna().to_numpy(dtype=float)
        n = len(t)
        mean = float(t.mean()) if n else math.nan
        sd = float(t.std(ddof=1)) if n > 1 else math.nan
        se = sd / math.sqrt(n) if n > 1 else math.nan
        half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * se if n > 1 else math.nan
        rated, met = int(part["n_rated"].sum()), int(part["n_met"].sum())
        rows.append(
            {
                "la_code": str(code),
                "n_families": n,
                "n_goals": int(part["n_goals"].sum()),
                "n_rated": rated,
                "n_missing": int(part["n_missing"].sum()),
                "n_met": met,
                "share_met": met / rated if rated else math.nan,
                "mean_t": mean,
                "sd_t": sd,
                "se_t": se,
                "low_t": mean - half,
                "high_t": mean + half,
            }
        )
    return pd.DataFrame(rows, columns=list(SITE_COLUMNS))


def score(goals: pd.DataFrame, rho: float = DEFAULT_RHO) -> Scores:
    """Family T-scores and site summaries (see :func:`family_scores`, :func:`site_summaries`)."""
    families = family_scores(goals, rho)
    return Scores(families, site_summaries(families), check_rho(rho))
