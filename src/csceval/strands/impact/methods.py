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

from csceval.impact.did import aggte, att_gt
from csceval.impact.its import its
from csceval.impact.sdid import synthdid
from csceval.impact.synth import SynthPanel, SynthSpec, pooled_synth
from csceval.impact.synth_data import latest_span
from csceval.impact.synth_pooled import PooledSynthResult
from csceval.indicators.catalogue import Indicator
from csceval.strands.impact.results import SIZE_LIMIT, Estimate, IndicatorImpact, calibrated_size
from csceval.strands.impact.scale import analysis_scale, from_log, percent_frame, to_analysis_scale
from csceval.strands.impact.synth_table import synth_fit_frame

SYNTH_DRAWS = 199
"""Re-drawn pseudo-pilot sets for the pooled randomization test (p-value resolution 1/200)."""


N_BOOT = 199
"""Multiplier-bootstrap draws for Callaway-Sant'Anna (kept small so the demo stays quick)."""


SEED = 20180401


MAX_PLACEBO_LINES = 20
"""Pooled placebo gap series drawn on the synthetic-control chart (best pre-period fits)."""


Z95 = float(norm.ppf(0.975))


METHOD_LABELS: dict[str, str] = {
    "synth_pooled": "Synthetic control, pooled (headline)",
    "synth_rmspe": "Synthetic control",
    "did": "Callaway-Sant'Anna DiD",
    "sdid": "Synthetic DiD",
    "its": "Controlled ITS (descriptive)",
}


def _methods(estimators: tuple[str, ...]) -> list[str]:
    return [m for e in estimators for m in (["synth_pooled"] if e == "synth" else [e])]


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


def balanced_panel(
    values: pd.DataFrame, adoption: dict[str, int], donors: tuple[str, ...]
) -> tuple[SynthPanel | None, dict[str, int], list[str], list[str]]:
    """The balanced panel of the usable pilots and donors, and notes on who was dropped."""
    notes: list[str] = []
    years = latest_span([int(y) for y in values.columns[values.notna().any(axis=0).to_numpy()]])
    if not years:
        return None, {}, [], []
    block = values.reindex(columns=years)
    complete = set(block.index[block.notna().all(axis=1).to_numpy()])
    pilots = {p: t for p, t in adoption.items() if p in complete}
    if len(pilots) < len(adoption):
        notes.append(
            f"{len(adoption) - len(pilots)} pilot(s) dropped: a suppressed or missing value in "
            f"{years[0]}-{years[-1]}"
        )
    short = {p: t for p, t in pilots.items() if t - years[0] < 2 or t > years[-1]}
    if short:
        notes.append(
            f"{len(short)} pilot(s) dropped: fewer than two years before adoption, or adoption "
            f"after {years[-1]}, in the indicator's years {years[0]}-{years[-1]}"
        )
    pilots = {p: t for p, t in pilots.items() if p not in short}
    usable = [d for d in donors if d in complete and d not in adoption]
    if len(usable) < len([d for d in donors if d not in adoption]):
        notes.append(
            f"{len([d for d in donors if d not in adoption]) - len(usable)} comparator(s) "
            f"dropped: a suppressed or missing value in {years[0]}-{years[-1]}"
        )
    units = [*sorted(pilots), *usable]
    if not pilots or not usable:
        return None, pilots, usable, notes
    matrix = block.loc[units].to_numpy(dtype=np.float64).T
    panel = SynthPanel(units=tuple(units), times=tuple(years), values={"y": matrix})
    return panel, pilots, usable, notes


def analyse_indicator(
    indicator: Indicator,
    values: pd.DataFrame,
    adoption: dict[str, int],
    donors: tuple[str, ...],
    estimators: tuple[str, ...],
    calibration: dict[str, object],
    names: dict[str, str] | None = None,
) -> IndicatorImpact:
    """All the plan's estimators on one indicator (``values``: LAs x years, NaN suppressed)."""
    scale = analysis_scale(indicator)
    panel, pilots, usable, notes = balanced_panel(
        to_analysis_scale(values, scale), adoption, donors
    )
    if panel is None:
        if not values.notna().to_numpy().any():
            reason = "every value is suppressed or missing"
        elif not pilots:
            reason = "no pilot has complete data and at least two pre-period years"
        else:
            reason = "no comparator LA has complete data (no donors)"
        return not_estimable(indicator, estimators, reason, notes)
    if len(usable) < len(pilots) + 3:
        reason = f"only {len(usable)} comparator LA(s) with complete data: too few donors"
        return not_estimable(indicator, estimators, reason, notes)
    rows: list[Estimate] = []
    event: pd.DataFrame | None = None
    gaps: pd.DataFrame | None = None
    fits: pd.DataFrame | None = None
    for est in estimators:
        try:
            if est == "synth":
                pooled = pooled_synth(
                    panel, SynthSpec("y", v_method="equal", demean=True), pilots, usable,
                    n_draws=SYNTH_DRAWS, seed=SEED,
                )  # fmt: skip
                rows += _synth_rows(pooled, names or {})
                gaps = _gap_frame(pooled)
                fits = synth_fit_frame(pooled, names or {})
            elif est == "did":
                row, event = _did(panel, pilots)
                rows.append(row)
            elif est == "sdid":
                rows.append(_sdid(panel, pilots, usable))
            elif est == "its":
                rows.append(_its(panel, pilots, usable))
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
        )
    )


def _with_size(row: Estimate, indicator: str, calibration: dict[str, object]) -> Estimate:
    """Add the calibrated-size label to an over-rejecting method's note."""
    size = calibrated_size(calibration, row.method, indicator)
    if size is None or size <= SIZE_LIMIT or not row.estimable:
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
    )


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
    low, high = simple.overall_ci
    se = simple.overall_se
    p_value = float(2 * norm.sf(abs(simple.overall_att / se))) if se > 0 else math.nan
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
        estimate=float(simple.overall_att),
        low=float(low),
        high=float(high),
        p_value=p_value,
        pretrend=pretrend,
        note=f"never-treated comparators, doubly robust, {N_BOOT} bootstrap draws{pretest}",
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


def _its(panel: SynthPanel, pilots: dict[str, int], donors: list[str]) -> Estimate:
    """Mean over pilots of the controlled-ITS effect; pilots ITS cannot fit are left out."""
    effects, skipped = [], 0
    for unit, start in pilots.items():
        try:
            effects.append(its(panel, "y", unit, start, comparison=donors).effect)
        except ValueError:
            skipped += 1
    if not effects:
        raise ValueError("no pilot has enough years before and after adoption for ITS")
    left_out = f"; {skipped} pilot(s) left out (too few years for ITS)" if skipped else ""
    return Estimate(
        "its",
        METHOD_LABELS["its"],
        estimate=float(np.mean(effects)),
        note="mean over pilots of the post-period effect against the comparators' mean; "
        f"descriptive only: no interval or p-value is reported{left_out}",
    )
