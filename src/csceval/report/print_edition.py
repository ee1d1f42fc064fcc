"""The print edition: the report as a document a person would print, laid out as the PDF.

It keeps the summary (answers, what was not evaluated, the description, the assumptions and
the scope), every section's summary, findings and prose, its charts (SVG, kept as vectors) and
its headline tables; it leaves out the bulk a reader looks up rather than reads, and says so
where each piece would have been, with where to find it:

- a table of more than :data:`PRINT_ROWS` rows, or more than :data:`PRINT_COLUMNS` columns (the
  per-pilot and placebo detail), by its sheet of ``report.xlsx`` and its CSV in ``tables/``;
- the data table under a chart, likewise: the chart stays, with its description (its text
  alternative, with the key numbers) and where its data are;
- a section's detail pages (the per-pilot benchmark pages): their summary and findings are
  printed, their charts and tables are named by their HTML page and their sheets.

The whole report, every table included, is in the HTML pages and the workbook; the edition's
opening paragraph says so. Contents list, page numbers and bookmarks come from the paged
stylesheet, as for the one-page HTML (:func:`csceval.report.html.render_html`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csceval.report.html import STRENGTH_LABELS, NavItem, _common, _environment, site_links
from csceval.report.model import Block, DetailPage, Finding, Report, Section, TableBlock
from csceval.report.summary import summary_view
from csceval.report.views import blocks_view, sentence
from csceval.report.xlsx import sheet_names

__all__ = ["PRINT_COLUMNS", "PRINT_ROWS", "render_print"]

PRINT_ROWS = 20
"""A table of more rows than this is not printed (the HTML shows it behind ``<details>``)."""
PRINT_COLUMNS = 12
"""A table of more columns than this is not printed: on A4 it would not be legible."""

EDITION_NOTE = (
    "This is the print edition of the report. It holds the summary, every section's findings, "
    "its charts and its headline tables. The data under each chart, long or wide tables "
    "(per-pilot and placebo detail, for example) and the pages of detail for each pilot are not "
    "printed: each is named where it would have been, with where to find it. Every table is a "
    "sheet of the workbook "
    "report.xlsx (listed on its Contents sheet) and a CSV file in the folder tables; the HTML "
    "pages in the folder report (open index.html) hold the whole report."
)


@dataclass(frozen=True, slots=True)
class DetailSummary:
    """A detail page as printed: its summary and findings, and where its blocks are."""

    title: str
    summary: str
    findings: tuple[Finding, ...]
    pointer: str


@dataclass(frozen=True, slots=True)
class PrintPart:
    """A section as the print template draws it."""

    id: str
    title: str
    summary: str
    findings: tuple[Finding, ...]
    blocks: list[dict[str, Any]]
    details: tuple[DetailSummary, ...]


def printable(block: TableBlock) -> bool:
    """Whether a table is small enough to print."""
    return len(block.table.cells) <= PRINT_ROWS and len(block.column_names) <= PRINT_COLUMNS


def _where(block: TableBlock, sheets: dict[str, str]) -> str:
    return f'sheet "{sheets[block.id]}" of report.xlsx and tables/{block.id}.csv'


def _size(block: TableBlock) -> str:
    rows, columns = len(block.table.cells), len(block.column_names)
    return f"{rows} row{'s' if rows != 1 else ''} by {columns} columns"


def print_blocks(
    section: Section, blocks: tuple[Block, ...], sheets: dict[str, str]
) -> list[dict[str, Any]]:
    """The views of ``blocks`` for print: big tables become pointers to where they are."""
    out = []
    for view in blocks_view(section, blocks):
        if view["kind"] == "table":
            block = section.table(view["table"].element_id or "")
            if not printable(block):
                text = f"{block.title} ({_size(block)}): not printed; see {_where(block, sheets)}."
                view = {"kind": "left-out", "text": text}
        elif view["kind"] == "chart":
            block = section.table(view["chart"].table_id)
            view = dict(view, table=None)
            view["description"] = (
                f"{sentence(view['chart'].description)} The data ({_size(block)}) are in "
                f"{_where(block, sheets)}."
            )
        out.append(view)
    return out


def _detail(page: DetailPage, section: Section, link: str, sheets: dict[str, str]) -> DetailSummary:
    tables = [b for b in page.blocks if isinstance(b, TableBlock)]
    if not tables:
        tables = [section.table(t) for t in {getattr(b, "table_id", "") for b in page.blocks} if t]
    numbers = sorted(int(sheets[t.id].split()[0]) for t in tables)
    where = f"the page {link} of the HTML report"
    if numbers:
        span = (
            f"sheet {numbers[0]}" if len(numbers) == 1 else f"sheets {numbers[0]} to {numbers[-1]}"
        )
        where += f" and {span} of report.xlsx"
    pointer = f"Its charts and tables are not printed: see {where}."
    return DetailSummary(page.title, page.summary, page.findings, pointer)


def print_parts(report: Report) -> list[PrintPart]:
    """Every section as printed."""
    blocks = [t for _, t in report.tables]
    sheets = dict(zip((b.id for b in blocks), sheet_names(b.title for b in blocks), strict=True))
    links = site_links(report)
    return [
        PrintPart(
            id=section.id,
            title=section.title,
            summary=section.summary,
            findings=section.findings,
            blocks=print_blocks(section, section.blocks, sheets),
            details=tuple(
                _detail(page, section, f"report/{links[page.id]}", sheets) for page in section.pages
            ),
        )
        for section in report.sections
    ]


def render_print(report: Report) -> str:
    """The print edition as one HTML document for the paged medium (WeasyPrint)."""
    summary = summary_view(report)
    has_summary = bool(report.scope) or any(s.answers for s in report.sections)
    links = {s.id: f"#{s.id}" for s in report.sections}
    nav = [NavItem("#summary", "Summary")] if has_summary else []
    nav += [NavItem(f"#{s.id}", s.title) for s in report.sections]
    nav += [NavItem("#about-the-statistics", "About these statistics")]
    nav += [NavItem("#provenance", "How this report was made")]
    env = _environment()
    env.globals["strength_labels"] = STRENGTH_LABELS
    return env.get_template("print.html.j2").render(
        **_common(report),
        page_title="",
        paged=True,
        nav=nav,
        parts=print_parts(report),
        summary=summary if has_summary else None,
        links=links,
        edition_note=EDITION_NOTE,
    )
