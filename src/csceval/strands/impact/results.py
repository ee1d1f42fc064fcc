"""The impact strand's results: estimates, design calibration, strength of evidence, real sizes.

The verdict rule is :mod:`csceval.strands.impact.verdicts`; the design calibration it reads is
:mod:`csceval.strands.impact.design` (drawn by the pipeline before ``analyse``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from importlib.resources import files
from typing import Any, NamedTuple

import pandas as pd

from csceval.project.comparators import ComparatorSet
from csceval.strands.impact.design import DesignDraws
from csceval.strands.impact.design_stats import MIN_TESTS, NOMINAL, MethodStats, mde_text
from csceval.strands.impact.estimates import Estimate as Estimate
from csceval.strands.impact.estimates import IndicatorImpact as IndicatorImpact
from csceval.strands.impact.frames import effect_text, effect_unit, estimates_frame
from csceval.strands.impact.outcomes import OutcomePlan
from csceval.strands.impact.verdicts import STRENGTHS, Assessment, assess, headline_of


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
    """Real sizes in ``calibration/la_panel.json``'s format: the project's own override file
    (``source`` says so), else the design calibration's, else the shipped figures."""
    notes: tuple[str, ...]
    design: DesignDraws | None = None
    """The design calibration's draws (None: not drawn, e.g. ``analyse`` called directly)."""
    plan: OutcomePlan = field(default_factory=lambda: OutcomePlan(None, ()))

    @cached_property
    def assessment(self) -> Assessment:
        """Verdicts, p-values, sizes, MDEs and operating characteristics (computed once)."""
        drawn = self.calibration.get("design_key") is not None  # sizes of self.design itself
        sizes = None if drawn else size_stats(self.calibration)
        return assess(self.indicators, self.design, sizes, self.plan)

    def stats(self, indicator: str, method: str) -> MethodStats | None:
        """The design statistics (size, MDE, power) of a method on an indicator, if drawn."""
        return self.assessment.stats.get(indicator, {}).get(method)

    def to_frame(self) -> pd.DataFrame:
        """One row per indicator and estimate (columns: :data:`.frames.ESTIMATE_COLUMNS`)."""
        frame = estimates_frame(
            (i.indicator, i.scale, i.years, len(i.pilots_used), i.n_donors, i.estimates)
            for i in self.indicators
        )
        verdicts = self.assessment.verdicts
        frame["strength"] = frame["indicator"].map({k: v.strength for k, v in verdicts.items()})
        keys = list(zip(frame["indicator"], frame["method"], strict=True))
        measured = [self.stats(i, m) for i, m in keys]
        frame["mde"] = [
            _mde(st, s, u) for st, s, u in zip(measured, frame["scale"], frame["unit"], strict=True)
        ]
        frame["null_sd"] = [
            st.spread if st is not None and math.isfinite(st.mde) else math.nan for st in measured
        ]
        heads = {i.indicator.id: h.method for i in self.indicators if (h := headline_of(i))}
        frame["headline"] = [heads.get(i) == m for i, m in keys]
        return frame

    def summary(self) -> str:
        """The primary question first, then each indicator's headline, MDE and strength."""
        a = self.assessment
        verdicts = [a.verdicts[i.indicator.id].strength for i in self.indicators]
        counts = ", ".join(f"{s} on {verdicts.count(s)}" for s in STRENGTHS if s in verdicts)
        lines = [
            f"Strength of evidence of an effect on {len(self.indicators)} indicators: {counts} "
            f"({len(self.adoption)} pilots against {len(self.comparators.la_codes)} comparator "
            f"LAs; {calibration_words(self)}).",
            self.plan.describe(),
        ]
        for impact in self.indicators:
            v = a.verdicts[impact.indicator.id]
            head = headline_of(impact)
            unit = effect_unit(impact.indicator, impact.scale)
            effect = (
                effect_text(head.estimate, head.low, head.high, head.p_value, unit)
                if head is not None and head.estimable
                else "no headline estimate"
            )
            stats = self.stats(impact.indicator.id, head.method) if head else None
            mde = _mde(stats, impact.scale, unit)
            detect = (
                f"; this design detects a change of {mde} or more four times in five" if mde else ""
            )
            role = " (primary)" if impact.indicator.id == self.plan.primary else ""
            lines.append(
                f"{impact.indicator.title}{role}: {effect}; strength of evidence {v.strength}"
                f"{detect}."
            )
        return "\n".join(lines)


def _mde(stats: MethodStats | None, scale: str, unit: str) -> str:
    """The MDE as text (empty when not measured)."""
    text = mde_text(stats, scale, unit)
    return "" if text == "not measured" else text


def calibration_words(result: ImpactResult) -> str:
    """How the p-values behind the verdicts were obtained, in a few words."""
    a = result.assessment
    if a.mode == "design":
        return (
            f"p-values calibrated on {a.draws} pseudo-pilot draws of this design, "
            f"{a.adjustment}-adjusted"
        )
    why = f"only {a.draws} draws" if result.design is not None else "no design calibration"
    return f"nominal p-values, Holm-adjusted ({why})"


SIZE_LIMIT = 0.07
"""Without a Monte Carlo error, a real size above this at nominal 5% counts as over-rejecting."""


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


def size_mc_error(calibration: dict[str, object], method: str, indicator: str) -> float | None:
    """The Monte Carlo error of :func:`calibrated_size`, or None if not given."""
    methods = calibration.get("methods")
    if not isinstance(methods, dict) or method not in methods:
        return None
    error = methods[method].get("mc_error", {}).get(indicator)
    return float(error) if error is not None else None


def over_rejecting(calibration: dict[str, object], method: str, indicator: str) -> bool:
    """Real size beyond nominal by more than two MC errors (without one: above 7%)."""
    size = calibrated_size(calibration, method, indicator)
    if size is None:
        return False
    error = size_mc_error(calibration, method, indicator)
    return size - NOMINAL > 2 * error if error is not None else size > SIZE_LIMIT


def size_stats(calibration: dict[str, object]) -> dict[str, dict[str, MethodStats]]:
    """The sizes of a calibration payload as :class:`MethodStats` (no MDE), per indicator."""
    out: dict[str, dict[str, MethodStats]] = {}
    methods = calibration.get("methods")
    for method, entry in methods.items() if isinstance(methods, dict) else ():
        for indicator, size in entry.get("size", {}).items():
            error = size_mc_error(calibration, method, indicator)
            if error is None:  # the 7% rule: two errors of (SIZE_LIMIT - NOMINAL) / 2
                error = (SIZE_LIMIT - NOMINAL) / 2
            nan = math.nan
            stats = MethodStats(MIN_TESTS, float(size), error, nan, nan, nan, nan, 0)
            out.setdefault(indicator, {})[method] = stats
    return out


def design_payload(
    design: DesignDraws, stats: dict[str, dict[str, MethodStats]]
) -> dict[str, object]:
    """The design's sizes in the payload format (what the report and the methods' notes read)."""
    rows = (
        SizeRow(indicator, method, design.draws, s.tests, s.size, s.size_mc_error)
        for indicator, by_method in stats.items()
        for method, s in by_method.items()
    )
    return {
        # Not whether the draws came from the cache: a report must not change with it.
        "source": f"this design ({design.draws} pseudo-pilot draws, key {design.key[:12]})",
        "nominal": NOMINAL,
        "draws": design.draws,
        "design_key": design.key,
        "methods": payload_methods(rows),
    }


class SizeRow(NamedTuple):
    """One method's real size on one indicator, as a payload records it."""

    indicator: str
    method: str
    draws: int
    tests: int
    size: float
    mc_error: float


def payload_methods(rows: Iterable[SizeRow]) -> dict[str, dict[str, Any]]:
    """The payload's ``methods``: per method its label, draws, and size and MC error per
    indicator (rounded to 4 decimals), in the rows' order. A row without tests is left out
    (its size is undefined). The design calibration and ``benchmarks/impact_calibration.py``
    (which writes ``calibration/la_panel.json``) both build theirs here."""
    from csceval.impact.calibrate import LABELS

    methods: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row.tests <= 0:
            continue
        entry = methods.setdefault(
            row.method,
            {"label": LABELS[row.method], "draws": row.draws, "size": {}, "mc_error": {}},
        )
        entry["size"][row.indicator] = round(row.size, 4)
        entry["mc_error"][row.indicator] = round(row.mc_error, 4)
    return methods


def calibration_for(own: dict[str, object] | None, design: DesignDraws | None) -> dict[str, object]:
    """The sizes the report quotes: the project's own file (an explicit override, which the
    report names), else the design calibration's, else the shipped real-panel figures."""
    if own is not None:
        return own
    if design is not None:
        from csceval.strands.impact.design_stats import method_stats

        stats = {
            i: {m: method_stats(md) for m, md in d.methods.items()}
            for i, d in design.indicators.items()
        }
        return design_payload(design, stats)
    return load_calibration()
