"""The hex cartogram of England's LAs coloured by framework, as an accessible SVG.

Every hex prints its category's letters (e.g. ``SOS``) as well as taking its colour, and the
legend pairs each colour with the same letters and a count, so the map does not rely on colour
alone; each hex has a ``<title>`` (LA and framework) and the section's table lists every LA.
Colours are the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies).
"""

from __future__ import annotations

import math
from html import escape

import pandas as pd

from csceval.strands.scoping.analysis import NONE, SEVERAL

RADIUS = 13.0
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
FIXED = {SEVERAL: ("#505A5F", "2+"), NONE: ("#F3F2F1", "NR")}
INK, LIGHT = "#0B0C0C", "#FFFFFF"


def _n(v: float) -> str:
    s = f"{v:.1f}"
    return s[:-2] if s.endswith(".0") else s


def letters(name: str) -> str:
    """Up to three capital initials of a framework's name (Signs of Safety: SOS)."""
    initials = "".join(word[0] for word in name.split() if word[0].isalnum()).upper()
    return initials[:3] or "?"


def legend(categories: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """Each category's colour and letters (repeated letters get a number)."""
    out: dict[str, tuple[str, str]] = {}
    used: set[str] = set()
    for k, category in enumerate(c for c in categories if c not in FIXED):
        code = letters(category)
        code = code if code not in used else f"{code[:2]}{k + 1}"
        used.add(code)
        out[category] = (PALETTE[k % len(PALETTE)], code)
    out.update({c: FIXED[c] for c in categories if c in FIXED})
    return out


def _text_colour(fill: str) -> str:
    r, g, b = (int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return INK if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else LIGHT


def _corners(x: float, y: float) -> str:
    points = []
    for k in range(6):
        angle = math.radians(60 * k - 30)
        points.append(f"{_n(x + RADIUS * math.cos(angle))},{_n(y + RADIUS * math.sin(angle))}")
    return " ".join(points)


def render_map(
    las: pd.DataFrame,
    hexes: pd.DataFrame,
    categories: tuple[str, ...],
    title: str,
    figure_id: str,
) -> str:
    """The map of ``las`` (``la_code, la_name, category``) on their ``hexes`` cells."""
    keys = legend(categories)
    drawn = las.merge(hexes[["la_code", "q", "r"]], on="la_code", how="inner")
    width_step, height_step = math.sqrt(3) * RADIUS, 1.5 * RADIUS
    top = int(drawn["r"].max()) if len(drawn) else 0
    right = int(drawn["q"].max()) if len(drawn) else 0
    map_w = (right + 1.5) * width_step + 2 * RADIUS
    map_h = (top + 1) * height_step + 2 * RADIUS
    legend_x = map_w + 20
    width = legend_x + 260
    height = max(map_h, 40 + 26 * len(keys)) + 10
    tid, did = f"{figure_id}-title", f"{figure_id}-desc"
    counts = drawn["category"].value_counts()
    described = "; ".join(f"{c} ({keys[c][1]}): {int(counts.get(c, 0))}" for c in keys)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart hexmap" role="img" '
        f'aria-labelledby="{tid}" aria-describedby="{did}" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="{_n(width)}" height="{_n(height)}" font-family="{escape(FONT)}" font-size="9">',
        f'<title id="{tid}">{escape(title)}</title>',
        f'<desc id="{did}">A hex map of England with one hexagon per local authority, placed '
        f"roughly where it lies, each coloured and lettered by the framework it uses. "
        f"{len(drawn)} LAs: {escape(described)}. The table below lists every LA.</desc>",
        '<g class="hexes">',
    ]
    ordered = drawn.sort_values(["r", "q"], ascending=[False, True])
    for row in ordered.to_dict("records"):
        q, r = int(row["q"]), int(row["r"])
        x = RADIUS + width_step * (q + 0.5 * (r % 2)) + width_step / 2
        y = RADIUS + height_step * (top - r) + RADIUS
        fill, code = keys[str(row["category"])]
        out.append(
            f'<g data-la="{escape(str(row["la_code"]))}"><polygon points="{_corners(x, y)}" '
            f'fill="{fill}" stroke="{INK}" stroke-width="0.6">'
            f"<title>{escape(str(row['la_name']))}: "
            f"{escape(str(row['category']))}</title></polygon>"
            f'<text x="{_n(x)}" y="{_n(y + 3)}" text-anchor="middle" fill="{_text_colour(fill)}" '
            f'aria-hidden="true">{escape(code)}</text></g>'
        )
    out.append("</g>")
    out.append(
        f'<g class="legend" font-size="12"><text x="{_n(legend_x)}" y="20" '
        f'font-weight="bold" fill="{INK}">Framework (LAs)</text>'
    )
    for k, (category, (fill, code)) in enumerate(keys.items()):
        y = 40 + 26 * k
        out.append(
            f'<polygon points="{_corners(legend_x + RADIUS, y)}" fill="{fill}" stroke="{INK}" '
            f'stroke-width="0.6"/><text x="{_n(legend_x + RADIUS)}" y="{_n(y + 3)}" '
            f'text-anchor="middle" font-size="9" fill="{_text_colour(fill)}">{escape(code)}</text>'
            f'<text x="{_n(legend_x + 2 * RADIUS + 8)}" y="{_n(y + 4)}" fill="{INK}">'
            f"{escape(category)} ({int(counts.get(category, 0))})</text>"
        )
    out += ["</g>", "</svg>"]
    return "\n".join(out)
