"""Controlled interrupted time series as a chart, never a row of the estimates table.

Notes
-----
Each pilot's series is its value minus the comparators' mean in each year
(:func:`csceval.impact.its.its`). The chart shows, by years since adoption, the mean over pilots
of that gap minus the pilot's own pre-adoption mean gap, so 0 is "as before adoption". Its
post-adoption mean is the ITS effect: the mean of the observed post-period gaps; no pre-period
line is extrapolated. ITS has no valid inference at these lengths (its calibrated size is
28-48% at nominal 5%), so it gets no interval, no p-value and no row in the estimates table, and
it never enters the verdict.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csceval.disclosure import ColumnRole, DisclosurePolicy, PublishedColumn, TableSpec, protect
from csceval.impact.its import its
from csceval.impact.synth_data import SynthPanel
from csceval.report.model import Block, LineChart, Marker, Series, TableBlock


def its_gaps(panel: SynthPanel, pilots: dict[str, int], donors: list[str]) -> pd.DataFrame | None:
    """``event_time``, ``its`` (mean change in the gap) and ``pilots`` (how many) per event time.

    Pilots ITS cannot fit (fewer than three years before or two from adoption) are left out;
    None when no pilot is left.
    """
    cells: dict[int, list[float]] = {}
    for unit, start in pilots.items():
        try:
            fit = its(panel, "y", unit, start, comparison=donors)
        except ValueError:
            continue
        times = np.asarray(fit.times)
        base = float(fit.series[times < start].mean())
        for t, value in zip(fit.times, fit.series, strict=True):
            cells.setdefault(t - start, []).append(float(value) - base)
    if not cells:
        return None
    event_times = sorted(cells)
    return pd.DataFrame(
        {
            "event_time": event_times,
            "its": [float(np.mean(cells[e])) for e in event_times],
            "pilots": [float(len(cells[e])) for e in event_times],
        }
    )


def its_mean_effect(frame: pd.DataFrame) -> float:
    """Mean over post-adoption event times of the chart's gap (a description, not an estimate)."""
    post = frame[frame["event_time"] >= 0]
    return float(post["its"].mean()) if len(post) else float("nan")


def its_blocks(
    frame: pd.DataFrame | None,
    indicator_id: str,
    title: str,
    unit: str,
    source: str,
    policy: DisclosurePolicy,
) -> list[Block]:
    """The ITS chart and its data table (through disclosure control), or nothing."""
    if frame is None or frame.empty:
        return []
    columns = (
        PublishedColumn("event_time", "Years since adoption", ColumnRole.LABEL),
        PublishedColumn("its", f"Change in gap to comparators ({unit})", ColumnRole.VALUE,
                        unit=unit, dp=2),
        PublishedColumn("pilots", "Pilots", ColumnRole.VALUE, dp=0),
    )  # fmt: skip
    shown = frame.assign(event_time=frame["event_time"].astype(str))
    table = TableBlock(
        id=f"impact-its-{indicator_id}"[:64],
        title=f"{title}: controlled interrupted time series (descriptive)",
        table=protect(shown, TableSpec(columns=columns), policy),
        caption="Each pilot's value minus its comparators' mean, less its own mean before "
        "adoption, averaged over pilots, by years since adoption",
        source=source,
        notes=(
            "Descriptive only: the mean of the observed post-adoption gaps, with no line "
            "extrapolated; no interval or p-value, because this test's real size is far above "
            "its nominal level. It is not an estimate of the effect and not in the verdict.",
        ),
    )
    chart = LineChart(
        id=f"impact-its-chart-{indicator_id}"[:64],
        title=f"{title}: pilots' gap to comparators against before adoption",
        table_id=table.id,
        x="event_time",
        series=(Series("its", "Pilots (mean change in gap)", "focus"),),
        y_label=unit,
        x_label="Years since adoption (0 = adoption year)",
        description=f"Line chart of the pilots' mean gap to their comparators in {title.lower()}, "
        "less its pre-adoption mean, by years since adoption; the data are in the table below.",
        markers=(Marker(float((frame["event_time"] < 0).sum()) - 0.5, "Adoption"),),
    )
    return [chart, table]
