"""What every SVG chart shares: colours, fonts, sizes, coordinates, axis ticks, the ``<svg>`` head.

Colours are the Okabe-Ito colour-blind-safe set, each at least 3:1 against white (WCAG 2.2
non-text contrast). Coordinates are printed to 1 dp, so the same input gives the same bytes.
"""

from __future__ import annotations

import math
from html import escape

from csceval.report.model import BarChart, Heatmap, LineChart

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
BENCHMARK = "#505A5F"
FAINT = "#B1B4B6"
"""Colour of ``faint`` series (e.g. placebo gaps): thin lines, no points, one legend entry."""
INK, MUTED, GRID = "#0B0C0C", "#505A5F", "#D8D8D8"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
WIDTH, PLOT_HEIGHT, CHAR = 760, 260, 7.5
SHAPES = ("circle", "square", "diamond", "triangle")


def _f(v: float) -> str:
    """A coordinate rounded to 1 dp, without '-0.0' or a trailing '.0'."""
    s = f"{v:.1f}"
    s = "0.0" if s == "-0.0" else s
    return s[:-2] if s.endswith(".0") else s


def _nice(x: float, round_: bool) -> float:
    exp = math.floor(math.log10(x))
    f = x / 10**exp
    if round_:
        nf = 1 if f < 1.5 else 2 if f < 3 else 5 if f < 7 else 10
    else:
        nf = 1 if f <= 1 else 2 if f <= 2 else 5 if f <= 5 else 10
    return nf * 10.0**exp


def nice_ticks(lo: float, hi: float, n: int = 5) -> tuple[list[float], int]:
    """Round tick values covering [lo, hi] and the decimal places to print them with."""
    if hi <= lo:  # one value: centre it, but never push a zero baseline below zero
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = (lo - pad if lo != 0 else 0.0), hi + pad
    step = _nice(_nice(hi - lo, False) / (n - 1), True)
    dp = max(0, -math.floor(math.log10(step) + 1e-9))
    start, stop = math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step
    count = round((stop - start) / step)
    return [round(start + i * step, dp + 1) for i in range(count + 1)], dp


def _tick_label(v: float, dp: int) -> str:
    s = f"{v:,.{dp}f}"
    return s[1:] if s.startswith("-") and float(v) == 0 else s


def _svg_open(
    chart: LineChart | Heatmap | BarChart, kind: str, width: float, height: float
) -> list[str]:
    """The ``<svg role="img">`` start tag with the chart's ``<title>`` and ``<desc>``."""
    tid, did = f"svg-{chart.id}-title", f"svg-{chart.id}-desc"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{kind}" role="img" '
        f'aria-labelledby="{tid}" aria-describedby="{did}" viewBox="0 0 {_f(width)} {_f(height)}" '
        f'width="{_f(width)}" height="{_f(height)}" font-family="{escape(FONT)}" font-size="14">',
        f'<title id="{tid}">{escape(chart.title)}</title>',
        f'<desc id="{did}">{escape(chart.description)}</desc>',
    ]
