"""Worlds with no effect, matched to the project's own child-level design.

Notes
-----
The child-level verdicts (:mod:`.design_verdicts`) are calibrated on draws of the project's own
matched sample: the same children, LAs, cohort years, adoption years and matching weights, with
each child's outcome redrawn from a model of the project's own records in which the framework
has no effect. For one outcome:

- **Expected rates.** ``m[l, t] = a_l + g_t``, a two-way additive model fitted by least squares
  to the untreated cells' outcome rates (comparator LAs in every year, pilot LAs before
  adoption; a cell is an LA in a cohort year, its rate the matching-weighted mean). A pilot's
  cells after adoption get ``a_l + g_t`` too: no effect. Additive on the probability scale, the
  scale on which the difference-in-differences assumes parallel trends, so the draws are of the
  null the test is for: no effect, and parallel trends.
- **LA-by-year shocks.** ``u[l, t]`` normal with variance ``s^2`` and AR(1) correlation ``rho``
  over an LA's years. ``s^2`` by the method of moments: the residual sum of squares of the
  cells' fit, less each cell's binomial variance (``m (1 - m)`` over its effective number of
  children, times ``1 - h`` with ``h`` its leverage), over the residual degrees of freedom;
  ``rho`` is the lag-1 covariance of an LA's consecutive residuals over ``s^2``, clipped to
  ``[0, 0.9]`` (the residuals of a short panel understate it). Shocks are what makes few-cluster
  tests over-reject; they are estimated, not assumed.
- **Children.** Each matched child's outcome is Bernoulli with probability ``m + u`` of its cell,
  clipped to ``[0.001, 0.999]``; drawn as the binomial count of each cell's children with one
  matching weight (the same thing, and what the estimator reads), so the cost grows with the
  cells and weights, not with the children. With an effect: plus ``delta`` for pilot children after
  adoption (``delta`` the outcome's minimum detectable effect, an increase so that rare
  outcomes are not clipped at zero).

The test statistics of all draws come from one fit of the design
(:meth:`csceval.impact.did_setup.DidSetup.overall_replicates`), in chunks that bound memory.
Outcomes are drawn independently of each other: shocks shared between outcomes would make
their tests agree more often, which lowers the family-wise rate, so the rate measured here is
an upper bound for it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypedDict

import numpy as np
import numpy.typing as npt
import pandas as pd

from csceval.impact.did_setup import ReplicateTests, prepare_did

FloatArray = npt.NDArray[np.float64]


class CohortColumns(TypedDict):
    """The columns of a matched cohort frame, as the DiD estimators name their roles."""

    outcome: str
    cluster: str
    group: str
    period: str
    adoption: str
    weights: str


COHORT_COLUMNS = CohortColumns(
    outcome="y",
    cluster="la_code",
    group="pilot",
    period="cohort_year",
    adoption="adoption",
    weights="weight",
)
CHUNK_VALUES = 4_000_000
"""Groups of children x draws redrawn at a time, and stacked ``X'Wy`` values x draws (about
32 MB each), whatever the project's size."""
RHO_MAX = 0.9
CLIP = 0.001


@dataclass(frozen=True)
class NullModel:
    """One outcome's model of the matched sample with no effect (see the module notes)."""

    expected: FloatArray
    """Per matched child: ``a_l + g_t`` of its cell."""
    la: npt.NDArray[np.int64]
    year: npt.NDArray[np.int64]
    treated_post: npt.NDArray[np.bool_]
    """Pilot children referred in or after their LA's adoption year."""
    sd: float
    """``s``: the shocks' standard deviation (probability scale)."""
    rho: float
    n_las: int
    n_years: int


@dataclass(frozen=True)
class OutcomeDraws:
    """The overall ATT's CR2 tests on the draws with no effect and with ``delta`` added."""

    null: ReplicateTests
    effect: ReplicateTests
    delta: float
    sd: float
    rho: float


def outcome_data(frame: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """The rows an outcome is estimated on: matched (``weight > 0``) with the outcome observed,
    as ``y`` (0/1 as float)."""
    data = frame.dropna(subset=[outcome])
    return data[data["weight"] > 0].assign(y=lambda d: d[outcome].astype(float))


def null_model(data: pd.DataFrame) -> NullModel:
    """Fit the model to ``data``: matched rows with ``y``, ``weight``, ``la_code``,
    ``cohort_year``, ``pilot`` and ``adoption`` (as the estimate's frame has them)."""
    la_codes, las = pd.factorize(data["la_code"], sort=True)
    year_codes, years = pd.factorize(data["cohort_year"], sort=True)
    n_las, n_years = len(las), len(years)
    untreated = ~((data["pilot"] == 1) & (data["cohort_year"] >= data["adoption"])).to_numpy()
    w = data["weight"].to_numpy(dtype=np.float64)
    y = data["y"].to_numpy(dtype=np.float64)
    cell = la_codes * n_years + year_codes
    size = n_las * n_years
    keep = untreated & (w > 0)
    sw = np.bincount(cell[keep], weights=w[keep], minlength=size)
    sw2 = np.bincount(cell[keep], weights=w[keep] ** 2, minlength=size)
    swy = np.bincount(cell[keep], weights=(w * y)[keep], minlength=size)
    cells = np.flatnonzero(sw > 0)
    rate = swy[cells] / sw[cells]
    n_eff = sw[cells] ** 2 / sw2[cells]
    design = _two_way(cells, n_las, n_years)
    coef, *_ = np.linalg.lstsq(design, rate, rcond=None)
    fitted = design @ coef
    resid = rate - fitted
    gram_inv = np.linalg.pinv(design.T @ design)
    leverage = np.einsum("ij,jk,ik->i", design, gram_inv, design)
    rank = int(np.linalg.matrix_rank(design))
    p = np.clip(fitted, CLIP, 1 - CLIP)
    binomial = float(np.sum((1 - leverage) * p * (1 - p) / n_eff))
    dof = cells.size - rank
    variance = max((float(resid @ resid) - binomial) / dof, 0.0) if dof > 0 else 0.0
    rho = _lag_one(cells, resid, n_years, variance)
    expected = (_two_way(np.arange(size), n_las, n_years) @ coef)[cell]
    return NullModel(
        expected=expected,
        la=la_codes.astype(np.int64),
        year=year_codes.astype(np.int64),
        treated_post=~untreated,
        sd=math.sqrt(variance),
        rho=rho,
        n_las=n_las,
        n_years=n_years,
    )


def _two_way(cells: np.ndarray, n_las: int, n_years: int) -> FloatArray:
    """Rows of the two-way design (an LA dummy each, year dummies after the first) for cells
    coded ``la * n_years + year``."""
    design = np.zeros((cells.size, n_las + n_years - 1))
    design[np.arange(cells.size), cells // n_years] = 1.0
    later = np.flatnonzero(cells % n_years > 0)
    design[later, n_las + cells[later] % n_years - 1] = 1.0
    return design


def _lag_one(cells: np.ndarray, resid: FloatArray, n_years: int, variance: float) -> float:
    """Mean product of an LA's residuals in consecutive years over ``s^2``, in ``[0, 0.9]``."""
    if variance <= 0:
        return 0.0
    position = {int(c): i for i, c in enumerate(cells)}
    products = [
        resid[i] * resid[position[int(c) + 1]]
        for i, c in enumerate(cells)
        if (int(c) + 1) % n_years and int(c) + 1 in position
    ]
    if not products:
        return 0.0
    return float(np.clip(np.mean(products) / variance, 0.0, RHO_MAX))


def shocks(model: NullModel, rng: np.random.Generator, draws: int) -> FloatArray:
    """LA-by-year shocks for ``draws`` worlds (LAs x years x draws), stationary AR(1)."""
    eps = rng.standard_normal((model.n_las, model.n_years, draws))
    u = np.empty_like(eps)
    u[:, 0] = eps[:, 0]
    scale = math.sqrt(1 - model.rho**2)
    for t in range(1, model.n_years):
        u[:, t] = model.rho * u[:, t - 1] + scale * eps[:, t]
    return u * model.sd


def outcome_draws(
    data: pd.DataFrame, delta: float, draws: int, rng: np.random.Generator
) -> OutcomeDraws:
    """The CR2 tests of the overall ATT on ``draws`` worlds with no effect and as many with
    ``delta`` added (``data`` as :func:`null_model` reads it; the estimate's own design)."""
    model = null_model(data)
    setup = prepare_did(data, **COHORT_COLUMNS)
    # children of one cell with one matching weight share their probability: their count is
    # binomial, and the estimator needs only each cell's weighted sum
    keys = np.column_stack([setup.cell_codes, data["weight"].to_numpy(dtype=np.float64)])
    groups, first, counts = np.unique(keys, axis=0, return_index=True, return_counts=True)
    weight = groups[:, 1]
    la, year = model.la[first], model.year[first]
    expected = model.expected[first]
    shift = np.where(model.treated_post[first], delta, 0.0)
    to_cell = setup.summing(groups[:, 0].astype(np.int64))
    single = counts == 1
    clusters, params = setup.fit.moments.xty.shape
    # draws at a time: the groups' counts and the stacked X'Wy (clusters x params) bounded
    step = max(1, CHUNK_VALUES // max(len(groups), clusters * params, 1))
    tests = []
    for added in (np.zeros_like(shift), shift):
        parts = []
        for start in range(0, draws, step):
            k = min(step, draws - start)
            u = shocks(model, rng, k)[la, year]
            p = np.clip(expected[:, None] + u + added[:, None], CLIP, 1 - CLIP)
            children = np.empty_like(p)  # a lone child: a uniform draw beats the binomial's
            children[single] = rng.random((int(single.sum()), k)) < p[single]
            children[~single] = rng.binomial(counts[~single, None], p[~single])
            parts.append(setup.replicates_from_sums(to_cell @ (weight[:, None] * children)))
        tests.append(_joined(parts))
    return OutcomeDraws(tests[0], tests[1], delta, model.sd, model.rho)


def _joined(parts: list[ReplicateTests]) -> ReplicateTests:
    return ReplicateTests(
        np.concatenate([t.estimate for t in parts]),
        np.concatenate([t.se_cr2 for t in parts]),
        np.concatenate([t.p_cr2 for t in parts]),
        parts[0].df_bm,
    )
