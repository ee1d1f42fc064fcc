"""McDonald's omega (total) from a one-factor maximum-likelihood factor analysis.

Layout: respondents in rows, items in columns (as :func:`~csceval.reliability.cronbach_alpha`).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize

from csceval.reliability.layout import as_matrix
from csceval.reliability.result import FloatArray, ReliabilityResult

__all__ = ["mcdonald_omega", "one_factor_ml"]

LOWER_UNIQUENESS = 0.005
"""Lower bound on each standardised uniqueness (as R ``factanal`` and factor_analyzer)."""


def _scaled(psi: FloatArray, corr: FloatArray) -> tuple[FloatArray, FloatArray]:
    scale = 1.0 / np.sqrt(psi)
    values, vectors = np.linalg.eigh(corr * np.outer(scale, scale))
    return values[::-1], vectors[:, ::-1]


def _objective(psi: FloatArray, corr: FloatArray) -> float:
    rest = _scaled(psi, corr)[0][1:]
    return float(-(np.sum(np.log(rest) - rest) - 1 + corr.shape[0]))


def _loadings(psi: FloatArray, corr: FloatArray) -> FloatArray:
    values, vectors = _scaled(psi, corr)
    load = vectors[:, 0] * math.sqrt(max(values[0] - 1.0, 0.0)) * np.sqrt(psi)
    return np.asarray(load if load.sum() >= 0 else -load, dtype=np.float64)


def _gradient(psi: FloatArray, corr: FloatArray) -> FloatArray:
    load = _loadings(psi, corr)
    return np.asarray((load**2 + psi - np.diag(corr)) / psi**2, dtype=np.float64)


def one_factor_ml(corr: object) -> tuple[FloatArray, FloatArray]:
    """Standardised loadings and uniquenesses of a one-factor ML model of a correlation matrix.

    Notes
    -----
    The uniquenesses minimise the ML discrepancy ``-(sum_{j>1} (log t_j - t_j) - 1 + p)`` over
    the eigenvalues ``t`` of ``Psi^-1/2 R Psi^-1/2`` (Joreskog 1967; R ``factanal``), by SLSQP
    with the analytic gradient (L-BFGS-B finds the same optimum but its BLAS threads make it
    very slow on a busy machine), starting from ``1 - SMC`` and bounded to [0.005, 1]. Loadings
    are ``Psi^1/2 v_1 sqrt(t_1 - 1)``, signed so that they sum to 0 or more; the uniquenesses
    returned are ``1 - loading^2``.
    """
    r = np.asarray(corr, dtype=np.float64)
    try:
        start = 1.0 - 1.0 / np.diag(np.linalg.inv(r))
    except np.linalg.LinAlgError:
        start = np.full(r.shape[0], 0.5)
    start = np.clip(start, LOWER_UNIQUENESS, 1.0)
    found = optimize.minimize(
        _objective,
        start,
        args=(r,),
        jac=_gradient,
        method="SLSQP",
        bounds=[(LOWER_UNIQUENESS, 1.0)] * r.shape[0],
        options={"maxiter": 1000, "ftol": 1e-16},
    )
    load = _loadings(np.asarray(found.x, dtype=np.float64), r)
    return load, np.asarray(1.0 - load**2, dtype=np.float64)


def mcdonald_omega(ratings: object) -> ReliabilityResult:
    """McDonald's (1999) omega total of the unweighted sum of a respondents x items matrix.

    Parameters
    ----------
    ratings
        Respondents x items; respondents with any missing item are dropped (listwise).

    Notes
    -----
    ``omega = (sum_i lambda_i)^2 / ((sum_i lambda_i)^2 + sum_i psi_i)`` with loadings
    ``lambda_i = lambda*_i s_i`` and unique variances ``psi_i = (1 - lambda*_i^2) s_i^2`` on the
    items' own scale, from the one-factor ML solution ``lambda*`` of their correlation matrix
    (:func:`one_factor_ml`; ML is scale-free, so this is the ML fit of the covariance matrix).
    It is the reliability of the sum score when the items measure one factor with possibly
    unequal loadings (congeneric); alpha equals it only when the loadings are equal
    (tau-equivalence) and is otherwise lower. Reverse-keyed items must be reversed first. With
    3 items the model is just identified and omega has a closed form. Checked against
    factor_analyzer's ML fit (tests/golden/culture-survey).
    """
    matrix = as_matrix(ratings)
    k = int(matrix.shape[1])
    if k < 2:
        raise ValueError(f"omega needs at least 2 items (columns); got {k}")
    keep = ~np.isnan(matrix).any(axis=1)
    x = matrix[keep]
    n = int(x.shape[0])
    notes = ["one-factor maximum-likelihood factor analysis of the item correlations"]
    if (~keep).any():
        notes.append(f"missing ratings: {int((~keep).sum())} respondent(s) dropped (listwise)")
    sd = x.std(axis=0, ddof=1) if n >= 2 else np.zeros(k)
    estimate = math.nan
    if n > k and (sd > 0).all():
        load, unique = one_factor_ml(np.corrcoef(x, rowvar=False))
        common = float((load * sd).sum() ** 2)
        estimate = common / (common + float((unique * sd**2).sum()))
        if (unique <= LOWER_UNIQUENESS + 1e-9).any():
            notes.append("a uniqueness reached its lower bound (Heywood case): read with care")
    else:
        notes.append("estimate undefined: needs more respondents than items and no constant item")
    return ReliabilityResult(
        statistic="McDonald's omega (total)",
        estimate=float(estimate),
        ci_low=None,
        ci_high=None,
        ci_method=None,
        n_units=n,
        n_raters=k,
        level="interval",
        method="omega_total",
        notes=tuple(notes),
    )
