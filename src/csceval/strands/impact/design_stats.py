"""Real size, minimum detectable effect and power of each impact test, from the design's draws.

Notes
-----
**Real size** is the nominal 5% test's rejection rate over the null draws, with its Monte Carlo
(MC) error ``sqrt(p (1 - p) / n)``. A method *over-rejects* only when its size exceeds the
nominal 5% by more than two MC errors, so a label never flips with the calibration seed alone.

**Design-calibrated statistic.** On each indicator a method's null estimates (true effect zero)
give its centre ``m`` and spread ``s``; an estimate ``x`` has the statistic ``|x - m| / s`` and
the p-value the share of null draws with a statistic at least as large,
``(1 + #{T_null >= T}) / (1 + n)``. It is a randomization test on the project's own design:
the pilots' adoption years and pre-periods, the comparator pool, the panel's noise.

**MDE and power.** An effect injected multiplicatively on a rate (a constant shift on the log
scale, or on the level for other indicators) moves every one of these estimators, and its
interval, by exactly the effect: the weights are fitted on pre-adoption years only, and the
estimators are linear in the post-adoption outcomes. So the draws with an injected effect
``d`` are the null draws shifted by ``d``, and power at ``d`` is the share of shifted draws whose
design-calibrated p-value is at most 5%. The minimum detectable effect (MDE, 80% power, 5%
two-sided) is ``(z_0.975 + z_0.8) s`` (``2.80 s``), the analytic value, reported beside the
power the shifted draws measure at it (about 80% when the null distribution is near normal).
On the log scale the MDE is shown as the per cent change ``100 (exp(MDE) - 1)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from csceval.impact.multiplicity import MDE_FACTOR, rank_p
from csceval.strands.impact.design import MethodDraws

FloatArray = npt.NDArray[np.float64]
NOMINAL = 0.05
MIN_TESTS = 20
"""A size from fewer tests cannot show that a method does not over-reject (MC error too coarse)."""


@dataclass(frozen=True)
class MethodStats:
    """One method on one indicator: its real size, null spread, MDE and measured power."""

    tests: int
    size: float
    size_mc_error: float
    centre: float
    spread: float
    """Mean and standard deviation of the null estimates (analysis scale)."""
    mde: float
    """Analysis scale (log points for rates); NaN with fewer than 3 estimates."""
    power_at_mde: float
    draws: int

    @property
    def over_rejects(self) -> bool:
        """Size beyond nominal by more than two MC errors."""
        return self.tests > 0 and self.size - NOMINAL > 2 * self.size_mc_error

    @property
    def measured(self) -> bool:
        return self.tests > 0

    @property
    def reliable(self) -> bool:
        """Enough tests (:data:`MIN_TESTS`) for the size to vouch for a corroborating method."""
        return self.tests >= MIN_TESTS


def finite(values: tuple[float, ...]) -> FloatArray:
    """The finite values as an array."""
    array = np.asarray(values, dtype=np.float64)
    out: FloatArray = array[np.isfinite(array)]
    return out


def statistic(x: FloatArray | float, centre: float, spread: float) -> FloatArray:
    """``|x - m| / s`` (NaN where ``x`` is)."""
    return np.asarray(np.abs(np.asarray(x, dtype=np.float64) - centre) / spread, np.float64)


def method_stats(draws: MethodDraws) -> MethodStats:
    """Size, MC error, null centre and spread, MDE and measured power at the MDE."""
    tests = int(sum(draws.tests))
    size = sum(draws.rejections) / tests if tests else math.nan
    mc = math.sqrt(size * (1 - size) / tests) if tests else math.nan
    est = finite(draws.estimates)
    if est.size < 3 or float(est.std(ddof=1)) == 0:
        return MethodStats(tests, size, mc, math.nan, math.nan, math.nan, math.nan, est.size)
    centre, spread = float(est.mean()), float(est.std(ddof=1))
    mde = MDE_FACTOR * spread
    return MethodStats(
        tests, size, mc, centre, spread, mde, power(est, centre, spread, mde), int(est.size)
    )


def power(null: FloatArray, centre: float, spread: float, effect: float) -> float:
    """Share of the null draws shifted by ``effect`` whose design p-value is at most 5%."""
    t_null = statistic(null, centre, spread)
    shifted = rank_p(statistic(null + effect, centre, spread), t_null)
    return float(np.mean(shifted <= NOMINAL))


def shown_effect(x: float, scale: str) -> float:
    """An analysis-scale effect as the report shows it (per cent change on the log scale)."""
    return 100 * math.expm1(x) if scale == "log" else x


def to_analysis(x: float, scale: str) -> float:
    """A reported effect back on the analysis scale (per cent change -> log points)."""
    if scale != "log":
        return x
    return math.log1p(x / 100) if x > -100 else math.nan


def mde_text(stats: MethodStats | None, scale: str, unit: str) -> str:
    """``12.3%`` (log scale) or ``1.40 percentage points``; ``not measured`` without draws."""
    if stats is None or not math.isfinite(stats.mde):
        return "not measured"
    value = shown_effect(stats.mde, scale)
    return f"{value:.1f}%" if scale == "log" else f"{value:.2f} {unit}"
