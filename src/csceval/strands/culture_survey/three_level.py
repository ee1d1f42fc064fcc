"""Framework against contrast sites as a three-level model: respondents in teams in sites.

``score_ijk = b0 + b1 framework_k + u_k + v_jk + e_ijk`` with site effects ``u ~ N(0, s2_site)``,
team effects ``v ~ N(0, s2_team)`` and respondents' ``e ~ N(0, s2_resid)``, fitted by REML with
numpy/scipy (as :mod:`csceval.strands.quality_of_recording.multilevel` fits two levels): with
``theta = (s2_site, s2_team) / s2_resid`` a site's covariance is ``s2_resid H_k``,
``H_k = I + theta_team Z_k Z_k' + theta_site 1 1'`` (``Z_k`` the team indicators), ``s2_resid``
and ``b`` are profiled out by generalised least squares, ``H_k``'s inverse and determinant are
taken in closed form from team sums, and the restricted log-likelihood

    l_R(theta) = -1/2 [ (N - p) log(2 pi s2_hat) + sum_k log det H_k + log det(X' H^-1 X)
                        + (N - p) ]

is maximised over ``theta >= 0`` (scipy's truncated Newton method within bounds, from several
starts, so a variance on the boundary 0 is found; L-BFGS-B gave the same optimum but its BLAS
thread pool made it several times slower on a loaded machine).

Notes
-----
The report's comparison stays the two-stage one in :mod:`.compare` (site means of team means,
a t interval on ``J - 2`` degrees of freedom and the site permutation test): with four sites
nothing more is honest. This model is its cross-check, and gives what the two-stage analysis
cannot: the variance at each level (site, team, respondent) and their shares, which the power
of a future design depends on. Its inference is small-sample in the same way: the framework
effect's interval and p-value use a t distribution on ``J - 2`` degrees of freedom, the
"between-within" rule for a site-level predictor, not the normal approximation. With so few
sites the site variance is often estimated at 0 (``site_on_boundary``). For balanced data the
REML estimates equal the ANOVA (expected mean squares) estimates when those are positive, which
the tests check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import optimize, stats

from csceval.impact.synth_blas import single_blas_thread

FloatArray = npt.NDArray[np.float64]
STARTS = ((0.05, 0.2), (0.5, 0.5), (0.0, 0.0), (2.0, 0.05))


@dataclass(frozen=True)
class ThreeLevelFit:
    """Framework minus contrast from the three-level model on one subscale and time point."""

    subscale: str
    time_point: str
    n_sites: int
    n_teams: int
    n_respondents: int
    difference: float
    se: float
    df: int
    low: float
    high: float
    p_value: float
    var_site: float
    var_team: float
    var_residual: float
    method: str = "REML three-level model; t on J-2 df (between-within)"

    @property
    def total(self) -> float:
        return self.var_site + self.var_team + self.var_residual

    @property
    def share_site(self) -> float:
        """Share of the total variance between sites (after the framework effect)."""
        return self.var_site / self.total

    @property
    def share_team(self) -> float:
        """Share of the total variance between teams within sites."""
        return self.var_team / self.total

    @property
    def site_on_boundary(self) -> bool:
        return self.var_site <= 1e-6 * self.total


@dataclass(frozen=True)
class _Site:
    """A site's sufficient statistics: team sizes, team sums and cross-products of ``[X y]``."""

    sizes: FloatArray
    sums: FloatArray
    cross: FloatArray


def _site(x: FloatArray, y: FloatArray, teams: npt.NDArray[np.intp]) -> _Site:
    w = np.column_stack([x, y])
    sums = np.zeros((int(teams.max()) + 1, w.shape[1]))
    np.add.at(sums, teams, w)
    return _Site(np.bincount(teams).astype(float), sums, w.T @ w)


def _pieces(sites: list[_Site], theta: FloatArray) -> tuple[FloatArray, FloatArray, float, float]:
    """``X'H^-1X``, ``X'H^-1y``, ``y'H^-1y`` and ``sum log det H`` at ``theta``.

    In closed form from team sums: with ``A = I + theta_team Z Z'``,
    ``a'A^-1 b = a'b - sum_j w_j a_j b_j`` (``a_j`` team sums, ``w_j = theta_team / (1 +
    theta_team n_j)``), and ``H = A + theta_site 1 1'`` by Sherman-Morrison, so no
    respondent-by-respondent matrix is formed.
    """
    p = sites[0].cross.shape[0] - 1
    total, logdet = np.zeros((p + 1, p + 1)), 0.0
    for s in sites:
        inflate = 1.0 + theta[1] * s.sizes
        g = s.cross - s.sums.T @ ((theta[1] / inflate)[:, None] * s.sums)
        ones = s.sums.T @ (1.0 / inflate)
        c = float((s.sizes / inflate).sum())
        total += g - theta[0] * np.outer(ones, ones) / (1.0 + theta[0] * c)
        logdet += float(np.log(inflate).sum()) + math.log1p(theta[0] * c)
    return total[:p, :p], total[:p, p], float(total[p, p]), logdet


def _restricted_loglik(sites: list[_Site], theta: FloatArray, n: int) -> float:
    xhx, xhy, yhy, logdet = _pieces(sites, theta)
    p = len(xhy)
    beta = np.linalg.solve(xhx, xhy)
    sigma2 = max((yhy - float(beta @ xhy)) / (n - p), 1e-300)
    _sign, logdet_x = np.linalg.slogdet(xhx)
    return -0.5 * ((n - p) * math.log(2 * math.pi * sigma2) + logdet + float(logdet_x) + (n - p))


def _fit(sites: list[_Site], n: int) -> tuple[FloatArray, FloatArray, float]:
    """``theta``, ``beta`` and ``s2_resid`` at the REML maximum."""
    best: tuple[float, FloatArray] | None = None
    for start in STARTS:
        found = optimize.minimize(
            lambda t: -_restricted_loglik(sites, np.asarray(t), n),
            np.asarray(start), method="TNC", bounds=[(0.0, 1e3), (0.0, 1e3)],
        )  # fmt: skip
        value = -float(found.fun)
        if best is None or value > best[0]:
            best = (value, np.asarray(found.x, dtype=float))
    assert best is not None
    theta = best[1]
    xhx, xhy, yhy, _logdet = _pieces(sites, theta)
    beta = np.linalg.solve(xhx, xhy)
    sigma2 = (yhy - float(beta @ xhy)) / (n - len(beta))
    return theta, np.asarray(beta, dtype=float), float(sigma2)


def fit_three_level(
    scores: pd.DataFrame,
    subscale: str,
    time_point: str,
    framework: set[str],
    confidence: float = 0.95,
) -> ThreeLevelFit | None:
    """Fit the model to ``scores`` (columns la_code, team, time_point and ``subscale``).

    ``framework`` holds the framework sites' LA codes; the others are contrast sites. None
    when there are fewer than 3 sites or one group has none.
    """
    rows = scores.loc[scores["time_point"] == time_point, ["la_code", "team", subscale]].dropna()
    codes = sorted(rows["la_code"].astype(str).unique())
    in_framework = [c in framework for c in codes]
    if len(codes) < 3 or all(in_framework) or not any(in_framework):
        return None
    sites: list[_Site] = []
    n_teams = 0
    for code, flag in zip(codes, in_framework, strict=True):
        site = rows[rows["la_code"].astype(str) == code]
        teams = pd.factorize(site["team"].astype(str))[0]
        n_teams += int(teams.max()) + 1
        x = np.column_stack([np.ones(len(site)), np.full(len(site), float(flag))])
        sites.append(_site(x, site[subscale].to_numpy(dtype=float), teams))
    n = len(rows)
    with single_blas_thread():  # tiny products: a BLAS thread pool only oversubscribes
        theta, beta, sigma2 = _fit(sites, n)
        xhx, _xhy, _yhy, _logdet = _pieces(sites, theta)
    se = math.sqrt(sigma2 * float(np.linalg.inv(xhx)[1, 1]))
    df = len(codes) - 2
    half = float(stats.t.ppf(0.5 + confidence / 2, df)) * se
    difference = float(beta[1])
    return ThreeLevelFit(
        subscale=subscale,
        time_point=time_point,
        n_sites=len(codes),
        n_teams=n_teams,
        n_respondents=n,
        difference=difference,
        se=se,
        df=df,
        low=difference - half,
        high=difference + half,
        p_value=float(2 * stats.t.sf(abs(difference) / se, df)) if se > 0 else math.nan,
        var_site=float(theta[0] * sigma2),
        var_team=float(theta[1] * sigma2),
        var_residual=sigma2,
    )
