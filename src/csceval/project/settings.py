"""The ``evaluation.toml`` model: the evaluation, sites, periods, analysis plan, disclosure policy.

Pydantic checks structure and types; :mod:`csceval.project.checks` applies the rules that need
more than one field (dates in order, known indicators, ...) so that each gets its own error code.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

SITE_ROLES = ("pilot", "comparator", "contrast", "exited")
"""Roles a site can play: pilots adopt the framework; exited pilots left it; contrast sites are
the non-framework sites of the contrast study; comparators are named comparison LAs."""

COMPARATOR_METHODS = ("statistical_neighbours", "all_non_adopters", "named")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Statement = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]
"""A short statement: one to 400 characters, surrounding spaces dropped."""


class EvaluationInfo(_Strict):
    name: str = Field(min_length=1)
    frameworks: list[str] = Field(min_length=1)
    price_year: str
    description: str = ""
    assumptions: list[Statement] = Field(default_factory=list)
    """The evaluation's assumptions and caveats, each a short statement (for example that the
    adoption dates are assumptions, and where they come from); the report states them."""
    synthetic: bool = False


class DisclosureSettings(_Strict):
    min_count: int = 5
    secondary: bool = True
    round_aggregates_to: int = 10
    percent_dp: int = 1
    rate_dp: int = 1


class TimePoint(_Strict):
    id: str
    start: date
    end: date
    label: str = ""


class Periods(_Strict):
    first_year: int
    last_year: int
    financial_years: list[str] = Field(default_factory=list)
    time_points: list[TimePoint] = Field(default_factory=list)


class AnalysisPlan(_Strict):
    indicators: list[str] = Field(min_length=1)
    estimators: list[str] = Field(default_factory=lambda: ["descriptive"])
    comparators: str = "statistical_neighbours"
    reference_year: int | None = None
    baseline_years: list[int] = Field(
        default_factory=lambda: [2013, 2016], min_length=2, max_length=2
    )
    """First and last year of the baseline window of the baseline/follow-up comparison."""
    followup_years: list[int] = Field(
        default_factory=lambda: [2018, 2020], min_length=2, max_length=2
    )
    """First and last year of its follow-up window (the reference evaluation's 2018-20)."""
    primary: str | None = None
    """The primary outcome, stated before the data are seen: the impact headline answers it."""
    secondary: list[str] = Field(default_factory=list)
    """Secondary outcomes: their impact p-values are adjusted for multiplicity."""


class ComparatorSettings(_Strict):
    """``[comparators]``: which DfE statistical-neighbour model ``data/statistical_neighbours.csv``
    must hold (``csceval data build-panel --neighbours``); None accepts whatever it holds."""

    model: Literal["2021", "2025"] | None = None


class Site(_Strict):
    la_code: str
    name: str
    role: str
    framework: str | None = None
    implementation_start: date | None = None
    fully_embedded: date | None = None
    exit_date: date | None = None
    neighbour_group: str | None = None
    adoption_source: str = ""
    """Where the adoption dates come from (say when they are assumptions); the report quotes it."""


class CostSettings(_Strict):
    """``[costs]``: the cost-benefit analysis (optional; defaults documented in docs/methods.md)."""

    horizon_years: int = Field(default=10, ge=1, le=100)
    discount_schedule: Literal["standard", "health"] = "standard"
    optimism_bias: float = Field(default=0.1, ge=0.0, le=2.0)
    benefits_start_year: int = Field(default=1, ge=0)
    ongoing_costs_continue: bool = True
    unit_cost_se_share: float = Field(default=0.2, ge=0.0, le=1.0)
    cost_se_share: float = Field(default=0.1, ge=0.0, le=1.0)
    draws: int = Field(default=10_000, ge=100, le=10_000_000)
    seed: int = 20180401
    activity_source: Literal["la-level", "child-level"] = "la-level"
    """Where the changes in activity come from: the LA-level impact strand's estimates, or the
    child-level matched difference-in-differences (strand child-impact). One source only, so
    no change is counted twice."""


class ImpactSettings(_Strict):
    """``[impact]``: rules of the impact strand's causal estimators."""

    min_pre_years: int = Field(default=3, ge=3, le=30)
    """Years before adoption a pilot needs to enter the causal estimators (at least 3: with two
    demeaned pre-years a synthetic control fits exactly and its placebo test degenerates)."""
    calibration_draws: int = Field(default=200, ge=0, le=100_000)
    """Pseudo-pilot draws of the design calibration (0: none; verdicts then use nominal
    p-values). ``CSCEVAL_CALIBRATION_DRAWS`` overrides it (tests, quick looks)."""
    calibration_seed: int = 0


class EvaluationSettings(_Strict):
    """The whole ``evaluation.toml``."""

    evaluation: EvaluationInfo
    periods: Periods
    analysis: AnalysisPlan
    sites: list[Site] = Field(min_length=1)
    disclosure: DisclosureSettings = DisclosureSettings()
    costs: CostSettings = CostSettings()
    comparators: ComparatorSettings = ComparatorSettings()
    impact: ImpactSettings = ImpactSettings()
    format_version: Literal[1] = 1

    def sites_with_role(self, *roles: str) -> list[Site]:
        return [s for s in self.sites if s.role in roles]
