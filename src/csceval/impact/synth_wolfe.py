"""The steps of Wolfe's minimum-norm-point algorithm, run in lockstep over a batch of problems.

:class:`_Problem` holds a batch's data and computes the few products the algorithm needs without
forming a ``B x k x J`` array; :func:`_warm` starts corrals from given donors, :func:`_minor_cycle`
is one minor cycle for the problems that need it, and :func:`_clean` zeroes weights below
``1e-14`` and renormalises. The driver, its stopping test and fallback are
:func:`csceval.impact.synth_weights.simplex_lstsq`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

_TINY_WEIGHT = 1e-14


def _warm(
    start: IntArray, msk: BoolArray, corral: IntArray, count: IntArray, major: BoolArray
) -> None:
    """Initialise corrals from ``start``: its admissible, distinct donors (at most ``cap - 1``)."""
    n_b, cap = corral.shape
    n_j = msk.shape[1]
    rows = np.arange(n_b)[:, None]
    st = start.reshape(n_b, -1)
    ok = (st >= 0) & (st < n_j)
    st = np.where(ok, st, n_j)
    ok &= msk[rows, np.minimum(st, n_j - 1)]
    st = np.where(ok, st, n_j)
    st.sort(axis=1)
    ok = st < n_j
    ok[:, 1:] &= st[:, 1:] != st[:, :-1]
    order = np.argsort(~ok, axis=1, kind="stable")[:, : cap - 1]
    st, ok = st[rows, order], ok[rows, order]
    n_ok = ok.sum(axis=1)
    use = n_ok > 0
    width = st.shape[1]
    corral[use, :width] = np.where(ok[use], st[use], 0)
    count[use] = n_ok[use]
    major[use] = n_ok[use] == 1


class _Problem:
    """Batch data with the few products Wolfe's algorithm needs, without forming ``B x k x J``."""

    def __init__(self, pool: FloatArray, tgt: FloatArray, r: FloatArray, msk: BoolArray) -> None:
        self.pool, self.pool_t, self.tgt, self.r, self.msk = pool, pool.T.copy(), tgt, r, msk

    def points(self, idx: IntArray, cols: IntArray) -> FloatArray:
        """``(n, c, k)`` shifted, weighted donor vectors ``r * (X[:, cols] - t)``."""
        out: FloatArray = self.r[idx][:, None, :] * (self.pool_t[cols] - self.tgt[idx][:, None, :])
        return out

    def sq_norms(self) -> FloatArray:
        r2 = self.r**2
        out: FloatArray = (
            r2 @ self.pool**2
            - 2.0 * (r2 * self.tgt) @ self.pool
            + np.einsum("bk,bk->b", r2, self.tgt**2)[:, None]
        )
        return out

    def scores(self, idx: IntArray, x: FloatArray) -> FloatArray:
        """``(n, J)`` inner products ``<x, p_j>``, ``+inf`` outside the mask."""
        xr = x * self.r[idx]
        out: FloatArray = xr @ self.pool - np.einsum("bk,bk->b", xr, self.tgt[idx])[:, None]
        out[~self.msk[idx]] = np.inf
        return out

    def loss_and_gap(
        self, weights: FloatArray, idx: IntArray | None = None
    ) -> tuple[FloatArray, FloatArray]:
        ids = np.arange(weights.shape[0]) if idx is None else idx
        x = self.r[ids] * (weights @ self.pool_t - self.tgt[ids])
        xx = np.einsum("bk,bk->b", x, x)
        gap = xx - self.scores(ids, x).min(axis=1)
        return xx, np.maximum(gap, 0.0)


def _minor_cycle(
    prob: _Problem,
    idx: IntArray,
    corral: IntArray,
    lam: FloatArray,
    count: IntArray,
    x: FloatArray,
    major: BoolArray,
    slot: IntArray,
) -> None:
    """One minor cycle of Wolfe's algorithm for the problems ``idx`` (updates in place)."""
    valid = slot < count[idx, None]
    q = prob.points(idx, corral[idx])  # (n, cap, k)
    # min ||q_0 + D' beta||^2 with rows D_i = q_i - q_0 (i >= 1): normal equations, padded.
    pad = ~valid[:, 1:]
    d = q[:, 1:] - q[:, :1]
    d[pad] = 0.0
    gram = np.matmul(d, np.swapaxes(d, 1, 2))
    rhs = -np.matmul(d, q[:, 0, :, None])
    diag = np.einsum("nii->ni", gram)
    ridge = 1e-13 * np.maximum(diag.max(axis=1, initial=0.0), np.finfo(np.float64).tiny)
    diag += np.where(pad, 1.0, ridge[:, None])
    beta = np.linalg.solve(gram, rhs)[:, :, 0]
    beta[pad] = 0.0
    alpha = np.concatenate([1.0 - beta.sum(axis=1, keepdims=True), beta], axis=1)
    nonpos = valid & (alpha <= 0.0)
    inside = ~nonpos.any(axis=1)
    # Affine point strictly inside the corral's hull: accept, go back to a major cycle.
    acc = idx[inside]
    lam[acc] = np.where(valid[inside], alpha[inside], 0.0)
    major[acc] = True
    new_lam = lam[idx]
    # Otherwise move from lam towards alpha until the first weight hits zero and drop it.
    out = ~inside
    if out.any():
        rows_o = idx[out]
        c_o, a_o = new_lam[out], alpha[out]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(nonpos[out], c_o / (c_o - a_o), np.inf)
        hit = ratio.argmin(axis=1)
        n_o = np.arange(hit.size)
        theta = np.clip(ratio[n_o, hit], 0.0, 1.0)
        new = c_o + theta[:, None] * (a_o - c_o)
        new[n_o, hit] = 0.0
        keep = valid[out] & (new > _TINY_WEIGHT)
        order = np.argsort(~keep, axis=1, kind="stable")
        corral[rows_o] = np.take_along_axis(corral[rows_o], order, axis=1)
        new = np.take_along_axis(np.where(keep, new, 0.0), order, axis=1)
        new /= new.sum(axis=1, keepdims=True)
        lam[rows_o] = new
        count[rows_o] = keep.sum(axis=1)
        new_lam[out] = new
        q[out] = prob.points(rows_o, corral[rows_o])
    x[idx] = np.einsum("nck,nc->nk", q, new_lam)


def _clean(weights: FloatArray) -> FloatArray:
    w = np.where(weights > _TINY_WEIGHT, weights, 0.0)
    out: FloatArray = w / w.sum(axis=1, keepdims=True)
    return out
