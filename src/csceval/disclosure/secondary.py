"""Secondary (complementary) suppression over published margins, with an exact check.

The COUNT cells of a table with a total column and/or a total row obey linear margin equations
(each row: parts - total = 0; each column: other rows - total row = 0). Up to signs, these are
the node equations of a graph: one node per equation plus a "ground" node with no equation, one
edge per cell. A suppressed cell is recoverable by arithmetic from the published cells exactly
when it is a *bridge* of the graph formed by the suppressed cells (it lies on no cycle), which is
the same as its unit vector lying in the row space of the margin matrix restricted to the
suppressed cells. The search uses the graph; the verdict uses the matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.linalg
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, dijkstra

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: What suppressing one more cell costs: (tier, value). Tier 0 = a non-zero LA count, 1 = a
#: national or regional count, 2 = a zero. Paths are compared by their worst tiers first, then by
#: the sum of the values hidden.
Cost = tuple[int, float]

_NULL_TOL = 1e-8


class UnprotectableTableError(ValueError):
    """No choice of complementary cells can protect a suppressed cell.

    ``row`` and ``column`` locate the cell (positions; :func:`protect` fills in its names).
    """

    def __init__(self, message: str, row: int, column: int) -> None:
        super().__init__(message)
        self.row, self.column = row, column


@dataclass(frozen=True)
class MarginSystem:
    """The margin equations over the COUNT cells of a table.

    ``cells[k]`` is the (row position, COUNT-column position) of variable ``k``; ``matrix``
    (sparse, equations x cells) has one row per published margin equation; ``ends[k]`` are the
    two graph nodes cell ``k`` joins (node 0 is the ground node, which carries no equation).
    Cells in no equation are left out: nothing published constrains them.
    """

    cells: tuple[tuple[int, int], ...]
    matrix: Any  # scipy.sparse.csc_array of float
    ends: IntArray  # shape (cells, 2)
    n_nodes: int


def margin_system(
    n_rows: int,
    n_cols: int,
    total_col: int | None,
    parts: Sequence[int],
    total_row: int | None,
) -> MarginSystem:
    """Build the equations for a table of ``n_rows`` x ``n_cols`` COUNT cells.

    Row equations exist when ``total_col`` is given (``total = sum(parts)``); column equations,
    over every COUNT column, when ``total_row`` is given (``total row = sum(other rows)``).
    """
    in_rows = {*parts, total_col} if total_col is not None else set()
    n_row_eq = n_rows if total_col is not None else 0
    cells: list[tuple[int, int]] = []
    ends: list[tuple[int, int]] = []
    entries: list[tuple[int, int, float]] = []  # (equation, cell, coefficient)
    for i in range(n_rows):
        for j in range(n_cols):
            in_row_eq, in_col_eq = j in in_rows, total_row is not None
            if not (in_row_eq or in_col_eq):
                continue
            k = len(cells)
            cells.append((i, j))
            ends.append((1 + i if in_row_eq else 0, 1 + n_rows + j if in_col_eq else 0))
            if in_row_eq:
                entries.append((i, k, -1.0 if j == total_col else 1.0))
            if in_col_eq:
                entries.append((n_row_eq + j, k, -1.0 if i == total_row else 1.0))
    n_eq = n_row_eq + (n_cols if total_row is not None else 0)
    eq, var, coef = zip(*entries, strict=True) if entries else ((), (), ())
    matrix = sp.csc_array((coef, (eq, var)), shape=(n_eq, len(cells)))
    ends_array = np.array(ends, dtype=np.int64).reshape(-1, 2)
    return MarginSystem(tuple(cells), matrix, ends_array, 1 + n_rows + n_cols)


def _pinned(block: FloatArray) -> BoolArray:
    """Columns whose unit vector lies in the row space of a dense ``block``."""
    _, sing, vh = scipy.linalg.svd(block, full_matrices=False)
    tol = max(block.shape) * np.finfo(float).eps * (sing[0] if sing.size else 0.0)
    rank = int((sing > tol).sum())
    leverage = (vh[:rank] ** 2).sum(axis=0)
    return np.asarray(leverage > 1 - _NULL_TOL, dtype=np.bool_)


def determined(matrix: Any, suppressed: BoolArray) -> BoolArray:
    """Which suppressed cells the published margins pin down exactly.

    Notes
    -----
    With the suppressed cells as unknowns, cell ``i`` is determined iff ``e_i`` lies in the row
    space of ``A_S = matrix[:, suppressed]`` (equivalently ``rank([A_S; e_i]) == rank(A_S)``, or
    every null-space vector of ``A_S`` is zero at ``i``). The test is the leverage
    ``||V_r[:, i]||^2 == 1`` from an SVD of ``A_S``, done separately for each block of cells
    linked through shared equations (the row space splits over them), so large tables stay fast.
    """
    out = np.zeros(suppressed.shape, dtype=np.bool_)
    idx = np.flatnonzero(suppressed)
    if idx.size == 0:
        return out
    sub = sp.csc_array(matrix)[:, idx]
    n_eq = sub.shape[0]
    coo = sub.tocoo()
    size = n_eq + idx.size
    link = sp.coo_array((np.ones(coo.nnz), (coo.row, n_eq + coo.col)), shape=(size, size))
    _, labels = connected_components(link, directed=False)
    eq_labels, cell_labels = labels[:n_eq], labels[n_eq:]
    for label in np.unique(cell_labels):
        cols = np.flatnonzero(cell_labels == label)
        rows = np.flatnonzero(eq_labels == label)
        if rows.size:  # a cell in no equation is never determined
            out[idx[cols]] = _pinned(sub[rows][:, cols].toarray())
    return out


def _weights(costs: Sequence[Cost | None]) -> FloatArray:
    """Scalar cell weights that order paths as :data:`Cost` says (inf = unusable)."""
    finite = [c for c in costs if c is not None]
    scale = 1.0 + sum(value for _, value in finite)
    n_regional = sum(tier == 1 for tier, _ in finite)
    penalty = (0.0, scale, scale * (2 + n_regional))
    return np.array([np.inf if c is None else penalty[c[0]] + c[1] for c in costs])


def _cheapest_path(
    system: MarginSystem, weights: FloatArray, suppressed: BoolArray, skip: int
) -> IntArray | None:
    """Cells not yet suppressed on the cheapest path between the ends of ``skip``, avoiding it.

    Suppressed cells are free. Among parallel cells (same two nodes) the cheapest, then the
    first, stands for the pair, so ties go to the earlier cell.
    """
    w = np.where(suppressed, 0.0, weights)
    w[skip] = np.inf
    usable = np.flatnonzero(np.isfinite(w))
    lo, hi = system.ends[usable].min(axis=1), system.ends[usable].max(axis=1)
    key = lo * system.n_nodes + hi
    order = np.lexsort((usable, w[usable], key))
    first = order[np.r_[True, key[order][1:] != key[order][:-1]]] if order.size else order
    edge, a, b = usable[first], lo[first], hi[first]
    shape = (system.n_nodes, system.n_nodes)
    graph = sp.csr_array((np.r_[w[edge], w[edge]], (np.r_[a, b], np.r_[b, a])), shape=shape)
    start, goal = (int(n) for n in system.ends[skip])
    dist, previous = dijkstra(graph, indices=start, return_predecessors=True)
    if not np.isfinite(dist[goal]):
        return None
    by_pair = dict(zip(key[first].tolist(), edge.tolist(), strict=True))
    path: list[int] = []
    node = goal
    while node != start:
        before = int(previous[node])
        k = by_pair[min(node, before) * system.n_nodes + max(node, before)]
        if not suppressed[k]:
            path.append(k)
        node = before
    return np.array(path, dtype=np.int64)


def complementary_suppression(
    system: MarginSystem, suppressed: BoolArray, costs: Sequence[Cost | None]
) -> BoolArray:
    """Add the cheapest complementary cells until no suppressed cell is determined.

    Notes
    -----
    For each determined (bridge) cell, in cell order, the cheapest path between its two nodes
    that avoids it is found (Dijkstra); suppressing that path's cells closes a cycle through the
    cell, so it can move up and down while every published margin still holds. Adding cells
    never turns a protected cell back into a bridge, so one pass suffices; the matrix check is
    then repeated as an independent verdict.
    """
    weights = _weights(costs)
    result = suppressed.copy()
    for _ in range(3):
        bridges = determined(system.matrix, result)
        if not bridges.any():
            return result
        for k in np.flatnonzero(bridges):
            path = _cheapest_path(system, weights, result, int(k))
            if path is None:
                row, col = system.cells[k]
                raise UnprotectableTableError(
                    f"the suppressed count at row {row + 1}, count column {col + 1} cannot be "
                    f"protected: no other cell on its margins can be suppressed",
                    row,
                    col,
                )
            result[path] = True
    raise RuntimeError("secondary suppression did not converge (a bug: please report it)")
