"""Cost-benefit analysis: savings from activity changes, net of implementation costs.

Methodological choices (Green Book 2022, chapter 5 and Annex A6):

- A benefit line is a change in activity attributable to the framework (units a year, negative
  = less activity) times a unit cost in base-year prices; the annual saving is
  ``-change x unit_cost``. Savings accrue in the years of ``benefit_profile`` (a share 0-1 of the
  full annual saving in each year), so a ramp-up or an end to the effect can be modelled.
- Costs are the implementation costs by year in base-year prices, raised by optimism bias:
  ``PVC = (1 + OB) x sum_t C_t DF_t``. NPV (the Green Book's NPSV) = PVB - PVC; BCR = PVB / PVC.
- Break-even is the first year from which the cumulative discounted net benefit stays at or
  above zero to the end of the horizon (None if it never does).
- A switching value is the value of one input, all else held, at which NPV = 0 (BCR = 1). NPV is
  linear in each input, so it is exact: ``x* = x - NPV / (dNPV/dx)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from csceval.strands.costs.discounting import Schedule, discount_factors

Z95 = 1.959963984540054


@dataclass(frozen=True, slots=True)
class ActivityChange:
    """A change in activity attributable to the framework, with its standard error.

    ``change`` is in units of the activity a year (e.g. -12.5 child-years of care a year);
    ``la_code`` is empty for a change over all pilots. The impact strand feeds these from its
    estimates (estimate, se); a project can enter them in ``data/activity_changes.csv``.
    """

    activity: str
    change: float
    se: float
    source: str
    la_code: str = ""
    baseline: float | None = None
    """For a change derived from a per cent change in an indicator: the activity a year
    before (units); then ``change = baseline x (exp(log_effect) - 1)`` and ``se`` is the delta
    method's ``baseline x exp(log_effect) x log_se``. None for a change given in units."""
    log_effect: float = 0.0
    """The effect on the log scale (analysis scale of the impact estimate)."""
    log_se: float = 0.0
    """Standard error of ``log_effect`` (the PSA draws ``Normal(log_effect, log_se)``)."""
    log_interval: tuple[float, float] | None = None
    """The estimate's own 95% interval on the log scale, when it is not ``+/- 1.96 log_se``."""
    null_sd: float = math.nan
    """How much the estimate varies when the framework has no effect (log scale for a relative
    change, units otherwise), from its design's draws; NaN when not measured (an entered
    change, or an estimate without them). :mod:`.psa_operating` reads it."""

    @classmethod
    def relative(
        cls,
        activity: str,
        baseline: float,
        log_effect: float,
        log_se: float,
        source: str,
        log_interval: tuple[float, float] | None = None,
        null_sd: float = math.nan,
    ) -> ActivityChange:
        """A change of ``100 (exp(log_effect) - 1)`` per cent of ``baseline`` units a year."""
        change = baseline * float(np.expm1(log_effect))
        se = baseline * float(np.exp(log_effect)) * log_se
        return cls(
            activity, change, se, source, "", baseline, log_effect, log_se, log_interval, null_sd
        )

    def interval(self) -> tuple[float, float]:
        """The change's 95% interval (the estimate's own, mapped to units, when relative)."""
        if self.baseline is None:
            return self.change - Z95 * self.se, self.change + Z95 * self.se
        low, high = self.log_interval or (
            self.log_effect - Z95 * self.log_se,
            self.log_effect + Z95 * self.log_se,
        )
        return self.baseline * float(np.expm1(low)), self.baseline * float(np.expm1(high))


@dataclass(frozen=True, slots=True)
class BenefitLine:
    """An activity change valued at a unit cost (base-year prices)."""

    change: ActivityChange
    unit: str
    unit_cost: float
    unit_cost_se: float
    unit_cost_source: str

    @property
    def annual_saving(self) -> float:
        return -self.change.change * self.unit_cost

    @property
    def label(self) -> str:
        site = f" ({self.change.la_code})" if self.change.la_code else ""
        return f"{self.change.activity}{site}"


@dataclass(frozen=True, slots=True)
class SwitchingValue:
    """The value of one input at which NPV = 0."""

    input: str
    base: float
    switching: float | None
    """None where no value of this input alone can make NPV zero."""

    @property
    def percent_change(self) -> float | None:
        if self.switching is None or self.base == 0:
            return None
        return 100.0 * (self.switching - self.base) / abs(self.base)


@dataclass(frozen=True, slots=True)
class TornadoBar:
    """One-way sensitivity: NPV with one input at its low and its high value."""

    input: str
    low_value: float
    high_value: float
    npv_low: float
    npv_high: float

    @property
    def swing(self) -> float:
        return abs(self.npv_high - self.npv_low)


@dataclass(frozen=True)
class CBAModel:
    """Everything the CBA needs, in base-year prices, year 0 first."""

    costs: NDArray[np.float64]
    lines: tuple[BenefitLine, ...]
    benefit_profile: NDArray[np.float64]
    optimism_bias: float = 0.0
    schedule: Schedule = "standard"
    cost_se_share: float = 0.0
    """Standard error of the implementation costs as a share of them (tornado and PSA)."""

    def __post_init__(self) -> None:
        if len(self.costs) != len(self.benefit_profile):
            raise ValueError("costs and benefit_profile must cover the same years")

    @property
    def horizon(self) -> int:
        return len(self.costs)

    @property
    def factors(self) -> NDArray[np.float64]:
        return discount_factors(self.horizon, self.schedule)

    @property
    def annuity(self) -> float:
        """Present value of GBP 1 of annual saving over the benefit profile."""
        return float(self.benefit_profile @ self.factors)

    @property
    def pv_costs_before_ob(self) -> float:
        return float(self.costs @ self.factors)

    def evaluate(self) -> CBAResult:
        annual = float(sum(line.annual_saving for line in self.lines))
        pvb = annual * self.annuity
        pvc = self.pv_costs_before_ob * (1.0 + self.optimism_bias)
        benefits = annual * self.benefit_profile
        costs = self.costs * (1.0 + self.optimism_bias)
        return CBAResult(
            annual_saving=annual,
            annuity=self.annuity,
            benefits=benefits,
            costs=costs,
            factors=self.factors,
            pv_benefits=pvb,
            pv_costs=pvc,
            pv_costs_before_ob=self.pv_costs_before_ob,
            optimism_bias=self.optimism_bias,
            switching=switching_values(self, pvb - pvc),
            tornado=tornado(self, self.cost_se_share),
        )

    def npv_with(self, saving_delta: float = 0.0, cost_scale: float = 1.0) -> float:
        """NPV after adding ``saving_delta`` to the annual saving and scaling costs."""
        annual = sum(line.annual_saving for line in self.lines) + saving_delta
        pvc = self.pv_costs_before_ob * cost_scale * (1.0 + self.optimism_bias)
        return float(annual * self.annuity - pvc)


@dataclass(frozen=True)
class CBAResult:
    """The deterministic (central) CBA."""

    annual_saving: float
    annuity: float
    benefits: NDArray[np.float64]
    costs: NDArray[np.float64]
    factors: NDArray[np.float64]
    pv_benefits: float
    pv_costs: float
    pv_costs_before_ob: float
    optimism_bias: float
    switching: tuple[SwitchingValue, ...]
    tornado: tuple[TornadoBar, ...]

    @property
    def npv(self) -> float:
        return self.pv_benefits - self.pv_costs

    @property
    def bcr(self) -> float | None:
        return self.pv_benefits / self.pv_costs if self.pv_costs > 0 else None

    @property
    def cumulative_net(self) -> NDArray[np.float64]:
        return np.asarray(np.cumsum((self.benefits - self.costs) * self.factors), dtype=float)

    @property
    def break_even_year(self) -> int | None:
        """First year from which cumulative discounted net benefit stays >= 0."""
        below = np.flatnonzero(self.cumulative_net < -1e-9)
        if len(below) == 0:
            return 0
        last = int(below[-1])
        return last + 1 if last + 1 < len(self.costs) else None


def switching_values(model: CBAModel, npv: float) -> tuple[SwitchingValue, ...]:
    """Switching values of every input NPV is linear in (exact; None where none exists)."""
    annuity = model.annuity
    pvb = sum(line.annual_saving for line in model.lines) * annuity
    pvc0 = model.pv_costs_before_ob
    pvc = pvc0 * (1.0 + model.optimism_bias)

    def solve(base: float, slope: float, positive: bool = True) -> float | None:
        """The root of the linear NPV; None if flat, or negative for a positive input."""
        if slope == 0:
            return None
        root = base - npv / slope
        return None if positive and root < 0 else root

    out = [
        SwitchingValue("Implementation costs (present value, GBP)", pvc, solve(pvc, -1.0)),
        SwitchingValue("Benefits (present value, GBP)", pvb, solve(pvb, 1.0)),
        SwitchingValue(
            "Optimism bias (share)", model.optimism_bias, solve(model.optimism_bias, -pvc0)
        ),
    ]
    for line in model.lines:
        out.append(
            SwitchingValue(
                f"Change in {line.label} ({line.unit} a year)",
                line.change.change,
                solve(line.change.change, -line.unit_cost * annuity, positive=False),
            )
        )
        out.append(
            SwitchingValue(
                f"Unit cost of {line.label} (GBP per {line.unit})",
                line.unit_cost,
                solve(line.unit_cost, -line.change.change * annuity),
            )
        )
    return tuple(out)


def tornado(model: CBAModel, cost_se_share: float = 0.0) -> tuple[TornadoBar, ...]:
    """One-way sensitivity over each input's 95% interval, largest swing first.

    Activity changes move over their interval (:meth:`ActivityChange.interval`), unit costs
    over ``x +/- 1.96 se``; implementation costs over
    ``+/- 1.96 x cost_se_share`` of their value when ``cost_se_share`` > 0.
    """
    bars: list[TornadoBar] = []
    for line in model.lines:
        c, se = line.change.change, line.change.se
        if se > 0:
            lo, hi = line.change.interval()
            bars.append(
                TornadoBar(
                    f"Change in {line.label}",
                    lo,
                    hi,
                    model.npv_with(-(lo - c) * line.unit_cost),
                    model.npv_with(-(hi - c) * line.unit_cost),
                )
            )
        u, use = line.unit_cost, line.unit_cost_se
        if use > 0:
            lo, hi = max(0.0, u - Z95 * use), u + Z95 * use
            bars.append(
                TornadoBar(
                    f"Unit cost of {line.label}",
                    lo,
                    hi,
                    model.npv_with(-c * (lo - u)),
                    model.npv_with(-c * (hi - u)),
                )
            )
    if cost_se_share > 0:
        lo, hi = 1.0 - Z95 * cost_se_share, 1.0 + Z95 * cost_se_share
        bars.append(
            TornadoBar(
                "Implementation costs (multiple of the ledger)",
                lo,
                hi,
                model.npv_with(cost_scale=lo),
                model.npv_with(cost_scale=hi),
            )
        )
    return tuple(sorted(bars, key=lambda b: (-b.swing, b.input)))
