"""The scale the impact strand estimates on: logs for rates per 10,000, levels for the rest.

See :mod:`csceval.strands.impact.strand` (Notes, Scale) for why rates are analysed in logs and
reported as per cent changes, ``100 (exp(x) - 1)``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from csceval.impact.synth_data import positive_log
from csceval.indicators.catalogue import Indicator, Kind

Scale = Literal["level", "log"]


def analysis_scale(indicator: Indicator) -> Scale:
    """``log`` for rates per 10,000 children, ``level`` for every other indicator."""
    return "log" if indicator.kind is Kind.RATE else "level"


def to_analysis_scale(values: pd.DataFrame, scale: Scale) -> pd.DataFrame:
    """The values the estimators see: logs of positive values (else missing) on the log scale."""
    if scale == "level":
        return values
    return pd.DataFrame(positive_log(values), values.index, values.columns)


def from_log(x: float) -> float:
    """A log-scale effect as a per cent change."""
    return float(100.0 * np.expm1(x))


def percent_frame(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """Every column but ``event_time`` from log scale to per cent changes."""
    if frame is None:
        return None
    return frame.set_index("event_time").map(from_log).reset_index()
