"""Per-cluster moments kept over each cluster's own columns (``ClusterBlocks``): every operation
equals the dense G x K x K computation, and the stacked 2x2 design of ``stack_cells`` holds
exactly the numbers a dense build holds, so the memory saving changes no estimate."""

from __future__ import annotations

import numpy as np
import pytest

from csceval.impact.cluster_moments import ClusterBlocks
from csceval.impact.did_cells import Cell, CellMoments, stack_cells


def _blocks(seed: int) -> tuple[ClusterBlocks, np.ndarray]:
    rng = np.random.default_rng(seed)
    k, support, blocks = 12, [], []
    for _ in range(5):
        s = np.sort(rng.choice(k, size=int(rng.integers(1, 6)), replace=False))
        a = rng.normal(size=(s.size, s.size))
        support.append(s.astype(np.int64))
        blocks.append(a @ a.T)
    compact = ClusterBlocks(support, blocks, k)
    return compact, compact.dense()


def test_every_operation_equals_the_dense_one() -> None:
    compact, dense = _blocks(1)
    rng = np.random.default_rng(2)
    v, m = rng.normal(size=12), rng.normal(size=(12, 3))
    assert np.allclose(compact.total(), dense.sum(axis=0), rtol=0, atol=1e-12)
    assert np.allclose(compact.times(v), dense @ v, rtol=0, atol=1e-12)
    assert np.allclose(compact.times(m), dense @ m, rtol=0, atol=1e-12)
    assert np.allclose(compact.left_times(v), np.einsum("k,gkl->gl", v, dense), atol=1e-12)
    assert np.allclose(compact.quadratic(v), np.einsum("k,gkl,l->g", v, dense, v), atol=1e-12)
    full = ClusterBlocks.full(dense)
    assert np.array_equal(full.dense(), dense)


def _dense_stack(moments: CellMoments, cells: list[Cell], n_cov: int) -> np.ndarray:
    """The stacked design's per-cluster X'WX built densely, column by column of the mapping
    (as ``stack_cells`` did before it kept blocks)."""
    sizes = [c.n_params(n_cov) for c in cells]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    out = np.zeros((moments.a.shape[0], offsets[-1], offsets[-1]))
    for cell, start, size in zip(cells, offsets[:-1], sizes, strict=True):
        members = [*cell.treated, *cell.controls]
        for j, cluster in enumerate(members):
            for period, post in ((cell.base_code, 0.0), (cell.period_code, 1.0)):
                mapping = np.zeros((size, 1 + n_cov))
                mapping[j, 0] = 1.0
                mapping[len(members), 0] = post
                mapping[len(members) + 1, 0] = post * (j < len(cell.treated))
                mapping[len(members) + 2 :, 1:] = np.eye(n_cov)
                block = slice(int(start), int(start) + size)
                out[cluster, block, block] += mapping @ moments.a[cluster, period] @ mapping.T
    return out


@pytest.mark.parametrize("n_cov", [0, 2])
def test_the_stacked_blocks_hold_the_dense_design(n_cov: int) -> None:
    rng = np.random.default_rng(3)
    n_clusters, n_periods = 7, 4
    raw = rng.normal(size=(n_clusters, n_periods, 1 + n_cov, 1 + n_cov))
    a = raw @ np.swapaxes(raw, -1, -2)
    moments = CellMoments(
        a=a,
        b=rng.normal(size=(n_clusters, n_periods, 1 + n_cov)),
        rows=np.full((n_clusters, n_periods), 10, dtype=np.int64),
    )
    cells = [
        Cell(2, 2, 1, (0, 1), (4, 5, 6), 2, 1),
        Cell(2, 3, 1, (0, 1), (4, 5, 6), 3, 1),
        Cell(3, 3, 2, (2, 3), (4, 5), 3, 2),
    ]
    stacked, att = stack_cells(moments, cells, n_cov)
    dense = _dense_stack(moments, cells, n_cov)
    assert list(stacked.labels) == list(range(n_clusters))
    assert np.array_equal(stacked.xtx.dense(), dense)  # exactly the same numbers
    size = 5 + 2 + n_cov  # a cell of five clusters: dummies, post, treated x post, covariates
    assert att == [5 + 1, size + 5 + 1, 2 * size + 4 + 1]  # each cell's treated x post
    sizes = [s.size for s in stacked.xtx.support]
    assert max(sizes) < dense.shape[1]  # each cluster keeps only its own columns
