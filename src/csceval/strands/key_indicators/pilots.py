"""Each pilot against its own comparators: pre-adoption levels, the baseline/follow-up
comparison, which analyses each pilot can enter, and the adoption-year sensitivity.

Notes
-----
- **Headline indicators** are the plan's indicators among :data:`HEADLINE_INDICATORS` (the
  outcomes the impact strand estimates; the list is repeated here because strands do not import
  each other).
- **A pilot's comparators** are its statistical neighbours that are in the evaluation's
  comparator set (adopters never are); with none, or another comparator method, the whole set.
- **Pre-adoption**: the years of the data before the pilot's adoption year (the year ending 31
  March that contains its implementation start; that year counts as adopted). **After
  adoption**: the adoption year to the last year of the follow-up window. Levels are means
  over those years of the years the LA has; the comparators' level is the mean over them.
- **Causal analyses** (synthetic control, Callaway-Sant'Anna, synthetic DiD, ITS) need, per
  indicator, a value in every year of its latest unbroken span and at least ``[impact]
  min_pre_years`` (default 3) years before adoption inside it
  (:func:`csceval.impact.baseline_followup.causal_entry`, the impact strand's rule).
- **Sensitivity**: every pilot's adoption moved a year earlier and a year later, and the
  pre-adoption gap, its change after adoption, the pilots entering the causal analyses and the
  impact strand's headline estimate (the random-trend model with its normal p-value when the
  plan has it, else the pooled synthetic control with its randomization p-value:
  :func:`csceval.impact.adoption_sensitivity.shifted_headline`, the same specification, draws
  and seed) recomputed; rates are estimated in logs and reported as per cent changes, as the
  impact strand does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from csceval.impact.adoption_sensitivity import ShiftedEstimate, shifted_headline, shifted_method
from csceval.impact.baseline_followup import (
    BaselineFollowupResult,
    CausalEntry,
    Windows,
    baseline_followup,
    causal_entry,
)
from csceval.impact.synth_panel import positive_log
from csceval.indicators.catalogue import BY_ID, Kind
from csceval.indicators.panel import wide_panel, year_ending_march
from csceval.project import ProjectData
from csceval.project.comparators import ComparatorSet

HEADLINE_INDICATORS: tuple[str, ...] = (
    "referral_rate_per_10k",
    "rereferral_within_12m_pct",
    "cin_rate_per_10k",
    "cpp_rate_per_10k",
    "cla_rate_per_10k",
)
SHIFTS = (-1, 0, 1)


@dataclass(frozen=True)
class PrePost:
    """One pilot on one indicator: its level and its comparators' before and after adoption."""

    indicator: str
    la_code: str
    adoption_year: int
    pre_years: tuple[int, ...]
    pre_level: float
    pre_comparators: float
    post_level: float
    post_comparators: float

    @property
    def pre_gap(self) -> float:
        return self.pre_level - self.pre_comparators

    @property
    def post_gap(self) -> float:
        return self.post_level - self.post_comparators

    @property
    def change_in_gap(self) -> float:
        return self.post_gap - self.pre_gap


@dataclass(frozen=True)
class Sensitivity:
    """One indicator with every adoption moved by ``shift`` years."""

    indicator: str
    shift: int
    causal_pilots: int
    three_pre_years: int
    mean_pre_gap: float
    mean_change_in_gap: float
    estimate: float = math.nan
    """The headline's estimate (per cent change for rates)."""
    p_value: float = math.nan
    """Its p-value."""
    estimated_pilots: int = 0
    """Pilots in that estimate."""


@dataclass(frozen=True)
class PilotAnalysis:
    """The per-pilot results of the key-indicators strand."""

    indicators: tuple[str, ...]
    names: dict[str, str]
    adoption: dict[str, int]
    windows: Windows
    prepost: tuple[PrePost, ...]
    baseline: dict[str, BaselineFollowupResult]
    entry: dict[str, dict[str, CausalEntry]]
    sensitivity: tuple[Sensitivity, ...]
    first_years: dict[str, int]
    min_pre_years: int
    headline_method: str | None
    """The impact headline the sensitivity reruns (``random_trend`` or ``synth_pooled``; None:
    the plan's headline is one it does not rerun)."""
    sources: dict[str, str]
    """Each pilot's ``adoption_source`` from evaluation.toml ("" when not given)."""
    dates: dict[str, tuple[str, str]]
    """Each pilot's implementation start and fully-embedded date (ISO, "" when not given)."""

    def entry_frame(self) -> pd.DataFrame:
        """Per indicator and pilot: which analyses it entered, and why not."""
        rows = []
        for ind in self.indicators:
            bf = {p.la_code: p for p in self.baseline[ind].pilots}
            for code in self.adoption:
                causal = self.entry[ind][code]
                comparison = bf[code]
                rows.append(
                    {
                        "indicator": ind,
                        "la_code": code,
                        "pilot": self.names.get(code, code),
                        "adoption_year": causal.adoption_year,
                        "pre_years": causal.pre_years,
                        "causal": "yes" if causal.entered else f"no: {causal.reason}",
                        "baseline_followup": "yes"
                        if comparison.entered
                        else f"no: {comparison.reason}",
                    }
                )
        return pd.DataFrame(rows)


def _mean(values: pd.DataFrame, codes: list[str], years: list[int]) -> float:
    block = values.reindex(index=codes, columns=years)
    lam = block.mean(axis=1, skipna=True)
    return float(lam.mean()) if lam.notna().any() else math.nan


def own_comparators(project: ProjectData, comparators: ComparatorSet) -> dict[str, list[str]]:
    """Each pilot's statistical neighbours that are in the comparator set (else the whole set)."""
    pool = list(comparators.la_codes)
    neighbours = project.table("statistical_neighbours")
    out = {}
    for site in project.pilots:
        own: list[str] = []
        if comparators.method == "statistical_neighbours" and not neighbours.empty:
            rows = neighbours[neighbours["la_code"] == site.la_code]
            own = [c for c in rows["neighbour_code"] if c in set(pool)]
        out[site.la_code] = own or pool
    return out


def _prepost(
    ind: str, values: pd.DataFrame, code: str, year: int, own: list[str], follow_end: int
) -> PrePost:
    years = [int(y) for y in values.columns]
    have = values.loc[code] if code in values.index else pd.Series(dtype=float)
    pre = [y for y in years if y < year and np.isfinite(have.get(y, np.nan))]
    post = [y for y in years if year <= y <= max(year, follow_end)]
    return PrePost(
        indicator=ind,
        la_code=code,
        adoption_year=year,
        pre_years=tuple(pre),
        pre_level=_mean(values, [code], pre) if pre else math.nan,
        pre_comparators=_mean(values, own, pre) if pre else math.nan,
        post_level=_mean(values, [code], post),
        post_comparators=_mean(values, own, post),
    )


def _finite_mean(values: list[float]) -> float:
    kept = [v for v in values if math.isfinite(v)]
    return float(np.mean(kept)) if kept else math.nan


def analyse_pilots(project: ProjectData, comparators: ComparatorSet) -> PilotAnalysis | None:
    """Pre-adoption levels, baseline/follow-up, entry and sensitivity on the headline indicators."""
    plan = project.settings.analysis
    indicators = tuple(i for i in plan.indicators if i in HEADLINE_INDICATORS)
    adoption = {
        s.la_code: year_ending_march(s.implementation_start)
        for s in project.pilots
        if s.implementation_start is not None
    }
    if not indicators or not adoption:
        return None
    (b0, b1), (f0, f1) = plan.baseline_years, plan.followup_years
    windows = Windows((b0, b1), (f0, f1))
    own = own_comparators(project, comparators)
    min_pre = project.settings.impact.min_pre_years
    method = shifted_method(plan.estimators)
    prepost, baseline, entry, sensitivity, first_years = [], {}, {}, [], {}
    for ind in indicators:
        values = wide_panel(project, ind)
        present = [int(y) for y in values.columns[values.notna().any(axis=0).to_numpy()]]
        first_years[ind] = min(present) if present else 0
        for code, year in adoption.items():
            prepost.append(_prepost(ind, values, code, year, own[code], windows.followup[1]))
        baseline[ind] = baseline_followup(
            values, list(adoption), list(comparators.la_codes), windows=windows, own_comparators=own
        )
        entry[ind] = causal_entry(values, adoption, min_pre_years=min_pre)
        headline = _shifted_headline(
            ind, values, adoption, list(comparators.la_codes), min_pre, method
        )
        for shift, est in zip(SHIFTS, headline, strict=True):
            moved = {c: y + shift for c, y in adoption.items()}
            entries = causal_entry(values, moved, min_pre_years=min_pre)
            rows = [
                _prepost(ind, values, c, y, own[c], windows.followup[1]) for c, y in moved.items()
            ]
            sensitivity.append(
                Sensitivity(
                    indicator=ind,
                    shift=shift,
                    causal_pilots=sum(e.entered for e in entries.values()),
                    three_pre_years=sum(e.entered and e.pre_years >= 3 for e in entries.values()),
                    mean_pre_gap=_finite_mean([r.pre_gap for r in rows]),
                    mean_change_in_gap=_finite_mean([r.change_in_gap for r in rows]),
                    estimate=est.estimate,
                    p_value=est.p_value,
                    estimated_pilots=est.pilots if math.isfinite(est.estimate) else 0,
                )
            )
    return PilotAnalysis(
        indicators=indicators,
        names={s.la_code: s.name for s in project.pilots},
        adoption=adoption,
        windows=windows,
        prepost=tuple(prepost),
        baseline=baseline,
        entry=entry,
        sensitivity=tuple(sensitivity),
        first_years=first_years,
        min_pre_years=min_pre,
        headline_method=method,
        sources={s.la_code: s.adoption_source for s in project.pilots},
        dates={
            s.la_code: (
                s.implementation_start.isoformat() if s.implementation_start else "",
                s.fully_embedded.isoformat() if s.fully_embedded else "",
            )
            for s in project.pilots
        },
    )


def _shifted_headline(
    ind: str,
    values: pd.DataFrame,
    adoption: dict[str, int],
    pool: list[str],
    min_pre: int,
    method: str | None,
) -> tuple[ShiftedEstimate, ...]:
    """The impact headline per shift: rates in logs, reported as per cent changes (the impact
    strand's scale rule, repeated here because strands do not import each other)."""
    if method is None:
        return tuple(ShiftedEstimate(shift, 0, note="not rerun") for shift in SHIFTS)
    log = BY_ID[ind].kind is Kind.RATE
    scaled = pd.DataFrame(positive_log(values), values.index, values.columns) if log else values
    out = []
    for est in shifted_headline(scaled, adoption, pool, SHIFTS, min_pre, method=method):
        value = float(100.0 * np.expm1(est.estimate)) if log else est.estimate
        out.append(replace(est, estimate=value))
    return tuple(out)
