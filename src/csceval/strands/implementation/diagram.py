"""A theory of change drawn as an accessible SVG diagram, with its text equivalent.

Layout (deterministic, no layout engine): one column per kind, left to right (inputs,
activities, outputs, outcomes); within a column nodes keep the order the file lists them, so an
author controls the picture by ordering the file. Edges are curves from the right edge of a box
to the left edge of the next; an edge between two nodes of the same kind loops round the right
of the column. The text equivalent is a table: one row per node with what leads to it, what it
leads to and its evidence. Given the evidence map's statuses, each box also carries its status
in words under its title ("supported", "contradicted", ...) and the table a column of them: the
mark is text, never colour alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

import pandas as pd

from csceval.strands.implementation.evidence import describe
from csceval.strands.implementation.theory_of_change import KIND_LABELS, KIND_TITLES, KINDS, Theory

BOX_W, COL_GAP, LINE_H, PAD, V_GAP, TOP = 190, 70, 17, 10, 18, 56
WRAP = 22
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
FILLS = {"input": "#E8F1F8", "activity": "#EAF4EC", "output": "#FDF3E1", "outcome": "#F3EAF5"}
INK, EDGE = "#0B0C0C", "#505A5F"
MARKS = {"supported": "\u2713 supported", "contradicted": "\u2717 contradicted",
         "contested": "\u00b1 contested", "inconclusive": "? inconclusive",
         "not yet evidenced": "\u2013 not yet evidenced"}  # fmt: skip
"""A box's evidence-map status as the diagram writes it (a symbol and the word)."""


def _wrap(text: str) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= WRAP:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _n(v: float) -> str:
    s = f"{v:.1f}"
    return s[:-2] if s.endswith(".0") else s


def layout(theory: Theory, marked: bool = False) -> dict[str, tuple[float, float, float, float]]:
    """Each node's box (x, y, width, height); ``marked`` leaves a line for its status."""
    boxes: dict[str, tuple[float, float, float, float]] = {}
    for col, kind in enumerate(KINDS):
        y = float(TOP)
        for node in (n for n in theory.nodes if n.kind == kind):
            h = 2 * PAD + LINE_H * (len(_wrap(node.title)) + marked)
            boxes[node.id] = (20 + col * (BOX_W + COL_GAP), y, float(BOX_W), float(h))
            y += h + V_GAP
    return boxes


def render_theory_svg(
    theory: Theory, figure_id: str, statuses: Mapping[str, str] | None = None
) -> str:
    """The theory as an inline ``<svg role="img">`` with ``<title>`` and ``<desc>``; with
    ``statuses`` (node id -> evidence-map status) each box says its status in words."""
    boxes = layout(theory, marked=statuses is not None)
    width = 80 + len(KINDS) * BOX_W + (len(KINDS) - 1) * COL_GAP  # room for loops
    height = max((y + h for _, y, _, h in boxes.values()), default=TOP) + 20
    tid, did, mid = f"{figure_id}-title", f"{figure_id}-desc", f"{figure_id}-arrow"
    counts = ", ".join(
        f"{sum(n.kind == k for n in theory.nodes)} {KIND_TITLES[k].lower()}" for k in KINDS
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart toc" role="img" '
        f'aria-labelledby="{tid}" aria-describedby="{did}" viewBox="0 0 {width} {_n(height)}" '
        f'width="{width}" height="{_n(height)}" font-family="{escape(FONT)}" font-size="14">',
        f'<title id="{tid}">{escape(theory.title)}</title>',
        f'<desc id="{did}">{escape(theory.title)}: a diagram of {counts}, joined by '
        f"{len(theory.edges)} arrows read left to right"
        + (", each box marked with what the evidence says about it" if statuses else "")
        + ". The table below lists every box with what leads to it and what it leads to.</desc>",
        f'<defs><marker id="{mid}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{EDGE}"/></marker></defs>',
    ]
    for col, kind in enumerate(KINDS):
        x = 20 + col * (BOX_W + COL_GAP) + BOX_W / 2
        out.append(
            f'<text x="{_n(x)}" y="30" fill="{INK}" font-weight="bold" text-anchor="middle">'
            f"{KIND_TITLES[kind]}</text>"
        )
    for source, target in theory.edges:
        sx, sy, sw, sh = boxes[source]
        tx, ty, _, th = boxes[target]
        y1, y2 = sy + sh / 2, ty + th / 2
        if sx == tx:  # same column: loop round the right-hand side
            x1 = sx + sw
            path = f"M{_n(x1)},{_n(y1)} C{_n(x1 + 40)},{_n(y1)} {_n(x1 + 40)},{_n(y2)} " \
                   f"{_n(x1)},{_n(y2)}"  # fmt: skip
        else:
            x1, x2 = sx + sw, tx
            mx = (x1 + x2) / 2
            path = f"M{_n(x1)},{_n(y1)} C{_n(mx)},{_n(y1)} {_n(mx)},{_n(y2)} {_n(x2)},{_n(y2)}"
        out.append(
            f'<path d="{path}" fill="none" stroke="{EDGE}" stroke-width="1.5" '
            f'marker-end="url(#{mid})"><title>{escape(theory.node(source).title)} leads to '
            f"{escape(theory.node(target).title)}</title></path>"
        )
    for node in theory.nodes:
        x, y, w, h = boxes[node.id]
        out.append(f'<g class="node" data-id="{escape(node.id)}">')
        out.append(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" rx="6" '
            f'fill="{FILLS[node.kind]}" stroke="{INK}" stroke-width="1"><title>'
            f"{escape(node.description or node.title)}</title></rect>"
        )
        lines = _wrap(node.title)
        for k, line in enumerate(lines):
            out.append(
                f'<text x="{_n(x + w / 2)}" y="{_n(y + PAD + LINE_H * (k + 1) - 4)}" '
                f'fill="{INK}" text-anchor="middle">{escape(line)}</text>'
            )
        if statuses is not None and node.id in statuses:
            mark = MARKS.get(statuses[node.id], statuses[node.id])
            out.append(
                f'<text class="status" x="{_n(x + w / 2)}" '
                f'y="{_n(y + PAD + LINE_H * (len(lines) + 1) - 4)}" fill="{INK}" '
                f'font-style="italic" text-anchor="middle">{escape(mark)}</text>'
            )
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def text_equivalent(theory: Theory, statuses: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per node, in chain order: its kind, title, description, links and evidence (and,
    given ``statuses``, its evidence-map status)."""
    preds: dict[str, list[str]] = {n.id: [] for n in theory.nodes}
    for s, t in theory.edges:
        preds[t].append(theory.node(s).title)
    rows = [
        {
            "node": node.title,
            "kind": KIND_LABELS[node.kind],
            "description": node.description,
            "led_to_by": "; ".join(preds[node.id]) or "-",
            "leads_to": "; ".join(theory.node(t).title for t in theory.successors(node.id)) or "-",
            "evidence": "; ".join(describe(ref) for ref in node.evidence) or "-",
        }
        for kind in KINDS
        for node in theory.nodes
        if node.kind == kind
    ]
    frame = pd.DataFrame(rows, columns=["node", "kind", "description", "led_to_by", "leads_to",
                                        "evidence"])  # fmt: skip
    if statuses is not None:
        order = [n.id for kind in KINDS for n in theory.nodes if n.kind == kind]
        frame["evidence_map"] = [statuses.get(node_id, "") for node_id in order]
    return frame
