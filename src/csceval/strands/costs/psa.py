"""Probabilistic sensitivity analysis: Monte Carlo over the CBA's uncertain inputs.

Distributions are fitted by the method of moments from each input's mean and standard error,
following health-economics PSA practice (Briggs, Claxton & Sculpher 2006):

- an activity change (an effect on a continuous scale) is Normal(change, se); a change derived
  from an impact estimate on the log scale (:meth:`ActivityChange.relative`) is
  ``baseline x (exp(x) - 1)`` with ``x ~ Normal(log_effect, log_se)``, drawn in the same
  simulation as the unit costs and the implementation costs, so the PSA carries the chance that
  the framework increased activity (a negative saving);
- a unit cost is Gamma with shape ``k = mean^2 / se^2`` and scale ``se^2 / mean`` (positive,
  right-skewed); lines valuing the same activity (e.g. one per site) share one draw of its unit
  cost, so only the sum of their changes matters, and that sum is drawn directly (exact for
  independent Normals, and ten times fewer draws for ten sites);
- each site's implementation costs are scaled by a Gamma multiplier with mean 1 and standard
  error ``cost_se_share`` (set it to 0 for costs known exactly).

Inputs are drawn independently. The draws are vectorised with numpy in fixed-size chunks from
one seeded ``numpy.random.Generator``, so a seed gives the same result on the same numpy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from csceval.strands.costs.cba import CBAModel

CHUNK = 20_000
"""Draws per vectorised block (bounds memory; part of what a seed reproduces)."""


def gamma_params(mean: float, se: float) -> tuple[float, float]:
    """Method-of-moments Gamma (shape, scale) for a positive mean and standard error."""
    if mean <= 0 or se <= 0:
        raise ValueError(f"Gamma needs mean > 0 and se > 0, got mean={mean!r}, se={se!r}")
    return mean**2 / se**2, se**2 / mean


def beta_params(mean: float, se: float) -> tuple[float, float]:
    """Method-of-moments Beta (alpha, beta) for a probability with mean and standard error."""
    c = mean * (1 - mean) / se**2 - 1
    if not 0 < mean < 1 or c <= 0:
        raise ValueError(f"no Beta has mean {mean!r} and se {se!r}")
    return mean * c, (1 - mean) * c


def lognormal_from_ci(point: float, lower: float, upper: float) -> tuple[float, float]:
    """(mu, sigma) on the log scale of a ratio reported with a 95% interval."""
    return float(np.log(point)), float((np.log(upper) - np.log(lower)) / (2 * 1.959963984540054))


def _gamma(
    rng: np.random.Generator, mean: NDArray[np.float64], se: NDArray[np.float64], n: int
) -> NDArray[np.float64]:
    """Gamma draws (n x len(mean)); a column with se = 0 is the constant mean."""
    fixed = se <= 0
    safe_se = np.where(fixed, 1.0, se)
    safe_mean = np.where(mean > 0, mean, 1.0)
    shape, scale = safe_mean**2 / safe_se**2, safe_se**2 / safe_mean
    draws = rng.gamma(shape, scale, size=(n, len(mean)))
    return np.where(fixed, mean, draws)


@dataclass(frozen=True)
class PSAResult:
    """Draws of PV benefits and PV costs (optimism bias included) and their summaries."""

    draws: int
    seed: int
    pv_benefits: NDArray[np.float64]
    pv_costs: NDArray[np.float64]

    @property
    def npv(self) -> NDArray[np.float64]:
        return self.pv_benefits - self.pv_costs

    @property
    def bcr(self) -> NDArray[np.float64]:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(self.pv_benefits / self.pv_costs, dtype=float)

    @property
    def mean_npv(self) -> float:
        return float(self.npv.mean())

    @property
    def se_mean_npv(self) -> float:
        """Monte Carlo standard error of the mean NPV."""
        return float(self.npv.std(ddof=1) / np.sqrt(self.draws))

    def npv_interval(self, level: float = 0.95) -> tuple[float, float]:
        tail = 100 * (1 - level) / 2
        lo, hi = np.percentile(self.npv, [tail, 100 - tail])
        return float(lo), float(hi)

    def bcr_interval(self, level: float = 0.95) -> tuple[float, float]:
        tail = 100 * (1 - level) / 2
        lo, hi = np.percentile(self.bcr, [tail, 100 - tail])
        return float(lo), float(hi)

    @property
    def prob_benefits_exceed_costs(self) -> float:
        """Share of draws with PV benefits above PV costs (NPV > 0, BCR > 1)."""
        return float(np.mean(self.pv_benefits > self.pv_costs))


def run_psa(
    model: CBAModel,
    draws: int,
    seed: int,
    site_pv_costs: Sequence[float] | NDArray[np.float64] | None = None,
    offsets: NDArray[np.float64] | None = None,
) -> PSAResult:
    """Monte Carlo draws of the CBA; ``site_pv_costs`` splits PV costs (before OB) by site.

    ``offsets`` (draws x lines) moves each line's estimate, draw by draw, on its analysis
    scale (the log effect of a relative change, the change in units otherwise): many worlds
    with other estimates in one vectorised run (:mod:`.psa_operating`)."""
    if draws < 2:
        raise ValueError(f"draws must be at least 2, got {draws}")
    if offsets is not None and offsets.shape != (draws, len(model.lines)):
        raise ValueError(f"offsets must be draws x lines, got {offsets.shape}")
    lines = model.lines
    activities = list(dict.fromkeys(line.change.activity for line in lines))
    additive_at = [i for i, line in enumerate(lines) if line.change.baseline is None]
    relative_at = [i for i, line in enumerate(lines) if line.change.baseline is not None]
    additive = [lines[i] for i in additive_at]
    relative = [lines[i] for i in relative_at]
    which = np.array([activities.index(ln.change.activity) for ln in additive], dtype=np.intp)
    # Independent Normal changes valued at one shared unit cost enter only through their sum
    # per activity, which is Normal(sum of means, root sum of variances): draw that sum.
    k = len(activities)
    change = np.bincount(which, [ln.change.change for ln in additive], minlength=k)
    change_se = np.sqrt(np.bincount(which, [ln.change.se**2 for ln in additive], minlength=k))
    # Relative changes: one log-scale draw per line, added to its activity's column.
    to_activity = np.zeros((len(relative), k))
    for r, line in enumerate(relative):
        to_activity[r, activities.index(line.change.activity)] = 1.0
    base = np.array([ln.change.baseline or 0.0 for ln in relative], dtype=float)
    mu = np.array([ln.change.log_effect for ln in relative], dtype=float)
    sigma = np.array([ln.change.log_se for ln in relative], dtype=float)
    first = [next(line for line in lines if line.change.activity == a) for a in activities]
    cost_mean = np.array([line.unit_cost for line in first], dtype=float)
    cost_se = np.array([line.unit_cost_se for line in first], dtype=float)
    sites = np.asarray(
        [model.pv_costs_before_ob] if site_pv_costs is None else list(site_pv_costs), dtype=float
    )
    share = np.full(len(sites), model.cost_se_share)
    annuity, uplift = model.annuity, 1.0 + model.optimism_bias
    rng = np.random.default_rng(seed)
    pvb, pvc = np.empty(draws), np.empty(draws)
    for start in range(0, draws, CHUNK):
        n = min(CHUNK, draws - start)
        changes = change + change_se * rng.standard_normal((n, k))
        moved = None if offsets is None else offsets[start : start + n]
        if moved is not None and additive:
            changes += moved[:, additive_at] @ np.eye(k)[which]
        costs = _gamma(rng, cost_mean, cost_se, n)
        pvb[start : start + n] = -np.einsum("ij,ij->i", changes, costs) * annuity
        multipliers = _gamma(rng, np.ones(len(sites)), share, n)
        pvc[start : start + n] = (multipliers @ sites) * uplift
        if relative:
            log_effects = mu + sigma * rng.standard_normal((n, len(relative)))
            if moved is not None:
                log_effects += moved[:, relative_at]
            more = (base * np.expm1(log_effects)) @ to_activity
            pvb[start : start + n] -= np.einsum("ij,ij->i", more, costs) * annuity
    return PSAResult(draws=draws, seed=seed, pv_benefits=pvb, pv_costs=pvc)
