"""The report as one static, accessible HTML page (no external assets, no JavaScript).

The page lives at ``OUT/report/index.html``; it links to the CSV of each table at
``../tables/<id>.csv`` and to the workbook at ``../report.xlsx``, so it works opened from disk.
Every chart is followed by the table it draws from; a table that a chart names is shown under
the chart rather than at its own place in the section.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from csceval.disclosure import ColumnRole
from csceval.report.model import (
    CORE_SYMBOLS,
    SYMBOL_MEANINGS,
    BarChart,
    Figure,
    Heatmap,
    LineChart,
    Prose,
    Report,
    Section,
    TableBlock,
    provenance_json,
)
from csceval.report.svg import render_bar_chart, render_heatmap, render_line_chart
from csceval.version import __version__

STRENGTH_LABELS = {"none": "None", "low": "Low", "moderate": "Moderate", "high": "High"}


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
    headers = tuple(
        (f"{c.title} ({c.unit})" if c.unit else c.title, c.role is not ColumnRole.LABEL)
        for c in spec.columns
    )
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
        source=block.source,
        notes=block.notes,
        headers=headers,
        rows=tuple(rows),
        csv_href=f"../tables/{block.id}.csv",
    )


def _blocks(section: Section) -> list[dict[str, Any]]:
    charted = {
        b.table_id for b in section.blocks if isinstance(b, LineChart | Heatmap | Figure | BarChart)
    }
    copies: dict[str, int] = {}
    out: list[dict[str, Any]] = []
    for block in section.blocks:
        if isinstance(block, Prose):
            paragraphs = [p.strip() for p in block.text.split("\n\n") if p.strip()]
            out.append({"kind": "prose", "paragraphs": paragraphs})
        elif isinstance(block, LineChart):
            table = section.table(block.table_id)
            n = copies[table.id] = copies.get(table.id, -1) + 1
            svg = Markup(render_line_chart(block, table.table))  # svg.py escapes all text
            out.append({"kind": "chart", "chart": block, "svg": svg, "table": table_view(table, n)})
        elif isinstance(block, Heatmap | Figure):
            table = section.table(block.table_id)
            n = copies[table.id] = copies.get(table.id, -1) + 1
            drawn = block.svg if isinstance(block, Figure) else render_heatmap(block, table.table)
            view = table_view(table, n)  # a Figure's SVG is built by code that escapes its text
            out.append({"kind": "chart", "chart": block, "svg": Markup(drawn), "table": view})
        elif isinstance(block, BarChart):
            table = section.table(block.table_id)
            n = copies[table.id] = copies.get(table.id, -1) + 1
            svg = Markup(render_bar_chart(block, table.table))  # svg.py escapes all text
            out.append({"kind": "chart", "chart": block, "svg": svg, "table": table_view(table, n)})
        elif block.id not in charted:
            out.append({"kind": "table", "table": table_view(block)})
    return out


def _node(value: object) -> dict[str, Any]:
    """A JSON value as a tree the template draws: map, table (list of maps), list or scalar."""
    if isinstance(value, dict):
        return {"kind": "map", "items": [(str(k), _node(v)) for k, v in sorted(value.items())]}
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            keys = list(dict.fromkeys(k for v in value for k in v))
            rows = [[_node(v.get(k, "")) for k in keys] for v in value]
            return {"kind": "table", "keys": keys, "rows": rows}
        return {"kind": "list", "items": [_node(v) for v in value]}
    text = value if isinstance(value, str) else "none" if value is None else json.dumps(value)
    return {"kind": "scalar", "text": text}


def _symbols(report: Report) -> list[tuple[str, str]]:
    used = {str(v) for _, t in report.tables for v in t.table.cells.to_numpy().ravel().tolist()}
    shown = [s for s in SYMBOL_MEANINGS if s in CORE_SYMBOLS or s in used]
    return [(s, SYMBOL_MEANINGS[s]) for s in shown]


def _policies(report: Report) -> list[str]:
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


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("csceval.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["strength_labels"] = STRENGTH_LABELS
    return env


def render_html(report: Report) -> str:
    """The whole report as one HTML page."""
    provenance = json.loads(provenance_json(report.provenance))
    template = _environment().get_template("report.html.j2")
    return template.render(
        report=report,
        sections=[(s, _blocks(s)) for s in report.sections],
        symbols=_symbols(report),
        policies=_policies(report),
        provenance=_node(provenance)["items"] if provenance else [],
        version=__version__,
    )
