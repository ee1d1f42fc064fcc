"""What the page templates draw: published tables, blocks, symbols and provenance as views.

Wording rules applied here, once, for every strand: a column's unit is added to its heading
only when the heading does not already carry it; a chart's description says where its data are
only when it does not already; a source ends with exactly one full stop.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from csceval.disclosure import ColumnRole, PublishedColumn
from csceval.report.model import (
    CORE_SYMBOLS,
    SYMBOL_MEANINGS,
    BarChart,
    Block,
    Figure,
    Heatmap,
    LineChart,
    Prose,
    Report,
    Section,
    TableBlock,
)
from csceval.report.svg import render_bar_chart, render_heatmap, render_line_chart


def column_heading(column: PublishedColumn) -> str:
    """The column's title with its unit in brackets, unless the title already names the unit."""
    unit = column.unit.strip()
    if not unit or f"({unit})" in column.title or column.title.endswith(unit):
        return column.title
    return f"{column.title} ({unit})"


def sentence(text: str) -> str:
    """``text`` ending with one full stop (no ``..``), or empty."""
    text = text.strip().rstrip(".").rstrip()
    return f"{text}." if text else ""


@dataclass(frozen=True, slots=True)
class CellView:
    text: str
    numeric: bool
    row_header: bool
    symbol: str  # the meaning, when the cell is a symbol; else ""


@dataclass(frozen=True, slots=True)
class TableView:
    anchor: str
    element_id: str | None  # the block id on its first appearance, None on repeats
    title: str
    caption: str
    source: str
    notes: tuple[str, ...]
    headers: tuple[tuple[str, bool], ...]  # (text, numeric)
    rows: tuple[tuple[bool, tuple[CellView, ...]], ...]  # (is total row, cells)
    csv_href: str


def table_view(block: TableBlock, copy: int = 0) -> TableView:
    """What the template needs to draw one published table."""
    spec, cells = block.table.spec, block.table.cells
    labels = [c for c in spec.columns if c.role is ColumnRole.LABEL]
    row_header = labels[0].name if labels else None
    headers = tuple((column_heading(c), c.role is not ColumnRole.LABEL) for c in spec.columns)
    total = spec.total_row_label
    rows = []
    for i in range(len(cells)):
        is_total = total is not None and str(cells[total[0]].iloc[i]) == total[1]
        row = []
        for c in spec.columns:
            raw = cells[c.name].iloc[i]
            text = "" if raw is None or (isinstance(raw, float) and math.isnan(raw)) else str(raw)
            numeric = c.role is not ColumnRole.LABEL
            meaning = SYMBOL_MEANINGS.get(text, "") if numeric else ""
            row.append(CellView(text, numeric, c.name == row_header, meaning))
        rows.append((is_total, tuple(row)))
    return TableView(
        anchor=block.id if copy == 0 else f"{block.id}.{copy}",
        element_id=block.id if copy == 0 else None,
        title=block.title,
        caption=block.caption,
        source=sentence(block.source),
        notes=block.notes,
        headers=headers,
        rows=tuple(rows),
        csv_href=f"../tables/{block.id}.csv",
    )


LONG_TABLE = 20
"""A table of more rows than this, with no chart, is shown behind ``<details>`` (its title
stays visible as the summary), so a page holds a few screens of findings before the detail."""


def _svg(block: LineChart | Heatmap | Figure | BarChart, table: TableBlock) -> Markup:
    """The chart's SVG (svg*.py and a Figure's builder escape all their text)."""
    if isinstance(block, LineChart):
        return Markup(render_line_chart(block, table.table))
    if isinstance(block, Heatmap):
        return Markup(render_heatmap(block, table.table))
    if isinstance(block, BarChart):
        return Markup(render_bar_chart(block, table.table))
    return Markup(block.svg)


def _description(text: str) -> str:
    text = sentence(text)
    return text if "table below" in text.lower() else f"{text} The data are in the table below."


def blocks_view(section: Section, blocks: tuple[Block, ...]) -> list[dict[str, Any]]:
    """``blocks`` (of ``section`` or one of its pages) as template views; a table a chart draws
    is shown under the chart rather than at its own place."""
    charts = [
        b for b in section.all_blocks if isinstance(b, LineChart | Heatmap | Figure | BarChart)
    ]
    charted = {b.table_id for b in charts}
    copies: dict[str, int] = {}
    out: list[dict[str, Any]] = []
    for block in blocks:
        if isinstance(block, Prose):
            paragraphs = [p.strip() for p in block.text.split("\n\n") if p.strip()]
            out.append({"kind": "prose", "paragraphs": paragraphs})
        elif isinstance(block, TableBlock):
            if block.id not in charted:
                long = len(block.table.cells) > LONG_TABLE
                out.append({"kind": "table", "table": table_view(block), "collapsed": long})
        else:
            table = section.table(block.table_id)
            n = copies[table.id] = copies.get(table.id, -1) + 1
            out.append(
                {
                    "kind": "chart",
                    "chart": block,
                    "description": _description(block.description),
                    "svg": _svg(block, table),
                    "table": table_view(table, n),
                }
            )
    return out


def node(value: object) -> dict[str, Any]:
    """A JSON value as a tree the template draws: map, table (list of maps), list or scalar."""
    if isinstance(value, dict):
        return {"kind": "map", "items": [(str(k), node(v)) for k, v in sorted(value.items())]}
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            keys = list(dict.fromkeys(k for v in value for k in v))
            rows = [[node(v.get(k, "")) for k in keys] for v in value]
            return {"kind": "table", "keys": keys, "rows": rows}
        return {"kind": "list", "items": [node(v) for v in value]}
    text = value if isinstance(value, str) else "none" if value is None else json.dumps(value)
    return {"kind": "scalar", "text": text}


def symbols(report: Report) -> list[tuple[str, str]]:
    """The symbols to explain: the core ones and any other a table uses."""
    used = {str(v) for _, t in report.tables for v in t.table.cells.to_numpy().ravel().tolist()}
    shown = [s for s in SYMBOL_MEANINGS if s in CORE_SYMBOLS or s in used]
    return [(s, SYMBOL_MEANINGS[s]) for s in shown]


def policies(report: Report) -> list[str]:
    """The disclosure rules the report's tables went through, in words."""
    lines = []
    for min_count, base in sorted(
        {(t.table.policy.min_count, t.table.policy.round_aggregates_to) for _, t in report.tables}
    ):
        text = (
            f"Counts from 1 to {min_count} for a local authority are suppressed, with further "
            "cells suppressed where totals would reveal them."
            if min_count
            else "Small counts are not suppressed."
        )
        if base > 1:
            text += f" National and regional counts are rounded to the nearest {base}."
        lines.append(text)
    return lines
