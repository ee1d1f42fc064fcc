"""A small, dependency-free renderer of accessible SVG charts; the line chart is drawn here.

The chart draws only the published ``values`` of its table (NaN is a gap in the line), labels
each point with the published cell text, and is deterministic: the same input gives the same
bytes. Series differ by colour, line style and point shape. Heatmaps are drawn by
:mod:`csceval.report.svg_heatmap`, bar and tornado charts by :mod:`csceval.report.svg_bar`, with
the colours and helpers of :mod:`csceval.report.svg_base`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape

import numpy as np
import pandas as pd

from csceval.disclosure import PublishedTable
from csceval.report.model import LineChart, Series
from csceval.report.svg_bar import render_bar_chart
from csceval.report.svg_base import (
    BENCHMARK,
    CHAR,
    FAINT,
    GRID,
    INK,
    MUTED,
    PALETTE,
    PLOT_HEIGHT,
    SHAPES,
    WIDTH,
    _f,
    _svg_open,
    _tick_label,
    nice_ticks,
)
from csceval.report.svg_heatmap import heat_colour, render_heatmap

__all__ = [
    "BENCHMARK",
    "PALETTE",
    "heat_colour",
    "nice_ticks",
    "render_bar_chart",
    "render_heatmap",
    "render_line_chart",
]


def _x_axis(chart: LineChart, table: PublishedTable) -> tuple[list[int], np.ndarray, list[str]]:
    """Rows to draw (in order), their x positions and x labels.

    A numeric x column (in ``values``, else parsed from ``cells``) gives a numeric axis, sorted,
    dropping rows without a number (such as a total row); otherwise rows are equally spaced
    categories labelled by their cell text.
    """
    cells = table.cells[chart.x].fillna("").astype(str).tolist()
    raw = table.values[chart.x] if chart.x in table.values else pd.Series(cells)
    num = pd.to_numeric(pd.Series(np.asarray(raw)), errors="coerce")
    if num.isna().all():
        num = pd.to_numeric(pd.Series(cells), errors="coerce")
    if num.isna().all():
        return list(range(len(cells))), np.arange(len(cells), dtype=float), cells
    rows = sorted(
        (i for i in range(len(cells)) if np.isfinite(num.iloc[i])), key=num.iloc.__getitem__
    )
    xs = np.array([float(num.iloc[i]) for i in rows])
    return rows, xs, [f"{x:g}" if x != int(x) else str(int(x)) for x in xs]


MARKER_ROW = 16.0
"""Vertical step between rows of marker labels."""


def _marker_labels(
    chart: LineChart, px: Callable[[float], float], right: float
) -> list[tuple[float, float, str, int]]:
    """Each marker label's horizontal span, anchor and row: a label that would overlap one
    already placed on a row moves up a row, so no two labels collide."""
    placed: list[tuple[float, float, str, int]] = []
    for m in chart.markers:
        xp, width = px(m.x), 13 / 14 * CHAR * len(m.label)
        anchor = "end" if xp + 5 + width > right else "start"
        x0 = xp - 5 - width if anchor == "end" else xp + 5
        row = 0
        while any(r == row and x0 < b + 8 and a < x0 + width + 8 for a, b, _, r in placed):
            row += 1
        placed.append((x0, x0 + width, anchor, row))
    return placed


def _shape(kind: str, x: float, y: float, r: float, colour: str, tip: str) -> str:
    common = f'fill="{colour}" stroke="#FFFFFF" stroke-width="1"'
    title = f"<title>{escape(tip)}</title>" if tip else ""
    if kind == "circle":
        return f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(r)}" {common}>{title}</circle>'
    if kind == "square":
        s = r * 1.8
        return (
            f'<rect x="{_f(x - s / 2)}" y="{_f(y - s / 2)}" width="{_f(s)}" height="{_f(s)}" '
            f"{common}>{title}</rect>"
        )
    k = r * 1.35
    pts = (
        [(x, y - k), (x + k, y), (x, y + k), (x - k, y)]
        if kind == "diamond"
        else [(x, y - k), (x + k, y + k * 0.8), (x - k, y + k * 0.8)]
    )
    p = " ".join(f"{_f(a)},{_f(b)}" for a, b in pts)
    return f'<polygon points="{p}" {common}>{title}</polygon>'


def _style(s: Series, index: int, colour_index: int) -> tuple[str, float, str, str]:
    """Colour, stroke width, dash array and point shape of a series."""
    shape = SHAPES[index % len(SHAPES)]
    if s.emphasis == "benchmark":
        return BENCHMARK, 2.0, "", shape
    if s.emphasis == "faint":
        return FAINT, 1.0, "", shape
    colour = PALETTE[colour_index % len(PALETTE)]
    return (colour, 3.5, "", shape) if s.emphasis == "focus" else (colour, 2.0, "7 4", shape)


def render_line_chart(chart: LineChart, table: PublishedTable) -> str:
    """The chart as an inline ``<svg role="img">`` with ``<title>`` and ``<desc>``."""
    rows, xs, xlabels = _x_axis(chart, table)
    ys = [table.values[s.column].to_numpy(dtype=float)[rows] for s in chart.series]
    finite = np.concatenate([y[np.isfinite(y)] for y in ys]) if ys else np.array([])
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if lo >= 0 and lo < hi - lo:
        lo = 0.0
    yticks, dp = nice_ticks(lo, hi)
    ylo, yhi = yticks[0], yticks[-1]

    # Legend: wrapped rows of swatch + label above the plot.
    styles, colour_index = [], 0
    for i, s in enumerate(chart.series):
        styles.append(_style(s, i, colour_index))
        colour_index += s.emphasis not in ("benchmark", "faint")
    left = max(52.0, 16 + CHAR * max(len(_tick_label(t, dp)) for t in yticks))
    right = WIDTH - 36.0
    legend: list[tuple[float, float]] = []
    lx, ly = left, 44.0
    faint_seen = False
    for s in chart.series:
        if s.emphasis == "faint" and faint_seen:  # faint series share the first one's entry
            legend.append((-1.0, -1.0))
            continue
        faint_seen = faint_seen or s.emphasis == "faint"
        w = 44 + CHAR * len(s.label)
        if lx > left and lx + w > right:
            lx, ly = left, ly + 22
        legend.append((lx, ly))
        lx += w + 16
    xmin = min([*xs.tolist(), *(m.x for m in chart.markers)], default=0.0)
    xmax = max([*xs.tolist(), *(m.x for m in chart.markers)], default=1.0)
    inner = 14.0

    def px(x: float) -> float:
        if xmax == xmin:
            return (left + right) / 2
        return left + inner + (x - xmin) / (xmax - xmin) * (right - left - 2 * inner)

    labels = _marker_labels(chart, px, right)
    top = ly + (40 + MARKER_ROW * max((row for *_, row in labels), default=0) if labels else 28)
    bottom = top + PLOT_HEIGHT
    height = bottom + (64 if chart.x_label else 40)

    def py(y: float) -> float:
        return bottom - (y - ylo) / (yhi - ylo) * (bottom - top)

    out = _svg_open(chart, "chart", WIDTH, height)
    out.append(
        f'<text x="{_f(left)}" y="18" fill="{INK}" font-weight="bold">'
        f"{escape(chart.y_label)}</text>"
    )
    for t in yticks:  # gridlines and y tick labels
        yp = py(t)
        out.append(
            f'<line x1="{_f(left)}" y1="{_f(yp)}" x2="{_f(right)}" y2="{_f(yp)}" stroke="{GRID}"/>'
        )
        out.append(
            f'<text x="{_f(left - 8)}" y="{_f(yp + 5)}" fill="{MUTED}" text-anchor="end">'
            f"{escape(_tick_label(t, dp))}</text>"
        )
    if ylo < 0 < yhi:
        out.append(
            f'<line x1="{_f(left)}" y1="{_f(py(0))}" x2="{_f(right)}" y2="{_f(py(0))}" '
            f'stroke="{MUTED}"/>'
        )
    out.append(
        f'<line x1="{_f(left)}" y1="{_f(bottom)}" x2="{_f(right)}" y2="{_f(bottom)}" '
        f'stroke="{INK}"/>'
    )
    every = max(1, math.ceil(len(xs) / 12))
    for k, (x, label) in enumerate(zip(xs, xlabels, strict=True)):
        if k % every == 0:
            xp = px(float(x))
            out.append(
                f'<line x1="{_f(xp)}" y1="{_f(bottom)}" x2="{_f(xp)}" y2="{_f(bottom + 5)}" '
                f'stroke="{INK}"/>'
            )
            out.append(
                f'<text x="{_f(xp)}" y="{_f(bottom + 22)}" fill="{MUTED}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    if chart.x_label:
        out.append(
            f'<text x="{_f((left + right) / 2)}" y="{_f(bottom + 50)}" fill="{INK}" '
            f'text-anchor="middle">{escape(chart.x_label)}</text>'
        )
    for m, (x0, _, anchor, row) in zip(chart.markers, labels, strict=True):
        xp, ty = px(m.x), top - 4 - MARKER_ROW * row
        out.append(
            f'<line x1="{_f(xp)}" y1="{_f(ty - 10)}" x2="{_f(xp)}" y2="{_f(bottom)}" '
            f'stroke="{INK}" stroke-width="1.5" stroke-dasharray="4 4"/>'
        )
        tx = x0 if anchor == "start" else xp - 5
        out.append(
            f'<text x="{_f(tx)}" y="{_f(ty)}" fill="{INK}" font-size="13" '
            f'text-anchor="{anchor}">{escape(m.label)}</text>'
        )

    cells = table.cells
    for s, y, (colour, width, dash, shape), (gx, gy) in zip(
        chart.series, ys, styles, legend, strict=True
    ):
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        line = f'fill="none" stroke="{colour}" stroke-width="{_f(width)}"{dash_attr}'
        out.append(f'<g class="series" data-column="{escape(s.column)}">')
        run: list[str] = []
        for k in range(len(y) + 1):  # one path per run of published values; NaN is a gap
            if k < len(y) and np.isfinite(y[k]):
                run.append(f"{_f(px(float(xs[k])))},{_f(py(float(y[k])))}")
                continue
            if len(run) > 1:
                out.append(f'<path d="M{" L".join(run)}" {line} stroke-linejoin="round"/>')
            run = []
        r = 4.5 if s.emphasis == "focus" else 3.5
        for k in np.flatnonzero(np.isfinite(y)) if s.emphasis != "faint" else []:
            text = str(cells[s.column].iloc[rows[k]])
            tip = f"{s.label}, {xlabels[k]}: {text}"
            out.append(_shape(shape, px(float(xs[k])), py(float(y[k])), r, colour, tip))
        out.append("</g>")
        if gx < 0:  # a faint series after the first: no legend entry of its own
            continue
        out.append(
            f'<line x1="{_f(gx)}" y1="{_f(gy - 5)}" x2="{_f(gx + 32)}" y2="{_f(gy - 5)}" {line}/>'
        )
        if s.emphasis != "faint":
            out.append(_shape(shape, gx + 16, gy - 5, r, colour, ""))
        out.append(f'<text x="{_f(gx + 40)}" y="{_f(gy)}" fill="{INK}">{escape(s.label)}</text>')
    if not finite.size:
        out.append(
            f'<text x="{_f((left + right) / 2)}" y="{_f((top + bottom) / 2)}" '
            f'fill="{MUTED}" text-anchor="middle">No published values to show</text>'
        )
    out.append("</svg>")
    return "\n".join(out)
