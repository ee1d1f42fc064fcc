"""Matching pilot children to comparator children, and the matched difference-in-differences.

Notes
-----
**Treatment.** A pilot LA's adoption year is the collection year (ending 31 March) that contains
its ``implementation_start``; its cohorts from that year on are treated (the year of the start
is partly exposed, which biases towards zero rather than away from it). A pilot that exited is
kept as treated (intention to treat). Comparators are the LAs with returns that are not
adopters.

**Matching** of pilot-LA children to comparator-LA children within cohort year, in every year
(before and after adoption, so the before-after contrast compares like with like):

- ``cem`` (the headline): coarsened exact matching (Iacus, King & Porro 2012) on age band, sex,
  need group (N1 abuse or neglect, N4 family dysfunction, other), any disability, domestic
  abuse at assessment, prior referral and prior plan, with ATT weights; strata without a pilot
  child or without a comparator child are dropped (counted in the matching table);
- ``propensity``: propensity-score weighting for the ATT (a logistic score on every covariate's
  indicators within cohort year; comparator weights ``p / (1 - p)``; common support trimmed),
  a check on the headline that also balances ethnic group, mental health and substance misuse.

Balance: standardised mean differences of every covariate indicator before and after matching
(:func:`csceval.impact.matching.balance_table`), drawn as a love plot.

**Estimation** (:func:`csceval.impact.matched_did.matched_did`): the staggered
difference-in-differences on the matched, weighted sample with the LA as the cluster, its event
study by years since adoption, CR2 standard errors with Bell-McCaffrey degrees of freedom and
the restricted wild cluster bootstrap with Webb weights (six-point, as there are few pilot
clusters). The CR2 test decides the verdict, with its p-value also ranked among worlds with no
effect drawn on this matched sample (:mod:`.design_verdicts`), and the wild bootstrap is shown
beside it: on simulated null worlds the CR2 test kept closer to its size than the bootstrap
(:mod:`csceval.strands.child_impact.verdicts`). Each estimate carries its minimum detectable
effect (80% power, 5% two-sided, on its CR2 standard error and degrees of freedom).
Outcomes are 0/1, so the estimates are in percentage points of children. Time to permanence
(permanence within 24 months of entering care) is estimated on the children who entered care
and whose 24 months are in the returns; where no such sample can be estimated it
is left out with a note. Matching and estimation run with one BLAS thread
(:func:`csceval.impact.synth_blas.single_blas_thread`): their products are small, and BLAS
threads on a busy machine only contend for the cores (a recovery world took 30-40% more CPU
with them, for the same figures).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from csceval.errors import InputError, Problem
from csceval.impact.matched_did import MatchedDid, matched_did
from csceval.impact.matching import Matching, balance_table, coarsened_exact_match, propensity_match
from csceval.impact.multiplicity import MIN_RANK_DRAWS
from csceval.impact.synth_blas import single_blas_thread
from csceval.strands.child_impact.cohorts import COVARIATES, OUTCOME_TITLES, OUTCOMES
from csceval.strands.child_impact.design_null import COHORT_COLUMNS, outcome_data
from csceval.strands.child_impact.design_verdicts import calibrate_on_design
from csceval.strands.child_impact.result import ChildImpactResult, OutcomeEstimate

NEED_GROUPS = {"N1": "abuse or neglect", "N4": "family dysfunction"}
CEM_EXACT = (
    "age_band",
    "sex",
    "need_group",
    "disabled",
    "domestic_abuse",
    "prior_referral",
    "prior_cpp",
)
METHODS = ("cem", "propensity")
METHOD_TITLES = {"cem": "Coarsened exact matching", "propensity": "Propensity-score weighting"}
Progress = Callable[[str, float], None]
NULL_DRAWS = 999
"""Worlds with no effect (and as many with an effect) drawn on the design to calibrate the
verdicts: a 2% design p-value needs 49, a rate of 2% is then measured to about 0.4 points."""
WHERE_HELD = ("permanence_24m",)
"""Outcomes estimated where the data hold them: when the matched sample cannot be estimated
(e.g. no pilot cohort after adoption with 24 months of care observed), a note, not an error."""


def analysis_frame(cohorts: pd.DataFrame, adoption: Mapping[str, int]) -> pd.DataFrame:
    """The cohorts with ``pilot`` (0/1), ``adoption`` (year; 0 for comparators), ``need_group``
    and 0/1 indicator columns ``x:<covariate>=<level>`` for balance and the propensity score."""
    frame = cohorts.reset_index(drop=True).copy()
    frame["pilot"] = frame["la_code"].isin(list(adoption)).astype(int)
    frame["adoption"] = frame["la_code"].map(dict(adoption)).fillna(0).astype(int)
    frame["need_group"] = frame["need"].map(NEED_GROUPS).fillna("other")
    for col in (*COVARIATES, "need_group"):
        values = frame[col]
        if values.dtype == bool:
            frame[f"x:{col}"] = values.astype(np.float32)
            continue
        text = values.astype(str)
        for k, level in enumerate(sorted(text.unique())):
            name = f"x:{col}={level}" if k else f"x0:{col}={level}"  # x0: the reference level
            frame[name] = (text == level).astype(np.float32)
    return frame


def indicator_columns(frame: pd.DataFrame, reference: bool = True) -> list[str]:
    """The covariate indicators (``reference=False``: without each categorical's first level,
    as a regression with an intercept needs)."""
    return [c for c in frame.columns if c.startswith("x:") or (reference and c.startswith("x0:"))]


def _match(frame: pd.DataFrame, method: str) -> Matching:
    if method == "cem":
        return coarsened_exact_match(
            frame, treated="pilot", exact=CEM_EXACT, coarsen={}, within=("cohort_year",)
        )
    covariates = [
        c
        for c in indicator_columns(frame, reference=False)
        if not c.startswith("x:need=") and frame[c].std() > 0
    ]
    return propensity_match(
        frame, treated="pilot", covariates=covariates, within=("cohort_year",), method="weighting"
    )


def matching_weights(
    cohorts: pd.DataFrame, adoption: Mapping[str, int], method: str = "cem"
) -> np.ndarray:
    """Each cohort row's matching weight (0: dropped), as :func:`estimate_child_impact` matches
    (for recovery studies: the pilot children kept are those the estimate averages over)."""
    frame = analysis_frame(cohorts, adoption)
    return _match(frame, method).weights.reindex(frame.index).fillna(0.0).to_numpy()


def _treated_post(frame: pd.DataFrame) -> tuple[int, float]:
    post = frame[(frame["pilot"] == 1) & (frame["cohort_year"] >= frame["adoption"])]
    per_la = post.groupby("la_code")["cohort_year"].agg(["size", "nunique"])
    return len(post), float((per_la["size"] / per_la["nunique"]).sum())


def _estimate(
    frame: pd.DataFrame, outcome: str, method: str, reps: int, seed: int
) -> tuple[OutcomeEstimate, pd.DataFrame, tuple[str, ...]]:
    data = outcome_data(frame, outcome)
    try:
        fit = cohort_did(data, draws="webb", reps=reps, seed=seed)
    except InputError as exc:
        head = Problem(
            "CSC-E3807",
            f"{OUTCOME_TITLES[outcome]} ({METHOD_TITLES[method]}): the matched sample cannot be "
            "estimated; the estimator's problems follow",
            column=outcome,
            fix="Check that pilots have children referred before and after adoption and that "
            "comparators have returns for the same years.",
        )
        raise InputError([head, *exc.problems]) from None
    o = fit.overall
    half = _t_quantile(o.df_bm) * o.se_cr2
    pre = data[(data["pilot"] == 1) & (data["cohort_year"] < data["adoption"])]
    base = float(np.average(pre["y"], weights=pre["weight"])) * 100 if len(pre) else math.nan
    n_post, per_year = _treated_post(data)
    wild = o.wild
    estimate = OutcomeEstimate(
        outcome,
        method,
        100 * o.estimate,
        100 * o.se_cr2,
        100 * (o.estimate - half),
        100 * (o.estimate + half),
        o.p_cr2,
        wild.p_value if wild else math.nan,
        wild.draws if wild else "",
        wild.reps if wild else 0,
        fit.n_clusters_treated,
        o.n_clusters - fit.n_clusters_treated,
        len(data),
        n_post,
        per_year,
        base,
        100 * _detectable(o.df_bm) * o.se_cr2,
    )
    es = fit.event_study.copy()
    for col in ("estimate", "se_cr2"):
        es[col] = 100 * es[col]
    es["low"], es["high"] = (
        es["estimate"] - 1.96 * es["se_cr2"],
        es["estimate"] + 1.96 * es["se_cr2"],
    )
    return estimate, es.assign(outcome=outcome, method=method), fit.notes


def cohort_did(data: pd.DataFrame, **options: Any) -> MatchedDid:
    """:func:`~csceval.impact.matched_did.matched_did` on a matched cohort frame (outcome ``y``,
    LA clusters, cohort years, matching ``weight``); ``options`` are its inference options."""
    return matched_did(data, **COHORT_COLUMNS, **options)


def _t_quantile(df: float, level: float = 0.975) -> float:
    from scipy import stats

    return float(stats.t.ppf(level, df)) if math.isfinite(df) and df > 0 else stats.norm.ppf(level)


def _detectable(df: float) -> float:
    """The minimum detectable effect in standard errors: a two-sided 5% test on ``df`` degrees
    of freedom with 80% power (``t_0.975 + t_0.80``; 2.80 on the normal)."""
    return _t_quantile(df) + _t_quantile(df, 0.80)


def _counts(frame: pd.DataFrame, outcomes: Sequence[str], weight: str) -> pd.DataFrame:
    matched = frame[frame[weight] > 0]
    group = np.where(matched["pilot"] == 1, "pilot LAs", "comparator LAs")
    sums = {o: (o, lambda s: int((s == 1).sum())) for o in outcomes}  # NaN: not counted
    counts = (
        matched.assign(group=group)
        .groupby(["group", "cohort_year"])
        .agg(children=("pilot", "size"), **sums)
    )
    return counts.reset_index()


def _method(
    frame: pd.DataFrame,
    method: str,
    outcomes: Sequence[str],
    covariates: list[str],
    reps: int,
    seed: int,
    report: Progress,
    k: int,
    n_methods: int,
) -> tuple[pd.DataFrame, pd.DataFrame, list[OutcomeEstimate], list[pd.DataFrame], list[str]]:
    """Match by ``method`` (its weights go in ``weight_<method>``) and estimate every outcome."""
    m = _match(frame, method)
    frame[f"weight_{method}"] = m.weights.reindex(frame.index).fillna(0.0).to_numpy()
    frame["weight"] = frame[f"weight_{method}"]
    table = balance_table(frame, treated="pilot", covariates=covariates, weights=frame["weight"])
    estimates: list[OutcomeEstimate] = []
    events: list[pd.DataFrame] = []
    notes: list[str] = []
    for j, outcome in enumerate(outcomes):
        report(
            f"estimating {outcome} ({method})",
            0.1 + 0.8 * (k + (j + 1) / (len(outcomes) + 1)) / n_methods,
        )
        try:
            est, es, fit_notes = _estimate(frame, outcome, method, reps, seed)
        except InputError as exc:
            if outcome not in WHERE_HELD:
                raise
            notes.append(f"{OUTCOME_TITLES[outcome]} not estimated: {exc.problems[-1].message}")
            continue
        notes.extend(fit_notes)
        estimates.append(est)
        events.append(es)
    return table.assign(method=method), m.steps.assign(method=method), estimates, events, notes


def estimate_child_impact(
    cohorts: pd.DataFrame,
    adoption: Mapping[str, int],
    *,
    reps: int = 9999,
    seed: int = 2018,
    methods: Sequence[str] = METHODS,
    outcomes: Sequence[str] = OUTCOMES,
    dropped: Mapping[str, int] | None = None,
    progress: Progress | None = None,
    null_draws: int = NULL_DRAWS,
) -> ChildImpactResult:
    """Match, estimate every outcome by every method, calibrate the headline's verdicts on
    ``null_draws`` worlds of its own design (:mod:`.design_verdicts`; fewer than
    :data:`~csceval.impact.multiplicity.MIN_RANK_DRAWS`: none, and the verdicts use the CR2
    test alone), and gather the aggregates."""
    report = progress or (lambda step, fraction: None)
    frame = analysis_frame(cohorts, adoption)
    outcomes = [o for o in outcomes if frame[o].notna().any()]
    estimates, events, balances, steps = [], [], [], []
    notes: list[str] = []
    covariates = indicator_columns(frame)
    for k, method in enumerate(methods):
        report(f"matching ({method})", 0.1 + 0.8 * k / len(methods))
        try:
            with single_blas_thread():  # small products: BLAS threads only contend for cores
                got = _method(
                    frame, method, outcomes, covariates, reps, seed, report, k, len(methods)
                )
        except InputError as exc:
            if method == methods[0]:  # the headline: no result without it
                raise
            notes.append(
                f"{METHOD_TITLES[method]} could not be estimated: {exc.problems[-1].message}"
            )
            continue
        balances.append(got[0])
        steps.append(got[1])
        estimates.extend(got[2])
        events.extend(got[3])
        notes.extend(got[4])
    operating = None
    headline = [e for e in estimates if e.method == methods[0] == "cem"]
    if null_draws >= MIN_RANK_DRAWS and headline:
        report(f"calibrating on {null_draws:,} worlds of this design", 0.92)
        frame["weight"] = frame["weight_cem"]
        operating = calibrate_on_design(frame, headline, null_draws, seed)
    report("done", 1.0)
    years = tuple(sorted(int(y) for y in frame["cohort_year"].unique()))
    pilots = tuple(sorted(frame.loc[frame["pilot"] == 1, "la_code"].unique()))
    comparators = tuple(sorted(frame.loc[frame["pilot"] == 0, "la_code"].unique()))
    if not frame["cla_12m"].notna().any():
        notes.append("No SSDA903 returns: entry to care not estimated.")
    if any(e.outcome == "permanence_24m" for e in estimates):
        notes.append(
            "Permanence within 24 months is measured on the children who entered care within 12 "
            "months of the referral and whose 24 months are in the returns: a pilot that changes "
            "who enters care also changes whom it is measured on."
        )
    balance = pd.concat(balances, ignore_index=True)
    balance = balance[["method", "covariate", "smd_before", "smd_after"]]
    return ChildImpactResult(
        tuple(estimates),
        pd.concat(events, ignore_index=True),
        balance,
        pd.concat(steps, ignore_index=True),
        _counts(frame, outcomes, f"weight_{methods[0]}"),
        pilots,
        comparators,
        years,
        dict(dropped or {}),
        tuple(dict.fromkeys(notes)),
        operating=operating,
    )
