"""Child-level verdicts calibrated on the project's own design, and how often each word occurs.

Notes
-----
**The rule with the design's draws** (:func:`word_flags`: one estimate, or every draw at once).
For one headline outcome, ``p`` is the larger of the CR2 t-test's p-value and its design
p-value, a NaN in either giving no word (``|t|`` ranked among the
``|t|`` of the same outcome in the worlds with no effect, :mod:`.design_null`;
:func:`csceval.impact.multiplicity.rank_p`), and ``p_fw`` the larger of Holm's adjustment of
the CR2 p-values over the headline outcomes and the family-wise design p-value (``|t|`` ranked
among each null world's largest ``|t|`` over the outcomes, max-T):

- **moderate**: ``p <= 0.02`` and ``p_fw <= 0.05``;
- **low**: ``p < 0.10``, short of moderate;
- **none**: the rest, or no test.

A word needs both the CR2 test (its size checked on the simulator's worlds) and the project's
own null draws, so it is no stronger than either; the thresholds are the LA-level section's
(:mod:`csceval.impact.multiplicity`).

**Operating characteristics.** The rule applied to every null world (its ``|t|`` ranked among
all the null worlds', itself included) gives each word's rate with no effect, per outcome, and
the rate of "moderate" for any outcome. Applied to the worlds with an effect of the outcome's
minimum detectable effect (the other outcomes of the same world left null) it gives each word's
rate at that effect. Rates carry Monte Carlo errors ``sqrt(r (1 - r) / draws)``.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from csceval.impact.multiplicity import FAMILY_P, LOW_P, MODERATE_P, holm, rank_p
from csceval.report.model import Strength
from csceval.strands.child_impact.design_figures import DesignOperating, OutcomeOperating
from csceval.strands.child_impact.design_null import (
    FloatArray,
    OutcomeDraws,
    outcome_data,
    outcome_draws,
)
from csceval.strands.child_impact.result import OutcomeEstimate

__all__ = ["calibrate_on_design", "design_operating", "design_strength", "word_flags"]

BoolArray = npt.NDArray[np.bool_]


def word_flags(
    p_cr2: npt.ArrayLike, p_design: npt.ArrayLike, p_holm: npt.ArrayLike, p_fw: npt.ArrayLike
) -> tuple[BoolArray, BoolArray]:
    """The rule, for one estimate or many draws at once: ("low" or stronger, "moderate") from
    the CR2 and design p-values and their family-wise ones (a NaN in either: no word)."""
    with np.errstate(invalid="ignore"):
        p = np.maximum(np.asarray(p_cr2, dtype=float), np.asarray(p_design, dtype=float))
        p_family = np.maximum(np.asarray(p_holm, dtype=float), np.asarray(p_fw, dtype=float))
        return p < LOW_P, (p <= MODERATE_P) & (p_family <= FAMILY_P)


def design_strength(p_cr2: float, p_design: float, p_holm: float, p_fw: float) -> Strength:
    """The word of one estimate (see the module notes and :func:`word_flags`)."""
    low, moderate = word_flags(p_cr2, p_design, p_holm, p_fw)
    return "moderate" if moderate else "low" if low else "none"


def _abs_t(estimate: FloatArray, se: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.abs(estimate / se), dtype=np.float64)


def _holm_rows(p: FloatArray) -> FloatArray:
    """Holm over the outcomes (rows) of every world (column)."""
    return np.array([holm(list(p[:, r])) for r in range(p.shape[1])]).T


def design_operating(
    draws: dict[str, OutcomeDraws],
    observed: dict[str, tuple[float, float, float]],
    n_draws: int,
    seed: int,
) -> DesignOperating:
    """Design p-values of the ``observed`` (estimate, CR2 se, CR2 p) of each outcome and the
    rule's rates on the ``draws`` (outcome -> its draws; every outcome has ``n_draws``)."""
    names = list(draws)
    if not names:  # no outcome could be tested: nothing to calibrate
        return DesignOperating(n_draws, seed, (), math.nan)
    t0 = np.array([_abs_t(draws[o].null.estimate, draws[o].null.se_cr2) for o in names])
    t1 = np.array([_abs_t(draws[o].effect.estimate, draws[o].effect.se_cr2) for o in names])
    p0 = np.array([draws[o].null.p_cr2 for o in names])
    p1 = np.array([draws[o].effect.p_cr2 for o in names])
    finite = np.where(np.isfinite(t0), t0, -np.inf)
    largest = finite.max(axis=0)
    largest = largest[np.isfinite(largest)]
    nulls = [t0[k][np.isfinite(t0[k])] for k in range(len(names))]
    # with no effect: every world through the rule
    pd0 = np.array([rank_p(t0[k], nulls[k]) for k in range(len(names))])
    pf0 = np.array([rank_p(t0[k], largest) for k in range(len(names))])
    low0, mod0 = word_flags(p0, pd0, _holm_rows(p0), pf0)
    any_moderate = float(np.mean(mod0.max(axis=0))) if mod0.size else math.nan
    out = []
    for k, o in enumerate(names):
        # with an effect of the MDE in outcome k, the others null in the same world
        p_mixed = p0.copy()
        p_mixed[k] = p1[k]
        pd1 = rank_p(t1[k], nulls[k])
        pf1 = rank_p(t1[k], largest)
        low1, mod1 = word_flags(p1[k], pd1, _holm_rows(p_mixed)[k], pf1)
        est, se, _ = observed[o]
        t_obs = abs(est / se) if se > 0 else math.nan
        d = draws[o]
        out.append(
            OutcomeOperating(
                outcome=o,
                p_design=float(rank_p(t_obs, nulls[k])[0]),
                p_family_design=float(rank_p(t_obs, largest)[0]),
                size_cr2=float(np.mean(p0[k] <= 0.05)),
                null_low=float(np.mean(low0[k])),
                null_moderate=float(np.mean(mod0[k])),
                mde=100 * d.delta,
                power_cr2=float(np.mean(p1[k] <= 0.05)),
                mde_low=float(np.mean(low1)),
                mde_moderate=float(np.mean(mod1)),
                shock_sd=100 * d.sd,
                shock_rho=d.rho,
            )
        )
    return DesignOperating(n_draws, seed, tuple(out), any_moderate)


def calibrate_on_design(
    frame: pd.DataFrame,
    estimates: Sequence[OutcomeEstimate],
    n_draws: int,
    seed: int,
) -> DesignOperating:
    """Draw ``n_draws`` worlds with no effect, and as many with each outcome's MDE, on the
    headline's matched sample (``frame`` with its ``weight``), and calibrate the ``estimates``
    (the headline's) on them. Each outcome's draws come from a stream of their own (``seed``
    and the outcome's name), so they do not change when another outcome is added."""
    draws, observed = {}, {}
    for e in estimates:
        if not (math.isfinite(e.mde) and math.isfinite(e.se_cr2)):
            continue
        key = zlib.crc32(f"design-null:{e.outcome}".encode())
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key,)))
        draws[e.outcome] = outcome_draws(outcome_data(frame, e.outcome), e.mde / 100, n_draws, rng)
        observed[e.outcome] = (e.estimate, e.se_cr2, e.p_cr2)
    return design_operating(draws, observed, n_draws, seed)
