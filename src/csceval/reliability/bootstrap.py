"""Percentile bootstrap confidence intervals over units (seeded and vectorised).

Every coefficient in the package is written as a function of *frequency weights* over units: a
``(B, n)`` array whose row ``b`` says how many times each unit appears in resample ``b``. The
point estimate is that function at weights of one; a bootstrap resample of units with replacement
(Efron & Tibshirani 1993, ch. 13) is the same function at multinomial weights. So all ``B``
replicates come from a few matrix products instead of ``B`` Python-level recomputations.

:func:`bootstrap_matrix_ci` is the slow, generic fallback for any user statistic of a matrix.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from csceval.reliability.layout import as_matrix
from csceval.reliability.result import FloatArray, ReliabilityResult

__all__ = [
    "Estimator",
    "attach_bootstrap_ci",
    "bootstrap_indices",
    "bootstrap_matrix_ci",
    "bootstrap_weights",
    "percentile_interval",
]

Estimator = Callable[[FloatArray], FloatArray]
"""Maps ``(B, n)`` unit frequency weights to ``(B,)`` estimates (``nan`` where undefined)."""

CI_METHOD = "percentile bootstrap"


def bootstrap_indices(n_units: int, n_boot: int, seed: int) -> npt.NDArray[np.int64]:
    """Row indices of ``n_boot`` resamples of ``n_units`` units with replacement (seeded)."""
    if n_units < 1:
        raise ValueError("bootstrap needs at least one unit")
    if n_boot < 1:
        raise ValueError(f"n_boot must be a positive integer; got {n_boot}")
    rng = np.random.default_rng(seed)
    return rng.integers(0, n_units, size=(n_boot, n_units), dtype=np.int64)


def bootstrap_weights(n_units: int, n_boot: int, seed: int) -> FloatArray:
    """Multinomial resampling weights: ``n_boot`` resamples of ``n_units`` units with replacement.

    Parameters
    ----------
    n_units
        Number of units to resample.
    n_boot
        Number of bootstrap resamples.
    seed
        Seed for :func:`numpy.random.default_rng`; the same seed gives the same weights.

    Returns
    -------
    numpy.ndarray
        ``(n_boot, n_units)`` float counts; each row sums to ``n_units``.
    """
    draws = bootstrap_indices(n_units, n_boot, seed)
    offsets = (np.arange(n_boot) * n_units)[:, None]
    counts = np.bincount((draws + offsets).ravel(), minlength=n_boot * n_units)
    return counts.reshape(n_boot, n_units).astype(np.float64)


def percentile_interval(replicates: FloatArray, confidence: float) -> tuple[float, float, int]:
    """Percentile interval of the finite replicates.

    Returns
    -------
    tuple
        ``(low, high, n_finite)``; bounds are ``nan`` when no replicate is finite.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1; got {confidence}")
    finite = replicates[np.isfinite(replicates)]
    if finite.size == 0:
        return float("nan"), float("nan"), 0
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(finite, [tail, 1.0 - tail])
    return float(low), float(high), int(finite.size)


def attach_bootstrap_ci(
    result: ReliabilityResult,
    estimator: Estimator,
    n_units: int,
    *,
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> ReliabilityResult:
    """Return ``result`` with a percentile bootstrap interval over its ``n_units`` units.

    Notes
    -----
    Units are resampled with replacement, raters are held fixed (the usual design for audit
    reliability: the raters are the raters of interest, the cases a sample). Resamples in which
    the statistic is undefined (e.g. every resampled rating in one category) are dropped and
    counted in the notes. The percentile method is not guaranteed to contain the estimate for
    strongly skewed bootstrap distributions or very few units.
    """
    if not result.is_defined or n_units < 2:
        return result.with_ci(
            None,
            None,
            CI_METHOD,
            (
                "bootstrap interval not computed: the estimate is undefined or there are fewer "
                "than 2 units",
            ),
        )
    weights = bootstrap_weights(n_units, n_boot, seed)
    replicates = estimator(weights)
    low, high, n_ok = percentile_interval(replicates, confidence)
    notes = [
        f"{confidence:.0%} percentile bootstrap over units ({n_boot} resamples, seed {seed}); "
        "raters held fixed"
    ]
    if n_ok < n_boot:
        notes.append(f"{n_boot - n_ok} resample(s) with an undefined estimate were dropped")
    return result.with_ci(low, high, CI_METHOD, tuple(notes))


def bootstrap_matrix_ci(
    matrix: object,
    statistic: Callable[[FloatArray], float],
    *,
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> tuple[float, float]:
    """Percentile bootstrap interval of any statistic of a units x raters matrix (a Python loop).

    Parameters
    ----------
    matrix
        Units x raters ratings.
    statistic
        Function of a resampled matrix returning a float (``nan`` if undefined).

    Returns
    -------
    tuple
        ``(low, high)``; ``nan`` when no resample gives a finite statistic.

    Notes
    -----
    Uses the same resamples as :func:`bootstrap_weights` for the same seed, so for statistics
    that do not depend on unit order it reproduces the vectorised interval exactly.
    """
    ratings = as_matrix(matrix)
    draws = bootstrap_indices(ratings.shape[0], n_boot, seed)
    reps = np.array([statistic(ratings[rows]) for rows in draws], dtype=np.float64)
    low, high, _ = percentile_interval(reps, confidence)
    return low, high
