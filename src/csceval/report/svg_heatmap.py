"""Heatmaps: a grid of cells coloured on a sequential or diverging scale, each printing its text.

Cells are coloured from the published values only (a symbol leaves a white cell showing the
symbol) and print their published text in black or white, whichever contrasts more with the
fill, so colour is never the only cue.
"""

from __future__ import annotations

import math
from html import escape

from csceval.disclosure import PublishedTable
from csceval.report.model import Heatmap
from csceval.report.svg_base import GRID, INK, MUTED, _f, _svg_open

SEQUENTIAL = ("#F7FBFF", "#08519C")
DIVERGING = ("#B35806", "#F7F7F7", "#2166AC")
"""End colours of the heatmap scales (ColorBrewer Blues; PuOr-like orange-white-blue)."""
CELL_W, CELL_H = 92, 34
HEAD_CHARS = int((CELL_W - 8) // 8)
"""Characters per line of a column heading: about 8 px a character at 13 px in a wide sans
font, so neighbouring headings never touch."""


def _mix(a: str, b: str, t: float) -> str:
    ca, cb = (tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in (a, b))
    return "#" + "".join(f"{round(x + (y - x) * t):02X}" for x, y in zip(ca, cb, strict=True))


def heat_colour(value: float, lo: float, hi: float, diverging: bool) -> str:
    """The fill of a heatmap cell: sequential over [lo, hi], or diverging around 0."""
    if not math.isfinite(value):
        return "#FFFFFF"
    if not diverging:
        return _mix(*SEQUENTIAL, min(1.0, max(0.0, (value - lo) / (hi - lo))))
    low, mid, high = DIVERGING
    if value < 0:
        return _mix(mid, low, min(1.0, value / lo if lo < 0 else 1.0))
    return _mix(mid, high, min(1.0, value / hi if hi > 0 else 1.0))


def _ink_on(fill: str) -> str:
    """Black or white text, whichever contrasts more with the fill (WCAG relative luminance)."""
    rgb = [int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return INK if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#FFFFFF"


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def render_heatmap(chart: Heatmap, table: PublishedTable) -> str:
    """The heatmap as an inline ``<svg role="img">`` with ``<title>`` and ``<desc>``.

    Cells are coloured from the published values only (a symbol leaves a white cell showing
    the symbol) and print their published text, so colour is never the only cue.
    """
    rows = table.cells[chart.row].fillna("").astype(str).tolist()
    lo, hi = chart.domain
    left = 24 + 8.5 * max(len(r) for r in rows) if rows else 60.0
    heads = [_wrap(c.label, HEAD_CHARS) for c in chart.columns]
    top = 40 + 17 * max(len(h) for h in heads)
    width = left + CELL_W * len(chart.columns) + 20
    height = top + CELL_H * len(rows) + 64
    out = _svg_open(chart, "chart heatmap", width, height)
    for j, lines in enumerate(heads):
        x = left + CELL_W * (j + 0.5)
        for k, line in enumerate(lines):
            y = top - 10 - 17 * (len(lines) - 1 - k)
            out.append(
                f'<text x="{_f(x)}" y="{_f(y)}" fill="{INK}" font-size="13" '
                f'text-anchor="middle">{escape(line)}</text>'
            )
    for i, label in enumerate(rows):
        y = top + CELL_H * i
        out.append(
            f'<text x="{_f(left - 8)}" y="{_f(y + CELL_H / 2 + 5)}" fill="{INK}" '
            f'text-anchor="end">{escape(label)}</text>'
        )
        for j, col in enumerate(chart.columns):
            value = float(table.values[col.column].iloc[i])
            text = str(table.cells[col.column].iloc[i])
            fill = heat_colour(value, lo, hi, chart.diverging)
            x = left + CELL_W * j
            out.append(
                f'<rect x="{_f(x)}" y="{_f(y)}" width="{CELL_W}" height="{CELL_H}" '
                f'fill="{fill}" stroke="#FFFFFF" stroke-width="2">'
                f"<title>{escape(f'{label}, {col.label}: {text}')}</title></rect>"
            )
            out.append(
                f'<text x="{_f(x + CELL_W / 2)}" y="{_f(y + CELL_H / 2 + 5)}" '
                f'fill="{_ink_on(fill)}" text-anchor="middle">{escape(text)}</text>'
            )
    # The scale: five swatches from low to high, labelled.
    ly = top + CELL_H * len(rows) + 20
    steps = [lo + (hi - lo) * k / 4 for k in range(5)]
    if chart.value_label:
        out.append(
            f'<text x="{_f(left - 8)}" y="{_f(ly + 15)}" fill="{INK}" text-anchor="end">'
            f"{escape(chart.value_label)}</text>"
        )
    for k, v in enumerate(steps):
        x = left + 56 * k
        out.append(
            f'<rect x="{_f(x)}" y="{_f(ly)}" width="48" height="20" '
            f'fill="{heat_colour(v, lo, hi, chart.diverging)}" stroke="{GRID}"/>'
        )
        out.append(
            f'<text x="{_f(x + 24)}" y="{_f(ly + 36)}" fill="{MUTED}" font-size="12" '
            f'text-anchor="middle">{escape(f"{v:g}")}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)
