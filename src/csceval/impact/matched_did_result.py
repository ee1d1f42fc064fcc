"""The result of :func:`csceval.impact.matched_did.matched_did`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from csceval.impact.cluster_moments import FloatArray
from csceval.impact.did_cells import Cell
from csceval.impact.few_clusters import ClusterEstimate

__all__ = ["EVENT_COLUMNS", "MatchedDid"]

EVENT_COLUMNS = [
    "event_time",
    "estimate",
    "se_cr1",
    "se_cr2",
    "df_bm",
    "ci_lower",
    "ci_upper",
    "p_cr2",
    "p_wild",
    "n_children",
    "n_clusters",
]
CELL_COLUMNS = [
    "group",
    "period",
    "base",
    "event_time",
    "estimate",
    "weight",
    "n_children",
    "n_treated_clusters",
    "n_control_clusters",
]


def cr2_interval(est: ClusterEstimate, level: float = 0.95) -> tuple[float, float]:
    """The CR2 interval with Bell-McCaffrey degrees of freedom."""
    if not (est.se_cr2 > 0 and est.df_bm > 0 and math.isfinite(est.df_bm)):
        return (math.nan, math.nan)
    half = float(stats.t.ppf(0.5 + level / 2, est.df_bm)) * est.se_cr2
    return (est.estimate - half, est.estimate + half)


def _row(est: ClusterEstimate, n_children: int, n_clusters: int) -> dict[str, float]:
    lo, hi = cr2_interval(est)
    return {
        "estimate": est.estimate,
        "se_cr1": est.se_cr1,
        "se_cr2": est.se_cr2,
        "df_bm": est.df_bm,
        "ci_lower": lo,
        "ci_upper": hi,
        "p_cr2": est.p_cr2,
        "p_wild": est.wild.p_value if est.wild is not None else math.nan,
        "n_children": n_children,
        "n_clusters": n_clusters,
    }


@dataclass(frozen=True, eq=False)
class MatchedDid:
    """Matched staggered difference-in-differences with few-cluster inference.

    ``overall``: the ATT over post-adoption cells. ``event_study``: one row per years since
    adoption (``event_time``; negative values are placebo estimates against the base period,
    which has no row), columns ``event_time, estimate, se_cr1, se_cr2, df_bm, ci_lower,
    ci_upper`` (95% CR2 interval, Bell-McCaffrey df), ``p_cr2, p_wild, n_children`` (treated
    rows with a positive weight) and ``n_clusters`` (LAs in those comparisons).
    ``event_estimates``: the same as :class:`ClusterEstimate` objects. ``cells``: every 2x2
    ATT(g,t) with its weight. ``n_clusters_treated``: pilot LAs in post-adoption comparisons;
    ``n_clusters_control``: comparator LAs (group 0) used; ``n_clusters_other``: pilot LAs used
    only as controls or in placebo cells (e.g. adopting after the data end); the three add up to
    ``overall.n_clusters``. ``notes``: recodings and cells left out, and why."""

    overall: ClusterEstimate
    event_study: pd.DataFrame
    n_clusters_treated: int
    n_clusters_control: int
    event_estimates: tuple[ClusterEstimate, ...] = ()
    cells: pd.DataFrame | None = None
    control_group: str = "nevertreated"
    notes: tuple[str, ...] = ()
    n_clusters_other: int = 0

    @classmethod
    def build(
        cls,
        *,
        overall: ClusterEstimate,
        event_rows: Sequence[tuple[int, ClusterEstimate, int, int]],
        cells: Sequence[Cell],
        cell_estimates: Sequence[float],
        cell_weights: FloatArray,
        cell_rows: np.ndarray,
        n_clusters_treated: int,
        n_clusters_control: int,
        n_clusters_other: int,
        control_group: str,
        notes: tuple[str, ...],
    ) -> MatchedDid:
        """Assemble the result from the estimates of :func:`matched_did`."""
        event = pd.DataFrame(
            [{"event_time": e, **_row(est, n, g)} for e, est, n, g in event_rows],
            columns=EVENT_COLUMNS,
        )
        cell_frame = pd.DataFrame(
            [
                [
                    c.group,
                    c.period,
                    c.base,
                    c.event_time,
                    est,
                    float(w),
                    int(n),
                    len(c.treated),
                    len(c.controls),
                ]
                for c, est, w, n in zip(cells, cell_estimates, cell_weights, cell_rows, strict=True)
            ],
            columns=CELL_COLUMNS,
        )
        return cls(
            overall=overall,
            event_study=event,
            n_clusters_treated=n_clusters_treated,
            n_clusters_control=n_clusters_control,
            n_clusters_other=n_clusters_other,
            event_estimates=tuple(est for _, est, _, _ in event_rows),
            cells=cell_frame,
            control_group=control_group,
            notes=notes,
        )

    def to_frame(self) -> pd.DataFrame:
        """The overall ATT (``term = "ATT"``) and the event study (``term = "event_time=e"``)
        in one table with the event-study columns."""
        first = {
            "term": "ATT",
            "event_time": math.nan,
            **_row(
                self.overall,
                int(self.event_study.loc[self.event_study["event_time"] >= 0, "n_children"].sum()),
                self.overall.n_clusters,
            ),
        }
        rest = self.event_study.assign(
            term=[f"event_time={int(e)}" for e in self.event_study["event_time"]]
        )
        return pd.concat([pd.DataFrame([first]), rest], ignore_index=True)[["term", *EVENT_COLUMNS]]

    def summary(self) -> str:
        """A few plain lines: the ATT, its CR2 interval, both p-values and the clusters."""
        o = self.overall
        lo, hi = cr2_interval(o)
        wild = (
            f"wild cluster bootstrap p = {o.wild.p_value:.3f} ({o.wild.draws}, "
            f"{o.wild.reps} replications{', enumerated' if o.wild.enumerated else ''})"
            if o.wild is not None
            else "no wild cluster bootstrap"
        )
        other = (
            f" and {self.n_clusters_other} other pilot LAs (controls or placebo comparisons only)"
            if self.n_clusters_other
            else ""
        )
        return "\n".join(
            [
                f"ATT = {o.estimate:.4f} (CR2 SE {o.se_cr2:.4f}; 95% CI {lo:.4f} to {hi:.4f}, "
                f"Bell-McCaffrey df {o.df_bm:.1f}; p = {o.p_cr2:.3f})",
                wild,
                f"Inference rests on {o.n_clusters} LA clusters: {self.n_clusters_treated} "
                f"treated and {self.n_clusters_control} comparator LAs{other} "
                f"({self.control_group} controls), {o.n_obs} child rows in the stacked "
                "comparisons.",
                *self.notes,
            ]
        )
