"""Maximum-likelihood logistic regression by Newton-Raphson, for propensity scores.

A plain, checked fit (statsmodels is not a dependency): the covariates are centred and scaled
for the iterations, each Newton step is halved until the log-likelihood does not fall, and the
fit stops when the largest change in the linear predictor is below ``1e-10``. Complete or
quasi-complete separation (a covariate that predicts treatment perfectly) makes fitted
probabilities run to 0 or 1; that is reported as CSC-E7103 rather than returned as a score.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import expit, log_expit

from csceval.errors import InputError
from csceval.impact.cluster_moments import FloatArray, check_full_rank, estimator_problem

__all__ = ["fit_logistic"]

_MAX_ITER = 100
_TOL = 1e-10
_SEPARATION = 1e-9


def _loglik(eta: FloatArray, d: FloatArray) -> float:
    return float(np.sum(d * log_expit(eta) + (1.0 - d) * log_expit(-eta)))


def fit_logistic(x: FloatArray, d: FloatArray, names: Sequence[str]) -> FloatArray:
    """Fitted probabilities ``P(d = 1 | x)`` of a logistic regression of ``d`` (0/1) on ``x``
    (N x K, an intercept is added); ``names`` label the columns in error messages."""
    mean = x.mean(axis=0)
    sd = x.std(axis=0)
    constant = [names[j] for j in np.flatnonzero(sd == 0)]
    if constant:
        raise estimator_problem(
            "a propensity covariate takes one value only", column=", ".join(constant)
        )
    z = np.column_stack([np.ones(x.shape[0]), (x - mean) / sd])
    labels = ["(intercept)", *names]
    check_full_rank(z.T @ z, labels)
    beta = np.zeros(z.shape[1])
    share = float(d.mean())
    beta[0] = np.log(share / (1.0 - share))
    eta = z @ beta
    ll = _loglik(eta, d)
    for _ in range(_MAX_ITER):
        p = expit(eta)
        info = (z * (p * (1.0 - p))[:, None]).T @ z
        step = np.linalg.solve(info, z.T @ (d - p))
        t = 1.0
        while True:
            new_eta = z @ (beta + t * step)
            new_ll = _loglik(new_eta, d)
            if new_ll >= ll - 1e-12 * abs(ll) or t < 1e-8:
                break
            t /= 2.0
        change = float(np.max(np.abs(new_eta - eta)))
        beta, eta, ll = beta + t * step, new_eta, new_ll
        if change < _TOL:
            break
    else:
        raise _separation(names)
    p = expit(eta)
    if float(p.min()) < _SEPARATION or float(p.max()) > 1.0 - _SEPARATION:
        raise _separation(names)
    return np.asarray(p, dtype=np.float64)


def _separation(names: Sequence[str]) -> InputError:
    return estimator_problem(
        "the propensity model separates treated from control children (it does not converge "
        "or fits probabilities of 0 or 1): coarsen or drop the covariate that predicts "
        "treatment perfectly",
        column=", ".join(names),
    )
