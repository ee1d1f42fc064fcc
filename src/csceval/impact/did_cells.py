"""The 2x2 comparisons of a staggered child-level difference-in-differences, as cluster moments.

Rows are children (or child-episodes) in clusters (LAs) and periods (cohort years). Every
regressor of a 2x2 comparison except the covariates is constant within a cluster-period cell,
so one pass over the rows collects, per cell, ``sum w``, ``sum w y``, ``sum w z``, ``sum w z
z'`` and ``sum w z y``; each 2x2 regression's cluster moments are then assembled from those
without touching the rows again. The 2x2 comparisons are stacked side by side (each with its
own coefficients), so their estimates equal separate regressions while the cluster-robust
variance of any combination of them accounts for a control LA serving in several comparisons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from csceval.impact.cluster_moments import (
    ClusterBlocks,
    ClusterMoments,
    FloatArray,
    cluster_moments,
)

__all__ = ["Cell", "CellMoments", "cell_moments", "stack_cells", "stacked_names"]


@dataclass(frozen=True)
class Cell:
    """One 2x2 comparison: cohort ``group`` (first treated period) in ``period`` against its
    base period ``base``, with the treated and control clusters (codes) that have rows with a
    positive weight in both periods; ``period_code`` and ``base_code`` index the periods in
    :class:`CellMoments`."""

    group: int
    period: int
    base: int
    treated: tuple[int, ...]
    controls: tuple[int, ...]
    period_code: int
    base_code: int

    @property
    def event_time(self) -> int:
        return self.period - self.group

    def n_params(self, n_covariates: int) -> int:
        """Cluster dummies, ``post``, ``treated x post`` and the covariates."""
        return len(self.treated) + len(self.controls) + 2 + n_covariates


@dataclass(frozen=True, eq=False)
class CellMoments:
    """Per cluster-period cell (``[cluster, period]`` indexing): ``a[c, p]`` is
    ``sum w [1 z][1 z]'`` and ``b[c, p]`` is ``sum w [1 z] y`` (with a trailing axis, one
    column per outcome vector: :func:`stack_cells` then stacks each); ``rows[c, p]`` counts rows
    with a positive weight."""

    a: FloatArray
    b: FloatArray
    rows: npt.NDArray[np.int64]


def cell_moments(
    y: FloatArray,
    z: FloatArray,
    w: FloatArray,
    cluster_codes: npt.NDArray[np.int64],
    period_codes: npt.NDArray[np.int64],
    n_clusters: int,
    n_periods: int,
) -> CellMoments:
    """One pass over the rows: the moments of ``[1, z]`` and ``y`` per cluster-period cell."""
    cell = cluster_codes * n_periods + period_codes
    design = np.column_stack([np.ones(y.shape[0]), z])
    k = design.shape[1]
    a = np.zeros((n_clusters * n_periods, k, k))
    b = np.zeros((n_clusters * n_periods, k))
    present = np.unique(cell[w > 0])
    if present.size >= 2:
        m = cluster_moments(y, design, cell, w)
        a[m.labels.astype(np.int64)] = m.xtx.dense()
        b[m.labels.astype(np.int64)] = m.xty
    elif present.size == 1:
        weighted = design * w[:, None]
        a[present[0]] = weighted.T @ design
        b[present[0]] = weighted.T @ y
    rows = np.bincount(cell, weights=(w > 0).astype(float), minlength=n_clusters * n_periods)
    return CellMoments(
        a=a.reshape(n_clusters, n_periods, k, k),
        b=b.reshape(n_clusters, n_periods, k),
        rows=rows.astype(np.int64).reshape(n_clusters, n_periods),
    )


def stacked_names(
    cells: Sequence[Cell], cluster_labels: Sequence[str], covariates: Sequence[str]
) -> list[str]:
    """Readable names of the stacked columns, for error messages."""
    names = []
    for cell in cells:
        tag = f"ATT({cell.group},{cell.period})"
        members = [*cell.treated, *cell.controls]
        names += [f"{tag} LA {cluster_labels[m]}" for m in members]
        names += [f"{tag} post", f"{tag} treated x post", *(f"{tag} {c}" for c in covariates)]
    return names


def stack_cells(
    moments: CellMoments, cells: Sequence[Cell], n_covariates: int
) -> tuple[ClusterMoments, list[int]]:
    """Cluster moments of the stacked regression of all ``cells``, and each cell's column of
    ``treated x post`` (its ATT(g,t)). A cell's columns are: one dummy per cluster in it,
    ``post`` (1 in ``period``, 0 in ``base``), ``treated x post``, then the covariates with
    coefficients of their own in each cell.

    A cluster's ``C_g`` is kept only over its own columns (:class:`ClusterBlocks`): in each of
    its cells its dummy, ``post``, ``treated x post`` if it is treated there, and the
    covariates; zero elsewhere, so the blocks hold exactly the numbers of the dense K x K
    matrix while K grows as cells x clusters."""
    n_clusters = moments.a.shape[0]
    sizes = [cell.n_params(n_covariates) for cell in cells]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    k_total = int(offsets[-1])
    xty = np.zeros((n_clusters, k_total, *moments.b.shape[3:]))  # trailing: replicates
    pieces: list[list[tuple[npt.NDArray[np.int64], FloatArray]]] = [[] for _ in range(n_clusters)]
    n_obs = 0
    att_columns = []
    for cell, start, size in zip(cells, offsets[:-1], sizes, strict=True):
        members = [*cell.treated, *cell.controls]
        n_members = len(members)
        att_columns.append(int(start) + n_members + 1)
        block = slice(int(start), int(start) + size)
        for j, cluster in enumerate(members):
            is_treated = j < len(cell.treated)
            rows = [j, n_members, *([n_members + 1] if is_treated else [])]
            rows += range(n_members + 2, size)
            a = np.zeros((len(rows), len(rows)))
            for period, post in ((cell.base_code, 0.0), (cell.period_code, 1.0)):
                mapping = np.zeros((size, 1 + n_covariates))
                mapping[j, 0] = 1.0
                mapping[n_members, 0] = post
                mapping[n_members + 1, 0] = post * is_treated
                mapping[n_members + 2 :, 1:] = np.eye(n_covariates)
                kept = mapping[rows]
                a += kept @ moments.a[cluster, period] @ kept.T
                xty[cluster, block] += mapping @ moments.b[cluster, period]
                n_obs += int(moments.rows[cluster, period])
            pieces[cluster].append((int(start) + np.asarray(rows, dtype=np.int64), a))
    used = [g for g in range(n_clusters) if any(np.abs(a).sum() > 0 for _, a in pieces[g])]
    support, blocks = [], []
    for g in used:  # cells in column order, so each support is ascending
        support.append(np.concatenate([s for s, _ in pieces[g]]))
        blocks.append(_block_diagonal([a for _, a in pieces[g]]))
    xtx = ClusterBlocks(support, blocks, k_total)
    labels = np.asarray(used, dtype=np.int64)
    return ClusterMoments(xtx=xtx, xty=xty[labels], n_obs=n_obs, labels=labels), att_columns


def _block_diagonal(blocks: Sequence[FloatArray]) -> FloatArray:
    size = sum(b.shape[0] for b in blocks)
    out = np.zeros((size, size))
    at = 0
    for b in blocks:
        out[at : at + b.shape[0], at : at + b.shape[0]] = b
        at += b.shape[0]
    return out
