"""The wild cluster bootstrap of a t-statistic from cluster sufficient statistics.

Each replication multiplies cluster ``g``'s residuals by a draw ``v_g`` and refits. Written in
cluster moments (Roodman, MacKinnon, Nielsen & Webb 2019, "fast and wild"), with ``s_g = X_g'W_g
u_g`` the scores of the residuals used to build the bootstrap samples and ``B = (X'WX)^{-1}``:

- the numerator ``c'beta* - c'beta_0`` is ``a'v`` with ``a_g = c'B s_g``;
- the CR1 score of cluster ``h`` for the contrast is ``a_h v_h - q_h'v`` with
  ``q_h = (C_h B c)' B S``;

so a replication costs ``O(G^2)`` and 9,999 of them with 20 clusters take milliseconds whatever
the number of rows.
"""

from __future__ import annotations

import itertools
from typing import Literal

import numpy as np

from csceval.impact.cluster_moments import ClusterMoments, FloatArray, estimator_problem

__all__ = ["DRAWS", "Draws", "bootstrap_t", "draw_weights"]

Draws = Literal["rademacher", "webb"]
DRAWS: tuple[str, ...] = ("rademacher", "webb")
_WEBB = np.sqrt(np.array([1.5, 1.0, 0.5])) * np.array([[-1.0], [1.0]])
_CHUNK = 2000
_TIE = 1e-10
"""Bootstrap t-statistics within this relative distance of ``|t|`` count as ties (as extreme)."""


def draw_weights(n_clusters: int, draws: str, reps: int, seed: int) -> tuple[FloatArray, bool]:
    """The G x R matrix of cluster multipliers and whether it is the full enumeration.

    Rademacher draws take only ``2^G`` distinct values; when ``2^G <= reps`` every one of them
    is used once (as boottest does) and the p-value is exact, not random. Webb's six-point
    distribution (``+-sqrt(1/2), +-1, +-sqrt(3/2)``, equally likely) has ``6^G`` values and is
    always sampled."""
    if draws not in DRAWS:
        raise estimator_problem(f"draws must be one of {DRAWS}", value=str(draws))
    if reps < 1:
        raise estimator_problem("reps must be at least 1", value=str(reps))
    if draws == "rademacher" and n_clusters < 31 and 2**n_clusters <= reps:
        signs = np.array(list(itertools.product((1.0, -1.0), repeat=n_clusters)))
        return np.ascontiguousarray(signs.T), True
    rng = np.random.default_rng(seed)
    if draws == "rademacher":
        return rng.choice(np.array([-1.0, 1.0]), size=(n_clusters, reps)), False
    return rng.choice(_WEBB.reshape(-1), size=(n_clusters, reps)), False


def bootstrap_t(
    moments: ClusterMoments,
    bread: FloatArray,
    scores: FloatArray,
    contrast: FloatArray,
    weights: FloatArray,
) -> FloatArray:
    """Bootstrap t-statistics (one per column of ``weights``) of ``contrast'beta`` with CR1
    standard errors, for bootstrap samples built from the residuals whose scores are
    ``scores``; the numerator is centred on the value those residuals' fit has (the null for
    restricted residuals, the estimate for unrestricted ones)."""
    bc = bread @ contrast
    a = scores @ bc
    q = moments.xtx.left_times(bc) @ (bread @ scores.T)
    factor = moments.cr1_factor()
    out = np.empty(weights.shape[1])
    for start in range(0, weights.shape[1], _CHUNK):
        v = weights[:, start : start + _CHUNK]
        num = a @ v
        contrib = a[:, None] * v - q @ v
        den = np.sqrt(factor * np.einsum("gr,gr->r", contrib, contrib))
        with np.errstate(divide="ignore", invalid="ignore"):
            out[start : start + v.shape[1]] = num / den
    return out


def symmetric_p_value(t_stat: float, t_boot: FloatArray) -> float:
    """Two-sided symmetric p-value: the share of bootstrap ``|t*|`` at least ``|t|``.

    Ties count as extreme (a relative tolerance absorbs rounding), so under full enumeration the
    draws ``v = 1`` (the sample itself) and ``v = -1`` always count; ``wildboottest`` 0.3.2
    counts only ``|t*| > |t|``, so whether it counts them depends on rounding and its p-value
    is ``2 / 2^G`` lower or equal. Replications whose standard
    error is zero (a degenerate draw) count as not extreme; a sample t-statistic that is not
    finite (a zero standard error) gives ``nan``."""
    if not np.isfinite(t_stat):
        return float("nan")
    finite = np.isfinite(t_boot)
    extreme = np.abs(t_boot[finite]) >= abs(t_stat) * (1.0 - _TIE)
    return float(np.count_nonzero(extreme) / t_boot.shape[0])
