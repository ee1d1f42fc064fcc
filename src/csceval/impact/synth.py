"""Synthetic control (Abadie, Diamond & Hainmueller), fast and framework-free (numpy/scipy).

The public API of the synthetic control estimator:

- :class:`SynthPanel` (data: one ``times x units`` matrix per variable), :class:`SynthSpec`
  and :class:`Predictor` (what to match on and how);
- :func:`fit_synth` -> :class:`SynthResult` (one treated unit);
- :func:`placebo_in_space` -> :class:`PlaceboResult`, :func:`placebo_in_time`,
  :func:`leave_one_out` -> :class:`LeaveOneOutResult` (inference for one treated unit,
  :mod:`csceval.impact.synth_placebo`);
- :func:`pooled_synth` -> :class:`PooledSynthResult` (several treated units, staggered dates,
  pooled permutation test; :mod:`csceval.impact.synth_pooled`);
- :func:`cross_validate` -> :class:`CrossValidation` (ADH 2015's two-step choice of V).

Every fit goes through one batched routine (:func:`csceval.impact.synth_fit.solve_batch`), so
the ~140 placebo fits of a treated unit cost about as much as a few single fits.

Example
-------
>>> panel = SynthPanel.from_long(df, unit="state", time="year")  # doctest: +SKIP
>>> spec = SynthSpec("cigsale", predictors=(Predictor("beer", 1984, 1988),),
...                  v_method="nested")  # doctest: +SKIP
>>> fit_synth(panel, spec, treated="California", treatment_time=1989)  # doctest: +SKIP

Notes
-----
**Donor weights W** minimise ``(x1 - X0 w)' V (x1 - X0 w)`` over the simplex (``w >= 0``,
``sum(w) = 1``). When ``standardize`` is on, each predictor is first divided by its standard
deviation across the fit's units (treated and donors), as R ``Synth`` does. The simplex
least-squares problems are solved to optimality (Frank-Wolfe duality gap <= 1e-12 relative) by
Wolfe's minimum-norm-point algorithm, batched over problems; see
:mod:`csceval.impact.synth_weights` for why that algorithm. Weights below 1e-14 are set to 0 and
the rest renormalised.

**Predictor weights V** (diagonal, non-negative, summing to one), ``SynthSpec.v_method``:

- ``"nested"`` follows R ``Synth`` 1.1: V is parametrised as ``|v| / sum|v|`` and chosen to
  minimise the synthetic unit's outcome MSPE over the loss window (``optimize_window``,
  default every observed pre-period year), by Nelder-Mead (at most 500 iterations, stopping
  when the simplex's values agree to a relative 1e-8: R ``optim``'s defaults). R ``Synth``
  starts from equal weights and from the regression-based V and keeps the better (it also runs
  BFGS from the same starts; on this piecewise-smooth loss BFGS from equal weights did not move
  V in the project's reference runs). By default (``nested_multistart``) the search also starts
  from each unit vector (all weight on one predictor, where the optimum often lies: Kuosmanen
  et al. 2021) and from ``v_starts`` random V (flat Dirichlet, seed ``v_seed``; the same for
  every problem of a batch), keeping the lowest loss: never worse than R's two starts, and
  deterministic for a seed. The extra starts run only for problems whose two-start loss is
  above the exact-fit floor (the square of the RMSPE floor below). All starts, and all
  placebos, run in lockstep with batched inner solves; each inner solve is warm-started from
  the previous corral of the same search, and the reported W is the one scored for the chosen
  V. The problem is non-convex, so the result is a
  local optimum, and with an exact predictor fit W is not unique (the reported one is optimal
  for V). ADH (2015)'s cross-validated V is :func:`cross_validate`
  (:mod:`csceval.impact.synth_cv`).
- ``"regression"`` (default): the regression-based V of R ``Synth`` (its second start) and
  Stata ``synth`` (its default): regress the loss-window outcomes on an intercept and the
  standardised predictors across units, ``v_h`` proportional to the sum of squared
  coefficients of predictor ``h``. No outer loop. The regressions of a whole batch are one
  stacked solve (:func:`csceval.impact.synth_v.regression_v_batch`).
- ``"equal"``: equal weights (on standardised predictors: inverse-variance weights).
- ``"custom"``: given weights.

**Default predictors**: every observed pre-period value of the outcome (outcome-only synthetic
control). They are not standardised (they share the outcome's units), so ``"equal"`` and
``"regression"`` both give plain outcome-only SC, the variant recommended for LA work.

**Missing data**: pre-period years in which the treated unit's outcome is missing are left out
of the match and of the pre-period RMSPE (with a note). A donor whose outcome is missing in any
year the fit uses (observed pre-period years and every post-period year), or with a predictor
that has no data in its window, is dropped from the donor pool with a note naming it.
Predictors are window means ignoring missing values (as R ``Synth``); a predictor may also be
the mean over named years (``Predictor.over``, R's special predictors), and may reach the
treatment period only when ``allow_post_predictors`` is set (with a warning and a note).

**Threads**: every batch of fits runs with one BLAS thread (:mod:`csceval.impact.synth_blas`).

**Summaries**: pre-RMSPE over the observed pre-period years; post-RMSPE and the average effect
(ATT: mean of treated minus synthetic) over the post-period years in which the treated unit is
observed. The RMSPE ratio divides by ``max(pre-RMSPE, 1e-9 x the outcome's pre-period root mean
square)``, so a perfect pre-period fit gives a large finite ratio instead of a division by zero.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from csceval.impact.synth_cv import CrossValidation, cross_validate
from csceval.impact.synth_data import Predictor, SynthPanel, SynthSpec
from csceval.impact.synth_fit import SynthResult, design_for, solve_batch
from csceval.impact.synth_placebo import (
    LeaveOneOutResult,
    PlaceboExclusion,
    PlaceboResult,
    leave_one_out,
    placebo_in_space,
    placebo_in_time,
)
from csceval.impact.synth_pooled import PooledSynthResult, pooled_synth

__all__ = [
    "CrossValidation",
    "LeaveOneOutResult",
    "PlaceboExclusion",
    "PlaceboResult",
    "PooledSynthResult",
    "Predictor",
    "SynthPanel",
    "SynthResult",
    "SynthSpec",
    "cross_validate",
    "fit_synth",
    "leave_one_out",
    "placebo_in_space",
    "placebo_in_time",
    "pooled_synth",
]


def fit_synth(
    panel: SynthPanel,
    spec: SynthSpec,
    treated: str,
    treatment_time: int,
    donors: Iterable[str] | None = None,
) -> SynthResult:
    """Fit a synthetic control for one treated unit.

    Parameters
    ----------
    panel
        The data.
    spec
        Outcome, predictors and the choice of V.
    treated
        The treated unit.
    treatment_time
        First treated period (the pre-period is every earlier period).
    donors
        Candidate donors; default every other unit. Donors with missing data are dropped with
        a note.

    Returns
    -------
    SynthResult

    Raises
    ------
    ValueError
        Treated unit missing, no pre-period, no donors, all-NaN outcome, bad specification.

    Notes
    -----
    See the module docstring for how V and W are chosen and how missing data is handled.
    """
    design = design_for(panel, spec, treated, treatment_time, donors)
    target = np.array([panel.index_of(treated)])
    return solve_batch(design, target, np.ones((1, design.donors.size), dtype=bool)).result(0)
