"""The impact result as one tidy frame (:meth:`ImpactResult.to_frame`) and its effect wording.

Kept beside ``strand.py`` (which is long) and importing nothing from it: the result passes its
parts in, so the two modules do not import each other.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any

import pandas as pd

from csceval.indicators.catalogue import Indicator, Kind

ESTIMATE_COLUMNS = (
    "indicator", "title", "scale", "unit", "method", "label", "la_code", "estimate", "low",
    "high", "p_value", "fit", "estimable", "pretrend", "note", "n_pilots", "n_donors",
    "first_year", "last_year", "strength", "mde", "null_sd", "headline",
)  # fmt: skip
"""The columns of :meth:`ImpactResult.to_frame`, one row per indicator and estimate.

``indicator`` (catalogue id), ``title``, ``scale`` (``log``: estimated on log values),
``unit`` (what ``estimate``, ``low``, ``high`` and ``fit`` are in: ``% change`` on the log
scale, else ``percentage points`` or the indicator's unit), ``method`` (``synth_pooled``,
``synth_rmspe`` per pilot, ``did``, ``sdid``, ``random_trend``), ``label``, ``la_code`` (the
pilot of a per-pilot row, else empty), ``estimate``, ``low`` and ``high`` (95% interval),
``p_value``, ``fit`` (pre-period RMSPE), ``estimable``, ``pretrend`` (Callaway-Sant'Anna: a
pre-adoption effect outside the uniform band; else None), ``note``, ``n_pilots`` and
``n_donors`` (with complete data) and ``first_year``, ``last_year`` (the span analysed; NaN when
not estimable), ``strength`` (the indicator's strength of evidence, as the report states it;
the same on each of its rows), ``mde`` (the smallest effect the design detects four times in
five with this method, as text in ``unit``; empty when the design was not calibrated or on
per-pilot rows),
``null_sd`` (the standard deviation of the method's estimates over the design's null draws, on
the analysis scale: log points for ``log``; NaN where ``mde`` is empty; the cost-benefit
analysis draws the estimate from it with no effect), ``headline`` (True on the indicator's
headline row, the one its strength of evidence and the cost-benefit analysis read: the first
of the random-trend model, pooled synthetic control, Callaway-Sant'Anna and synthetic DiD the
plan has, :data:`csceval.impact.estimands.HEADLINE_METHODS`).
"""

IndicatorRows = tuple[Indicator, str, tuple[int, int] | None, int, int, Sequence[Any]]
"""One indicator's parts: indicator, scale, years, pilots used, donors, its ``Estimate`` rows
(dataclasses; typed ``Any`` because strand.py, which defines them, imports this module)."""


def effect_unit(indicator: Indicator, scale: str) -> str:
    """What an effect on ``indicator`` is reported in (as the report's tables say)."""
    if scale == "log":
        return "% change"
    return "percentage points" if indicator.kind is Kind.PERCENT else indicator.unit_label


def estimates_frame(parts: Iterable[IndicatorRows]) -> pd.DataFrame:
    """Every estimate of every indicator as one row (columns: :data:`ESTIMATE_COLUMNS`)."""
    rows = []
    for indicator, scale, years, n_pilots, n_donors, estimates in parts:
        first, last = years if years else (math.nan, math.nan)
        for estimate in estimates:
            row = asdict(estimate)
            rows.append(
                {
                    **row,
                    "indicator": indicator.id,
                    "title": indicator.title,
                    "scale": scale,
                    "unit": effect_unit(indicator, scale),
                    "la_code": row.get("unit", ""),
                    "n_pilots": n_pilots,
                    "n_donors": n_donors,
                    "first_year": first,
                    "last_year": last,
                }
            )
    return pd.DataFrame(rows, columns=list(ESTIMATE_COLUMNS))


def effect_text(estimate: float, low: float, high: float, p_value: float, unit: str) -> str:
    """``+6.30% (95% interval -2.04 to +13.04%, p = 0.120)``, or in the indicator's units."""
    suffix = "%" if unit == "% change" else f" {unit}"
    text = f"{estimate:+.2f}{suffix}"
    extra = []
    if math.isfinite(low) and math.isfinite(high):
        extra.append(f"95% interval {low:+.2f} to {high:+.2f}{suffix}")
    if math.isfinite(p_value):
        extra.append(f"p = {p_value:.3f}")
    return f"{text} ({', '.join(extra)})" if extra else text
