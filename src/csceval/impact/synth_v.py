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
BoolArray = npt.NDArray[np.bool_]


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


def regression_v_batch(
    x_units: FloatArray,
    z_units: FloatArray,
    members: BoolArray,
    scale: FloatArray,
) -> tuple[FloatArray, list[str]]:
    """:func:`regression_v` for many unit sets at once: one stacked solve per design.

    Parameters
    ----------
    x_units
        ``(k, N)`` raw predictors of every unit any problem uses.
    z_units
        ``(t, N)`` loss-window outcomes of the same units.
    members
        ``(B, N)`` the units of each problem's regression (its target and admissible donors).
    scale
        ``(B, k)`` each problem's predictor scales (the regression is on ``x / scale``).

    Returns
    -------
    v, notes
        ``(B, k)`` weights and the notes of the problems that needed them.

    Notes
    -----
    Problems with the same unit set (and so the same scales) are solved once. For each distinct
    set the normal equations of the regression on an intercept and the predictors (centred and
    scaled once, globally: a reparametrisation that leaves V unchanged) are formed by one
    matrix product over all sets and solved as a stack. A set whose normalised Gram matrix has
    a condition number above 1e10 (or fewer units than coefficients) is solved by
    :func:`regression_v` on its own (minimum-norm least squares, with its note), so the result
    equals :func:`regression_v`'s to rounding in every case.
    """
    k, n_units = x_units.shape
    packed = np.packbits(members, axis=1)
    seen: dict[bytes, int] = {}
    inverse = np.array(
        [
            seen.setdefault(row.tobytes() + s_row.tobytes(), len(seen))
            for row, s_row in zip(packed, scale, strict=True)
        ],
        dtype=np.intp,
    )
    first = np.unique(inverse, return_index=True)[1]
    mem = members[first].astype(np.float64)  # (U, N)
    sc = scale[first]  # (U, k)
    centre = x_units.mean(axis=1, keepdims=True)
    spread = x_units.std(axis=1, keepdims=True)
    spread = np.where(spread > 0, spread, 1.0)
    design = np.vstack([np.ones((1, n_units)), (x_units - centre) / spread]).T  # (N, p)
    z = (z_units - z_units.mean(axis=1, keepdims=True)).T  # (N, t)
    p = k + 1
    outer = (design[:, :, None] * design[:, None, :]).reshape(n_units, p * p)
    gram = (mem @ outer).reshape(-1, p, p)
    cross = (design[:, :, None] * z[:, None, :]).reshape(n_units, -1)
    rhs = (mem @ cross).reshape(-1, p, z.shape[1])
    d = np.sqrt(np.maximum(np.einsum("upp->up", gram), np.finfo(np.float64).tiny))
    normed = gram / d[:, :, None] / d[:, None, :]
    eig = np.linalg.eigvalsh(normed)
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = (mem.sum(axis=1) >= p) & (eig[:, 0] > 1e-10 * eig[:, -1])
    out = np.empty((first.size, k))
    notes: list[str] = []
    if ok.any():
        coef = np.linalg.solve(gram[ok], rhs[ok])[:, 1:, :]  # (u, k, t) on the rescaled x
        coef = coef / spread[None, :, :] * sc[ok][:, :, None]  # slopes on x / scale
        v = np.einsum("ukt,ukt->uk", coef, coef)
        total = v.sum(axis=1, keepdims=True)
        good = np.isfinite(total[:, 0]) & (total[:, 0] > 0)
        total = np.where(good[:, None], total, 1.0)
        out[np.flatnonzero(ok)] = np.where(good[:, None], v / total, 1.0 / k)
        if not good.all():
            notes.append("regression-based V was uninformative; equal weights used")
    for u in np.flatnonzero(~ok):
        cols = members[first[u]]
        v_u, note = regression_v(x_units[:, cols].T / sc[u], z_units[:, cols].T)
        out[u] = v_u
        if note:
            notes.append(note)
    return out[inverse], notes


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
