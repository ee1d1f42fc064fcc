"""One indicator's impact estimates, method by method (the rows of the side-by-side table).

A leaf module, so the verdict rule (:mod:`csceval.strands.impact.verdicts`) and the result
(:mod:`csceval.strands.impact.results`) can both use these types.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from csceval.indicators.catalogue import Indicator
from csceval.strands.impact.scale import Scale


@dataclass(frozen=True)
class Estimate:
    """One row of the side-by-side table: a method's estimate, or why there is none."""

    method: str
    """``synth_pooled``, ``synth_rmspe`` (per pilot), ``did``, ``sdid`` or ``its``."""
    label: str
    estimate: float = math.nan
    low: float = math.nan
    high: float = math.nan
    p_value: float = math.nan
    fit: float = math.nan
    """Pre-period RMSPE (synthetic control: mean over pilots) where the method has one."""
    note: str = ""
    estimable: bool = True
    pretrend: bool | None = None
    """Callaway-Sant'Anna only: does the uniform band exclude zero in some pre-adoption year?"""
    unit: str = ""
    """The pilot's LA code on a per-pilot row (``synth_rmspe``), else empty."""


@dataclass(frozen=True)
class IndicatorImpact:
    """The impact estimates of one indicator (in :func:`analysis_scale`'s reporting unit)."""

    indicator: Indicator
    estimates: tuple[Estimate, ...]
    event_study: pd.DataFrame | None
    """``event_time``, ``att``, ``low``, ``high`` (uniform 95% band)."""
    synth_gaps: pd.DataFrame | None
    """``event_time``, ``pilots`` (pooled gap) and ``placebo_<k>`` (pooled placebo gaps)."""
    pilots_used: tuple[str, ...]
    n_donors: int
    years: tuple[int, int] | None
    notes: tuple[str, ...]
    scale: Scale = "level"
    """``log``: estimated on log values, reported as per cent changes (see the module notes)."""
    synth_fits: pd.DataFrame | None = None
    """Per pilot (synthetic control): ``pilot``, ``pre_rmspe``, ``ratio`` (post/pre RMSPE),
    ``p_value`` (in-space placebos), ``n_donors`` (weight >= 0.01), ``donors`` (the largest
    weights W, as text) and ``v`` (how V was chosen)."""
    its_gaps: pd.DataFrame | None = None
    """Controlled ITS, a chart only: ``event_time``, ``its`` (mean change in the pilots' gap to
    the comparators), ``pilots`` (:mod:`csceval.strands.impact.its_chart`)."""

    def get(self, method: str) -> Estimate | None:
        """The first estimate of ``method`` (None when the method was not run)."""
        return next((e for e in self.estimates if e.method == method), None)
