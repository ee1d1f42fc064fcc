"""The synthetic control's fit per pilot, as an analyst compares it with a paper.

One small table per indicator: each pilot's pre-period RMSPE, post/pre RMSPE ratio and
in-space placebo p-value, how V was chosen and the donor weights W that carry the synthetic
pilot (the predictor balance of the strand's outcome-only fits is the pre-period path, shown in
the gap chart).
"""

from __future__ import annotations

import pandas as pd

from csceval.disclosure import ColumnRole, DisclosurePolicy, PublishedColumn, TableSpec, protect
from csceval.impact.synth_pooled import PooledSynthResult
from csceval.report.model import TableBlock

MIN_WEIGHT = 0.01
"""Donors shown (and counted) when their weight is at least this."""
SHOWN = 4
"""At most this many donors named per pilot."""

COLUMNS = ("pilot", "pre_rmspe", "ratio", "p_value", "n_donors", "donors", "v")


def synth_fit_frame(pooled: PooledSynthResult, names: dict[str, str]) -> pd.DataFrame:
    """One row per pilot: fit, placebo ratio and p-value, V, and the largest donor weights."""
    rows = []
    for unit in sorted(pooled.fits):
        fit = pooled.fits[unit]
        top = [(d, w) for d, w in fit.top_donors(MIN_WEIGHT).items()]
        shown = ", ".join(f"{names.get(d, d)} {w:.2f}" for d, w in top[:SHOWN])
        more = f" and {len(top) - SHOWN} more" if len(top) > SHOWN else ""
        rows.append(
            {
                "pilot": names.get(unit, unit),
                "pre_rmspe": fit.pre_rmspe,
                "ratio": fit.rmspe_ratio,
                "p_value": pooled.placebos[unit].p_value,
                "n_donors": float(len(top)),
                "donors": shown + more,
                "v": f"{fit.v_method} ({len(fit.v)} predictors)",
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def synth_fit_block(
    frame: pd.DataFrame, block_id: str, title: str, unit: str, source: str, policy: DisclosurePolicy
) -> TableBlock:
    """The per-pilot fit table, through disclosure control."""
    columns = (
        PublishedColumn("pilot", "Pilot", ColumnRole.LABEL),
        PublishedColumn(
            "pre_rmspe", f"Pre-period RMSPE ({unit})", ColumnRole.VALUE, unit=unit, dp=2
        ),
        PublishedColumn("ratio", "Post/pre RMSPE ratio", ColumnRole.VALUE, dp=2),
        PublishedColumn("p_value", "Placebo p-value (ratio)", ColumnRole.VALUE, dp=3),
        PublishedColumn("n_donors", "Donors with weight >= 0.01", ColumnRole.VALUE, dp=0),
        PublishedColumn("donors", "Largest donor weights (W)", ColumnRole.LABEL),
        PublishedColumn("v", "Predictor weights (V)", ColumnRole.LABEL),
    )
    return TableBlock(
        id=block_id[:64],
        title=title,
        table=protect(frame, TableSpec(columns=columns), policy),
        caption="Each pilot's synthetic control: pre-period fit, the placebo test's statistic "
        "and p-value, and the comparator LAs that make up the synthetic pilot",
        source=source,
        notes=(
            "Predictors: every pre-period value of the indicator, demeaned (the fit matches "
            "each pilot's path, not its level), with equal weights V. Ratio: post-period over "
            "pre-period RMSPE; the p-value ranks it among every comparator refitted as if it "
            "had adopted with the pilot.",
        ),
    )
