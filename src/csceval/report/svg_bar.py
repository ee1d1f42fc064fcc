"""Horizontal bar charts, and tornado charts (bars either side of a base value).

Bars run from the chart's base to each published value; a symbol draws no bar and prints the
symbol, and every bar is labelled with its published cell text.
"""

from __future__ import annotations

from html import escape

import numpy as np

from csceval.disclosure import PublishedTable
from csceval.report.model import BarChart
from csceval.report.svg_base import (
    CHAR,
    GRID,
    INK,
    MUTED,
    PALETTE,
    WIDTH,
    _f,
    _svg_open,
    _tick_label,
    nice_ticks,
)

BAR_H, BAR_GAP = 18, 14


def render_bar_chart(chart: BarChart, table: PublishedTable) -> str:
    """Horizontal bars (or a tornado) as an inline ``<svg role="img">`` with title and desc.

    Bars run from ``chart.base`` to each published value (a symbol draws no bar and prints the
    symbol); each bar is labelled with its published cell text, so colour is never the only cue.
    """
    labels = table.cells[chart.label].fillna("").astype(str).tolist()
    values = [table.values[s.column].to_numpy(dtype=float) for s in chart.series]
    finite = np.concatenate([v[np.isfinite(v)] for v in values]) if values else np.array([])
    lo = min([chart.base, *finite.tolist()]) if finite.size else chart.base
    hi = max([chart.base, *finite.tolist()]) if finite.size else chart.base + 1.0
    ticks, dp = nice_ticks(lo, hi)
    xlo, xhi = ticks[0], ticks[-1]
    left = 16 + CHAR * min(48, max((len(x) for x in labels), default=4))
    right = WIDTH - 80.0
    top = 40.0 + (24 if len(chart.series) > 1 else 0)
    group = BAR_H * len(chart.series) + BAR_GAP
    bottom = top + group * len(labels)
    height = bottom + 64

    def px(x: float) -> float:
        return left + (x - xlo) / (xhi - xlo) * (right - left)

    out = _svg_open(chart, "chart bar-chart", WIDTH, height)
    if len(chart.series) > 1:  # legend
        lx = left
        for k, s in enumerate(chart.series):
            colour = PALETTE[k % len(PALETTE)]
            out.append(f'<rect x="{_f(lx)}" y="12" width="14" height="14" fill="{colour}"/>')
            out.append(f'<text x="{_f(lx + 20)}" y="24" fill="{INK}">{escape(s.label)}</text>')
            lx += 44 + CHAR * len(s.label)
    for t in ticks:
        x = px(t)
        out.append(
            f'<line x1="{_f(x)}" y1="{_f(top - 6)}" x2="{_f(x)}" y2="{_f(bottom)}" '
            f'stroke="{GRID}"/>'
        )
        out.append(
            f'<text x="{_f(x)}" y="{_f(bottom + 20)}" fill="{MUTED}" text-anchor="middle">'
            f"{escape(_tick_label(t, dp))}</text>"
        )
    out.append(
        f'<text x="{_f((left + right) / 2)}" y="{_f(bottom + 48)}" fill="{INK}" '
        f'text-anchor="middle">{escape(chart.x_label)}</text>'
    )
    for i, label in enumerate(labels):
        y0 = top + group * i
        short = label if len(label) <= 48 else label[:47] + "\u2026"
        out.append(
            f'<text x="{_f(left - 8)}" y="{_f(y0 + group / 2)}" fill="{INK}" '
            f'text-anchor="end">{escape(short)}</text>'
        )
        for k, (s, v) in enumerate(zip(chart.series, values, strict=True)):
            value, text = float(v[i]), str(table.cells[s.column].iloc[i])
            y = y0 + BAR_H * k
            if np.isfinite(value):
                a, b = sorted((px(chart.base), px(value)))
                out.append(
                    f'<rect x="{_f(a)}" y="{_f(y)}" width="{_f(max(b - a, 1.0))}" '
                    f'height="{BAR_H - 2}" fill="{PALETTE[k % len(PALETTE)]}">'
                    f"<title>{escape(f'{label}, {s.label}: {text}')}</title></rect>"
                )
                tx, anchor = _value_label_at(a, b, value >= chart.base, len(text), left)
            else:
                tx, anchor = px(chart.base) + 4, "start"
            out.append(
                f'<text x="{_f(tx)}" y="{_f(y + BAR_H - 5)}" fill="{INK}" font-size="12" '
                f'text-anchor="{anchor}">{escape(text)}</text>'
            )
    xb = px(chart.base)
    out.append(
        f'<line x1="{_f(xb)}" y1="{_f(top - 10)}" x2="{_f(xb)}" y2="{_f(bottom)}" '
        f'stroke="{INK}" stroke-width="1.5"/>'
    )
    if chart.base_label:
        out.append(
            f'<text x="{_f(xb)}" y="{_f(top - 14)}" fill="{INK}" font-size="12" '
            f'text-anchor="middle">{escape(chart.base_label)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)


def _value_label_at(a: float, b: float, up: bool, chars: int, left: float) -> tuple[float, str]:
    """Where a bar's value label goes: beyond the bar's far end from the base, unless it would
    run into the category labels (left) or off the chart (right); then beside the base end."""
    width = CHAR * chars
    if up:
        return (b + 4, "start") if b + 4 + width <= WIDTH else (a - 4, "end")
    return (a - 4, "end") if a - 4 - width >= left else (b + 4, "start")
