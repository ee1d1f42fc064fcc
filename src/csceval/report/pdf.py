"""The whole report as one PDF through WeasyPrint: contents with page numbers, page numbers in
the footer, bookmarks from the headings, tagged structure, charts kept as vector SVG.

The PDF is the one-page HTML (:func:`csceval.report.html.render_html`) laid out by the print
stylesheet. WeasyPrint is optional (``pip install weasyprint``; it needs the system's Pango) and
imported only here, only when a PDF is asked for. Its output carries fixed metadata dates, so
the same report gives the same bytes.
"""

from __future__ import annotations

import importlib.util

from csceval.report.html import render_html
from csceval.report.model import Report

PDF_NAME = "report.pdf"
FIXED_DATE = "2000-01-01T00:00:00Z"


def pdf_available() -> bool:
    """Whether WeasyPrint can be imported (the ``--pdf`` option needs it)."""
    return importlib.util.find_spec("weasyprint") is not None


def pdf_bytes(report: Report) -> bytes:
    """The report as PDF bytes (raises ModuleNotFoundError without WeasyPrint)."""
    from weasyprint import HTML  # type: ignore[import-not-found,import-untyped,unused-ignore]

    html = render_html(report, paged=True)
    document = HTML(string=html, base_url=None).render(pdf_tags=True)
    document.metadata.created = document.metadata.modified = FIXED_DATE
    data = document.write_pdf(pdf_tags=True)
    assert isinstance(data, bytes)
    return data
