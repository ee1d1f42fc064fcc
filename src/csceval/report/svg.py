"""A small, dependency-free renderer of accessible SVG line charts.

The chart draws only the published ``values`` of its table (NaN is a gap in the line), labels
each point with the published cell text, and is deterministic: the same input gives the same
bytes. Colours are the Okabe-Ito colour-blind-safe set, each at least 3:1 against white
(WCAG 2.2 non-text contrast); series also differ by line style and point shape.
"""

from __future__ import annotations

import math
from html import escape

import numpy as np
import pandas as pd

from csceval.disclosure import PublishedTable
from csceval.report.model import BarChart, Heatmap, LineChart, Series

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
    top = ly + (40 if chart.markers else 28)
    bottom = top + PLOT_HEIGHT
    height = bottom + (64 if chart.x_label else 40)

    xmin = min([*xs.tolist(), *(m.x for m in chart.markers)], default=0.0)
    xmax = max([*xs.tolist(), *(m.x for m in chart.markers)], default=1.0)
    inner = 14.0

    def px(x: float) -> float:
        if xmax == xmin:
            return (left + right) / 2
        return left + inner + (x - xmin) / (xmax - xmin) * (right - left - 2 * inner)

    def py(y: float) -> float:
        return bottom - (y - ylo) / (yhi - ylo) * (bottom - top)

    tid, did = f"svg-{chart.id}-title", f"svg-{chart.id}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-labelledby="{tid}" aria-describedby="{did}" viewBox="0 0 {WIDTH} {_f(height)}" '
        f'width="{WIDTH}" height="{_f(height)}" font-family="{escape(FONT)}" font-size="14">',
        f'<title id="{tid}">{escape(chart.title)}</title>',
        f'<desc id="{did}">{escape(chart.description)}</desc>',
        f'<text x="{_f(left)}" y="18" fill="{INK}" font-weight="bold">'
        f"{escape(chart.y_label)}</text>",
    ]
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
    for m in chart.markers:
        xp = px(m.x)
        anchor, dx = ("end", -5) if xp > right - 160 else ("start", 5)
        out.append(
            f'<line x1="{_f(xp)}" y1="{_f(top - 14)}" x2="{_f(xp)}" y2="{_f(bottom)}" '
            f'stroke="{INK}" stroke-width="1.5" stroke-dasharray="4 4"/>'
        )
        out.append(
            f'<text x="{_f(xp + dx)}" y="{_f(top - 4)}" fill="{INK}" font-size="13" '
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


SEQUENTIAL = ("#F7FBFF", "#08519C")
DIVERGING = ("#B35806", "#F7F7F7", "#2166AC")
"""End colours of the heatmap scales (ColorBrewer Blues; PuOr-like orange-white-blue)."""
CELL_W, CELL_H = 92, 34


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
    heads = [_wrap(c.label, 13) for c in chart.columns]
    top = 40 + 17 * max(len(h) for h in heads)
    width = left + CELL_W * len(chart.columns) + 20
    height = top + CELL_H * len(rows) + 64
    tid, did = f"svg-{chart.id}-title", f"svg-{chart.id}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart heatmap" role="img" '
        f'aria-labelledby="{tid}" aria-describedby="{did}" viewBox="0 0 {_f(width)} {_f(height)}" '
        f'width="{_f(width)}" height="{_f(height)}" font-family="{escape(FONT)}" font-size="14">',
        f'<title id="{tid}">{escape(chart.title)}</title>',
        f'<desc id="{did}">{escape(chart.description)}</desc>',
    ]
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

    tid, did = f"svg-{chart.id}-title", f"svg-{chart.id}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart bar-chart" role="img" '
        f'aria-labelledby="{tid}" aria-describedby="{did}" viewBox="0 0 {WIDTH} {_f(height)}" '
        f'width="{WIDTH}" height="{_f(height)}" font-family="{escape(FONT)}" font-size="14">',
        f'<title id="{tid}">{escape(chart.title)}</title>',
        f'<desc id="{did}">{escape(chart.description)}</desc>',
    ]
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
                tx, anchor = (b + 4, "start") if value >= chart.base else (a - 4, "end")
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
