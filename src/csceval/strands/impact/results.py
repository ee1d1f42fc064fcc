"""The impact strand's results and its verdict rule: estimates, strength of evidence, real sizes."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib.resources import files

import numpy as np
import pandas as pd

from csceval.indicators.catalogue import Indicator
from csceval.project.comparators import ComparatorSet
from csceval.report.model import Strength
from csceval.strands.impact.frames import effect_text, effect_unit, estimates_frame
from csceval.strands.impact.scale import Scale


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
    synth_fits: pd.DataFrame | None = None
    """Per pilot (synthetic control): ``pilot``, ``pre_rmspe``, ``ratio`` (post/pre RMSPE),
    ``p_value`` (in-space placebos), ``n_donors`` (weight >= 0.01), ``donors`` (the largest
    weights W, as text) and ``v`` (how V was chosen)."""

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
        frame = estimates_frame(
            (i.indicator, i.scale, i.years, len(i.pilots_used), i.n_donors, i.estimates)
            for i in self.indicators
        )
        strengths = {i.indicator.id: verdict(i, self.calibration)[0] for i in self.indicators}
        frame["strength"] = frame["indicator"].map(strengths)
        return frame

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


SIZE_LIMIT = 0.07
"""A test whose calibrated real size exceeds this at nominal 5% is labelled as over-rejecting."""


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
