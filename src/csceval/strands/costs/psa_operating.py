"""How often the cost-benefit reading says "likely" or "very likely" to repay, on this design.

Notes
-----
The reading (:mod:`.section_cba`) turns the share of Monte Carlo simulations in which savings
exceed costs into words: "very likely" at :data:`VERY_LIKELY` or more, "likely" at
:data:`LIKELY`. Like every word of evidence, the phrase is backed by how often it occurs on the
project's own design:

- **With no effect**: in each of :data:`WORLDS` worlds, every estimate that drives a saving is
  replaced by a draw from its spread with no effect (``ActivityChange.null_sd``: the impact
  design's null draws, or the child-level CR2 standard error) around zero, its standard error
  kept; the whole probabilistic sensitivity analysis is run again (costs, unit costs and their
  uncertainty as entered, :data:`PSA_DRAWS` simulations a world, all worlds in one vectorised
  run: ``run_psa``'s ``offsets``), and the phrase it would print is counted.
- **With a detectable effect**: the same worlds with each estimate centred on a reduction of
  its minimum detectable effect (``2.80 null_sd``), every activity at once: what the design
  would say if the framework cut activity by as much as it can detect.

Changes entered in ``data/activity_changes.csv`` are assumptions, not estimates: they stay as
entered in every world. Without any estimate's spread (no design calibration) the rates are not
measured and the reading says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from csceval.impact.multiplicity import MDE_FACTOR
from csceval.strands.costs.cba import ActivityChange, BenefitLine, CBAModel
from csceval.strands.costs.psa import run_psa

LIKELY, VERY_LIKELY = 0.8, 0.95
"""Shares of simulations with savings above costs for "likely" and "very likely" to repay."""
WORLDS = 400
PSA_DRAWS = 2_000
MAX_OFFSETS = 4_000_000
"""Offsets (draws x lines) simulated at a time: about 32 MB, however many lines a project has."""


@dataclass(frozen=True)
class PhraseRates:
    """Shares of worlds whose reading says "likely" or stronger, and "very likely"."""

    worlds: int
    null_likely: float
    null_very_likely: float
    mde_likely: float
    mde_very_likely: float

    def mc_error(self, rate: float) -> float:
        return math.sqrt(rate * (1 - rate) / self.worlds)


def _estimate(change: ActivityChange) -> float:
    """The change's estimate on its analysis scale (what ``run_psa``'s offsets move)."""
    return change.change if change.baseline is None else change.log_effect


def _measured(line: BenefitLine) -> bool:
    sd = line.change.null_sd
    return math.isfinite(sd) and sd > 0


def phrase_rates(
    model: CBAModel,
    site_pv_costs: NDArray[np.float64],
    seed: int,
    worlds: int = WORLDS,
    draws: int = PSA_DRAWS,
) -> PhraseRates | None:
    """The reading's phrases over ``worlds`` worlds with no effect and with a detectable one
    (see the module notes); ``None`` when no estimate's spread with no effect is known."""
    measured = [i for i, line in enumerate(model.lines) if _measured(line)]
    if not measured:
        return None
    z = np.random.default_rng(seed).standard_normal((worlds, len(measured)))
    sd = np.array([model.lines[i].change.null_sd for i in measured])
    own = np.array([_estimate(model.lines[i].change) for i in measured])
    batch = max(1, MAX_OFFSETS // (draws * len(model.lines)))  # bounds the offsets' memory
    shares: dict[str, list[NDArray[np.float64]]] = {"null": [], "mde": []}
    for scenario, centre in (("null", 0.0), ("mde", -MDE_FACTOR)):
        for k, first in enumerate(range(0, worlds, batch)):
            these = (centre + z[first : first + batch]) * sd - own
            offsets = np.zeros((len(these) * draws, len(model.lines)))
            offsets[:, measured] = np.repeat(these, draws, axis=0)
            psa = run_psa(model, len(offsets), seed + 1 + k, site_pv_costs, offsets)
            wins = (psa.pv_benefits > psa.pv_costs).reshape(len(these), draws)
            shares[scenario].append(wins.mean(axis=1))
    null, mde = np.concatenate(shares["null"]), np.concatenate(shares["mde"])
    return PhraseRates(
        worlds,
        float(np.mean(null >= LIKELY)),
        float(np.mean(null >= VERY_LIKELY)),
        float(np.mean(mde >= LIKELY)),
        float(np.mean(mde >= VERY_LIKELY)),
    )
