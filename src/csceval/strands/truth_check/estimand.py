"""The truth an impact estimate targets, computed from ``truth.json`` alone.

Notes
-----
The recovery study (docs/methods.md, "Recovery on synthetic England") defines an estimate's
truth as the realised effect on the pilots it used, averaged over their post-adoption years as
the method weights them. This module computes the same estimand from what the simulator wrote
down: pilot ``p``'s full effect size ``s_p`` (``effects[].per_pilot``) and its exposure ``e_py``
in each year ending 31 March ``y`` (``exposure``: the share of the full effect in place). The
effect in year ``y`` is

- for a ``relative`` effect on a rate analysed on the log scale, ``d_py = log(1 + s_p e_py)``
  (the simulator multiplies the expected count by ``1 + s_p e_py``);
- for an ``absolute_pp`` effect on a percentage, ``d_py = s_p e_py`` percentage points;
- zero on a null indicator (no injected effect).

Post-adoption years run from the pilot's adoption year to the last year of the span the method
used. The truth is then

- pilots weighted equally (pooled and per-pilot synthetic control, controlled ITS, the
  random-trend model):
  ``mean_p mean_y d_py``;
- pilot-years weighted equally (Callaway-Sant'Anna's simple aggregation, synthetic DiD):
  ``sum_py d_py / n_py``;

and on the log scale it is reported as a per cent change, ``100 (exp(truth) - 1)``, like the
estimates. This is the *expected* effect: the recovery study differences the drawn counts of the
two worlds (``observed - counterfactual``), which differ from it only by the rounding of Poisson
and binomial draws to whole children: at most 0.02 (per cent or percentage points) on the demo's
pooled estimates, up to 0.2 on one pilot's (the tests check it against
``csceval.strands.impact.recovery.truth_of`` on seed 2018). A
``relative`` effect on an indicator analysed on its own level scale (a count) would need the
counterfactual level, which ``truth.json`` does not hold: its truth is NaN (not checked).
"""

from __future__ import annotations

import math

import numpy as np

from csceval.impact.estimands import PILOT_WEIGHTED
from csceval.strands.truth_check.truth_file import InjectedTruth


def yearly_effects(
    truth: InjectedTruth, indicator: str, scale: str, pilot: str, years: range
) -> np.ndarray:
    """The injected effect ``d_py`` on ``indicator`` for ``pilot`` in ``years`` (see Notes)."""
    effect = truth.effect_on(indicator)
    if effect is None:
        return np.zeros(len(years))
    size = effect.per_pilot.get(pilot, 0.0)
    shares = truth.exposure.get(pilot, {}).get(effect.indicator, {})
    cells = np.array([size * shares.get(y, 0.0) for y in years], dtype=float)
    if effect.form == "absolute_pp":
        return cells if scale == "level" else np.full(len(years), math.nan)
    return np.log1p(cells) if scale == "log" else np.full(len(years), math.nan)


def true_effect(
    truth: InjectedTruth,
    indicator: str,
    scale: str,
    method: str,
    adoption: dict[str, int],
    last_year: int,
) -> float:
    """The method's estimand over ``adoption``'s pilots, in the estimate's reporting unit."""
    blocks = [
        yearly_effects(truth, indicator, scale, pilot, range(start, last_year + 1))
        for pilot, start in sorted(adoption.items())
    ]
    blocks = [b for b in blocks if b.size]
    if not blocks:
        return math.nan
    if method in PILOT_WEIGHTED:
        value = float(np.mean([b.mean() for b in blocks]))
    else:
        value = float(np.concatenate(blocks).mean())
    return 100.0 * math.expm1(value) if scale == "log" else value
