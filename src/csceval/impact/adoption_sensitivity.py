"""The headline estimators on an indicator's wide values, and their sensitivity to adoption years.

The impact strand's headline is the random-trend model when the plan has it
(:mod:`csceval.impact.random_trend`), else a pooled, outcome-only, demeaned synthetic control
(equal V) with a randomization test over pseudo-pilot sets
(:func:`csceval.impact.synth.pooled_synth`). This module holds the steps that turn an
indicator's LA x year values into those estimates, so that the impact strand and the
adoption-year sensitivity run exactly the same thing:

- :func:`headline_panel`: the balanced panel of the pilots that can enter (a value in every year
  of the latest unbroken span and at least ``min_pre_years`` years before adoption, the rule of
  :func:`~csceval.impact.baseline_followup.causal_entry`) and the comparators with complete data;
- :func:`shifted_headline`: the headline rerun with every pilot's adoption moved by each shift
  (a year earlier and later by default), each with its estimate, randomization p-value and the
  pilots it used. The pilots entering can change with the shift (an earlier adoption leaves
  fewer pre-years); the result says how many entered.

Estimates are on the scale of ``values`` (the caller takes logs of rates first and reports
``100 (exp(x) - 1)``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from csceval.impact.baseline_followup import causal_entry
from csceval.impact.estimands import plan_headline
from csceval.impact.random_trend import RandomTrendResult, random_trend
from csceval.impact.synth_data import SynthPanel, SynthSpec
from csceval.impact.synth_panel import latest_span
from csceval.impact.synth_pooled import PooledSynthResult, pooled_synth

HEADLINE_SPEC = SynthSpec("y", v_method="equal", demean=True)
"""The headline specification: outcome-only, demeaned, equal predictor weights."""
HEADLINE_DRAWS = 199
"""Re-drawn pseudo-pilot sets for the randomization test (p-value resolution 1/200)."""
HEADLINE_SEED = 20180401
MIN_DONORS_OVER_PILOTS = 3
"""The headline needs at least ``pilots + 3`` comparators with complete data."""


@dataclass(frozen=True)
class HeadlinePanel:
    """The balanced panel the estimators see, who is in it and notes on who was left out."""

    panel: SynthPanel | None
    pilots: dict[str, int]
    donors: list[str]
    notes: list[str]


@dataclass(frozen=True)
class ShiftedEstimate:
    """The headline with every adoption moved by ``shift`` years (on the scale of the values)."""

    shift: int
    pilots: int
    estimate: float = math.nan
    p_value: float = math.nan
    note: str = ""


def headline_panel(
    values: pd.DataFrame,
    adoption: dict[str, int],
    donors: Iterable[str],
    min_pre_years: int,
    names: dict[str, str] | None = None,
) -> HeadlinePanel:
    """The balanced panel of the pilots that can enter and the comparators with complete data.

    Each pilot left out is named with its reason (the key-indicators entry table's rule).
    """
    notes: list[str] = []
    years = latest_span([int(y) for y in values.columns[values.notna().any(axis=0).to_numpy()]])
    if not years:
        return HeadlinePanel(None, {}, [], [])
    block = values.reindex(columns=years)
    complete = set(block.index[block.notna().all(axis=1).to_numpy()])
    entries = causal_entry(values, adoption, min_pre_years=min_pre_years)
    pilots = {p: t for p, t in adoption.items() if entries[p].entered}
    if dropped := [p for p in sorted(adoption) if not entries[p].entered]:
        named = "; ".join(f"{(names or {}).get(p, p)}: {entries[p].reason}" for p in dropped)
        notes.append(
            f"{len(dropped)} pilot(s) left out (each needs a value in every year of "
            f"{years[0]}-{years[-1]} and at least {min_pre_years} years before adoption): {named}"
        )
    candidates = [d for d in donors if d not in adoption]
    usable = [d for d in candidates if d in complete]
    if len(usable) < len(candidates):
        notes.append(
            f"{len(candidates) - len(usable)} comparator(s) dropped: a suppressed or missing "
            f"value in {years[0]}-{years[-1]}"
        )
    if not pilots or not usable:
        return HeadlinePanel(None, pilots, usable, notes)
    units = [*sorted(pilots), *usable]
    matrix = block.loc[units].to_numpy(dtype=np.float64).T
    panel = SynthPanel(units=tuple(units), times=tuple(years), values={"y": matrix})
    return HeadlinePanel(panel, pilots, usable, notes)


def pooled_headline(
    panel: SynthPanel,
    pilots: dict[str, int],
    donors: list[str],
    n_draws: int = HEADLINE_DRAWS,
    seed: int = HEADLINE_SEED,
) -> PooledSynthResult:
    """The headline pooled synthetic control and its randomization test."""
    return pooled_synth(panel, HEADLINE_SPEC, pilots, donors, n_draws=n_draws, seed=seed)


SHIFTED_METHODS = ("random_trend", "synth_pooled")
"""Headline methods the sensitivity reruns: the random-trend model when the plan has it (it is
then the headline), else the pooled synthetic control."""


def shifted_method(estimators: Iterable[str]) -> str | None:
    """The headline method the sensitivity reruns for a plan's ``estimators``: None when the
    plan's headline is Callaway-Sant'Anna or synthetic DiD, which it does not rerun (a synthetic
    control in its place would not be the impact section's headline)."""
    head = plan_headline(estimators)
    return head if head in SHIFTED_METHODS else None


def shifted_headline(
    values: pd.DataFrame,
    adoption: dict[str, int],
    donors: Iterable[str],
    shifts: Iterable[int],
    min_pre_years: int,
    n_draws: int = HEADLINE_DRAWS,
    seed: int = HEADLINE_SEED,
    method: str = "synth_pooled",
) -> tuple[ShiftedEstimate, ...]:
    """The headline (``method``, one of :data:`SHIFTED_METHODS`) rerun with every adoption moved
    by each of ``shifts`` years: the random-trend model's normal p-value, or the pooled
    synthetic control's randomization p-value (``n_draws``, ``seed``)."""
    if method not in SHIFTED_METHODS:
        raise ValueError(f"no adoption sensitivity for {method!r}")
    pool = list(donors)
    out = []
    for shift in shifts:
        moved = {code: year + shift for code, year in adoption.items()}
        hp = headline_panel(values, moved, pool, min_pre_years)
        if hp.panel is None or len(hp.donors) < len(hp.pilots) + MIN_DONORS_OVER_PILOTS:
            why = "no pilot can enter" if not hp.pilots else "too few comparators"
            out.append(ShiftedEstimate(shift, len(hp.pilots), note=f"not estimable: {why}"))
            continue
        try:
            if method == "random_trend":
                res: PooledSynthResult | RandomTrendResult = random_trend(
                    hp.panel, hp.pilots, hp.donors
                )
            else:
                res = pooled_headline(hp.panel, hp.pilots, hp.donors, n_draws, seed)
        except ValueError as exc:
            out.append(ShiftedEstimate(shift, len(hp.pilots), note=f"not estimable: {exc}"))
            continue
        out.append(ShiftedEstimate(shift, len(hp.pilots), float(res.att), float(res.p_value)))
    return tuple(out)
