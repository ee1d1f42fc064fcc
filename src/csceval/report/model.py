"""What a report contains: sections of prose, findings, published tables and line charts.

A table enters a report only as a :class:`~csceval.disclosure.PublishedTable`, so every number
shown has been through disclosure control. A chart names a table in its own section and draws
only from that table's published ``values`` (NaN where a symbol is shown), so a chart can never
show a suppressed number. Mistakes in building a report are programming errors and raise
:class:`ValueError` at construction.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath
from typing import Literal

from csceval.disclosure import PublishedTable
from csceval.report.questions import DEFAULT_QUESTIONS, Answer, Question, ScopeEntry
from csceval.report.questions import Strength as Strength

Emphasis = Literal["focus", "comparison", "benchmark", "faint"]

#: Ids are used as HTML ids, CSV file names and XLSX sheet names.
ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
#: Ids the HTML page uses for its own parts.
RESERVED_IDS = frozenset(
    {"main-content", "contents", "about-the-statistics", "provenance", "index", "about", "summary"}
)


def _check_id(kind: str, value: str) -> None:
    if not ID_PATTERN.match(value):
        raise ValueError(
            f"{kind} id {value!r} is not valid: use 1-64 letters, digits, '-' or '_', "
            "starting with a letter"
        )
    if value in RESERVED_IDS:
        raise ValueError(f"{kind} id {value!r} is reserved for the report page; choose another")


@dataclass(frozen=True, slots=True)
class Series:
    """One line of a chart: a column of the table, its legend label and its emphasis."""

    column: str
    label: str
    emphasis: Emphasis = "focus"


@dataclass(frozen=True, slots=True)
class Marker:
    """A labelled vertical line at ``x`` (for example the start of implementation).

    On a numeric x axis ``x`` is in data units (a year); on a category axis it is the 0-based
    position of the category (fractions fall between categories).
    """

    x: float
    label: str


@dataclass(frozen=True, slots=True)
class TableBlock:
    """A disclosure-controlled table with its title, caption, source and notes."""

    id: str
    title: str
    table: PublishedTable
    caption: str = ""
    source: str = ""
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_id("Table", self.id)
        missing = [c.name for c in self.table.spec.columns if c.name not in self.table.cells]
        if missing:
            raise ValueError(f"Table {self.id!r}: cells lack the spec's columns {missing}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.table.spec.columns)


@dataclass(frozen=True, slots=True)
class LineChart:
    """A line chart drawn from the published values of the table ``table_id``."""

    id: str
    title: str
    table_id: str
    x: str
    series: tuple[Series, ...]
    y_label: str
    description: str
    x_label: str = ""
    markers: tuple[Marker, ...] = ()

    def __post_init__(self) -> None:
        _check_id("Chart", self.id)
        if not self.series:
            raise ValueError(f"Chart {self.id!r} has no series")
        if not self.description.strip():
            raise ValueError(f"Chart {self.id!r} needs a description (its text alternative)")


@dataclass(frozen=True, slots=True)
class Heatmap:
    """A grid of coloured cells (rows x columns) from the published values of ``table_id``.

    Each row of the table is a row of the grid, labelled by the ``row`` column; each of
    ``columns`` is a column of the grid. Colours run over ``domain`` (sequential, or diverging
    around 0 when ``diverging``); every cell also prints its published text.
    """

    id: str
    title: str
    table_id: str
    row: str
    columns: tuple[Series, ...]
    description: str
    domain: tuple[float, float]
    diverging: bool = False
    value_label: str = ""

    def __post_init__(self) -> None:
        _check_id("Chart", self.id)
        if not self.columns:
            raise ValueError(f"Heatmap {self.id!r} has no columns")
        if not self.description.strip():
            raise ValueError(f"Heatmap {self.id!r} needs a description (its text alternative)")
        if not self.domain[0] < self.domain[1]:
            raise ValueError(f"Heatmap {self.id!r}: domain must run from low to high")


@dataclass(frozen=True, slots=True)
class Figure:
    """A pre-rendered, accessible SVG figure (``role="img"``, ``<title>``, ``<desc>``) whose
    text equivalent is the table ``table_id`` of the same section."""

    id: str
    title: str
    svg: str
    description: str
    table_id: str

    def __post_init__(self) -> None:
        _check_id("Chart", self.id)
        if not self.description.strip():
            raise ValueError(f"Figure {self.id!r} needs a description (its text alternative)")
        if 'role="img"' not in self.svg or "<title" not in self.svg or "<desc" not in self.svg:
            raise ValueError(f"Figure {self.id!r}: the SVG needs role=img, <title> and <desc>")


@dataclass(frozen=True, slots=True)
class BarChart:
    """Horizontal bars from the published values of ``table_id``: one group per row.

    Each row of the table is a group of bars labelled by its ``label`` column; each of
    ``series`` draws a bar from ``base`` to its value. With two series (an input's low and high
    value) and ``base`` the central result it is a tornado chart.
    """

    id: str
    title: str
    table_id: str
    label: str
    series: tuple[Series, ...]
    x_label: str
    description: str
    base: float = 0.0
    base_label: str = ""

    def __post_init__(self) -> None:
        _check_id("Chart", self.id)
        if not self.series:
            raise ValueError(f"Bar chart {self.id!r} has no series")
        if not self.description.strip():
            raise ValueError(f"Bar chart {self.id!r} needs a description (its text alternative)")


@dataclass(frozen=True, slots=True)
class Prose:
    """Plain text; blank lines separate paragraphs."""

    text: str


@dataclass(frozen=True, slots=True)
class Finding:
    """A plain-English finding with, optionally, the strength of its evidence."""

    text: str
    strength: Strength | None = None


Block = TableBlock | LineChart | Heatmap | Figure | BarChart | Prose


@dataclass(frozen=True, slots=True)
class DetailPage:
    """Detail of a section on a page of its own (one pilot's benchmarks, say), linked from the
    section's page. Its charts may name tables of its own or of the section."""

    id: str
    title: str
    summary: str = ""
    findings: tuple[Finding, ...] = ()
    blocks: tuple[Block, ...] = ()

    def __post_init__(self) -> None:
        _check_id("Page", self.id)


@dataclass(frozen=True, slots=True)
class Section:
    """A strand's section of the report: a page of findings and blocks, its detail pages, and
    its answers to the evaluation's questions (shown on the summary page)."""

    id: str
    title: str
    summary: str
    findings: tuple[Finding, ...] = ()
    blocks: tuple[Block, ...] = ()
    pages: tuple[DetailPage, ...] = ()
    answers: tuple[Answer, ...] = ()

    @property
    def all_blocks(self) -> tuple[Block, ...]:
        """The section's blocks, then its detail pages' blocks."""
        return self.blocks + tuple(b for page in self.pages for b in page.blocks)

    def __post_init__(self) -> None:
        _check_id("Section", self.id)
        tables = {b.id: b for b in self.all_blocks if isinstance(b, TableBlock)}
        for figure in self.all_blocks:
            if isinstance(figure, Heatmap | Figure):
                _check_figure_table(self.id, figure, tables)
            if isinstance(figure, BarChart):
                _check_bar_table(self.id, figure, tables)
        for chart in self.charts:
            block = tables.get(chart.table_id)
            if block is None:
                raise ValueError(
                    f"Chart {chart.id!r} in section {self.id!r} names table {chart.table_id!r}, "
                    f"which is not a table of that section (tables: {sorted(tables)})"
                )
            values = block.table.values
            for column in (chart.x, *(s.column for s in chart.series)):
                if column not in block.column_names:
                    raise ValueError(
                        f"Chart {chart.id!r} uses column {column!r}, which is not in table "
                        f"{block.id!r} (columns: {list(block.column_names)})"
                    )
            for s in chart.series:
                if s.column not in values:
                    raise ValueError(
                        f"Chart {chart.id!r}: table {block.id!r} has no published values for "
                        f"column {s.column!r}"
                    )

    @property
    def tables(self) -> tuple[TableBlock, ...]:
        return tuple(b for b in self.all_blocks if isinstance(b, TableBlock))

    @property
    def charts(self) -> tuple[LineChart, ...]:
        return tuple(b for b in self.all_blocks if isinstance(b, LineChart))

    def table(self, table_id: str) -> TableBlock:
        """The table block with this id."""
        for block in self.tables:
            if block.id == table_id:
                return block
        raise KeyError(table_id)


def _check_figure_table(
    section: str, figure: Heatmap | Figure, tables: dict[str, TableBlock]
) -> None:
    """A heatmap or figure must name a table of its section (and, a heatmap, its columns)."""
    block = tables.get(figure.table_id)
    if block is None:
        raise ValueError(
            f"Chart {figure.id!r} in section {section!r} names table {figure.table_id!r}, "
            f"which is not a table of that section (tables: {sorted(tables)})"
        )
    if isinstance(figure, Heatmap):
        for column in (figure.row, *(c.column for c in figure.columns)):
            if column not in block.column_names:
                raise ValueError(
                    f"Chart {figure.id!r} uses column {column!r}, which is not in table "
                    f"{block.id!r} (columns: {list(block.column_names)})"
                )


def _check_bar_table(section: str, chart: BarChart, tables: dict[str, TableBlock]) -> None:
    """A bar chart must name a table of its section, its columns and their published values."""
    block = tables.get(chart.table_id)
    if block is None:
        raise ValueError(
            f"Chart {chart.id!r} in section {section!r} names table {chart.table_id!r}, "
            f"which is not a table of that section (tables: {sorted(tables)})"
        )
    for column in (chart.label, *(s.column for s in chart.series)):
        if column not in block.column_names:
            raise ValueError(
                f"Chart {chart.id!r} uses column {column!r}, which is not in table "
                f"{block.id!r} (columns: {list(block.column_names)})"
            )


@dataclass(frozen=True, slots=True)
class Report:
    """A whole report: sections plus the provenance of the run that made it, the project's
    description and assumptions, the questions it answers and the plan's scope (every strand,
    run or not)."""

    title: str
    subtitle: str
    sections: tuple[Section, ...]
    provenance: dict[str, object] = field(default_factory=dict)
    synthetic: bool = False
    description: str = ""
    questions: tuple[Question, ...] = DEFAULT_QUESTIONS
    scope: tuple[ScopeEntry, ...] = ()
    assumptions: tuple[str, ...] = ()
    """The evaluation's stated assumptions and caveats (``evaluation.toml``), shown on the
    summary page and in the PDF."""

    def __post_init__(self) -> None:
        check_unique_ids(self)

    @property
    def tables(self) -> tuple[tuple[Section, TableBlock], ...]:
        """Every table block with its section, in report order."""
        return tuple((s, t) for s in self.sections for t in s.tables)


def check_unique_ids(report: Report) -> None:
    """Raise ValueError unless section, table and chart ids are unique across the report.

    They share one namespace because they are all ids in the HTML page; table ids also name
    the CSV files.
    """
    seen: dict[str, str] = {}
    for section in report.sections:
        items = [("section", section.id)] + [("page", p.id) for p in section.pages]
        items += [
            ("table" if isinstance(b, TableBlock) else "chart", b.id)
            for b in section.all_blocks
            if not isinstance(b, Prose)
        ]
        for kind, item_id in items:
            if item_id.lower() in seen:
                raise ValueError(
                    f"Duplicate id {item_id!r}: used by a {seen[item_id.lower()]} and a {kind} "
                    f"(section {section.id!r}); ids must be unique across the report"
                )
            seen[item_id.lower()] = kind


#: What each symbol in a published cell means (GSS / DfE conventions).
SYMBOL_MEANINGS: dict[str, str] = {
    "c": "confidential: suppressed to protect individuals (a small number, or a number "
    "that would let a small number be worked out)",
    "k": "rounds to zero, but is not zero",
    "x": "not available",
    "z": "not applicable",
    ":": "not available (older DfE symbol)",
    "u": "low reliability",
}
#: The symbols always explained in a report; the others only when a table uses them.
CORE_SYMBOLS = ("c", "k", "x", "z")


def _jsonable(value: object) -> object:
    if isinstance(value, PurePath):
        return value.as_posix()
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    raise TypeError(
        f"provenance value {value!r} of type {type(value).__name__} cannot be written as JSON; "
        "use str, int, float, bool, None, lists, dicts, paths or dates"
    )


def provenance_json(provenance: dict[str, object]) -> str:
    """The provenance as JSON text: sorted keys, indent 2, a final newline."""
    return (
        json.dumps(provenance, sort_keys=True, indent=2, ensure_ascii=False, default=_jsonable)
        + "\n"
    )
