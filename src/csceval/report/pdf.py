"""The whole report as one PDF through WeasyPrint: contents with page numbers, page numbers in
the footer, bookmarks from the headings, tagged structure, charts kept as vector SVG.

The PDF is the print edition (:mod:`csceval.report.print_edition`: the summary, findings,
charts and headline tables, with the bulky detail named and pointed to) laid out by the print
stylesheet. WeasyPrint is optional (``pip install weasyprint``; it needs the system's Pango) and
imported only here, only when a PDF is asked for. Its output carries fixed metadata dates, so
the same report gives the same bytes.
"""

from __future__ import annotations

import importlib.util

from csceval.report.model import Report
from csceval.report.print_edition import render_print

PDF_NAME = "report.pdf"
FIXED_DATE = "2000-01-01T00:00:00Z"


def pdf_available() -> bool:
    """Whether WeasyPrint can be imported (the ``--pdf`` option needs it)."""
    return importlib.util.find_spec("weasyprint") is not None


def pdf_bytes(report: Report) -> bytes:
    """The report as PDF bytes (raises ModuleNotFoundError without WeasyPrint)."""
    from weasyprint import HTML  # type: ignore[import-not-found,import-untyped,unused-ignore]

    html = render_print(report)
    document = HTML(string=html, base_url=None).render(pdf_tags=True)
    document.metadata.created = document.metadata.modified = FIXED_DATE
    data = document.write_pdf(pdf_tags=True)
    assert isinstance(data, bytes)
    return data
