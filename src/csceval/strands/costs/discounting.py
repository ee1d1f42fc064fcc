"""HM Treasury Green Book discounting: the STPR schedule and discount factors.

Year 0 is the present and is not discounted. The rate changes by horizon (Green Book 2022,
Annex A6; chapter 6 in the 2026 edition) and the factors chain year by year:
``DF_t = prod_{s=1..t} 1 / (1 + r_s)`` where ``r_s`` is the rate for year ``s``, so
``DF_31 = DF_30 / 1.03`` (as the R ``greenbook`` package tests it). These reproduce the Green
Book's Table 2 (present value of GBP 1,000 at 3.5%).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

Schedule = Literal["standard", "health"]

#: (last year the rate applies to, real rate): the STPR and the lower risk-to-life schedule.
SCHEDULES: dict[str, tuple[tuple[int, float], ...]] = {
    "standard": ((30, 0.035), (75, 0.030), (125, 0.025), (200, 0.020), (300, 0.015), (10**9, 0.01)),
    "health": (
        (30, 0.015),
        (75, 0.0129),
        (125, 0.0107),
        (200, 0.0086),
        (300, 0.0064),
        (10**9, 0.0043),
    ),
}


def rates(n_years: int, schedule: Schedule = "standard") -> NDArray[np.float64]:
    """The discount rate for years 0..n_years-1 (year 0's rate is never applied)."""
    years = np.arange(n_years)
    bands = SCHEDULES[schedule]
    out = np.empty(n_years)
    lower = 0
    for upper, rate in bands:
        out[(years >= lower) & (years <= upper)] = rate
        lower = upper + 1
    return out


def discount_factors(n_years: int, schedule: Schedule = "standard") -> NDArray[np.float64]:
    """``DF_t`` for t = 0..n_years-1, chained year by year across the schedule's steps."""
    if n_years < 1:
        raise ValueError(f"n_years must be at least 1, got {n_years}")
    growth = 1.0 + rates(n_years, schedule)
    growth[0] = 1.0
    return np.asarray(1.0 / np.cumprod(growth), dtype=np.float64)


def present_value(
    flows: NDArray[np.float64] | list[float], schedule: Schedule = "standard"
) -> float:
    """Sum of ``flows[t] x DF_t`` (flows in real prices of one base year, year 0 first)."""
    values = np.asarray(flows, dtype=float)
    return float(values @ discount_factors(len(values), schedule))
