"""The part of a staggered child-level difference-in-differences that the outcome does not change.

:func:`prepare_did` checks the frame, finds each LA's adoption, collects the cluster-period
moments, builds the 2x2 comparisons ATT(g,t) and fits their stacked regression once
(:class:`DidSetup`). :func:`csceval.impact.matched_did.matched_did` estimates from it; and
because the weights, cells and CR2 adjustments depend only on the design, the same setup tests
the overall ATT on many redrawn outcome vectors at once (:meth:`DidSetup.overall_replicates`:
an operating-characteristic study costs one fit, not one per draw).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import sparse

from csceval.impact.cluster_moments import FloatArray, estimator_problem, require_columns
from csceval.impact.did_cells import Cell, CellMoments, cell_moments, stack_cells, stacked_names
from csceval.impact.few_clusters import ClusterFit, ReplicateTests

__all__ = ["CONTROL_GROUPS", "DidSetup", "ReplicateTests", "prepare_did"]

CONTROL_GROUPS = ("nevertreated", "notyettreated")


def _check(frame: pd.DataFrame, columns: Sequence[str], numeric: Sequence[str]) -> None:
    require_columns(frame, columns)
    for c in numeric:
        values = pd.to_numeric(frame[c], errors="coerce")
        bad = ~np.isfinite(values.to_numpy(dtype=np.float64))
        if bad.any():
            first = frame[c][bad].iloc[0]
            raise estimator_problem("values must be finite numbers", column=c, value=str(first))


def _per_cluster(frame: pd.DataFrame, cluster: str, column: str) -> pd.Series:
    """The value of ``column`` per cluster; CSC-E7103 when it varies within one."""
    spread = frame.groupby(cluster, sort=True)[column].nunique()
    varying = spread[spread > 1]
    if not varying.empty:
        raise estimator_problem(
            f"must be constant within each {cluster}; it varies in {len(varying)} of them",
            column=column,
            value=str(varying.index[0]),
        )
    return frame.groupby(cluster, sort=True)[column].first()


def _adoption(
    frame: pd.DataFrame, cluster: str, group: str, adoption: str, last_period: int
) -> tuple[pd.Series, pd.Series, list[str]]:
    """Per LA: the adoption period (0 = never treated; recoded to 0 after the last period, as R
    ``did`` does), the pilot flag, and notes on the recoding."""
    adopt = _per_cluster(frame, cluster, adoption).astype(float)
    pilot = _per_cluster(frame, cluster, group).astype(float)
    wrong = adopt.index[(adopt > 0) & (pilot != 1)]
    if len(wrong):
        raise estimator_problem(
            f"an LA with an adoption period must have {group} = 1",
            column=group,
            value=str(wrong[0]),
        )
    late = adopt > last_period
    notes = []
    if late.any():
        notes.append(f"{int(late.sum())} LA(s) adopting after {last_period} count as never treated")
        adopt = adopt.where(~late, 0.0)
    if not (adopt > 0).any():
        raise estimator_problem(
            "no LA is treated within the periods (every adoption is 0 or later)",
            column=adoption,
        )
    return adopt, pilot, notes


def _cells(
    adoption: FloatArray,
    periods: FloatArray,
    rows: np.ndarray,
    control_group: str,
) -> tuple[list[Cell], list[str]]:
    """The 2x2 comparisons ATT(g,t) for every cohort g with a pre-period and every period t
    other than g's base period (the last period before g)."""
    cells, notes = [], []
    for g in sorted({int(a) for a in adoption if a > 0}):
        earlier = np.flatnonzero(periods < g)
        if earlier.size == 0:
            notes.append(f"cohort {g} has no period before adoption and is left out")
            continue
        b = int(earlier[-1])
        for t in range(periods.size):
            if t == b:
                continue
            last = max(periods[t], periods[b])
            both = rows[:, t] & rows[:, b]
            treated = np.flatnonzero((adoption == g) & both)
            never = adoption == 0
            not_yet = never | (adoption > last) if control_group == "notyettreated" else never
            controls = np.flatnonzero(not_yet & (adoption != g) & both)
            if treated.size == 0 or controls.size == 0:
                notes.append(
                    f"ATT({g},{int(periods[t])}) has no "
                    f"{'treated' if treated.size == 0 else 'control'} LA with children in both "
                    "periods and is left out"
                )
                continue
            cells.append(
                Cell(
                    group=g,
                    period=int(periods[t]),
                    base=int(periods[b]),
                    treated=tuple(int(i) for i in treated),
                    controls=tuple(int(i) for i in controls),
                    period_code=t,
                    base_code=b,
                )
            )
    return cells, notes


@dataclass(frozen=True, eq=False)
class DidSetup:
    """Everything :func:`~csceval.impact.matched_did.matched_did` estimates from: the 2x2
    ``cells``, the stacked ``fit``, each cell's treated weight and children, and what maps a
    row's outcome to the cells (each row's cluster-period ``cell_codes`` and its weighted
    ``[1 z]`` design) for :meth:`overall_replicates`."""

    cells: list[Cell]
    fit: ClusterFit
    att_columns: list[int]
    treated_weight: FloatArray
    treated_rows: np.ndarray
    overall_cells: list[int]
    pilot: pd.Series
    notes: tuple[str, ...]
    moments: CellMoments
    cell_codes: np.ndarray
    weighted_design: FloatArray

    def contrast(self, selected: Sequence[int]) -> FloatArray:
        """The contrast averaging the ATT(g,t) of ``selected`` by their treated weight."""
        vec = np.zeros(self.fit.moments.n_params)
        total = float(self.treated_weight[list(selected)].sum())
        for i in selected:
            vec[self.att_columns[i]] = self.treated_weight[i] / total
        return vec

    def overall_replicates(self, outcomes: FloatArray) -> ReplicateTests:
        """The overall ATT's estimate, CR2 standard error and CR2 t-test for every column of
        ``outcomes`` (rows as the frame's; R columns), on this design: the same weights, cells,
        leverages and Bell-McCaffrey degrees of freedom, only the outcome redrawn. Equal, column
        by column, to refitting :func:`~csceval.impact.matched_did.matched_did` on each."""
        y = np.asarray(outcomes, dtype=np.float64)
        if y.ndim != 2 or y.shape[0] != self.weighted_design.shape[0]:
            raise estimator_problem(
                f"outcomes must be a matrix with one row per frame row "
                f"({self.weighted_design.shape[0]}); got shape {y.shape}"
            )
        if not np.isfinite(y).all():
            raise estimator_problem("outcomes must be finite numbers")
        k = self.weighted_design.shape[1]
        to_cell = self.summing(self.cell_codes)
        b = np.stack([to_cell @ (self.weighted_design[:, [j]] * y) for j in range(k)], axis=1)
        return self.replicates_from_sums(b)

    def summing(self, cells: np.ndarray) -> sparse.csr_matrix:
        """The matrix that sums values by cluster-period cell (``cells``: each value's cell code,
        ``cluster * n_periods + period`` as :attr:`cell_codes`)."""
        size = self.moments.rows.size
        return sparse.csr_matrix(
            (np.ones(len(cells)), (cells, np.arange(len(cells)))), shape=(size, len(cells))
        )

    def replicates_from_sums(self, sums: FloatArray) -> ReplicateTests:
        """:meth:`overall_replicates` from each cell's ``sum w [1 z] y`` (cells x ``[1 z]`` x R,
        cells indexed as :attr:`cell_codes`): outcomes drawn by cell (e.g. binomial counts of
        children alike) need never be spread over rows."""
        n_clusters, n_periods = self.moments.rows.shape
        k = self.weighted_design.shape[1]
        b = np.asarray(sums, dtype=np.float64).reshape(n_clusters, n_periods, k, -1)
        replicated = CellMoments(a=self.moments.a, b=b, rows=self.moments.rows)
        stacked, _ = stack_cells(replicated, self.cells, k - 1)
        return self.fit.replicate_tests(self.contrast(self.overall_cells), stacked.xty)


def prepare_did(
    frame: pd.DataFrame,
    *,
    outcome: str,
    cluster: str,
    group: str,
    period: str,
    adoption: str,
    weights: str | None = None,
    covariates: Sequence[str] = (),
    control_group: Literal["nevertreated", "notyettreated"] = "nevertreated",
) -> DidSetup:
    """Check the frame, build the 2x2 comparisons and fit their stacked regression (the
    arguments are :func:`~csceval.impact.matched_did.matched_did`'s)."""
    if control_group not in CONTROL_GROUPS:
        raise estimator_problem(
            f"control_group must be one of {CONTROL_GROUPS}", value=str(control_group)
        )
    covariates = list(covariates)
    numeric = [outcome, period, adoption, group, *covariates, *([weights] if weights else [])]
    _check(frame, [cluster, *numeric], numeric)
    period_float = pd.to_numeric(frame[period]).to_numpy(dtype=np.float64)
    if (period_float != np.round(period_float)).any():
        raise estimator_problem("periods must be whole numbers (e.g. years)", column=period)
    period_int = period_float.astype(np.int64)
    period_values = np.unique(period_int)
    adopt, pilot, notes = _adoption(frame, cluster, group, adoption, int(period_values.max()))
    if not (adopt == 0).any() and control_group == "nevertreated":
        raise estimator_problem("no never-treated LA to compare with", column=adoption)
    w = (
        np.ones(len(frame))
        if weights is None
        else pd.to_numeric(frame[weights]).to_numpy(dtype=np.float64)
    )
    if (w < 0).any() or not (w > 0).any():
        raise estimator_problem(
            "weights must not be negative, and some must be positive", column=weights or ""
        )
    cl_codes = pd.Index(adopt.index).get_indexer(frame[cluster])
    p_codes = np.searchsorted(period_values, period_int)
    z = frame[covariates].apply(pd.to_numeric).to_numpy(dtype=np.float64).reshape(len(frame), -1)
    design = np.column_stack([np.ones(len(frame)), z])
    moments = cell_moments(
        pd.to_numeric(frame[outcome]).to_numpy(dtype=np.float64),
        z,
        w,
        cl_codes.astype(np.int64),
        p_codes.astype(np.int64),
        len(adopt),
        len(period_values),
    )
    cells, cell_notes = _cells(
        np.asarray(adopt, dtype=np.float64),
        period_values.astype(np.float64),
        moments.rows > 0,
        control_group,
    )
    overall_cells = [i for i, c in enumerate(cells) if c.period >= c.group]
    if not overall_cells:
        raise estimator_problem(
            "no cohort has both a pre-period and a post-period with treated and control children",
            column=adoption,
        )
    stacked, att_columns = stack_cells(moments, cells, len(covariates))
    labels = [str(v) for v in adopt.index]
    fit = ClusterFit(stacked, stacked_names(cells, labels, covariates))
    treated_weight = np.array(
        [sum(float(moments.a[i, c.period_code, 0, 0]) for i in c.treated) for c in cells]
    )
    treated_rows = np.array(
        [sum(int(moments.rows[i, c.period_code]) for i in c.treated) for c in cells]
    )

    return DidSetup(
        cells=cells,
        fit=fit,
        att_columns=att_columns,
        treated_weight=treated_weight,
        treated_rows=treated_rows,
        overall_cells=overall_cells,
        pilot=pilot,
        notes=(*notes, *cell_notes),
        moments=moments,
        cell_codes=(cl_codes * len(period_values) + p_codes).astype(np.int64),
        weighted_design=design * w[:, None],
    )
