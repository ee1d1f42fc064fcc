"""Staggered difference-in-differences on matched child-level records, with few-cluster inference.

Typical use, after matching (:mod:`csceval.impact.matching`) has put a weight on each row::

    frame["w"] = coarsened_exact_match(frame, treated="pilot", ...).weights
    res = matched_did(frame, outcome="rereferral", cluster="la", group="pilot",
                      period="cohort", adoption="first_cohort", weights="w", seed=1)
    res.overall.estimate, res.overall.se_cr2, res.overall.wild.p_value, res.event_study
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from csceval.impact.cluster_moments import FloatArray, estimator_problem, require_columns
from csceval.impact.did_cells import Cell, cell_moments, stack_cells, stacked_names
from csceval.impact.few_clusters import ClusterEstimate, ClusterFit
from csceval.impact.matched_did_result import MatchedDid
from csceval.impact.wild_bootstrap import Draws

__all__ = ["MatchedDid", "matched_did"]

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


def matched_did(
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
    wild: bool = True,
    draws: Draws = "webb",
    reps: int = 9999,
    seed: int = 0,
    restricted: bool = True,
) -> MatchedDid:
    """Difference-in-differences for staggered adoption on child-level (matched) records.

    Parameters
    ----------
    frame
        One row per child-episode (e.g. a referral).
    outcome
        Numeric outcome (e.g. 0/1 re-referral within 12 months).
    cluster
        The LA: the unit of adoption and of inference (clusters).
    group
        1 for children of pilot LAs, 0 for comparator LAs; constant within an LA; an LA with an
        adoption period must have 1. It sets ``n_clusters_control`` (comparator LAs used).
    period
        Integer cohort period (e.g. the referral's year).
    adoption
        The LA's first treated period, 0 for never treated; constant within an LA.
    weights
        Column of matching weights (0 drops a row); ``None`` for equal weights.
    covariates
        Numeric child-level covariates adjusted for in every 2x2 comparison.
    control_group
        ``"nevertreated"`` (comparator LAs and pilots that never adopt; default) or
        ``"notyettreated"`` (also pilots that adopt after both periods of a comparison).
    wild, draws, reps, seed, restricted
        Whether to run the wild cluster bootstrap for every estimate, its weights (Webb by
        default: few clusters), replications, seed and whether it imposes the null (WCR, the
        default; ``False``: WCU).

    Returns
    -------
    MatchedDid

    Raises
    ------
    csceval.errors.InputError
        CSC-E7103 for a missing column or value, an adoption or group that varies within an
        LA, no treated LA with a pre-period, no control LA, fewer than two LAs, or a collinear
        design (e.g. a covariate constant within LAs).

    Notes
    -----
    Two-way fixed effects on all the data are biased under staggered adoption when effects vary
    over cohorts or time (already-treated units act as controls: Goodman-Bacon 2021). So, as in
    Callaway & Sant'Anna (2021), each cohort-period effect ATT(g,t) is its own 2x2 comparison:
    the LAs first treated in ``g`` against control LAs, in period ``t`` against the base period
    ``g - 1`` (the last period before ``g``: a universal base, so pre-period estimates are
    placebo effects against the same base). Each 2x2 is a weighted regression of the outcome on
    LA dummies, ``post`` and ``treated x post`` (plus covariates) over the children of those LAs
    in those two periods: with no covariates, a within-LA difference of weighted means.

    The overall ATT averages the post-adoption ATT(g,t) (``t >= g``) weighted by the treated
    children (sum of weights) in each; the event study averages the ATT(g,t) with the same
    ``t - g``, weighted the same way. All 2x2 regressions are stacked with their own
    coefficients, so the estimates equal separate regressions while cluster-robust variances
    account for control LAs that serve in several comparisons (and for children of one LA in
    several periods). Inference is at the LA level: CR1 and CR2 standard errors, the CR2
    t-test with Bell-McCaffrey degrees of freedom, and the restricted wild cluster bootstrap
    (:mod:`csceval.impact.few_clusters`). The variances treat matching weights as fixed.
    """
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
    moments = cell_moments(
        pd.to_numeric(frame[outcome]).to_numpy(dtype=np.float64),
        frame[covariates].apply(pd.to_numeric).to_numpy(dtype=np.float64).reshape(len(frame), -1),
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

    def contrast(selected: Sequence[int]) -> FloatArray:
        vec = np.zeros(stacked.n_params)
        total = float(treated_weight[list(selected)].sum())
        for i in selected:
            vec[att_columns[i]] = treated_weight[i] / total
        return vec

    def estimate(selected: Sequence[int], name: str) -> ClusterEstimate:
        return fit.estimate(
            contrast(selected),
            name,
            wild=wild,
            draws=draws,
            reps=reps,
            seed=seed,
            restricted=restricted,
        )

    overall = estimate(overall_cells, "ATT")
    rows = []
    for e in sorted({c.event_time for c in cells}):
        chosen = [i for i, c in enumerate(cells) if c.event_time == e]
        est = estimate(chosen, f"event_time={e}")
        members = {m for i in chosen for m in (*cells[i].treated, *cells[i].controls)}
        rows.append((e, est, int(treated_rows[chosen].sum()), len(members)))
    used = {m for c in cells for m in (*c.treated, *c.controls)}
    treated_used = {m for i in overall_cells for m in cells[i].treated}
    comparators = {m for m in used if pilot.iloc[m] == 0}
    return MatchedDid.build(
        overall=overall,
        event_rows=rows,
        cells=cells,
        cell_estimates=[float(fit.beta[j]) for j in att_columns],
        cell_weights=treated_weight,
        cell_rows=treated_rows,
        n_clusters_treated=len(treated_used),
        n_clusters_control=len(comparators),
        n_clusters_other=len(used - treated_used - comparators),
        control_group=control_group,
        notes=(*notes, *cell_notes),
    )
