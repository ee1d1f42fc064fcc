"""The report as static, accessible HTML (no external assets, no JavaScript).

Two forms from the same templates: :func:`render_site`, the report as pages (a summary page
``index.html`` that answers the evaluation's questions on its first screen, a page per section,
the sections' detail pages, and an ``about.html`` on the statistics and provenance), and
:func:`render_html`, everything on one page (for the PDF and the platform's benchmark pages).
Pages live in ``OUT/report/``; they link to each table's CSV at ``../tables/<id>.csv`` and to the
workbook at ``../report.xlsx``, so the site works opened from disk. Every page has the same
navigation and the one stylesheet (screen and print) inline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from csceval.report.model import Block, DetailPage, Finding, Report, Section, provenance_json
from csceval.report.summary import SummaryView, summary_view
from csceval.report.views import TableView, blocks_view, node, policies, symbols, table_view
from csceval.version import __version__

__all__ = ["TableView", "render_html", "render_site", "table_view"]

STRENGTH_LABELS = {"none": "None", "low": "Low", "moderate": "Moderate", "high": "High"}
SUMMARY_PAGE = "index.html"
ABOUT_PAGE = "about.html"


@dataclass(frozen=True, slots=True)
class NavItem:
    href: str
    title: str
    current: bool = False


@dataclass(frozen=True, slots=True)
class PartView:
    """A section or a detail page as the templates draw it."""

    id: str
    title: str
    summary: str
    findings: tuple[Finding, ...]
    blocks: list[dict[str, Any]]
    page_links: tuple[tuple[str, str], ...]
    detail: bool


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


def _part(
    section: Section, part: Section | DetailPage, links: dict[str, str], blocks: tuple[Block, ...]
) -> PartView:
    pages = tuple((links[p.id], p.title) for p in section.pages) if part is section else ()
    return PartView(
        id=part.id,
        title=part.title,
        summary=part.summary,
        findings=part.findings,
        blocks=blocks_view(section, blocks),
        page_links=pages,
        detail=part is not section,
    )


def _has_summary(report: Report) -> bool:
    return bool(report.scope) or any(s.answers for s in report.sections)


def _common(report: Report) -> dict[str, Any]:
    provenance = json.loads(provenance_json(report.provenance))
    return {
        "report": report,
        "symbols": symbols(report),
        "policies": policies(report),
        "provenance_items": node(provenance)["items"] if provenance else [],
        "version": __version__,
    }


def render_html(report: Report, *, paged: bool = False) -> str:
    """The whole report as one HTML page: summary, sections with their detail, statistics.

    ``paged`` adds what a paged medium (the PDF) needs: a contents list with page numbers and
    running page numbers in the footer."""
    links = {s.id: f"#{s.id}" for s in report.sections}
    links |= {p.id: f"#{p.id}" for s in report.sections for p in s.pages}
    parts = []
    for section in report.sections:
        parts.append(_part(section, section, links, section.blocks))
        parts += [_part(section, page, links, page.blocks) for page in section.pages]
    summary: SummaryView | None = summary_view(report) if _has_summary(report) else None
    nav = [NavItem("#summary", "Summary")] if summary else []
    nav += [NavItem(f"#{s.id}", s.title) for s in report.sections]
    nav += [NavItem("#about-the-statistics", "About these statistics")]
    nav += [NavItem("#provenance", "How this report was made")]
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            **_common(report),
            page_title="",
            paged=paged,
            nav=nav,
            parts=parts,
            summary=summary,
            links=links,
        )
    )


def site_links(report: Report) -> dict[str, str]:
    """Each section's and detail page's file name in the site."""
    links = {s.id: f"{s.id}.html" for s in report.sections}
    return links | {p.id: f"{p.id}.html" for s in report.sections for p in s.pages}


def render_site(report: Report) -> dict[str, str]:
    """The report as pages: file name (in ``OUT/report/``) -> HTML."""
    env, common, links = _environment(), _common(report), site_links(report)
    template = env.get_template("page.html.j2")
    top = [(SUMMARY_PAGE, "Summary")] + [(links[s.id], s.title) for s in report.sections]
    top.append((ABOUT_PAGE, "About these statistics"))

    def page(name: str, kind: str, title: str, **extra: Any) -> str:
        nav = [NavItem(href, text, href == name) for href, text in top]
        return template.render(
            **common, nav=nav, kind=kind, page_title=title, links=links, paged=False, **extra
        )

    pages = {
        SUMMARY_PAGE: page(SUMMARY_PAGE, "summary", "", summary=summary_view(report)),
        ABOUT_PAGE: page(ABOUT_PAGE, "about", "About these statistics"),
    }
    for section in report.sections:
        parts: tuple[Section | DetailPage, ...] = (section, *section.pages)
        for part in parts:
            detail = part is not section
            pages[links[part.id]] = page(
                links[part.id],
                "detail" if detail else "section",
                part.title,
                part=_part(section, part, links, part.blocks),
                parent=(links[section.id], section.title) if detail else None,
            )
    return pages
