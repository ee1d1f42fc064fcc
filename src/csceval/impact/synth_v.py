"""Predictor weights V for synthetic control: regression-based, and the nested search over V.

The regression-based V is R ``Synth``'s second starting value and Stata ``synth``'s default;
the nested optimisation of R ``Synth`` searches V by Nelder-Mead, here vectorised over problems
and starting points (:func:`nelder_mead_batch`) so that each batch of candidates is solved for
the donor weights at once (:func:`csceval.impact.synth_weights.simplex_lstsq`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


def regression_v(x_scaled: FloatArray, z: FloatArray) -> tuple[FloatArray, str | None]:
    """Regression-based predictor weights, as R ``Synth``'s second start and Stata's default.

    Parameters
    ----------
    x_scaled
        ``(n_units, k)`` standardised predictors of every unit of the fit (treated and donors).
    z
        ``(n_units, t)`` outcomes over the loss window for the same units.

    Returns
    -------
    v, note
        ``(k,)`` non-negative weights summing to one, and a note when the regression was
        rank-deficient or uninformative (``None`` otherwise).

    Notes
    -----
    Regress each period's outcome on an intercept and the standardised predictors across units,
    ``B = (X'X)^+ X'Z``, and set ``v_h`` proportional to ``sum_t B_ht^2`` (the diagonal of
    ``B B'``), as R ``Synth`` 1.1 does. A rank-deficient design uses the minimum-norm
    least-squares coefficients (R ``Synth`` would fall back to equal weights); all-zero
    coefficients give equal weights.
    """
    n, k = x_scaled.shape
    design = np.hstack([np.ones((n, 1)), x_scaled])
    coef, _, rank, _ = np.linalg.lstsq(design, z, rcond=None)
    note = None
    if rank < k + 1:
        note = (
            f"regression-based V: the design (intercept + {k} predictors, {n} units) has rank "
            f"{rank} < {k + 1}; minimum-norm coefficients were used"
        )
    v = np.einsum("ht,ht->h", coef[1:], coef[1:])
    total = v.sum()
    if not np.isfinite(total) or total <= 0:
        return np.full(k, 1.0 / k), "regression-based V was uninformative; equal weights used"
    return v / total, note


def nelder_mead_batch(
    fun: Callable[[IntArray, FloatArray], FloatArray],
    starts: FloatArray,
    *,
    max_iter: int = 500,
    reltol: float = 1e-8,
) -> tuple[FloatArray, FloatArray, IntArray]:
    """Run independent Nelder-Mead searches in lockstep, evaluating candidates in batches.

    Parameters
    ----------
    fun
        ``fun(instance_ids, candidates)`` returns the objective of each ``(n, d)`` candidate row
        for the given instances; it is called with whole batches.
    starts
        ``(m, d)`` starting points, one per instance.
    max_iter
        Iteration cap per instance (R ``optim``'s default is 500).
    reltol
        An instance stops when ``f_worst - f_best <= reltol * (|f_best| + reltol)`` over its
        simplex, R ``optim``'s Nelder-Mead test.

    Returns
    -------
    x, f, iterations
        Best point, best value and iterations used, per instance.

    Notes
    -----
    Standard Nelder-Mead (reflection 1, expansion 2, contraction 0.5, shrink 0.5; the initial
    simplex perturbs each coordinate by 5 %, or by 0.00025 when zero, as ``scipy.optimize``
    and R ``optim`` do). Per iteration every active instance evaluates its reflected point in
    one batch, then the expansion or contraction points in a second batch, and shrinks in a
    third when needed.
    """
    x0 = np.asarray(starts, dtype=np.float64)
    m, d = x0.shape
    ids = np.arange(m)
    simplex = np.repeat(x0[:, None, :], d + 1, axis=1)
    for i in range(d):
        step = np.where(x0[:, i] != 0, 0.05 * x0[:, i], 0.00025)
        simplex[:, i + 1, i] += step
    fvals = fun(np.repeat(ids, d + 1), simplex.reshape(-1, d)).reshape(m, d + 1)
    iters = np.zeros(m, dtype=np.intp)
    active = np.ones(m, dtype=bool)
    for _ in range(max_iter):
        order = np.argsort(fvals, axis=1, kind="stable")
        simplex = np.take_along_axis(simplex, order[:, :, None], axis=1)
        fvals = np.take_along_axis(fvals, order, axis=1)
        spread_f = fvals[:, -1] - fvals[:, 0]
        conv = spread_f <= reltol * (np.abs(fvals[:, 0]) + reltol)
        active &= ~conv
        a = np.flatnonzero(active)
        if a.size == 0:
            break
        iters[a] += 1
        sim, fv = simplex[a], fvals[a]
        centroid = sim[:, :-1].mean(axis=1)
        worst = sim[:, -1]
        xr = centroid + (centroid - worst)
        fr = fun(a, xr)
        f_best, f_second, f_worst = fv[:, 0], fv[:, -2], fv[:, -1]
        expand = fr < f_best
        outside = (fr >= f_second) & (fr < f_worst)
        inside = fr >= f_worst
        second = expand | outside | inside
        x2 = np.where(
            expand[:, None],
            centroid + 2.0 * (centroid - worst),
            np.where(
                outside[:, None],
                centroid + 0.5 * (centroid - worst),
                centroid - 0.5 * (centroid - worst),
            ),
        )
        f2 = np.full(a.size, np.inf)
        if second.any():
            f2[second] = fun(a[second], x2[second])
        new_x = xr.copy()
        new_f = fr.copy()
        take2 = (expand & (f2 < fr)) | (outside & (f2 <= fr)) | (inside & (f2 < f_worst))
        new_x[take2] = x2[take2]
        new_f[take2] = f2[take2]
        shrink = (outside | inside) & ~take2
        sim[:, -1] = new_x
        fv[:, -1] = new_f
        if shrink.any():
            s = np.flatnonzero(shrink)
            best = sim[s, :1]
            shrunk = best + 0.5 * (simplex[a[s], 1:] - best)
            sim[s, 1:] = shrunk
            fv[s, 1:] = fun(np.repeat(a[s], d), shrunk.reshape(-1, d)).reshape(s.size, d)
        simplex[a] = sim
        fvals[a] = fv
    best = fvals.argmin(axis=1)
    return simplex[ids, best], fvals[ids, best], iters
