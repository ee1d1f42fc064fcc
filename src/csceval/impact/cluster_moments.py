"""Cluster sufficient statistics of a weighted least-squares fit, and CR1/CR2 variances from them.

Everything cluster-robust in :mod:`csceval.impact.few_clusters` is a function of two per-cluster
quantities: ``C_g = X_g' W_g X_g`` and ``d_g = X_g' W_g y_g``. Computing them once costs
``O(N K^2)``; every variance, degrees of freedom and bootstrap replication after that costs
``O(G K^2)`` or less, whatever the number of rows. Weighted least squares is handled as ordinary
least squares on the ``sqrt(w)``-scaled model, so ``C_g`` and ``d_g`` already carry the weights.
``C_g`` is held compactly (:class:`ClusterBlocks`): only the columns the cluster's rows touch,
so a stacked design whose K grows with the clusters (:mod:`csceval.impact.did_cells`) costs
``O(G k_g^2)`` memory for the per-cluster ``k_g`` columns, never ``O(G K^2)``.

Bad input raises :class:`~csceval.errors.InputError` with code CSC-E7103 ("the estimator cannot
use the input"), the message saying why: missing values, negative weights, fewer than two
clusters, or a collinear design (naming the columns involved).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from csceval.errors import InputError, Problem

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

__all__ = [
    "ClusterBlocks",
    "ClusterMoments",
    "Cr2Part",
    "FloatArray",
    "IntArray",
    "cluster_moments",
    "estimator_problem",
    "require_columns",
]

_COLLINEAR_TOL = 1e-10
"""Smallest eigenvalue of the scaled ``X'WX`` (a correlation-like matrix) accepted as full rank."""
_RANK_TOL = 1e-12
"""Eigenvalues of ``C_g`` below this share of its largest are treated as zero (rank-deficient
clusters, e.g. a cluster's own fixed-effect dummies are zero elsewhere)."""
_LEVERAGE_TOL = 1e-10
"""A cluster leverage eigenvalue within this of 1 gets a zero in the CR2 pseudo-inverse."""


def estimator_problem(message: str, *, column: str = "", value: str = "") -> InputError:
    """The coded error (CSC-E7103) for input the cluster-robust estimators cannot use."""
    return InputError([Problem("CSC-E7103", message, column=column, value=value)])


def require_columns(frame: pd.DataFrame, columns: Sequence[str], hint: str = "") -> None:
    """CSC-E7103 naming the first column that is not in ``frame`` or has missing values."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise estimator_problem("the frame has no such column", column=", ".join(missing))
    for c in columns:
        gaps = int(frame[c].isna().sum())
        if gaps:
            raise estimator_problem(f"{gaps} row(s) have no value{hint}", column=c)


class Cr2Part(NamedTuple):
    """One cluster's pieces of ``A_g`` (:meth:`ClusterMoments.cr2_parts`): ``columns`` the
    stacked columns the cluster's ``X_g`` is non-zero in, ``left = V S P`` and ``right = P'
    S^{-1} V'`` over those columns only, and ``f = f(lam)``."""

    columns: IntArray
    left: FloatArray
    right: FloatArray
    f: FloatArray


@dataclass(frozen=True, eq=False)
class ClusterBlocks:
    """Per-cluster symmetric K x K matrices (``C_g``, ``X_g'A_g X_g``) stored compactly.

    Cluster ``g``'s matrix is zero outside the columns ``support[g]`` (ascending), so only the
    dense ``blocks[g]`` over them is kept. In a stacked difference-in-differences every
    comparator LA is in every 2x2 cell, so K grows as cells x LAs while each LA touches only its
    own dummy, ``post``, ``treated x post`` and the covariates of its cells: a dense G x K x K
    array would take 1.6 GB at 150 LAs and eight cells, these blocks a few MB. Every operation
    works block by block; :meth:`dense` is for small K only."""

    support: list[IntArray]
    blocks: list[FloatArray]
    n_params: int

    @classmethod
    def full(cls, dense: FloatArray) -> ClusterBlocks:
        """Blocks over every column, from a G x K x K array."""
        k = int(dense.shape[1])
        every = np.arange(k)
        return cls([every] * int(dense.shape[0]), list(dense), k)

    @property
    def n_clusters(self) -> int:
        return len(self.blocks)

    def dense(self) -> FloatArray:
        """The G x K x K array (small K only: its size is the point of this class)."""
        out = np.zeros((self.n_clusters, self.n_params, self.n_params))
        for g, (s, b) in enumerate(zip(self.support, self.blocks, strict=True)):
            out[g][np.ix_(s, s)] = b
        return out

    def total(self) -> FloatArray:
        """``sum_g C_g`` (K x K), added in cluster order."""
        out = np.zeros((self.n_params, self.n_params))
        for s, b in zip(self.support, self.blocks, strict=True):
            out[np.ix_(s, s)] += b
        return out

    def times(self, values: FloatArray) -> FloatArray:
        """``C_g v`` per cluster (G x K, or G x K x R for a K x R ``values``)."""
        out = np.zeros((self.n_clusters, *values.shape))
        for g, (s, b) in enumerate(zip(self.support, self.blocks, strict=True)):
            out[g, s] = b @ values[s]
        return out

    def left_times(self, vector: FloatArray) -> FloatArray:
        """``v'C_g`` per cluster (G x K)."""
        out = np.zeros((self.n_clusters, vector.shape[0]))
        for g, (s, b) in enumerate(zip(self.support, self.blocks, strict=True)):
            out[g, s] = vector[s] @ b
        return out

    def quadratic(self, vector: FloatArray) -> FloatArray:
        """``v'C_g v`` per cluster (G)."""
        pairs = zip(self.support, self.blocks, strict=True)
        return np.array([vector[s] @ b @ vector[s] for s, b in pairs])


@dataclass(frozen=True, eq=False)
class ClusterMoments:
    """Per-cluster moments ``C_g = X_g'W_g X_g`` (``xtx``, compact: :class:`ClusterBlocks`) and
    ``d_g = X_g'W_g y_g`` (``xty``, G x K, or G x K x R for R outcome vectors) of one weighted
    regression, with the number of rows behind them."""

    xtx: ClusterBlocks
    xty: FloatArray
    n_obs: int
    labels: npt.NDArray[Any]

    @property
    def n_clusters(self) -> int:
        return self.xtx.n_clusters

    @property
    def n_params(self) -> int:
        return self.xtx.n_params

    def bread(self, names: Sequence[str] | None = None) -> FloatArray:
        """``(X'WX)^{-1}``; CSC-E7103 naming the columns involved when the design is collinear."""
        total = self.xtx.total()
        check_full_rank(total, names)
        return np.asarray(np.linalg.inv(total), dtype=np.float64)

    def beta(self, bread: FloatArray) -> FloatArray:
        """The (weighted) least-squares coefficients."""
        return np.asarray(bread @ self.xty.sum(axis=0), dtype=np.float64)

    def scores(self, beta: FloatArray) -> FloatArray:
        """Per cluster ``X_g'W_g e_g`` for the residuals ``e = y - X beta`` (G x K; G x K x R
        for K x R coefficients of R outcome vectors in :attr:`xty`)."""
        return np.asarray(self.xty - self.xtx.times(beta), dtype=np.float64)

    def cr1_factor(self) -> float:
        """The small-sample factor ``G/(G-1) * (N-1)/(N-K)`` (Stata, pyfixest CRV1)."""
        g, n, k = self.n_clusters, self.n_obs, self.n_params
        if n <= k:
            raise estimator_problem(f"{n} rows cannot fit {k} coefficients")
        return g / (g - 1) * (n - 1) / (n - k)

    def cr1(self, bread: FloatArray, scores: FloatArray) -> FloatArray:
        """CR1 (CRV1) variance: ``factor * B (sum_g s_g s_g') B``."""
        meat = scores.T @ scores
        return np.asarray(self.cr1_factor() * bread @ meat @ bread, dtype=np.float64)

    def cr2_parts(self, bread: FloatArray) -> list[Cr2Part]:
        """Per cluster the pieces of ``A_g = (I - H_gg)^{-1/2}`` in the span of ``X_g``.

        ``X_g = U_g S V'`` from the eigen-decomposition of ``C_g``; with ``M = S V' B V S =
        P diag(lam) P'`` the leverage block is ``H_gg = U_g M U_g'`` and ``A_g = I + U_g P
        diag(f(lam) - 1) P' U_g'`` with ``f(lam) = (1 - lam)^{-1/2}``, or 0 where ``lam`` is 1
        (the Moore-Penrose inverse of Pustejovsky & Tipton 2018, which makes cluster fixed
        effects harmless). Only the columns non-zero in the cluster (e.g. its own cells of a
        stacked design) enter, so each part is as small as the cluster's block."""
        parts = []
        for sup, c in zip(self.xtx.support, self.xtx.blocks, strict=True):
            local = np.flatnonzero(np.diag(c) > 0)
            s2, vecs = np.linalg.eigh(c[np.ix_(local, local)])
            keep = s2 > _RANK_TOL * max(float(s2.max(initial=0.0)), 0.0)
            index = sup[local]
            if not keep.any():
                empty = np.zeros((0, 0))
                parts.append(Cr2Part(index[:0], empty, empty, np.zeros(0)))
                continue
            v = vecs[:, keep]
            s = np.sqrt(s2[keep])
            m = (s[:, None] * (v.T @ bread[np.ix_(index, index)] @ v)) * s[None, :]
            lam, p = np.linalg.eigh((m + m.T) / 2)
            gap = 1.0 - lam
            f = np.where(gap > _LEVERAGE_TOL, 1.0 / np.sqrt(np.clip(gap, _LEVERAGE_TOL, None)), 0.0)
            parts.append(Cr2Part(index, (v * s) @ p, (p.T / s[None, :]) @ v.T, f))
        return parts

    def cr2_scores(self, scores: FloatArray, parts: list[Cr2Part]) -> FloatArray:
        """Per cluster ``X_g' W_g A_g e_g``: the scores with the CR2 adjustment (G x K)."""
        out = np.array(scores, dtype=np.float64)
        for g, (index, left, right, f) in enumerate(parts):
            out[g, index] += left @ ((f - 1.0) * (right @ scores[g, index]))
        return out

    def xax(self, parts: list[Cr2Part], power: int) -> ClusterBlocks:
        """Per cluster ``X_g' A_g^power X_g`` (power 1 or 2), on the supports of ``C_g``."""
        blocks = []
        for sup, c, part in zip(self.xtx.support, self.xtx.blocks, parts, strict=True):
            block = np.array(c, dtype=np.float64)
            local = np.searchsorted(sup, part.columns)
            block[np.ix_(local, local)] += (part.left * (part.f**power - 1.0)) @ part.left.T
            blocks.append(block)
        return ClusterBlocks(self.xtx.support, blocks, self.n_params)


def check_full_rank(total: FloatArray, names: Sequence[str] | None) -> None:
    """CSC-E7103 when ``X'WX`` is singular: the message names the columns of the null direction."""
    scale = np.sqrt(np.clip(np.diag(total), 0.0, None))
    labels = list(names) if names is not None else [f"column {j}" for j in range(len(scale))]
    empty = [labels[j] for j in np.flatnonzero(scale == 0.0)]
    if empty:
        raise estimator_problem(
            "a column of the design is zero on every row (with its weights)",
            column=", ".join(empty),
        )
    scaled = total / np.outer(scale, scale)
    vals, vecs = np.linalg.eigh(scaled)
    if vals[0] < _COLLINEAR_TOL:
        involved = [labels[j] for j in np.flatnonzero(np.abs(vecs[:, 0]) > 0.05)]
        raise estimator_problem(
            "the design is collinear: these columns are linear combinations of each other",
            column=", ".join(involved),
        )


def _finite(values: FloatArray, what: str) -> None:
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise estimator_problem(
            f"{what} has {bad.size} missing or non-finite value(s), first at row {bad[0]}",
            column=what,
        )


def cluster_moments(
    y: npt.ArrayLike,
    x: npt.ArrayLike,
    clusters: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
) -> ClusterMoments:
    """Checked per-cluster moments of the regression of ``y`` on ``x`` (N, N x K, N labels).

    Rows with a zero weight are dropped first: they count neither in N nor, when a whole
    cluster has zero weight, in G (the same as fitting the rows with a positive weight)."""
    yv = np.asarray(y, dtype=np.float64).reshape(-1)
    xv = np.asarray(x, dtype=np.float64)
    if xv.ndim == 1:
        xv = xv[:, None]
    cl = np.asarray(clusters).reshape(-1)
    n = yv.shape[0]
    if xv.shape[0] != n or cl.shape[0] != n:
        raise estimator_problem(
            f"y, X and clusters must have the same number of rows (got {n}, {xv.shape[0]}, "
            f"{cl.shape[0]})"
        )
    _finite(yv, "y")
    _finite(xv.reshape(-1), "X")
    if pd.isna(cl).any():
        raise estimator_problem("the cluster labels have missing values", column="clusters")
    if weights is None:
        wv = np.ones(n)
    else:
        wv = np.asarray(weights, dtype=np.float64).reshape(-1)
        if wv.shape[0] != n:
            raise estimator_problem(f"weights has {wv.shape[0]} rows, not {n}", column="weights")
        _finite(wv, "weights")
        if (wv < 0).any():
            raise estimator_problem("weights must not be negative", column="weights")
    positive = wv > 0
    if not positive.all():  # a zero weight drops the row (pyfixest refuses zero weights)
        yv, xv, cl, wv = yv[positive], xv[positive], cl[positive], wv[positive]
    codes, labels = pd.factorize(cl, sort=True)
    if len(labels) < 2:
        raise estimator_problem(
            f"cluster-robust inference needs at least two clusters; got {len(labels)}",
            column="clusters",
        )
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(labels) + 1))
    k = xv.shape[1]
    xtx = np.empty((len(labels), k, k))  # dense: K is small here
    xty = np.empty((len(labels), k))
    for g in range(len(labels)):
        rows = order[bounds[g] : bounds[g + 1]]
        xg = xv[rows]
        xw = xg * wv[rows, None]
        xtx[g] = xw.T @ xg
        xty[g] = xw.T @ yv[rows]
    return ClusterMoments(
        xtx=ClusterBlocks.full(xtx), xty=xty, n_obs=int(yv.shape[0]), labels=np.asarray(labels)
    )
