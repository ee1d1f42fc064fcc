"""A forest plot: each estimate's 95% interval as a line, the estimate a dot, the truth a diamond.

Drawn from the *published* values of the section's table (so a number that disclosure control
hid is never drawn), with the report library's colours and tick rules, as an accessible SVG
(``role="img"``, ``<title>``, ``<desc>``) for a :class:`~csceval.report.model.Figure`.
"""

from __future__ import annotations

import math
from html import escape

import numpy as np

from csceval.disclosure import PublishedTable
from csceval.report.svg_base import (
    CHAR,
    FONT,
    GRID,
    INK,
    MUTED,
    PALETTE,
    WIDTH,
    _f,
    _tick_label,
    nice_ticks,
)

ROW_H = 30


def _head(figure_id: str, title: str, description: str, height: float) -> list[str]:
    tid, did = f"svg-{figure_id}-title", f"svg-{figure_id}-desc"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart forest" role="img" '
        f'aria-labelledby="{tid}" aria-describedby="{did}" viewBox="0 0 {WIDTH} {_f(height)}" '
        f'width="{WIDTH}" height="{_f(height)}" font-family="{escape(FONT)}" font-size="14">',
        f'<title id="{tid}">{escape(title)}</title>',
        f'<desc id="{did}">{escape(description)}</desc>',
    ]


def render_forest(
    figure_id: str,
    title: str,
    description: str,
    table: PublishedTable,
    rows: list[int],
    x_label: str,
) -> str:
    """The ``rows`` of ``table`` (columns ``method``, ``estimate``, ``low``, ``high``,
    ``truth``) as a forest plot, with a legend and a zero line."""
    v = table.values
    get = {c: v[c].to_numpy(dtype=float)[rows] for c in ("estimate", "low", "high", "truth")}
    labels = [str(table.cells["method"].iloc[i]) for i in rows]
    finite = np.concatenate([x[np.isfinite(x)] for x in get.values()] + [np.array([0.0])])
    ticks, dp = nice_ticks(float(finite.min()), float(finite.max()))
    left = 16 + CHAR * min(40, max((len(x) for x in labels), default=4))
    right, top = WIDTH - 40.0, 56.0
    bottom = top + ROW_H * len(rows)
    height = bottom + 60

    def px(x: float) -> float:
        return left + (x - ticks[0]) / (ticks[-1] - ticks[0]) * (right - left)

    out = _head(figure_id, title, description, height)
    legend = (("Estimate and 95% interval", PALETTE[0], "circle"), ("True effect", PALETTE[1], "d"))
    lx = left
    for text, colour, shape in legend:
        mark = (
            f'<circle cx="{_f(lx + 7)}" cy="20" r="5" fill="{colour}"/>'
            if shape == "circle"
            else f'<polygon points="{_f(lx + 7)},13 {_f(lx + 14)},20 {_f(lx + 7)},27 {_f(lx)},20" '
            f'fill="{colour}"/>'
        )
        out += [mark, f'<text x="{_f(lx + 20)}" y="25" fill="{INK}">{escape(text)}</text>']
        lx += 44 + CHAR * len(text)
    for t in ticks:
        out.append(
            f'<line x1="{_f(px(t))}" y1="{_f(top - 8)}" x2="{_f(px(t))}" y2="{_f(bottom)}" '
            f'stroke="{MUTED if t == 0 else GRID}"/>'
        )
        out.append(
            f'<text x="{_f(px(t))}" y="{_f(bottom + 20)}" fill="{MUTED}" '
            f'text-anchor="middle">{escape(_tick_label(t, dp))}</text>'
        )
    out.append(
        f'<text x="{_f((left + right) / 2)}" y="{_f(bottom + 46)}" fill="{INK}" '
        f'text-anchor="middle">{escape(x_label)}</text>'
    )
    for k, i in enumerate(rows):
        y = top + ROW_H * k + ROW_H / 2
        out.append(
            f'<text x="{_f(left - 8)}" y="{_f(y + 5)}" fill="{INK}" text-anchor="end">'
            f"{escape(labels[k])}</text>"
        )
        low, high, est, truth = (get[c][k] for c in ("low", "high", "estimate", "truth"))
        cell = {c: str(table.cells[c].iloc[i]) for c in ("estimate", "low", "high", "truth")}
        name = labels[k]
        if math.isfinite(low) and math.isfinite(high):
            tip = escape(f"{name}: 95% interval {cell['low']} to {cell['high']}")
            out.append(
                f'<line x1="{_f(px(low))}" y1="{_f(y)}" x2="{_f(px(high))}" y2="{_f(y)}" '
                f'stroke="{PALETTE[0]}" stroke-width="3"><title>{tip}</title></line>'
            )
        if math.isfinite(est):
            tip = escape(f"{name}: estimate {cell['estimate']}")
            out.append(
                f'<circle cx="{_f(px(est))}" cy="{_f(y)}" r="5.5" fill="{PALETTE[0]}" '
                f'stroke="#FFFFFF"><title>{tip}</title></circle>'
            )
        if math.isfinite(truth):
            x, d, tip = px(truth), 6.5, escape(f"{name}: true effect {cell['truth']}")
            out.append(
                f'<polygon points="{_f(x)},{_f(y - d)} {_f(x + d)},{_f(y)} {_f(x)},{_f(y + d)} '
                f'{_f(x - d)},{_f(y)}" fill="{PALETTE[1]}" stroke="#FFFFFF"><title>{tip}</title>'
                "</polygon>"
            )
    out.append("</svg>")
    return "\n".join(out)
