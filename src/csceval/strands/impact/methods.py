"""Each estimator of the plan on one indicator: the rows of the side-by-side table.

The module notes of :mod:`csceval.strands.impact.strand` describe the data rules (balanced
panel, dropped pilots and comparators) and each method's settings.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
from scipy.stats import norm

from csceval.impact.adoption_sensitivity import (
    HEADLINE_SEED,
    MIN_DONORS_OVER_PILOTS,
    headline_panel,
    pooled_headline,
)
from csceval.impact.did import aggte, att_gt, few_treated_interval
from csceval.impact.estimands import PLAN_ESTIMATOR
from csceval.impact.sdid import synthdid
from csceval.impact.synth import SynthPanel
from csceval.impact.synth_pooled import PooledSynthResult
from csceval.indicators.catalogue import Indicator
from csceval.strands.impact.draws import N_BOOT as N_BOOT
from csceval.strands.impact.draws import SYNTH_DRAWS as SYNTH_DRAWS
from csceval.strands.impact.its_chart import its_gaps
from csceval.strands.impact.random_trend_rows import LABEL as TREND_LABEL
from csceval.strands.impact.random_trend_rows import METHOD as TREND_METHOD
from csceval.strands.impact.random_trend_rows import random_trend_row
from csceval.strands.impact.results import (
    Estimate,
    IndicatorImpact,
    calibrated_size,
    over_rejecting,
)
from csceval.strands.impact.scale import analysis_scale, from_log, percent_frame, to_analysis_scale
from csceval.strands.impact.synth_table import synth_fit_frame

SEED = HEADLINE_SEED


MIN_PRE_YEARS = 3
"""Default ``[impact] min_pre_years``: pre-adoption years a pilot needs (see the strand notes)."""


MAX_PLACEBO_LINES = 20
"""Pooled placebo gap series drawn on the synthetic-control chart (best pre-period fits)."""


Z95 = float(norm.ppf(0.975))


METHOD_LABELS: dict[str, str] = {
    "synth_pooled": "Synthetic control, pooled",
    "synth_rmspe": "Synthetic control",
    "did": "Callaway-Sant'Anna DiD",
    "sdid": "Synthetic DiD",
    TREND_METHOD: TREND_LABEL,
}
"""Methods with rows in the estimates table; ITS is a chart only (:mod:`.its_chart`)."""


ESTIMATOR_ROWS: dict[str, str] = {e: m for m, e in PLAN_ESTIMATOR.items() if e != m}
"""The plan's estimator -> its pooled row's method, where the names differ."""


def _methods(estimators: tuple[str, ...]) -> list[str]:
    return [ESTIMATOR_ROWS.get(e, e) for e in estimators if e != "its"]


def not_estimable(
    indicator: Indicator, estimators: tuple[str, ...], reason: str, notes: list[str]
) -> IndicatorImpact:
    """An indicator with no estimates: one explicit row per method."""
    rows = tuple(
        Estimate(m, METHOD_LABELS[m], note=f"not estimable: {reason}", estimable=False)
        for m in _methods(estimators)
    )
    scale = analysis_scale(indicator)
    return IndicatorImpact(indicator, rows, None, None, (), 0, None, (*notes, reason), scale)


def analyse_indicator(
    indicator: Indicator,
    values: pd.DataFrame,
    adoption: dict[str, int],
    donors: tuple[str, ...],
    estimators: tuple[str, ...],
    calibration: dict[str, object],
    names: dict[str, str] | None = None,
    min_pre_years: int = MIN_PRE_YEARS,
) -> IndicatorImpact:
    """All the plan's estimators on one indicator (``values``: LAs x years, NaN suppressed)."""
    scale = analysis_scale(indicator)
    hp = headline_panel(to_analysis_scale(values, scale), adoption, donors, min_pre_years, names)
    panel, pilots, usable, notes = hp.panel, hp.pilots, hp.donors, hp.notes
    if panel is None:
        if not values.notna().to_numpy().any():
            reason = "every value is suppressed or missing"
        elif not pilots:
            reason = f"no pilot has complete data and at least {min_pre_years} pre-period years"
        else:
            reason = "no comparator LA has complete data (no donors)"
        return not_estimable(indicator, estimators, reason, notes)
    if len(usable) < len(pilots) + MIN_DONORS_OVER_PILOTS:
        reason = f"only {len(usable)} comparator LA(s) with complete data: too few donors"
        return not_estimable(indicator, estimators, reason, notes)
    rows: list[Estimate] = []
    event: pd.DataFrame | None = None
    gaps: pd.DataFrame | None = None
    fits: pd.DataFrame | None = None
    its_frame: pd.DataFrame | None = None
    for est in estimators:
        try:
            if est == "synth":
                pooled = pooled_headline(panel, pilots, usable)
                rows += _synth_rows(pooled, names or {})
                gaps = _gap_frame(pooled)
                fits = synth_fit_frame(pooled, names or {})
                notes += perfect_fit_notes(pooled, names or {})
            elif est == "did":
                row, event = _did(panel, pilots)
                rows.append(row)
            elif est == "sdid":
                rows.append(_sdid(panel, pilots, usable))
            elif est == "trend":
                rows.append(random_trend_row(panel, pilots, usable, scale))
            elif est == "its":
                its_frame = its_gaps(panel, pilots, usable)
        except ValueError as exc:
            for method in _methods((est,)):
                rows.append(
                    Estimate(method, METHOD_LABELS[method], note=f"not estimable: {exc}",
                             estimable=False)
                )  # fmt: skip
    rows = [_with_size(r, indicator.id, calibration) for r in rows]
    if scale == "log":
        notes.append(
            "Estimated on the log scale; effects, intervals, fits and gaps are per cent changes."
        )
    return _reported(
        IndicatorImpact(
            indicator=indicator,
            estimates=tuple(rows),
            event_study=event,
            synth_gaps=gaps,
            pilots_used=tuple(sorted(pilots)),
            n_donors=len(usable),
            years=(panel.times[0], panel.times[-1]),
            notes=tuple(notes),
            scale=scale,
            synth_fits=fits,
            its_gaps=its_frame,
        )
    )


def _with_size(row: Estimate, indicator: str, calibration: dict[str, object]) -> Estimate:
    """Add the calibrated-size label to an over-rejecting method's note."""
    size = calibrated_size(calibration, row.method, indicator)
    if size is None or not over_rejecting(calibration, row.method, indicator) or not row.estimable:
        return row
    label = f"over-rejects: real size {size:.1%} at nominal 5%"
    return replace(row, note="; ".join(x for x in (row.note, label) if x))


def _reported(impact: IndicatorImpact) -> IndicatorImpact:
    """Log-scale estimates, intervals, fits, event study and gaps as per cent changes."""
    if impact.scale == "level":
        return impact
    rows = tuple(
        replace(e, estimate=from_log(e.estimate), low=from_log(e.low), high=from_log(e.high),
                fit=100.0 * e.fit)
        for e in impact.estimates
    )  # fmt: skip
    return replace(
        impact,
        estimates=rows,
        event_study=percent_frame(impact.event_study),
        synth_gaps=percent_frame(impact.synth_gaps),
        synth_fits=None
        if impact.synth_fits is None
        else impact.synth_fits.assign(pre_rmspe=100.0 * impact.synth_fits["pre_rmspe"]),
        its_gaps=None
        if impact.its_gaps is None
        else impact.its_gaps.assign(its=impact.its_gaps["its"].map(from_log)),
    )


def perfect_fit_notes(pooled: PooledSynthResult, names: dict[str, str]) -> list[str]:
    """Pilots and placebos whose pre-period the donors reproduce exactly (pre-RMSPE ~ 0).

    Such fits have no RMSPE ratio: exact placebos are left out of each pilot's ratio test and a
    pilot fitted exactly has no ratio p-value (:mod:`csceval.impact.synth_placebo`).
    """
    exact = [names.get(u, u) for u in sorted(pooled.placebos) if pooled.placebos[u].treated_perfect]
    placebos = {u: p.n_perfect for u, p in pooled.placebos.items()}
    notes = []
    if exact:
        notes.append(
            f"Perfect pre-period fit (pre-RMSPE ~ 0, no RMSPE-ratio test) for {len(exact)} "
            f"pilot(s): {', '.join(exact)}."
        )
    if any(placebos.values()):
        most = max(placebos.values())
        notes.append(
            f"Up to {most} placebo comparator(s) per pilot fit the pre-period exactly and were "
            "left out of the RMSPE-ratio test."
        )
    return notes


def _synth_rows(pooled: PooledSynthResult, names: dict[str, str]) -> list[Estimate]:
    """The pooled row and one row per pilot.

    The pooled 95% interval inverts the randomization test under a constant additive effect:
    ``[att - q97.5, att - q2.5]`` of the re-drawn pseudo-pilot effects.
    """
    fits = pooled.fits
    q_low, q_high = np.quantile(pooled.null_att, [0.025, 0.975])
    rows = [
        Estimate(
            "synth_pooled",
            METHOD_LABELS["synth_pooled"],
            estimate=float(pooled.att),
            low=float(pooled.att - q_high),
            high=float(pooled.att - q_low),
            p_value=float(pooled.p_value),
            fit=float(np.mean([f.pre_rmspe for f in fits.values()])),
            note=f"randomization test over {pooled.n_draws} pseudo-pilot sets; interval by "
            "inverting it (constant additive effect)",
        )
    ]
    for unit in sorted(fits):
        rows.append(
            Estimate(
                "synth_rmspe",
                f"{METHOD_LABELS['synth_rmspe']}, {names.get(unit, unit)}",
                estimate=float(fits[unit].att),
                p_value=float(pooled.placebos[unit].p_value),
                fit=float(fits[unit].pre_rmspe),
                note="in-space placebo test (post/pre RMSPE ratio)",
                unit=unit,
            )
        )
    return rows


def _gap_frame(pooled: PooledSynthResult) -> pd.DataFrame:
    """Pooled gap by event time, and each donor's placebo gap pooled the same way.

    A donor's pooled placebo gap at event time ``e`` is the mean, over pilots, of its gap when
    refitted as if treated at that pilot's adoption year, so it is comparable with the pilots'
    pooled gap. The donors with the best pre-period fit are drawn (at most
    :data:`MAX_PLACEBO_LINES`).
    """
    event_times = sorted(pooled.event_gaps)
    frame = pd.DataFrame({"event_time": event_times})
    frame["pilots"] = [pooled.event_gaps[e] for e in event_times]
    sums: dict[str, dict[int, list[float]]] = {}
    pre: dict[str, list[float]] = {}
    for unit, placebo in pooled.placebos.items():
        start = pooled.treatment_times[unit]
        for k, donor in enumerate(placebo.placebo_units):
            series = sums.setdefault(donor, {})
            pre.setdefault(donor, []).append(float(placebo.pre_rmspe[k]))
            for t, gap in zip(placebo.times, placebo.gaps[k], strict=True):
                series.setdefault(int(t) - start, []).append(float(gap))
    best = sorted(pre, key=lambda d: float(np.mean(pre[d])))[:MAX_PLACEBO_LINES]
    for i, donor in enumerate(best):
        frame[f"placebo_{i + 1}"] = [
            float(np.mean(sums[donor][e])) if sums[donor].get(e) else math.nan for e in event_times
        ]
    return frame


def _long(panel: SynthPanel, pilots: dict[str, int]) -> pd.DataFrame:
    y = panel.variable("y")
    n_t, n_u = y.shape
    return pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n_u), n_t),
            "time": np.tile(np.asarray(panel.times), n_u),
            "y": y.T.ravel(),
            "group": np.repeat([pilots.get(u, 0) for u in panel.units], n_t),
        }
    )


def _did(panel: SynthPanel, pilots: dict[str, int]) -> tuple[Estimate, pd.DataFrame]:
    res = att_gt(
        _long(panel, pilots), "y", unit="unit", time="time", group="group",
        control_group="nevertreated", est_method="dr", inference="bootstrap",
        n_boot=N_BOOT, seed=SEED,
    )  # fmt: skip
    simple = aggte(res, "simple", na_rm=True)
    dynamic = aggte(res, "dynamic", na_rm=True)
    event = pd.DataFrame(
        {
            "event_time": dynamic.labels.astype(int),
            "att": dynamic.att,
            "low": dynamic.ci_lower,
            "high": dynamic.ci_upper,
        }
    )
    att, se = float(simple.overall_att), float(simple.overall_se)
    low, high, p_value = few_treated_interval(att, se, len(pilots))  # t on pilots - 1 df
    before = event[event["event_time"] < 0]
    pretrend = bool(((before["low"] > 0) | (before["high"] < 0)).any()) if len(before) else None
    pretest = (
        ""
        if pretrend is None
        else "; pre-adoption effects outside the uniform band: "
        + ("yes (parallel trends doubtful)" if pretrend else "none")
    )
    row = Estimate(
        "did",
        METHOD_LABELS["did"],
        estimate=att,
        low=low,
        high=high,
        p_value=p_value,
        pretrend=pretrend,
        note=f"never-treated comparators, doubly robust, {N_BOOT} bootstrap draws, "
        f"t on {max(len(pilots) - 1, 1)} df{pretest}",
    )
    return row, event


def _sdid(panel: SynthPanel, pilots: dict[str, int], donors: list[str]) -> Estimate:
    fit = synthdid(panel, "y", pilots, controls=donors, inference="jackknife", seed=SEED)
    if not math.isfinite(fit.se):
        return Estimate(
            "sdid",
            METHOD_LABELS["sdid"],
            estimate=float(fit.tau),
            note="jackknife standard error not defined (one pilot, or a cohort with one weighted "
            "comparator): no interval",
        )
    return Estimate(
        "sdid",
        METHOD_LABELS["sdid"],
        estimate=float(fit.tau),
        low=float(fit.tau - Z95 * fit.se),
        high=float(fit.tau + Z95 * fit.se),
        p_value=float(2 * norm.sf(abs(fit.tau / fit.se))) if fit.se > 0 else math.nan,
        note="per adoption cohort, aggregated; jackknife standard error",
    )
