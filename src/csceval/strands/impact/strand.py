"""The impact strand: run the plan's estimators on the project's pilots, indicator by indicator.

Notes
-----
**Adoption year.** A pilot's adoption year is the first year ending 31 March after its
``implementation_start`` (the DfE year that contains the start: 2017-10-01 -> 2018). That year
counts as treated, so any effect of the early, partial implementation is in the estimate
rather than in the pre-period fit. Pilots without an implementation start are left out.

**Indicators.** Only the plan's indicators that are in :data:`HEADLINE_INDICATORS` are
analysed (the outcomes the framework is meant to move), in the plan's order; when the plan
names none of them, its first four indicators are used. This keeps the demo quick and the
multiple-testing burden small.

**Data.** Per indicator, the span is the latest unbroken run of years in which any LA has a
value. Pilots and donors must have a value in every year of the span (a balanced panel, which
every estimator needs); those with a suppressed or missing year are dropped with a note
naming how many. A pilot whose adoption year leaves fewer than two years of pre-period, or
falls after the span, is dropped too. Anything that leaves nothing to estimate is reported as
"not estimable" with the reason, never raised.

**Scale.** Rates per 10,000 children are analysed on the log scale and reported as relative
(per cent) changes, ``100 (exp(x) - 1)`` of each log-scale estimate, interval end and gap.
Rates differ three-fold between LAs and national changes move them proportionally, so parallel
trends hold in logs, not in levels: on synthetic England, where pilots have lower rates than
their comparators, level-scale estimates of the CLA effect were biased by a quarter of the
effect and the null referral tests rejected 7.5-9.5% (``csceval impact recovery``, see
docs/methods.md). A zero rate has no log and counts as missing. Percentages, caseloads and
the other indicators stay on their own scale (percentage points, etc.).

**Estimators** (from ``[analysis].estimators``):

- ``synth``: pooled outcome-only synthetic control (demeaned, equal V, every pre-period
  outcome: the weights match each pilot's path, not its level, see :class:`SynthSpec`), the
  headline: the mean effect over pilots tested against :data:`SYNTH_DRAWS` pseudo-pilot sets
  re-drawn from the comparators (randomization p-value); per-pilot fits with their in-space
  placebo (RMSPE-ratio) p-values.
- ``did``: Callaway-Sant'Anna, never-treated comparators, doubly robust, simple aggregation
  for the estimate and dynamic aggregation with a uniform (sup-t) band for the event study,
  multiplier bootstrap with :data:`N_BOOT` draws clustered by LA.
- ``sdid``: synthetic DiD per adoption cohort, aggregated, jackknife standard error.
- ``its``: controlled ITS of each pilot against the comparators' mean, averaged; descriptive
  only, since its calibrated size is 36-46% at nominal 5%.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from importlib.resources import files
from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import norm

from csceval.impact.did import aggte, att_gt
from csceval.impact.its import its
from csceval.impact.sdid import synthdid
from csceval.impact.synth import SynthPanel, SynthSpec, pooled_synth
from csceval.impact.synth_data import latest_span, positive_log
from csceval.impact.synth_pooled import PooledSynthResult
from csceval.indicators.catalogue import BY_ID, Indicator, Kind
from csceval.indicators.panel import wide_panel, year_ending_march
from csceval.project import ProjectData
from csceval.project.comparators import ComparatorSet, choose_comparators
from csceval.report.model import Strength
from csceval.strands.impact.frames import effect_text, effect_unit, estimates_frame
from csceval.strands.strand import StrandInputs

HEADLINE_INDICATORS: tuple[str, ...] = (
    "rereferral_within_12m_pct",
    "cpp_rate_per_10k",
    "cla_rate_per_10k",
    "referral_rate_per_10k",
    "cin_rate_per_10k",
)
"""The indicators the impact strand analyses when the plan lists them (at most five)."""
IMPACT_ESTIMATORS: tuple[str, ...] = ("synth", "did", "sdid", "its")
SYNTH_DRAWS = 199
"""Re-drawn pseudo-pilot sets for the pooled randomization test (p-value resolution 1/200)."""
N_BOOT = 199
"""Multiplier-bootstrap draws for Callaway-Sant'Anna (kept small so the demo stays quick)."""
SEED = 20180401
Scale = Literal["level", "log"]
SIZE_LIMIT = 0.07
"""A test whose calibrated real size exceeds this at nominal 5% is labelled as over-rejecting."""
MAX_PLACEBO_LINES = 20
"""Pooled placebo gap series drawn on the synthetic-control chart (best pre-period fits)."""
Z95 = float(norm.ppf(0.975))


@dataclass(frozen=True)
class Estimate:
    """One row of the side-by-side table: a method's estimate, or why there is none."""

    method: str
    """``synth_pooled``, ``synth_rmspe`` (per pilot), ``did``, ``sdid`` or ``its``."""
    label: str
    estimate: float = math.nan
    low: float = math.nan
    high: float = math.nan
    p_value: float = math.nan
    fit: float = math.nan
    """Pre-period RMSPE (synthetic control: mean over pilots) where the method has one."""
    note: str = ""
    estimable: bool = True
    pretrend: bool | None = None
    """Callaway-Sant'Anna only: does the uniform band exclude zero in some pre-adoption year?"""
    unit: str = ""
    """The pilot's LA code on a per-pilot row (``synth_rmspe``), else empty."""


@dataclass(frozen=True)
class IndicatorImpact:
    """The impact estimates of one indicator (in :func:`analysis_scale`'s reporting unit)."""

    indicator: Indicator
    estimates: tuple[Estimate, ...]
    event_study: pd.DataFrame | None
    """``event_time``, ``att``, ``low``, ``high`` (uniform 95% band)."""
    synth_gaps: pd.DataFrame | None
    """``event_time``, ``pilots`` (pooled gap) and ``placebo_<k>`` (pooled placebo gaps)."""
    pilots_used: tuple[str, ...]
    n_donors: int
    years: tuple[int, int] | None
    notes: tuple[str, ...]
    scale: Scale = "level"
    """``log``: estimated on log values, reported as per cent changes (see the module notes)."""

    def get(self, method: str) -> Estimate | None:
        """The first estimate of ``method`` (None when the method was not run)."""
        return next((e for e in self.estimates if e.method == method), None)


@dataclass(frozen=True)
class ImpactResult:
    """The impact strand's results for every analysed indicator."""

    indicators: tuple[IndicatorImpact, ...]
    comparators: ComparatorSet
    adoption: dict[str, int]
    """Pilot LA code -> adoption year (year ending 31 March)."""
    pilot_names: dict[str, str]
    estimators: tuple[str, ...]
    calibration: dict[str, object]
    notes: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row per indicator and estimate (columns: :data:`.frames.ESTIMATE_COLUMNS`)."""
        return estimates_frame(
            (i.indicator, i.scale, i.years, len(i.pilots_used), i.n_donors, i.estimates)
            for i in self.indicators
        )

    def summary(self) -> str:
        """The headline effect (pooled synthetic control) and strength of evidence per indicator."""
        verdicts = [verdict(impact, self.calibration)[0] for impact in self.indicators]
        counts = ", ".join(f"{s} on {verdicts.count(s)}" for s in STRENGTHS if s in verdicts)
        lines = [
            f"Strength of evidence of an effect on {len(self.indicators)} indicators: {counts} "
            f"({len(self.adoption)} pilots against {len(self.comparators.la_codes)} comparator "
            "LAs; headline test: pooled synthetic control)."
        ]
        for impact, strength in zip(self.indicators, verdicts, strict=True):
            head = impact.get("synth_pooled")
            effect = (
                effect_text(head.estimate, head.low, head.high, head.p_value,
                            effect_unit(impact.indicator, impact.scale))
                if head is not None and head.estimable
                else "no headline estimate"
            )  # fmt: skip
            lines.append(f"{impact.indicator.title}: {effect}; strength of evidence {strength}.")
        return "\n".join(lines)


STRENGTHS: tuple[Strength, ...] = ("high", "moderate", "low", "none")


def analysis_scale(indicator: Indicator) -> Scale:
    """``log`` for rates per 10,000 children, ``level`` for every other indicator."""
    return "log" if indicator.kind is Kind.RATE else "level"


def to_analysis_scale(values: pd.DataFrame, scale: Scale) -> pd.DataFrame:
    """The values the estimators see: logs of positive values (else missing) on the log scale."""
    if scale == "level":
        return values
    return pd.DataFrame(positive_log(values), values.index, values.columns)


def from_log(x: float) -> float:
    """A log-scale effect as a per cent change."""
    return float(100.0 * np.expm1(x))


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
        event_study=_percent(impact.event_study),
        synth_gaps=_percent(impact.synth_gaps),
    )


def _percent(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """Every column but ``event_time`` from log scale to per cent changes."""
    if frame is None:
        return None
    return frame.set_index("event_time").map(from_log).reset_index()


def load_calibration() -> dict[str, object]:
    """The calibration figures shipped with the package (real LA panel, nominal 5%)."""
    text = files("csceval.impact").joinpath("calibration/la_panel.json").read_text("utf-8")
    data: dict[str, object] = json.loads(text)
    return data


def calibrated_size(calibration: dict[str, object], method: str, indicator: str) -> float | None:
    """The method's measured real size on ``indicator`` at nominal 5%, or None if unmeasured."""
    methods = calibration.get("methods")
    if not isinstance(methods, dict) or method not in methods:
        return None
    size = methods[method].get("size", {}).get(indicator)
    return float(size) if size is not None else None


def adoption_years(project: ProjectData) -> dict[str, int]:
    """Pilot LA code -> adoption year (the year ending 31 March containing the start)."""
    return {
        s.la_code: year_ending_march(s.implementation_start)
        for s in project.pilots
        if s.implementation_start is not None
    }


def impact_available(project: ProjectData) -> bool:
    """The plan lists an impact estimator and there are pilots with adoption dates."""
    plan = set(project.settings.analysis.estimators)
    return (
        bool(plan & set(IMPACT_ESTIMATORS))
        and bool(adoption_years(project))
        and not project.table("indicators").empty
    )


def impact_indicators(plan: list[str]) -> list[str]:
    """The plan's indicators the strand analyses (see the module notes)."""
    chosen = [i for i in plan if i in HEADLINE_INDICATORS]
    return chosen or plan[:4]


def analyse_impact(project: StrandInputs) -> ImpactResult:
    """Run the plan's impact estimators on each headline indicator."""
    adoption = adoption_years(project)
    comparators = choose_comparators(project)
    estimators = tuple(e for e in project.settings.analysis.estimators if e in IMPACT_ESTIMATORS)
    own = project.file("impact_calibration")  # parsed and checked when the project loaded
    calibration = own if own is not None else load_calibration()
    names = {s.la_code: s.name for s in project.pilots}
    results = tuple(
        analyse_indicator(
            BY_ID[i],
            wide_panel(project, i),
            adoption,
            comparators.la_codes,
            estimators,
            calibration,
            names,
        )
        for i in impact_indicators(project.settings.analysis.indicators)
    )
    notes = (
        "Adoption year: the first year ending 31 March after a pilot's implementation start "
        "(that year counts as treated).",
        f"Comparators: {comparators.describe()}. Adopters, exited pilots and contrast sites "
        "are never donors.",
        f"The pooled randomization test re-draws {SYNTH_DRAWS} pseudo-pilot sets from the "
        f"comparators; Callaway-Sant'Anna uses {N_BOOT} multiplier-bootstrap draws (kept small "
        "so the report builds quickly; rerun with more for publication).",
    )
    return ImpactResult(
        indicators=results,
        comparators=comparators,
        adoption=adoption,
        pilot_names=names,
        estimators=estimators,
        calibration=calibration,
        notes=notes,
    )


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


METHOD_LABELS: dict[str, str] = {
    "synth_pooled": "Synthetic control, pooled (headline)",
    "synth_rmspe": "Synthetic control",
    "did": "Callaway-Sant'Anna DiD",
    "sdid": "Synthetic DiD",
    "its": "Controlled ITS (descriptive)",
}


def _methods(estimators: tuple[str, ...]) -> list[str]:
    return [m for e in estimators for m in (["synth_pooled"] if e == "synth" else [e])]


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
    for est in estimators:
        try:
            if est == "synth":
                pooled = pooled_synth(
                    panel, SynthSpec("y", v_method="equal", demean=True), pilots, usable,
                    n_draws=SYNTH_DRAWS, seed=SEED,
                )  # fmt: skip
                rows += _synth_rows(pooled, names or {})
                gaps = _gap_frame(pooled)
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
        )
    )


def _with_size(row: Estimate, indicator: str, calibration: dict[str, object]) -> Estimate:
    """Add the calibrated-size label to an over-rejecting method's note."""
    size = calibrated_size(calibration, row.method, indicator)
    if size is None or size <= SIZE_LIMIT or not row.estimable:
        return row
    label = f"over-rejects: real size {size:.1%} at nominal 5%"
    return replace(row, note="; ".join(x for x in (row.note, label) if x))


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


def calibrated_p(p_value: float, size: float | None) -> float:
    """The p-value scaled by real size / nominal size when the test over-rejects (crude).

    If a nominal 5% test rejects a true null at rate ``size`` > 5%, near 5% its p-values are
    about ``size / 0.05`` times too small; multiplying by that ratio (never below 1) is a
    first-order correction, not an exact one.
    """
    return min(1.0, p_value * max(1.0, (size or 0.05) / 0.05))


def verdict(impact: IndicatorImpact, calibration: dict[str, object]) -> tuple[Strength, str]:
    """Strength of evidence (none / low / moderate / high) and the reason, per docs/methods.md.

    ``p`` is the headline (pooled synthetic control) randomization p-value, calibrated by
    :func:`calibrated_p` with the headline's measured real size on the indicator.

    - none: the headline is not estimable, or ``p >= 0.10`` and no other method's 95% interval
      excludes zero;
    - high: ``p < 0.05``, every estimated method (synthetic control, Callaway-Sant'Anna,
      synthetic DiD; at least two) agrees in sign, at least one of the other methods' 95%
      intervals excludes zero (corroboration), the headline's real size is measured and at most
      7%, and no pre-adoption event-study effect lies outside its uniform band;
    - moderate: ``p < 0.05`` and the methods agree in sign, but no other method's interval
      excludes zero, the real size is above 7% or unmeasured, or only the headline was
      estimated;
    - low: the rest (some signal), and at most low whenever the methods disagree in sign or
      a pre-adoption effect lies outside the uniform band (parallel trends doubtful).
    """
    head = impact.get("synth_pooled")
    others = [
        e
        for e in impact.estimates
        if e.method in ("did", "sdid") and e.estimable and math.isfinite(e.estimate)
    ]
    if head is None or not head.estimable or not math.isfinite(head.p_value):
        return "none", "the headline test (pooled synthetic control) was not estimable"
    size = calibrated_size(calibration, "synth_pooled", impact.indicator.id)
    p = calibrated_p(head.p_value, size)
    p_text = f"headline p = {head.p_value:.3f}" + (
        f" ({p:.3f} after its real size {size:.1%})" if p != head.p_value and size else ""
    )
    signal_elsewhere = any(
        math.isfinite(e.low) and math.isfinite(e.high) and not e.low <= 0 <= e.high for e in others
    )
    if p >= 0.10 and not signal_elsewhere:
        return "none", p_text
    agree = len({np.sign(e.estimate) for e in [head, *others]}) == 1
    if p >= 0.05 or not agree:
        return "low", p_text if agree else f"{p_text}, but the methods disagree in sign"
    if any(e.pretrend for e in others):
        return "low", f"{p_text}, but a pre-adoption effect lies outside the event-study band"
    if size is not None and size <= SIZE_LIMIT and others and signal_elsewhere:
        return "high", (
            f"{p_text}, all {1 + len(others)} methods agree in sign, another method's interval "
            f"excludes zero and the headline test's real size is {size:.1%}"
        )
    if not others:
        why = "only the headline method was estimated"
    elif not signal_elsewhere:
        why = "no other method's 95% interval excludes zero"
    elif size is None:
        why = "the headline test's real size is not measured for this indicator"
    else:
        why = f"the headline test's real size is {size:.1%}, above 7%"
    return "moderate", f"{p_text} and the methods agree in sign, but {why}"
