"""A love plot: each covariate's standardised mean difference before and after matching.

Drawn from the *published* values of the balance table (so a hidden number is never drawn),
with the report library's colours and tick rules, as an accessible SVG (``role="img"``,
``<title>``, ``<desc>``). An open grey circle is the difference before matching; a filled
circle per method the difference after; dashed lines mark the usual 0.1 threshold.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any, NamedTuple, cast

import numpy as np

from csceval.disclosure import PublishedTable
from csceval.report.svg_base import (
    CHAR,
    FAINT,
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

ROW = 18
THRESHOLD = 0.1


class _Head(NamedTuple):
    id: str
    title: str
    description: str


def render_love_plot(
    figure_id: str,
    title: str,
    description: str,
    table: PublishedTable,
    after: list[tuple[str, str]],
) -> str:
    """Rows of ``table`` (a ``covariate`` label and ``before`` column) with one marker per
    ``after`` (column, legend label)."""
    values = table.values
    series = [("before", "Before matching"), *after]
    grid = {c: values[c].to_numpy(dtype=float) for c, _ in series}
    labels = table.cells["covariate"].astype(str).tolist()
    finite = np.concatenate([x[np.isfinite(x)] for x in grid.values()] + [np.array([-0.1, 0.1])])
    ticks, dp = nice_ticks(float(finite.min()), float(finite.max()))
    left = 16 + CHAR * min(36, max((len(x) for x in labels), default=4))
    right, top = WIDTH - 30.0, 50.0
    bottom = top + ROW * len(labels)

    def px(x: float) -> float:
        return left + (x - ticks[0]) / (ticks[-1] - ticks[0]) * (right - left)

    out = _svg_open(
        cast(Any, _Head(figure_id, title, description)), "chart love-plot", WIDTH, bottom + 56
    )
    colours = [MUTED, *PALETTE]
    lx = left
    for k, (_, text) in enumerate(series):
        fill = "none" if k == 0 else colours[k]
        out.append(
            f'<circle cx="{_f(lx + 6)}" cy="18" r="5" fill="{fill}" '
            f'stroke="{colours[k]}" stroke-width="1.5"/>'
        )
        out.append(f'<text x="{_f(lx + 16)}" y="23" fill="{INK}">{escape(text)}</text>')
        lx += 36 + CHAR * len(text)
    lines = [(t, MUTED if t == 0 else GRID, "", _tick_label(t, dp)) for t in ticks]
    lines += [(edge, FAINT, ' stroke-dasharray="4 3"', "") for edge in (-THRESHOLD, THRESHOLD)]
    for value, stroke, dash, label in lines:
        x, y0, y1, below = _f(px(value)), _f(top - 6), _f(bottom), _f(bottom + 18)
        out.append(f'<line x1="{x}" y1="{y0}" x2="{x}" y2="{y1}" stroke="{stroke}"{dash}/>')
        if label:
            anchor = 'text-anchor="middle"'
            out.append(f'<text x="{x}" y="{below}" fill="{MUTED}" {anchor}>{escape(label)}</text>')
    out.append(
        f'<text x="{_f((left + right) / 2)}" y="{_f(bottom + 42)}" fill="{INK}" '
        'text-anchor="middle">Standardised mean difference (pilot minus comparator)</text>'
    )
    for i, label in enumerate(labels):
        y = top + ROW * i + ROW / 2
        out.append(
            f'<text x="{_f(left - 8)}" y="{_f(y + 4)}" fill="{INK}" font-size="12" '
            f'text-anchor="end">{escape(label)}</text>'
        )
        for k, (column, text) in enumerate(series):
            v = grid[column][i]
            if not math.isfinite(v):
                continue
            tip = escape(f"{label}, {text.lower()}: {table.cells[column].iloc[i]}")
            fill = "none" if k == 0 else colours[k]
            out.append(
                f'<circle cx="{_f(px(v))}" cy="{_f(y)}" r="4.5" fill="{fill}" '
                f'stroke="{colours[k]}" stroke-width="1.5"><title>{tip}</title></circle>'
            )
    out.append("</svg>")
    return "\n".join(out)
