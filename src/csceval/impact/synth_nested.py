"""How the predictor weights V of a batch of synthetic-control fits are chosen.

The regression-based V (one stacked solve over the batch's distinct unit sets) and R ``Synth``'s
nested search over V (batched Nelder-Mead from several starts, in lockstep, each candidate scored
by the batched simplex solver). :func:`csceval.impact.synth_fit.solve_batch` calls them.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from csceval.impact.synth_data import Design, SynthSpec
from csceval.impact.synth_v import regression_v_batch
from csceval.impact.synth_weights import nelder_mead_batch, simplex_lstsq

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

NM_MAX_ITER = 500
"""Nelder-Mead iterations per start for ``v_method="nested"`` (R ``optim``'s default)."""


def regression_vs(
    design: Design,
    targets: IntArray,
    masks: BoolArray,
    scale: FloatArray,
    notes: list[str],
) -> FloatArray:
    """Regression-based V for each problem: one stacked solve over the distinct unit sets."""
    d = design
    units = np.union1d(d.donors, targets)
    pos = np.searchsorted(units, d.donors)
    members = np.zeros((targets.size, units.size), dtype=bool)
    members[:, pos] = masks
    members[np.arange(targets.size), np.searchsorted(units, targets)] = True
    v, extra = regression_v_batch(d.x[:, units], d.y[np.ix_(d.opt, units)], members, scale)
    notes.extend(extra)
    return v


def nested_vs(
    x_pool: FloatArray,
    x_tgt: FloatArray,
    z_pool: FloatArray,
    z_tgt: FloatArray,
    masks: BoolArray,
    scale: FloatArray,
    v_reg: FloatArray,
    spec: SynthSpec,
    floor: float = 0.0,
) -> tuple[FloatArray, FloatArray]:
    """Nested V: batched Nelder-Mead over ``|v| / sum|v|`` minimising the outcome MSPE.

    R ``Synth``'s two starts (equal and regression-based V) run first; with
    ``spec.nested_multistart`` the problems whose loss is still above ``floor`` (an exact fit:
    nothing can do better) then run from the unit vectors and the random starts, and a start
    replaces the first result only with a strictly lower loss. Returns the chosen V and the W
    that scored best for it, per problem.
    """
    k = x_tgt.shape[1]
    v, w, f = _search(x_pool, x_tgt, z_pool, z_tgt, masks, scale, [np.full(k, 1.0 / k), v_reg])
    if not spec.nested_multistart:
        return v, w
    extra: list[FloatArray] = [np.eye(k)[h] for h in range(k)]
    if spec.v_starts:
        extra += list(np.random.default_rng(spec.v_seed).dirichlet(np.ones(k), size=spec.v_starts))
    todo = np.flatnonzero(f > floor)
    if todo.size == 0:
        return v, w
    v2, w2, f2 = _search(x_pool, x_tgt[todo], z_pool, z_tgt[todo], masks[todo], scale[todo], extra)
    better = f2 < f[todo]
    v[todo[better]] = v2[better]
    w[todo[better]] = w2[better]
    return v, w


def _search(
    x_pool: FloatArray,
    x_tgt: FloatArray,
    z_pool: FloatArray,
    z_tgt: FloatArray,
    masks: BoolArray,
    scale: FloatArray,
    starts: list[FloatArray],
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Nelder-Mead from every start (a ``(k,)`` row for all problems, or ``(B, k)``), in
    lockstep; per problem the best start's V, its W and its loss (ties: the earlier start)."""
    n_b, k = x_tgt.shape
    start_arr = np.vstack([np.broadcast_to(s, (n_b, k)) for s in starts])
    owner = np.tile(np.arange(n_b), len(starts))
    n_i = owner.size
    # Each inner solve is warm-started from the same instance's previous corral (so most take
    # one or two Wolfe passes); the best (loss, W) seen per instance is kept, so the reported
    # W is exactly the one the search scored (W is not unique when predictors match exactly).
    support = np.full((n_i, min(k + 1, x_pool.shape[1]) + 1), -1, dtype=np.intp)
    best_loss = np.full(n_i, np.inf)
    best_w = np.zeros((n_i, x_pool.shape[1]))

    def loss(ids: IntArray, cand: FloatArray) -> FloatArray:
        p = owner[ids]
        rw = np.sqrt(_normalise(cand)) / scale[p]
        sol = simplex_lstsq(x_pool, x_tgt[p], rw, masks[p], start=support[ids])
        out: FloatArray = np.mean((z_tgt[p] - sol.weights @ z_pool.T) ** 2, axis=1)
        support[ids] = sol.support
        better = out < best_loss[ids]
        for row in np.flatnonzero(better):  # a few rows per call; repeated ids possible
            if out[row] < best_loss[ids[row]]:
                best_loss[ids[row]] = out[row]
                best_w[ids[row]] = sol.weights[row]
        return out

    best_x, best_f, _ = nelder_mead_batch(loss, start_arr, max_iter=NM_MAX_ITER)
    pick = best_f.reshape(len(starts), n_b).argmin(axis=0)
    inst = pick * n_b + np.arange(n_b)
    return _normalise(best_x[inst]), best_w[inst], best_f[inst]


def _normalise(cand: FloatArray) -> FloatArray:
    """``|v| / sum|v|`` row-wise (equal weights for an all-zero row)."""
    a = np.abs(cand)
    total = a.sum(axis=1, keepdims=True)
    out: FloatArray = np.where(total > 0, a / np.where(total > 0, total, 1.0), 1.0 / a.shape[1])
    return out
