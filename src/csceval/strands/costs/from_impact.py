"""Changes in activity a year from the impact strand's estimates (read through ``to_frame()``).

Notes
-----
The costs strand consumes the impact strand's result (``consumes=("impact",)``) but never
imports it: it reads the documented frame of :meth:`ImpactResult.to_frame` (one row per
indicator and estimate: ``indicator``, ``method``, ``estimate``, ``low``, ``high``, ``scale``,
``estimable``, ``title``, ``n_pilots``, ...).

**Which estimate.** The headline (the frame's ``headline`` rows: the estimate the impact
section's verdict reads, the random-trend model's when the plan has it), of each indicator
in :data:`ACTIVITY_OF_INDICATOR`: child protection plans
(``cpp_rate_per_10k`` -> child-years on a plan), looked-after children (``cla_rate_per_10k`` ->
child-years in care) and referrals (``referral_rate_per_10k`` -> referrals; valued only when the
project gives a unit cost for the activity ``referral`` in ``data/unit_costs.csv``: the Unit
Cost Database's referral costs predate the deflator series).

**From a per cent change to units.** Rates are estimated on the log scale and reported as per
cent changes ``100 (exp(x) - 1)``. The change a year is ``baseline x (exp(x) - 1)``, where the
baseline is the indicator's count (``cpp_count_31mar``, ``cla_count_31mar``,
``referrals_count`` in ``data/indicators.csv``) summed over the pilots with costs in the
ledger, each at the year before its adoption year (the year ending 31 March that contains its
``implementation_start``; without one, the year ending 31 March at the start of the first
financial year), or the latest earlier year with a value. A count at 31 March stands for
child-years a year (the stock at a date as the average stock); referrals are a flow a year.
The pooled estimate is the mean effect over the pilots the impact strand could estimate
(``n_pilots``); it is applied to every pilot with costs, so savings and costs cover the same
sites. A pilot without any baseline count is left out and named in the notes.

**Uncertainty.** ``x ~ Normal(log(1 + estimate/100), se)`` with
``se = (log(1 + high/100) - log(1 + low/100)) / (2 x 1.96)``, the standard error implied by the
method's 95% interval on the analysis scale. The indicators are drawn independently of each
other (the impact strand does not expose their joint distribution). The report's interval of a
change (and the tornado chart) maps the method's own interval, which may be asymmetric, to
units. Estimates on another scale
are not converted (noted). A row of ``data/activity_changes.csv`` replaces the estimate for its
activity (an explicit override, named in the report as the evaluator's assumption).

**Child-level source** (``[costs] activity_source = "child-level"``): the changes come instead
from the child-level strand's ``activity_frame()`` (:func:`changes_from_child_impact`): one row
per headline outcome with an activity (re-referrals -> ``referral``, child protection plans ->
``child_protection_plan_start``, entries to care -> ``care_entry``), ``change`` = the estimate in
percentage points x the pilots' treated children a year / 100 (events a year over all pilots,
in units, not relative) and ``se`` the CR2 standard error scaled the same way. Only one source
is used in a run, so no change in activity is counted twice.

**Spread with no effect** (``null_sd``, for :mod:`.psa_operating`): the ``null_sd`` column of
the impact frame (the headline's standard deviation over its design's null draws, log scale),
or the child-level CR2 standard error; NaN (not measured) when the impact result has no design
calibration.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from csceval.indicators.panel import year_ending_march
from csceval.project import Site
from csceval.strands.costs.cba import Z95, ActivityChange

ACTIVITY_OF_INDICATOR: dict[str, tuple[str, str, str]] = {
    "cpp_rate_per_10k": ("cpp_count_31mar", "child_protection_plan_year", "children on a plan"),
    "cla_rate_per_10k": ("cla_count_31mar", "looked_after_child_year", "children looked after"),
    "referral_rate_per_10k": ("referrals_count", "referral", "referrals in the year"),
}
"""Impact indicator -> (count indicator of the baseline, activity with a unit cost, wording)."""


@dataclass(frozen=True)
class DerivedChanges:
    """Activity changes derived from the impact estimates, and what could not be derived."""

    changes: tuple[ActivityChange, ...]
    notes: tuple[str, ...]


def baseline_years(pilots: Sequence[Site], first_fy: str) -> dict[str, int]:
    """Pilot -> the year (ending 31 March) whose count is its baseline: before adoption."""
    fallback = int(first_fy[:4]) + 1 if first_fy else 0
    return {
        s.la_code: (
            year_ending_march(s.implementation_start)
            if s.implementation_start is not None
            else fallback
        )
        - 1
        for s in pilots
    }


def baseline_count(
    indicators: pd.DataFrame, count_id: str, years: Mapping[str, int]
) -> tuple[float, dict[str, int], list[str]]:
    """Sum over pilots of ``count_id`` at each pilot's year (or the latest earlier value)."""
    rows = indicators[indicators["indicator"] == count_id]
    total, used, missing = 0.0, {}, []
    for code, year in years.items():
        mine = rows[(rows["la_code"] == code) & (rows["year"] <= year)].dropna(subset=["value"])
        if mine.empty:
            missing.append(code)
            continue
        last = mine.sort_values("year").iloc[-1]
        total += float(last["value"])
        used[code] = int(last["year"])
    return total, used, missing


def log_scale(estimate: float, low: float, high: float) -> tuple[float, float]:
    """A per cent change and its 95% interval as (log effect, its implied standard error)."""
    mu = math.log1p(estimate / 100.0)
    se = (math.log1p(high / 100.0) - math.log1p(low / 100.0)) / (2 * Z95)
    return mu, max(se, 0.0)


def _null_sd(row: Any) -> float:
    """The headline's standard deviation over its design's null draws (log scale), or NaN."""
    sd = float(row["null_sd"]) if "null_sd" in row.index else math.nan
    return sd if math.isfinite(sd) and sd > 0 else math.nan


def changes_from_impact(
    impact: Any,
    indicators: pd.DataFrame,
    pilots: Sequence[Site],
    first_fy: str,
    valued: set[str],
) -> DerivedChanges:
    """Activity changes from ``impact.to_frame()`` (see the module notes).

    ``pilots`` are the sites with costs; ``valued`` the activities with a unit cost.
    """
    frame = impact.to_frame()
    head = frame[frame["headline"].astype(bool)]
    years = baseline_years(pilots, first_fy)
    changes: list[ActivityChange] = []
    notes: list[str] = []
    for indicator, (count_id, activity, noun) in ACTIVITY_OF_INDICATOR.items():
        rows = head[head["indicator"] == indicator]
        if rows.empty:
            continue
        row = rows.iloc[0]
        title = str(row["title"])
        if activity not in valued:
            notes.append(
                f"{title}: not valued, as there is no unit cost for the activity '{activity}' "
                "(add one to data/unit_costs.csv)."
            )
            continue
        values = [float(row[c]) for c in ("estimate", "low", "high")]
        if not bool(row["estimable"]) or not all(math.isfinite(v) for v in values):
            notes.append(f"{title}: the headline estimate is not available, so its saving is "
                         "unknown and left out.")  # fmt: skip
            continue
        if str(row["scale"]) != "log":
            notes.append(f"{title}: estimated on the {row['scale']} scale, which the "
                         "cost-benefit analysis does not convert; left out.")  # fmt: skip
            continue
        base, used, missing = baseline_count(indicators, count_id, years)
        if missing:
            notes.append(f"{title}: no baseline count ({count_id}) for pilot(s) "
                         f"{', '.join(missing)}, left out of this saving.")  # fmt: skip
        if not used:
            continue
        mu, se = log_scale(*values)
        ends = (math.log1p(values[1] / 100.0), math.log1p(values[2] / 100.0))
        span = sorted(set(used.values()))
        when = f"{span[0]}" if len(span) == 1 else f"{span[0]}-{span[-1]}"
        method = row.get("label", row["method"])
        source = (
            f"impact estimate of {title} ({indicator}) by {method} (headline): "
            f"{values[0]:+.1f}% (95% interval {values[1]:+.1f}% to {values[2]:+.1f}%, "
            f"average over {int(row['n_pilots'])} pilots) x {base:,.0f} {noun} at baseline "
            f"({len(used)} pilots, years ending 31 March {when}, the year before adoption)"
        )
        changes.append(ActivityChange.relative(activity, base, mu, se, source, ends, _null_sd(row)))
    return DerivedChanges(tuple(changes), tuple(notes))


def changes_from_child_impact(child: Any, valued: set[str]) -> DerivedChanges:
    """Activity changes from the child-level result's ``activity_frame()`` (module notes)."""
    frame = child.activity_frame()
    changes: list[ActivityChange] = []
    notes: list[str] = []
    for row in frame.itertuples(index=False):
        wording = str(row.wording)
        if row.activity not in valued:
            notes.append(
                f"Child-level change in {wording}: not valued, as there is no unit cost for the "
                f"activity '{row.activity}' (add one to data/unit_costs.csv)."
            )
            continue
        if not (math.isfinite(row.change) and math.isfinite(row.se)):
            notes.append(f"Child-level change in {wording}: not estimated, left out.")
            continue
        source = (
            f"{row.source} ({row.outcome}): {row.change:+,.1f} {wording} a year over all "
            f"pilots (95% interval {row.low:+,.1f} to {row.high:+,.1f})"
        )
        changes.append(
            ActivityChange(
                str(row.activity),
                float(row.change),
                float(row.se),
                source,
                null_sd=float(row.se),  # the CR2 standard error: its spread with no effect
            )
        )
    return DerivedChanges(tuple(changes), tuple(notes))


def impact_strengths(impact: Any) -> dict[str, str]:
    """Activity -> the impact section's strength of evidence for the indicator whose headline
    estimate drives it (the ``strength`` column of ``impact.to_frame()``; an activity is left
    out when the frame states none, and :mod:`.grades` then counts it as ``none``)."""
    frame = impact.to_frame()
    if "strength" not in frame.columns:
        return {}
    head = frame[frame["headline"].astype(bool)]
    out = {}
    for indicator, (_, activity, _) in ACTIVITY_OF_INDICATOR.items():
        rows = head.loc[head["indicator"] == indicator, "strength"].dropna()
        if not rows.empty:
            out[activity] = str(rows.iloc[0])
    return out
