"""Donor and predictor weights for synthetic control: a batched simplex least-squares solver.

The inner problem of synthetic control (Abadie, Diamond & Hainmueller 2010) is

    min_w || r * (x1 - X0 w) ||^2   subject to  w >= 0,  sum(w) = 1,

i.e. the point of the convex hull of the (weighted) donor predictor vectors closest to the
treated unit's. This module solves many such problems at once (one per placebo, per
leave-one-out fit or per Nelder-Mead candidate V) with Wolfe's minimum-norm-point algorithm run
in lockstep over the batch. The predictor weights V (regression-based, as R ``Synth`` and Stata
``synth`` start from, and the nested, outer-loop optimisation of R ``Synth``) are in
:mod:`csceval.impact.synth_v`.

Notes
-----
**Why Wolfe's algorithm.** With ``k`` predictors and ``J`` donors the problem is the
minimum-norm point of a polytope in ``R^k`` (Wolfe 1976, *Math. Programming* 11:128-149). Wolfe's
active-set method keeps a "corral" of at most ``k + 1`` affinely independent donors, solves an
equality-constrained least-squares problem on it at each step (normal equations of size at most
``k``, with a 1e-13 relative ridge as a guard) and terminates finitely at the optimum. Each step
costs one ``k x J`` matrix product, so the work does not depend on the conditioning of the
``J x J`` Gram matrix (rank at most ``k``, which is what makes projected-gradient and
Frank-Wolfe methods slow to reach 1e-10). Compared with ``scipy.optimize.nnls`` on the system
augmented with a heavily weighted sum-to-one row (the usual shortcut), it meets the sum-to-one
constraint exactly rather than to ``O(1/M^2)``, certifies optimality, runs a whole batch of
problems in lockstep with array operations (one major and one minor cycle per pass), and can be
warm-started from a previous corral, which is what makes the nested V search fast (one or two
passes per candidate V instead of ~15). Measured on batches of 143 placebo problems (k = 6-16):
9-18 ms per batch against 14-21 ms for a loop of ``nnls`` calls; on 400 random problems
(including duplicated donors and treated units inside the hull) the loss agreed with SLSQP
(``ftol=1e-16``) and ``nnls`` to 1e-12 relative.

**Certificate of optimality.** The algorithm stops when the Frank-Wolfe duality gap
``<x, x> - min_j <x, p_j>`` (``x`` the current residual, ``p_j`` the donors' shifted vectors) is
below ``rtol * <x, x> + atol`` (``rtol = 1e-12``, ``atol = 1e-14 x max_j |p_j|^2``); since the
objective is convex, ``f(w) - f* <= 2 * gap``, so the loss is optimal to ``2e-12`` relative. A
residual with ``|x|^2 <= 1e-20 x max_j |p_j|^2`` counts as an exact fit (the treated unit lies
in the donors' hull) and stops the search too. Problems that fail both tests within
``max_iter`` passes (never seen in testing) are re-solved by ``nnls`` on the augmented system
and the better solution is kept (``SimplexSolution.fallback``).

**Non-uniqueness.** When the treated unit lies inside the donors' convex hull (or donors are
affinely dependent) the optimal loss is unique but the weights are not; the solver returns one
optimal solution with at most ``k + 1`` positive weights, which depends on the starting corral.

**Tiny weights.** Values below ``1e-14`` are set to zero and the weights renormalised to sum to
one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import nnls

from csceval.impact.synth_v import nelder_mead_batch, regression_v
from csceval.impact.synth_wolfe import _clean, _minor_cycle, _Problem, _warm

__all__ = ["SimplexSolution", "nelder_mead_batch", "regression_v", "simplex_lstsq"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class SimplexSolution:
    """Solutions of a batch of simplex least-squares problems.

    Parameters
    ----------
    weights
        ``(B, J)`` donor weights; each row is on the simplex and zero outside the problem's mask.
    loss
        ``(B,)`` optimal value of ``|| r * (t - X w) ||^2``.
    gap
        ``(B,)`` Frank-Wolfe duality gap at the solution (``loss - optimum <= 2 * gap``).
    support
        ``(B, c)`` donor indices of the final corral, padded with ``-1``; pass it as ``start``
        to warm-start a nearby problem.
    iterations
        Number of lockstep passes the batch needed.
    fallback
        ``(B,)`` whether a problem was re-solved by the NNLS fallback.
    """

    weights: FloatArray
    loss: FloatArray
    gap: FloatArray
    support: IntArray
    iterations: int
    fallback: BoolArray


def simplex_lstsq(
    pool: FloatArray,
    targets: FloatArray,
    row_weights: FloatArray | None = None,
    mask: BoolArray | None = None,
    *,
    start: IntArray | None = None,
    rtol: float = 1e-12,
    max_iter: int | None = None,
) -> SimplexSolution:
    """Solve a batch of simplex-constrained least-squares problems sharing one donor pool.

    Problem ``b`` is ``min_w || r_b * (t_b - X w) ||^2`` subject to ``w >= 0``,
    ``sum(w) = 1`` and ``w_j = 0`` outside ``mask[b]``.

    Parameters
    ----------
    pool
        ``(k, J)`` donor predictor matrix ``X`` (one column per donor).
    targets
        ``(B, k)`` target vectors ``t_b`` (a ``(k,)`` vector is a batch of one).
    row_weights
        ``(B, k)`` or ``(k,)`` non-negative weights ``r_b`` applied to the residual's rows (the
        square roots of the predictor weights V divided by the predictors' scales); default 1.
    mask
        ``(B, J)`` boolean array of the donors each problem may use; default all.
    start
        ``(B, c)`` donor indices (``-1`` padded) to start each corral from, e.g. the
        ``support`` of a solution for nearby row weights; default: the nearest donor.
    rtol
        Relative tolerance of the duality-gap stopping test (see module Notes).
    max_iter
        Cap on lockstep passes; default ``50 * (k + 2) + 100``.

    Returns
    -------
    SimplexSolution
        Weights, losses, duality gaps and diagnostics.

    Raises
    ------
    ValueError
        If some problem has no admissible donor or the input is not finite.

    Notes
    -----
    Wolfe's (1976) minimum-norm-point algorithm, advanced in lockstep over the batch; see the
    module docstring for why it was chosen and how optimality is certified. A warm start
    begins with the given donors at equal weights and lets the first minor cycle drop those
    that do not belong; the result is the same optimum, reached in fewer passes.
    """
    x_pool = np.asarray(pool, dtype=np.float64)
    k, n_j = x_pool.shape
    tgt = np.atleast_2d(np.asarray(targets, dtype=np.float64))
    n_b = tgt.shape[0]
    r = np.ones((n_b, k)) if row_weights is None else np.asarray(row_weights, dtype=np.float64)
    r = np.broadcast_to(r, (n_b, k))
    msk = (
        np.ones((n_b, n_j), dtype=bool)
        if mask is None
        else np.broadcast_to(np.asarray(mask, dtype=bool), (n_b, n_j))
    )
    if not msk.any(axis=1).all():
        raise ValueError("a simplex least-squares problem has no admissible donor")
    used = msk.any(axis=0)
    if not (np.isfinite(x_pool[:, used]).all() and np.isfinite(tgt).all() and np.isfinite(r).all()):
        raise ValueError("donor or target predictor values are not finite")
    x_pool = np.where(used, x_pool, 0.0)
    if max_iter is None:
        max_iter = 50 * (k + 2) + 100
    prob = _Problem(x_pool, tgt, r, msk)
    cap = min(k + 1, n_j) + 1
    rows = np.arange(n_b)
    slot = np.arange(cap)

    sq = prob.sq_norms()
    atol = 1e-14 * np.maximum(np.where(msk, sq, 0.0).max(axis=1), np.finfo(np.float64).tiny)
    corral = np.zeros((n_b, cap), dtype=np.intp)
    corral[:, 0] = np.where(msk, sq, np.inf).argmin(axis=1)
    count = np.ones(n_b, dtype=np.intp)
    major = np.ones(n_b, dtype=bool)
    if start is not None:
        _warm(np.asarray(start, dtype=np.intp), msk, corral, count, major)
    valid = slot < count[:, None]
    lam = np.where(valid, 1.0 / count[:, None], 0.0)
    x = np.einsum("nck,nc->nk", prob.points(rows, corral), lam)
    active = np.ones(n_b, dtype=bool)

    passes = 0
    while active.any() and passes < max_iter:
        passes += 1
        # Major cycle: the donor most aligned against the residual, or stop.
        idx = np.flatnonzero(active & major)
        if idx.size:
            scores = prob.scores(idx, x[idx])
            j = scores.argmin(axis=1)
            xx = np.einsum("bk,bk->b", x[idx], x[idx])
            g = xx - scores[np.arange(idx.size), j]
            cnt = count[idx]
            in_corral = ((corral[idx] == j[:, None]) & (slot < cnt[:, None])).any(axis=1)
            exact = xx <= 1e-6 * atol[idx]  # residual below 1e-10 of the donors' spread
            done = (g <= rtol * xx + atol[idx]) | exact | in_corral | (cnt >= cap)
            active[idx[done]] = False
            grow = idx[~done]
            corral[grow, count[grow]] = j[~done]
            lam[grow, count[grow]] = 0.0
            count[grow] += 1
            major[grow] = False
        # Minor cycle: affine minimum-norm point of the corral, stepping back if it leaves it.
        idx = np.flatnonzero(active & ~major)
        if idx.size:
            _minor_cycle(prob, idx, corral, lam, count, x, major, slot)
    valid = slot < count[:, None]
    weights = np.zeros((n_b, n_j))
    owner = np.broadcast_to(rows[:, None], valid.shape)[valid]
    np.add.at(weights, (owner, corral[valid]), lam[valid])
    weights = _clean(weights)
    loss, gap = prob.loss_and_gap(weights)
    fallback = (gap > 10 * (rtol * loss + atol)) & (loss > 1e-6 * atol)
    for b in np.flatnonzero(fallback):
        cols = np.flatnonzero(msk[b])
        p_b = r[b][:, None] * (x_pool[:, cols] - tgt[b][:, None])
        w_alt = np.zeros(n_j)
        w_alt[cols] = _nnls_simplex(p_b)
        l_alt, g_alt = prob.loss_and_gap(w_alt[None], np.array([b]))
        if l_alt[0] < loss[b]:
            weights[b], loss[b], gap[b] = w_alt, l_alt[0], g_alt[0]
    support = np.where(valid, corral, -1)
    return SimplexSolution(weights, loss, gap, support, passes, fallback)


def _nnls_simplex(p: FloatArray) -> FloatArray:
    """Fallback: ``nnls`` on ``[p; M 1']`` against ``[0; M]`` (sum-to-one as a heavy row)."""
    k, n_j = p.shape
    big = 1e3 * max(float(np.abs(p).max()), 1.0)
    a = np.vstack([p, np.full((1, n_j), big)])
    b = np.zeros(k + 1)
    b[-1] = big
    w, _ = nnls(a, b, maxiter=50 * n_j)
    w = np.maximum(w, 0.0)
    total = w.sum()
    return np.asarray(w / total if total > 0 else np.full(n_j, 1.0 / n_j), dtype=np.float64)
