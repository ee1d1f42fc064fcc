"""The result of :func:`csceval.impact.calibrate.calibrate`: size and coverage per method.

Counts per method (:class:`MethodCalibration`), merged draw by draw in the draws' order, so the
same draws give the same result whichever executor ran them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from csceval.impact.synth_fit import json_float

METHODS: tuple[str, ...] = ("synth_pooled", "synth_rmspe", "did", "sdid", "its")
"""The methods calibrated unless others are asked for (the shipped figures' methods)."""
OPT_IN_METHODS: tuple[str, ...] = ("random_trend",)
"""Calibrated only when asked for (a plan's ``trend`` estimator in the design calibration)."""
ALL_METHODS: tuple[str, ...] = METHODS + OPT_IN_METHODS
LABELS: dict[str, str] = {
    "synth_pooled": "Synthetic control, pooled randomization test",
    "synth_rmspe": "Synthetic control, per-pilot RMSPE-ratio test",
    "did": "Callaway-Sant'Anna, t interval (bootstrap SE)",
    "sdid": "Synthetic DiD",
    "its": "Controlled ITS, Newey-West",
    "random_trend": "Random-trend model, normal interval",
}


@dataclass
class MethodCalibration:
    """Counts for one method over all draws."""

    method: str
    tests: int = 0
    rejections: int = 0
    intervals: int = 0
    covered: int = 0
    failures: int = 0
    estimates: list[float] = field(default_factory=list, repr=False)
    first_failure: str = ""
    half_widths: list[float] = field(default_factory=list, repr=False)
    """Each test's 95% interval half-width (NaN for a test without an interval)."""

    @property
    def size(self) -> float:
        """Rejection rate at the nominal level (NaN without tests)."""
        return self.rejections / self.tests if self.tests else math.nan

    @property
    def size_mc_error(self) -> float:
        """Monte Carlo standard error of :attr:`size`."""
        p = self.size
        return math.sqrt(p * (1 - p) / self.tests) if self.tests else math.nan

    @property
    def coverage(self) -> float:
        """Share of intervals containing zero (NaN for methods without intervals)."""
        return self.covered / self.intervals if self.intervals else math.nan

    @property
    def coverage_mc_error(self) -> float:
        """Monte Carlo standard error of :attr:`coverage`."""
        p = self.coverage
        return math.sqrt(p * (1 - p) / self.intervals) if self.intervals else math.nan

    def record(
        self,
        reject: bool,
        estimate: float,
        covered: bool | None = None,
        half_width: float = math.nan,
    ) -> None:
        """Add one test (``half_width``: of its 95% interval, when it has one)."""
        self.tests += 1
        self.rejections += int(reject)
        self.estimates.append(estimate)
        self.half_widths.append(half_width)
        if covered is not None:
            self.intervals += 1
            self.covered += int(covered)

    def merge(self, other: MethodCalibration) -> None:
        """Add the counts of later draws (``other``), keeping the draws' order."""
        self.tests += other.tests
        self.rejections += other.rejections
        self.intervals += other.intervals
        self.covered += other.covered
        self.failures += other.failures
        self.estimates += other.estimates
        self.half_widths += other.half_widths
        self.first_failure = self.first_failure or other.first_failure

    def to_dict(self) -> dict[str, object]:
        """JSON-safe mapping."""
        est = np.asarray(self.estimates, dtype=np.float64)
        return {
            "method": self.method,
            "label": LABELS[self.method],
            "tests": self.tests,
            "rejections": self.rejections,
            "size": json_float(self.size),
            "size_mc_error": json_float(self.size_mc_error),
            "intervals": self.intervals,
            "coverage": json_float(self.coverage),
            "coverage_mc_error": json_float(self.coverage_mc_error),
            "mean_estimate": json_float(float(est.mean())) if est.size else None,
            "sd_estimate": json_float(float(est.std(ddof=1))) if est.size > 1 else None,
            "failures": self.failures,
            "first_failure": self.first_failure,
        }


@dataclass(frozen=True)
class CalibrationResult:
    """Size and coverage per method for one outcome."""

    outcome: str
    adoption_years: tuple[int, ...]
    n_draws: int
    alpha: float
    seed: int
    n_candidates: int
    years: tuple[int, int]
    methods: dict[str, MethodCalibration]
    settings: dict[str, object]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """JSON-safe mapping."""
        return {
            "outcome": self.outcome,
            "adoption_years": list(self.adoption_years),
            "n_draws": self.n_draws,
            "alpha": self.alpha,
            "seed": self.seed,
            "n_candidates": self.n_candidates,
            "years": list(self.years),
            "settings": self.settings,
            "methods": {m: c.to_dict() for m, c in self.methods.items()},
            "notes": list(self.notes),
        }

    def table(self) -> pd.DataFrame:
        """One row per method: tests, size and coverage with their Monte Carlo errors."""
        rows = [c.to_dict() for c in self.methods.values()]
        cols = ["label", "tests", "size", "size_mc_error", "coverage", "coverage_mc_error"]
        return pd.DataFrame(rows, columns=["method", *cols]).set_index("method")
