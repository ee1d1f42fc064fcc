"""Two-period panel DiD estimators of the ATT with their influence functions (R ``DRDID``).

Ports of the panel estimators that R ``did::att_gt`` calls for each ATT(g,t):

* :func:`reg_did_panel` - outcome regression (Heckman, Ichimura & Todd 1997),
  ``DRDID::reg_did_panel``;
* :func:`std_ipw_did_panel` - Hajek-normalised inverse probability weighting (Abadie 2005),
  ``DRDID::std_ipw_did_panel``;
* :func:`drdid_panel` - the locally efficient doubly robust estimator of Sant'Anna & Zhao
  (2020, eq. 3.1), ``DRDID::drdid_panel``. This is the one R ``did`` uses for ``est_method="dr"``
  with panel data (not ``drdid_imp_panel``, the "improved" variant).

Each returns ``(att, psi)`` where ``psi`` is the per-observation influence function, so the
analytic variance is ``mean(psi^2) / n``. All of them take ``covariates`` as an ``n x k`` design
matrix whose first column is the intercept, and unit weights of one (R normalises weights to
mean one; sampling weights are not supported here).

Notes
-----
Propensity scores come from a logit fitted by Newton-Raphson to convergence (R uses
``fastglm``; both find the same maximum-likelihood estimate). As in DRDID >= 1.2, fitted
scores are capped at ``1 - 1e-6`` and control units with a score of 0.995 or more are trimmed
from the IPW and DR estimators.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from csceval.impact.did_results import FloatArray

__all__ = [
    "TRIM_LEVEL",
    "drdid_panel",
    "fit_logit",
    "reg_did_panel",
    "std_ipw_did_panel",
]

TRIM_LEVEL = 0.995
"""Control units with a propensity score at or above this are trimmed (DRDID's default)."""

_PS_CAP = 1 - 1e-6


def fit_logit(x: FloatArray, d: FloatArray, *, max_iter: int = 100) -> FloatArray:
    """Fitted probabilities of a logit of ``d`` on ``x`` (maximum likelihood, no cap).

    Raises
    ------
    numpy.linalg.LinAlgError
        When the information matrix is singular (collinear covariates or separation).
    """
    share = float(d.mean())
    if x.shape[1] == 1 and np.all(x[:, 0] == 1.0):
        return np.full(len(d), share)
    beta = np.zeros(x.shape[1])
    beta[0] = np.log(share / (1 - share))  # start at the intercept-only fit
    for _ in range(max_iter):
        p = expit(x @ beta)
        info = x.T @ ((p * (1 - p))[:, None] * x)
        step = np.linalg.solve(info, x.T @ (d - p))
        beta = beta + step
        if np.max(np.abs(step)) <= 1e-12 * (1 + np.max(np.abs(beta))):
            break
    return np.asarray(expit(x @ beta), dtype=float)


def _ols_on_controls(x: FloatArray, dy: FloatArray, control: FloatArray) -> FloatArray:
    """Fitted values ``x @ beta`` of the OLS of ``dy`` on ``x`` among controls."""
    mask = control > 0
    beta, *_ = np.linalg.lstsq(x[mask], dy[mask], rcond=None)
    return np.asarray(x @ beta, dtype=float)


def _ols_lin_rep(x: FloatArray, dy: FloatArray, out: FloatArray, d: FloatArray) -> FloatArray:
    """Asymptotic linear representation of the control-group OLS coefficients (n x k)."""
    n = len(d)
    w_ols = 1.0 - d
    xpx = (w_ols[:, None] * x).T @ x / n
    return np.asarray(((w_ols * (dy - out))[:, None] * x) @ np.linalg.inv(xpx), dtype=float)


def _ps_lin_rep(x: FloatArray, d: FloatArray, ps: FloatArray) -> FloatArray:
    """Asymptotic linear representation of the logit coefficients (n x k)."""
    n = len(d)
    info = x.T @ ((ps * (1 - ps))[:, None] * x)
    hessian = np.linalg.inv(info) * n
    return np.asarray(((d - ps)[:, None] * x) @ hessian, dtype=float)


def _cap_and_trim(ps_raw: FloatArray, d: FloatArray) -> tuple[FloatArray, FloatArray]:
    ps = np.minimum(ps_raw, _PS_CAP)
    keep = np.where(d > 0, ps < 1.01, ps < TRIM_LEVEL).astype(float)
    return ps, keep


def reg_did_panel(
    y1: FloatArray, y0: FloatArray, d: FloatArray, x: FloatArray
) -> tuple[float, FloatArray]:
    """Outcome-regression DiD (``DRDID::reg_did_panel``): ATT and influence function."""
    dy = y1 - y0
    out = _ols_on_controls(x, dy, 1.0 - d)
    w_treat = d
    mean_w = w_treat.mean()
    att_treat = w_treat * dy
    att_cont = w_treat * out
    eta_treat = att_treat.mean() / mean_w
    eta_cont = att_cont.mean() / mean_w
    lin_rep = _ols_lin_rep(x, dy, out, d)
    inf_treat = (att_treat - w_treat * eta_treat) / mean_w
    m1 = (w_treat[:, None] * x).mean(axis=0)
    inf_control = (att_cont - w_treat * eta_cont + lin_rep @ m1) / mean_w
    return float(eta_treat - eta_cont), inf_treat - inf_control


def std_ipw_did_panel(
    y1: FloatArray, y0: FloatArray, d: FloatArray, x: FloatArray, ps_raw: FloatArray
) -> tuple[float, FloatArray]:
    """Normalised (Hajek) IPW DiD (``DRDID::std_ipw_did_panel``); ``ps_raw`` from the logit."""
    dy = y1 - y0
    ps, keep = _cap_and_trim(ps_raw, d)
    w_treat = keep * d
    w_cont = keep * ps * (1 - d) / (1 - ps)
    eta_treat = (w_treat * dy).mean() / w_treat.mean()
    eta_cont = (w_cont * dy).mean() / w_cont.mean()
    lin_ps = _ps_lin_rep(x, d, ps)
    inf_treat = (w_treat * dy - w_treat * eta_treat) / w_treat.mean()
    m2 = ((w_cont * (dy - eta_cont))[:, None] * x).mean(axis=0)
    inf_control = (w_cont * dy - w_cont * eta_cont + lin_ps @ m2) / w_cont.mean()
    return float(eta_treat - eta_cont), inf_treat - inf_control


def drdid_panel(
    y1: FloatArray, y0: FloatArray, d: FloatArray, x: FloatArray, ps_raw: FloatArray
) -> tuple[float, FloatArray]:
    """Locally efficient doubly robust DiD (``DRDID::drdid_panel``, Sant'Anna & Zhao 2020)."""
    dy = y1 - y0
    ps, keep = _cap_and_trim(ps_raw, d)
    out = _ols_on_controls(x, dy, 1.0 - d)
    resid = dy - out
    w_treat = keep * d
    w_cont = keep * ps * (1 - d) / (1 - ps)
    mean_t, mean_c = w_treat.mean(), w_cont.mean()
    eta_treat = (w_treat * resid).mean() / mean_t
    eta_cont = (w_cont * resid).mean() / mean_c
    lin_ols = _ols_lin_rep(x, dy, out, d)
    lin_ps = _ps_lin_rep(x, d, ps)
    m1 = (w_treat[:, None] * x).mean(axis=0)
    inf_treat = (w_treat * resid - w_treat * eta_treat - lin_ols @ m1) / mean_t
    m2 = ((w_cont * (resid - eta_cont))[:, None] * x).mean(axis=0)
    m3 = (w_cont[:, None] * x).mean(axis=0)
    inf_control = (w_cont * resid - w_cont * eta_cont + lin_ps @ m2 - lin_ols @ m3) / mean_c
    return float(eta_treat - eta_cont), inf_treat - inf_control
