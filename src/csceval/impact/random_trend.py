"""Random-trend model: each pilot's counterfactual predicted from its own past, under a model of
LA trends and persistent noise fitted on the comparators.

Model
-----
On the analysis scale, each LA's gap from the donors' mean in year ``t`` is

    g_t = a + b (t - tbar) + s u_t + e_t,

with ``a`` a level of its own (no prior: it is estimated, as a fixed effect), ``b`` an LA trend
drawn from ``N(0, sigma_b^2)``, ``u_t`` stationary AR(1) noise of unit variance and correlation
``rho`` (persistence: a year's deviation carries into the next), and ``e_t`` white noise of SD
``sigma_e`` (measurement: counts, recording). The four hyperparameters ``theta = (sigma_b, s,
rho, sigma_e)`` are shared by the LAs and fitted by restricted maximum likelihood on the donors'
gaps (the level is projected out), never on a pilot.

Prediction
----------
A pilot's counterfactual mean gap over its post-adoption years is the best linear unbiased
predictor given its pre-adoption gaps (universal kriging with an unknown level): the level
``a_hat`` by GLS, then ``a_hat + c' S^-1 (g_pre - a_hat)`` with ``S`` the pre-years' covariance
and ``c`` the covariance of the pre-years with the post-years' mean. Its effect is the observed
post-period mean gap minus that prediction. Against a demeaned comparison this (1) shrinks the
trend the pre-years suggest by how well they can show it, and (2) weights recent years by the
persistence ``rho`` instead of all pre-years equally. The effect is ``lambda' g`` with error
weights ``lambda`` (the post-years' mean less the kriging weights; they sum to zero, so the level
drops out) and the prediction error's variance is ``v = lambda' C lambda``. The pooled effect
(mean over pilots) has variance ``(sum v + L' C L / n_donors) / n^2`` with
``L`` the pilots' summed error weights: the donors' mean is in every pilot's gap, so their
errors are correlated through it. ``theta`` is treated as known (the design calibration
measures what that costs).

Measured on synthetic England's children looked after (docs/methods.md, "How much of the drift
could any estimator remove?", ``benchmarks/impact_oracle_bound.py``): with ``theta`` fitted as
here, the error is within 0.14-0.34 points (log x 100) of the Bayes oracle that knows the
simulator's model, and its SD is 15-19% lower than the pooled synthetic control's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt
from scipy import optimize, stats

from csceval.impact.synth_fit import json_float
from csceval.impact.synth_panel import SynthPanel

FloatArray = npt.NDArray[np.float64]
MIN_DONORS = 5
"""Fewer donors cannot fit four hyperparameters."""
_START = (0.02, 0.1, 0.8, 0.02)


@dataclass(frozen=True)
class Hyperparameters:
    """``theta``: LA trend SD (per year), AR(1) noise SD and correlation, white noise SD."""

    trend_sd: float
    noise_sd: float
    rho: float
    white_sd: float

    def covariance(self, times: FloatArray) -> FloatArray:
        """The gaps' covariance over ``times`` without the level."""
        t = times - times.mean()
        lag = np.abs(t[:, None] - t[None, :])
        return np.asarray(
            self.trend_sd**2 * np.outer(t, t)
            + self.noise_sd**2 * self.rho**lag
            + self.white_sd**2 * np.eye(t.size),
            dtype=np.float64,
        )


@dataclass(frozen=True)
class PilotPrediction:
    """One pilot's effect (observed post-period mean gap less its prediction) and the variance
    of that prediction's error, the donors' mean included."""

    unit: str
    start: int
    effect: float
    variance: float


@dataclass(frozen=True)
class RandomTrendResult:
    """The pooled effect (mean over pilots), its standard error, normal p-value and interval."""

    att: float
    se: float
    p_value: float
    low: float
    high: float
    theta: Hyperparameters
    pilots: tuple[PilotPrediction, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready (NaN and infinities as ``None``)."""
        return {
            "att": json_float(self.att),
            "se": json_float(self.se),
            "p_value": json_float(self.p_value),
            "ci": [json_float(self.low), json_float(self.high)],
            "theta": {k: json_float(v) for k, v in asdict(self.theta).items()},
            "pilots": [
                {
                    "unit": p.unit,
                    "start": p.start,
                    "effect": json_float(p.effect),
                    "se": json_float(math.sqrt(max(p.variance, 0.0))),
                }
                for p in self.pilots
            ],
        }


def _contrasts(n: int) -> FloatArray:
    """An orthonormal basis of the vectors summing to zero (the level projected out)."""
    q, _ = np.linalg.qr(np.eye(n)[:, :-1] - 1.0 / n)
    return np.asarray(q, dtype=np.float64)


def theta_of(x: FloatArray) -> Hyperparameters:
    """``theta`` from its unconstrained parameters ``(log sigma_b, log s, atanh rho, log
    sigma_e)``."""
    return Hyperparameters(math.exp(x[0]), math.exp(x[1]), math.tanh(x[2]), math.exp(x[3]))


def reml_criterion(
    x: FloatArray, times: FloatArray, scatter: FloatArray, n_donors: int
) -> tuple[float, FloatArray]:
    """Minus the restricted log-likelihood (up to a constant) of ``theta_of(x)`` given the
    donors' contrasts' ``scatter`` (``Z Z'``), and its gradient in ``x``:
    ``0.5 tr((n S^-1 - S^-1 Z Z' S^-1) dS)`` per parameter, ``S`` the contrasts' covariance."""
    theta, q = theta_of(x), _contrasts(times.size)
    try:
        chol = np.linalg.cholesky(q.T @ theta.covariance(times) @ q)
    except np.linalg.LinAlgError:
        return 1e300, np.zeros(4)
    inv = np.linalg.solve(chol, np.eye(chol.shape[0]))
    precision = inv.T @ inv
    value = n_donors * np.log(np.diag(chol)).sum() + 0.5 * np.sum(precision * scatter)
    weight = q @ (n_donors * precision - precision @ scatter @ precision) @ q.T
    t = times - times.mean()
    lag = np.abs(t[:, None] - t[None, :])
    rho, s2 = theta.rho, theta.noise_sd**2
    d_rho = np.where(lag > 0, lag * rho ** np.maximum(lag - 1, 0), 0.0) * (1 - rho**2)
    derivatives = (
        2 * theta.trend_sd**2 * np.outer(t, t),
        2 * s2 * rho**lag,
        s2 * d_rho,
        2 * theta.white_sd**2 * np.eye(t.size),
    )
    return float(value), np.array([0.5 * np.sum(weight * d) for d in derivatives])


def fit_hyperparameters(times: FloatArray, gaps: FloatArray) -> Hyperparameters:
    """REML of ``theta`` on the donors' gaps (``times x donors``, complete).

    Parameters are optimised on unconstrained scales (log SDs, ``atanh(rho)``) by L-BFGS from a
    fixed start with the analytic gradient (:func:`reml_criterion`); the likelihood uses one
    Cholesky factor for all donors, since they share the covariance. Finite-difference
    gradients stopped at the start on some data (docs/methods.md)."""
    if gaps.shape[1] < MIN_DONORS or not np.isfinite(gaps).all():
        raise ValueError(f"the random-trend model needs at least {MIN_DONORS} complete donors")
    z = _contrasts(times.size).T @ gaps
    scatter = z @ z.T
    start = np.array([math.log(_START[0]), math.log(_START[1]), math.atanh(_START[2]),
                      math.log(_START[3])])  # fmt: skip
    scale = float(np.std(gaps)) or 1.0
    start[[0, 1, 3]] += math.log(scale / 0.1)
    bounds = [(-20.0, 5.0), (-20.0, 5.0), (-3.0, 3.0), (-20.0, 5.0)]
    fit = optimize.minimize(
        reml_criterion, start, args=(times, scatter, gaps.shape[1]), jac=True,
        method="L-BFGS-B", bounds=bounds,
    )  # fmt: skip
    return theta_of(fit.x)


def error_weights(theta: Hyperparameters, times: FloatArray, start: int) -> FloatArray:
    """``lambda`` with ``effect = lambda' gap`` for an LA adopting in ``start`` under ``theta``
    (:func:`kriging_error_weights` with its covariance)."""
    return kriging_error_weights(theta.covariance(times), times, start)


def kriging_error_weights(cov: FloatArray, times: FloatArray, start: int) -> FloatArray:
    """The post-years' mean less the kriging weights on the pre-years, for gaps of covariance
    ``cov`` (without the level) adopting in ``start``. The kriging weights sum to one, so these
    sum to zero and the unknown level drops out; the prediction's error variance is
    ``lambda' C lambda``."""
    pre, post = times < start, times >= start
    if pre.sum() < 2 or not post.any():
        raise ValueError(f"adoption in {start} leaves fewer than 2 pre-years or no post-year")
    m = post[post] / post.sum()
    s = cov[np.ix_(pre, pre)]
    c = cov[np.ix_(pre, post)] @ m
    ones = np.ones(int(pre.sum()))
    s_inv_1, s_inv_c = np.linalg.solve(s, ones), np.linalg.solve(s, c)
    kriging = s_inv_c + s_inv_1 * (1.0 - ones @ s_inv_c) / (ones @ s_inv_1)
    weights = np.zeros(times.size)
    weights[post] = m
    weights[pre] = -kriging
    return weights


def random_trend(
    panel: SynthPanel,
    pilots: Mapping[str, int],
    donors: Sequence[str],
    variable: str = "y",
    theta: Hyperparameters | None = None,
) -> RandomTrendResult:
    """The pooled effect of :data:`pilots` (unit -> first post year) against ``donors``.

    ``theta`` fitted on the donors unless given (a design calibration may reuse one fit)."""
    unknown = sorted(set(pilots) - set(panel.units))
    if unknown:
        raise ValueError(f"not in the panel: {', '.join(unknown)}")
    y = panel.variable(variable)
    times = np.asarray(panel.times, dtype=float)
    cols = [panel.units.index(d) for d in donors]
    mean = y[:, cols].mean(axis=1)
    if theta is None:
        theta = fit_hyperparameters(times, y[:, cols] - mean[:, None])
    cov = theta.covariance(times)
    share = 1.0 + 1.0 / len(cols)  # a pilot's gap holds the donors' mean too
    rows, own, summed = [], 0.0, np.zeros(times.size)
    for unit, start in sorted(pilots.items()):
        gap = y[:, panel.units.index(unit)] - mean
        if not np.isfinite(gap).all():
            raise ValueError(f"LA {unit} has missing years")
        weights = kriging_error_weights(cov, times, start)
        summed += weights
        variance = float(weights @ cov @ weights)
        own += variance
        rows.append(PilotPrediction(unit, start, float(weights @ gap), variance * share))
    if not rows:
        raise ValueError("no pilot to estimate")
    att = float(np.mean([r.effect for r in rows]))
    shared = float(summed @ cov @ summed) / len(cols)  # the donors' mean, in every pilot's gap
    se = math.sqrt(max(own + shared, 0.0)) / len(rows)
    z = float(stats.norm.ppf(0.975))
    p = float(2 * stats.norm.sf(abs(att) / se)) if se > 0 else math.nan
    return RandomTrendResult(att, se, p, att - z * se, att + z * se, theta, tuple(rows))
