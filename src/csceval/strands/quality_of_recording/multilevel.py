"""A random-intercept linear model fitted by REML (cases within sites), numpy/scipy only.

Model: ``y_ij = x_ij' beta + u_j + e_ij``, ``u_j ~ N(0, tau2)``, ``e_ij ~ N(0, sigma2)``. With
``theta = tau2 / sigma2`` the covariance of site ``j`` is ``sigma2 (I + theta 1 1')`` and its
inverse ``(I - c_j 1 1') / sigma2`` with ``c_j = theta / (1 + n_j theta)``, so every quantity is a
sum over sites. ``sigma2`` and ``beta`` are profiled out (generalised least squares), and the
restricted log-likelihood

    l_R(theta) = -1/2 [ (N - p) log(2 pi sigma2_hat) + sum_j log(1 + n_j theta)
                        + log det(X' H^-1 X) + (N - p) ]

is maximised over ``theta >= 0`` (Brent on ``log theta`` and the boundary ``theta = 0``). The
fixed effects' covariance is ``sigma2_hat (X' H^-1 X)^-1``; intervals use a t distribution on
``J - p_site`` degrees of freedom (``J`` sites, ``p_site`` the columns constant within site, at
least 1), the between-within rule, which is honest when sites are few.
Checked against statsmodels ``MixedLM(..., groups).fit(reml=True)`` (tests/golden/case_audit).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import optimize, stats

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class MixedFit:
    """A fitted random-intercept model."""

    beta: FloatArray
    se: FloatArray
    cov_beta: FloatArray
    tau2: float
    sigma2: float
    loglik: float
    n_obs: int
    n_groups: int
    df: int

    def interval(self, k: int, confidence: float = 0.95) -> tuple[float, float]:
        """A t interval for coefficient ``k`` on :attr:`df` degrees of freedom."""
        half = stats.t.ppf(0.5 + confidence / 2, self.df) * self.se[k]
        return float(self.beta[k] - half), float(self.beta[k] + half)

    def p_value(self, k: int) -> float:
        t = self.beta[k] / self.se[k]
        return float(2 * stats.t.sf(abs(t), self.df))


class _Sums:
    """Per-site sums that make every likelihood evaluation O(J p^2)."""

    def __init__(self, y: FloatArray, x: FloatArray, groups: npt.NDArray[np.int64]) -> None:
        n_groups = int(groups.max()) + 1
        self.n = np.bincount(groups, minlength=n_groups).astype(float)
        self.sx = np.zeros((n_groups, x.shape[1]))
        np.add.at(self.sx, groups, x)
        self.sy = np.bincount(groups, weights=y, minlength=n_groups)
        self.xtx, self.xty, self.yty = x.T @ x, x.T @ y, float(y @ y)

    def gls(self, theta: float) -> tuple[FloatArray, FloatArray, float, float]:
        """(beta, X'H^-1X, residual quadratic form, log det H)."""
        c = theta / (1 + self.n * theta)
        xhx = self.xtx - (self.sx * c[:, None]).T @ self.sx
        xhy = self.xty - (self.sx * c[:, None]).T @ self.sy
        yhy = self.yty - float((c * self.sy**2).sum())
        beta = np.asarray(np.linalg.solve(xhx, xhy), dtype=float)
        return beta, xhx, yhy - float(beta @ xhy), float(np.log1p(self.n * theta).sum())


def _loglik(sums: _Sums, theta: float, n_obs: int, p: int) -> float:
    _, xhx, rss, logdet = sums.gls(theta)
    sigma2 = rss / (n_obs - p)
    _, logdet_x = np.linalg.slogdet(xhx)
    return -0.5 * ((n_obs - p) * (math.log(2 * math.pi * sigma2) + 1) + logdet + float(logdet_x))


def _observed_cov(
    sums: _Sums,
    y: FloatArray,
    x: FloatArray,
    codes: npt.NDArray[np.intp],
    beta: FloatArray,
    theta: float,
    sigma2: float,
) -> FloatArray | None:
    """The fixed effects' block of the inverse observed information of the REML likelihood
    with ``sigma2`` profiled out, in (beta, theta): the covariance statsmodels reports. It adds
    to ``sigma2 (X'H^-1X)^-1`` the uncertainty from the beta-theta cross term. None when the
    information is not positive definite."""
    n_obs, p = x.shape
    resid_sum = np.bincount(codes, weights=y - x @ beta, minlength=len(sums.n))
    shrink = 1.0 / (1 + sums.n * theta) ** 2
    b = (sums.sx * (shrink * resid_sum)[:, None]).sum(axis=0) / sigma2

    def g(t: float) -> float:
        c = t / (1 + sums.n * t)
        xhx = sums.xtx - (sums.sx * c[:, None]).T @ sums.sx
        r = y - x @ beta
        q = float(r @ r) - float((c * resid_sum**2).sum())
        _, logdet_x = np.linalg.slogdet(xhx)
        log_h = float(np.log1p(sums.n * t).sum())
        return float(-0.5 * ((n_obs - p) * math.log(q) + log_h + float(logdet_x)))

    h = 1e-4 * theta
    c_info = -(g(theta + h) - 2 * g(theta) + g(theta - h)) / h**2
    if not c_info > 0:
        return None
    _, xhx, _, _ = sums.gls(theta)
    info = xhx / sigma2 - np.outer(b, b) / c_info
    return np.asarray(np.linalg.inv(info), dtype=float)


def fit_random_intercept(y: object, x: object, groups: object) -> MixedFit:
    """Fit by REML; ``x`` includes the intercept column; ``groups`` any hashable labels.

    Raises ValueError when the model cannot be fitted (fewer than 2 groups, or X not of full
    rank, or no residual degrees of freedom).
    """
    yv = np.asarray(y, dtype=float)
    xm = np.asarray(x, dtype=float)
    _, codes = np.unique(np.asarray(groups), return_inverse=True)
    n_obs, p = xm.shape
    n_groups = int(codes.max()) + 1 if n_obs else 0
    if n_groups < 2 or n_obs <= p or np.linalg.matrix_rank(xm) < p:
        raise ValueError("needs at least 2 sites, more cases than coefficients and full-rank X")
    sums = _Sums(yv, xm, codes.astype(np.int64))
    found = optimize.minimize_scalar(
        lambda lt: -_loglik(sums, math.exp(lt), n_obs, p),
        bounds=(-25.0, 12.0),
        method="bounded",
        options={"xatol": 1e-10},
    )
    theta = math.exp(float(found.x))
    if _loglik(sums, 0.0, n_obs, p) >= -float(found.fun):
        theta = 0.0
    beta, xhx, rss, _ = sums.gls(theta)
    sigma2 = rss / (n_obs - p)
    cov = _observed_cov(sums, yv, xm, codes, beta, theta, sigma2) if theta > 0 else None
    if cov is None:
        cov = sigma2 * np.linalg.inv(xhx)
    means = sums.sx / sums.n[:, None]
    site_level = sum(bool(np.allclose(xm[:, k], means[codes, k])) for k in range(p))
    return MixedFit(
        beta=beta,
        se=np.sqrt(np.diag(cov)),
        cov_beta=cov,
        tau2=theta * sigma2,
        sigma2=sigma2,
        loglik=_loglik(sums, theta, n_obs, p),
        n_obs=n_obs,
        n_groups=n_groups,
        df=max(n_groups - max(site_level, 1), 1),
    )
