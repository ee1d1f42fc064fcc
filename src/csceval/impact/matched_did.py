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

import pandas as pd

from csceval.impact.did_setup import prepare_did
from csceval.impact.few_clusters import ClusterEstimate
from csceval.impact.matched_did_result import MatchedDid
from csceval.impact.wild_bootstrap import Draws

__all__ = ["MatchedDid", "matched_did"]


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
    s = prepare_did(
        frame,
        outcome=outcome,
        cluster=cluster,
        group=group,
        period=period,
        adoption=adoption,
        weights=weights,
        covariates=covariates,
        control_group=control_group,
    )
    cells = s.cells

    def estimate(selected: Sequence[int], name: str) -> ClusterEstimate:
        return s.fit.estimate(
            s.contrast(selected),
            name,
            wild=wild,
            draws=draws,
            reps=reps,
            seed=seed,
            restricted=restricted,
        )

    overall = estimate(s.overall_cells, "ATT")
    rows = []
    for e in sorted({c.event_time for c in cells}):
        chosen = [i for i, c in enumerate(cells) if c.event_time == e]
        est = estimate(chosen, f"event_time={e}")
        members = {m for i in chosen for m in (*cells[i].treated, *cells[i].controls)}
        rows.append((e, est, int(s.treated_rows[chosen].sum()), len(members)))
    used = {m for c in cells for m in (*c.treated, *c.controls)}
    treated_used = {m for i in s.overall_cells for m in cells[i].treated}
    comparators = {m for m in used if s.pilot.iloc[m] == 0}
    return MatchedDid.build(
        overall=overall,
        event_rows=rows,
        cells=cells,
        cell_estimates=[float(s.fit.beta[j]) for j in s.att_columns],
        cell_weights=s.treated_weight,
        cell_rows=s.treated_rows,
        n_clusters_treated=len(treated_used),
        n_clusters_control=len(comparators),
        n_clusters_other=len(used - treated_used - comparators),
        control_group=control_group,
        notes=s.notes,
    )
