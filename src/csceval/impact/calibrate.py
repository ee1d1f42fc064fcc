"""The real size and coverage of each impact test, measured on a panel where nothing happened.

:func:`calibrate` draws sets of pseudo-pilots at random from units that never adopted (the
candidates), gives them the real pilots' adoption years, runs each method as the report would,
and counts how often its nominal ``alpha`` test rejects and how often its interval covers
zero. The true effect of a pseudo-pilot is zero, so the rejection rate is the test's actual
size and the coverage its actual coverage, on the panel's own noise, trends and shocks.

Methods (``METHODS``):

- ``synth_pooled``: pooled synthetic control, the mean effect over all pseudo-pilots tested
  against re-drawn pseudo-pilot sets (:func:`pooled_synth`; randomization p-value). One test
  per draw; no interval.
- ``synth_rmspe``: each pseudo-pilot's in-space placebo test (post/pre RMSPE ratio rank). One
  test per pseudo-pilot and draw; no interval.
- ``did``: Callaway-Sant'Anna, never-treated controls, simple aggregation, multiplier
  bootstrap, t interval on (pseudo-pilots - 1) df as in the report
  (:func:`~csceval.impact.did.few_treated_interval`); rejects when the 95% interval excludes
  zero. One test per draw.
- ``sdid``: synthetic DiD by cohort, aggregated; jackknife (default) or placebo standard error,
  normal interval. One test per draw.
- ``its``: controlled interrupted time series of each pseudo-pilot against the mean of the
  other candidates; HAC t-test of the average post-period effect. One test per pseudo-pilot
  and draw.
- ``random_trend`` (opt-in, ``OPT_IN_METHODS``: run only when asked for): the random-trend
  model (:func:`~csceval.impact.random_trend.random_trend`), its hyperparameters fitted by REML
  on each draw's controls; normal interval. One test per draw.

The Monte Carlo error of a rate ``p`` from ``n`` tests is ``sqrt(p (1 - p) / n)`` (tests of
pseudo-pilots within one draw are not independent, so for ``synth_rmspe`` and ``its`` it is
a lower bound). Candidates are the units with the outcome observed in every year of its span
(the latest unbroken run of years where any unit has a value), minus ``exclude`` (the real
adopters).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.stats import norm

from csceval.executor import map_tasks
from csceval.impact.calibrate_result import (
    ALL_METHODS,
    LABELS,
    METHODS,
    CalibrationResult,
    MethodCalibration,
)
from csceval.impact.did import aggte, att_gt, few_treated_interval
from csceval.impact.its import its
from csceval.impact.random_trend import random_trend
from csceval.impact.sdid import synthdid
from csceval.impact.synth import SynthPanel, SynthSpec, pooled_synth
from csceval.impact.synth_data import latest_span, positive_log

FloatArray = npt.NDArray[np.float64]
__all__ = [
    "ALL_METHODS", "LABELS", "METHODS", "CalibrationResult", "MethodCalibration", "calibrate",
    "candidate_panel",
]  # fmt: skip


def candidate_panel(
    panel: SynthPanel, outcome: str, exclude: Sequence[str]
) -> tuple[SynthPanel, tuple[str, ...], list[str]]:
    """The outcome's span of years and the units observed in all of them (not excluded)."""
    y = panel.variable(outcome)
    observed_times = [panel.times[i] for i in np.flatnonzero(np.isfinite(y).any(axis=1))]
    years = set(latest_span(observed_times))
    if not years:
        raise ValueError(f"{outcome} has no values")
    span = np.asarray([i for i, t in enumerate(panel.times) if t in years], dtype=np.intp)
    observed = np.isfinite(y[span]).sum(axis=0) == len(span)
    complete = [bool(observed[j]) for j in range(len(panel.units))]
    excluded = {str(u) for u in exclude}
    keep = [u for u, ok in zip(panel.units, complete, strict=True) if ok and u not in excluded]
    notes = [
        f"{complete.count(False)} unit(s) left out: {outcome} missing in some year "
        f"{panel.times[span[0]]}-{panel.times[span[-1]]}"
    ]
    cols = np.asarray([panel.index_of(u) for u in keep], dtype=np.intp)
    sub = SynthPanel(
        units=tuple(keep),
        times=tuple(panel.times[i] for i in span),
        values={outcome: y[np.ix_(span, cols)]},
    )
    return sub, tuple(keep), notes


def calibrate(
    panel: SynthPanel,
    outcome: str,
    adoption_years: Sequence[int],
    *,
    exclude: Sequence[str] = (),
    methods: Sequence[str] = METHODS,
    n_draws: int = 100,
    alpha: float = 0.05,
    seed: int = 0,
    synth_draws: int = 199,
    n_boot: int = 499,
    sdid_inference: str = "jackknife",
    sdid_reps: int = 50,
    log: bool = False,
    progress: Callable[[int], None] | None = None,
    jobs: int = 1,
    scheduler: str | None = None,
) -> CalibrationResult:
    """Measure each method's rejection rate and coverage on pseudo-pilots (true effect 0).

    ``log``: analyse the log of the outcome (non-positive values missing), as the impact strand
    does for rates; sizes and coverage of zero do not depend on the final transformation.

    ``adoption_years`` has one entry per pilot. ``progress`` is called after each draw with
    the number of draws done. The draws run through :func:`~csceval.executor.map_tasks`
    (``jobs`` local processes or a Dask ``scheduler``); each draw's pseudo-pilots and seed are
    drawn here first, so the result is the same on any executor. Raises ``ValueError`` if a
    method is unknown, an adoption year leaves fewer than two years before it or none from it,
    or there are too few candidates.
    """
    unknown = [m for m in methods if m not in ALL_METHODS]
    if unknown:
        raise ValueError(f"unknown method(s) {unknown}; choose from {ALL_METHODS}")
    if not adoption_years:
        raise ValueError("no adoption years given")
    if log:
        logged = positive_log(panel.variable(outcome))
        panel = SynthPanel(panel.units, panel.times, {**panel.values, outcome: logged})
    sub, candidates, notes = candidate_panel(panel, outcome, exclude)
    times = sub.times
    for year in adoption_years:
        if year - times[0] < 2 or year > times[-1]:
            raise ValueError(
                f"adoption year {year} needs two years before it and one from it within "
                f"{outcome}'s years {times[0]}-{times[-1]}"
            )
    n_pilots = len(adoption_years)
    if len(candidates) < n_pilots + 3:
        raise ValueError(
            f"{len(candidates)} candidate unit(s) with complete {outcome}: too few for "
            f"{n_pilots} pseudo-pilots and their controls"
        )
    stats = {m: MethodCalibration(m) for m in methods}
    rng = np.random.default_rng(seed)
    options: dict[str, Any] = {"alpha": alpha, "synth_draws": synth_draws, "n_boot": n_boot}
    options |= {"sdid_inference": sdid_inference, "sdid_reps": sdid_reps}
    draws = []
    for draw in range(n_draws):
        picked = rng.choice(len(candidates), n_pilots, replace=False)
        treated = {candidates[i]: int(t) for i, t in zip(picked, adoption_years, strict=True)}
        draws.append(_Draw(sub, outcome, treated, seed * 100_003 + draw, tuple(stats), options))
    label = f"calibrating {outcome}"
    run = map_tasks(
        _run_draw, draws, jobs=jobs, scheduler=scheduler, label=label, progress=progress or False
    )
    for draw_stats in run:
        for name, count in draw_stats.items():
            stats[name].merge(count)
    settings: dict[str, object] = {
        "synth": "outcome-only, demeaned, equal V (every pre-period outcome)",
        "synth_draws": synth_draws,
        "did": f"never-treated, doubly robust, simple aggregation, {n_boot} bootstrap draws",
        "sdid": sdid_inference
        + (f", {sdid_reps} replications" if sdid_inference == "placebo" else ""),
        "its": "pilot minus mean of the other candidates; Newey-West, rule-of-thumb lag",
        "scale": "log" if log else "level",
    }
    if "random_trend" in methods:
        settings["random_trend"] = "REML on each draw's controls, normal interval"
    return CalibrationResult(
        outcome=outcome,
        adoption_years=tuple(int(t) for t in adoption_years),
        n_draws=n_draws,
        alpha=alpha,
        seed=seed,
        n_candidates=len(candidates),
        years=(times[0], times[-1]),
        methods=stats,
        settings=settings,
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class _Draw:
    """One draw's task: the candidates' panel, its pseudo-pilots and its own seed."""

    sub: SynthPanel
    outcome: str
    treated: dict[str, int]
    seed: int
    methods: tuple[str, ...]
    options: dict[str, Any]
    """``alpha``, ``synth_draws``, ``n_boot``, ``sdid_inference``, ``sdid_reps``."""


def _run_draw(task: _Draw) -> dict[str, MethodCalibration]:
    """Every method's counts on one draw (a failing method counts a failure)."""
    sub, outcome, treated, draw_seed = task.sub, task.outcome, task.treated, task.seed
    o = task.options
    stats = {m: MethodCalibration(m) for m in task.methods}
    controls = [u for u in sub.units if u not in treated]
    spec = SynthSpec(outcome, v_method="equal", demean=True)
    alpha = o["alpha"]
    z = float(norm.ppf(1 - alpha / 2))
    y = sub.variable(outcome)
    synth = [m for m in ("synth_pooled", "synth_rmspe") if m in stats]
    for method in [m for m in stats if m not in synth] + synth[:1]:
        try:
            if method in synth:
                _synth(stats, sub, spec, treated, controls, o["synth_draws"], draw_seed, alpha)
            elif method == "did":
                _did(stats[method], sub, y, outcome, treated, o["n_boot"], draw_seed)
            elif method == "sdid":
                _sdid(
                    stats[method], sub, outcome, treated, controls, z,
                    o["sdid_inference"], o["sdid_reps"], draw_seed,
                )  # fmt: skip
            elif method == "random_trend":
                _random_trend(stats[method], sub, outcome, treated, controls, z)
            else:
                _its(stats[method], sub, outcome, treated, controls, alpha)
        except ValueError as exc:
            for name in synth if method in synth else [method]:
                stats[name].failures += 1
                stats[name].first_failure = stats[name].first_failure or str(exc)
    return stats


DRAW_OPTIONS: dict[str, Any] = {
    "alpha": 0.05, "synth_draws": 199, "n_boot": 499, "sdid_inference": "jackknife",
    "sdid_reps": 50,
}  # fmt: skip
""":func:`calibrate`'s defaults: the tests as the report runs them."""


def run_methods_once(
    sub: SynthPanel,
    outcome: str,
    treated: dict[str, int],
    methods: Sequence[str],
    seed: int,
    options: dict[str, Any] | None = None,
) -> dict[str, MethodCalibration]:
    """Every method once on pseudo-pilots ``treated`` (the other units of ``sub`` are the
    controls), as one draw of :func:`calibrate` runs them; the design calibration's draws
    (:mod:`csceval.strands.impact.design`) use it."""
    task = _Draw(sub, outcome, treated, seed, tuple(methods), options or DRAW_OPTIONS)
    return _run_draw(task)


def _synth(
    stats: dict[str, MethodCalibration],
    sub: SynthPanel,
    spec: SynthSpec,
    treated: dict[str, int],
    controls: list[str],
    n_draws: int,
    seed: int,
    alpha: float,
) -> None:
    """One pooled fit serves both synthetic-control tests."""
    result = pooled_synth(sub, spec, treated, controls, n_draws=n_draws, seed=seed)
    if "synth_pooled" in stats:
        stats["synth_pooled"].record(result.p_value <= alpha, result.att)
    if "synth_rmspe" in stats:
        for unit in treated:
            p_value = result.placebos[unit].p_value
            if math.isfinite(p_value):  # NaN: fitted exactly, so it has no ratio test
                stats["synth_rmspe"].record(p_value <= alpha, float(result.fits[unit].att))


def _did(
    stat: MethodCalibration,
    sub: SynthPanel,
    y: FloatArray,
    outcome: str,
    treated: dict[str, int],
    n_boot: int,
    seed: int,
) -> None:
    n_t, n_u = y.shape
    frame = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n_u), n_t),
            "time": np.tile(np.asarray(sub.times), n_u),
            outcome: y.T.ravel(),
            "group": np.repeat([treated.get(u, 0) for u in sub.units], n_t),
        }
    )
    res = att_gt(
        frame, outcome, unit="unit", time="time", group="group",
        inference="bootstrap", n_boot=n_boot, seed=seed,
    )  # fmt: skip
    agg = aggte(res, "simple")
    low, high, _ = few_treated_interval(agg.overall_att, agg.overall_se, len(treated))
    stat.record(not low <= 0 <= high, agg.overall_att, low <= 0 <= high, (high - low) / 2)


def _sdid(
    stat: MethodCalibration,
    sub: SynthPanel,
    outcome: str,
    treated: dict[str, int],
    controls: list[str],
    z: float,
    inference: str,
    n_reps: int,
    seed: int,
) -> None:
    fit = synthdid(
        sub, outcome, treated, controls=controls,
        inference=inference,  # type: ignore[arg-type]
        n_reps=n_reps, seed=seed,
    )  # fmt: skip
    if not math.isfinite(fit.se):
        raise ValueError("synthetic DiD standard error not defined: " + "; ".join(fit.notes))
    _record_normal(stat, fit.tau, fit.se, z)


def _random_trend(
    stat: MethodCalibration,
    sub: SynthPanel,
    outcome: str,
    treated: dict[str, int],
    controls: list[str],
    z: float,
) -> None:
    """Deterministic (no seed): the hyperparameters are refitted on each draw's controls."""
    fit = random_trend(sub, treated, controls, variable=outcome)
    if not fit.se > 0:
        raise ValueError("random-trend standard error not positive")
    _record_normal(stat, fit.att, fit.se, z)


def _record_normal(stat: MethodCalibration, estimate: float, se: float, z: float) -> None:
    """One test of a normal interval ``estimate +/- z se``: rejected when it excludes zero."""
    low, high = estimate - z * se, estimate + z * se
    stat.record(not low <= 0 <= high, estimate, low <= 0 <= high, z * se)


def _its(
    stat: MethodCalibration,
    sub: SynthPanel,
    outcome: str,
    treated: dict[str, int],
    controls: list[str],
    alpha: float,
) -> None:
    for unit, start in treated.items():
        res = its(sub, outcome, unit, start, comparison=controls)
        low, high = res.ci(res.effect, res.effect_se)
        p_value = res.p_value(res.effect, res.effect_se)
        stat.record(p_value <= alpha, res.effect, low <= 0 <= high)
