"""The single result type every reliability statistic returns.

A :class:`ReliabilityResult` is an immutable record of one estimate, its optional confidence
interval, the size of the data it came from and the methodological choices made on the way
(``notes``), so that a report can state exactly what was computed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
"""A float64 numpy array (a vector, a units x raters matrix or bootstrap replicates)."""

LEVELS = ("nominal", "ordinal", "interval", "ratio")
"""Levels of measurement understood by the package (Krippendorff 2011; Stevens 1946)."""


@dataclass(frozen=True, slots=True)
class ReliabilityResult:
    """One reliability or agreement estimate.

    Parameters
    ----------
    statistic
        Human-readable name, e.g. ``"Cohen's kappa (quadratic weights)"``.
    estimate
        The point estimate; ``nan`` when the statistic is undefined for the data (the reason is
        then given in ``notes``).
    ci_low, ci_high
        Confidence interval bounds, or ``None`` when no interval was requested or it is undefined.
    ci_method
        How the interval was computed (e.g. ``"percentile bootstrap"``), or ``None``.
    n_units
        Number of units (cases, targets, subjects) that entered the estimate, after any units
        were dropped for missing data.
    n_raters
        Number of raters (coders, judges, items, group members) in the data.
    level
        Level of measurement assumed, or ``None`` when not applicable.
    method
        The dispatcher name of the method, e.g. ``"cohen"`` or ``"icc2k"``.
    notes
        Methodological choices and warnings, one sentence each.
    """

    statistic: str
    estimate: float
    ci_low: float | None
    ci_high: float | None
    ci_method: str | None
    n_units: int
    n_raters: int
    level: str | None
    method: str
    notes: tuple[str, ...] = ()

    @property
    def is_defined(self) -> bool:
        """Whether the estimate is a finite number."""
        return math.isfinite(self.estimate)

    def to_dict(self) -> dict[str, object]:
        """Plain-Python mapping of every field (``notes`` as a list), e.g. for JSON or a table.

        Undefined estimates stay ``nan``; ``json.dumps`` writes them as ``NaN``.
        """
        return {
            "statistic": self.statistic,
            "estimate": float(self.estimate),
            "ci_low": None if self.ci_low is None else float(self.ci_low),
            "ci_high": None if self.ci_high is None else float(self.ci_high),
            "ci_method": self.ci_method,
            "n_units": int(self.n_units),
            "n_raters": int(self.n_raters),
            "level": self.level,
            "method": self.method,
            "notes": list(self.notes),
        }

    def with_ci(
        self, low: float | None, high: float | None, method: str, notes: tuple[str, ...] = ()
    ) -> ReliabilityResult:
        """A copy carrying a confidence interval (non-finite bounds become ``None``)."""
        lo = float(low) if low is not None and math.isfinite(low) else None
        hi = float(high) if high is not None and math.isfinite(high) else None
        return replace(self, ci_low=lo, ci_high=hi, ci_method=method, notes=self.notes + notes)

    def with_notes(self, *notes: str) -> ReliabilityResult:
        """A copy with extra notes appended."""
        return replace(self, notes=self.notes + tuple(notes))


def fmt(value: float) -> str:
    """Format a number compactly for notes (6 significant digits)."""
    return f"{value:.6g}"
