"""Write a report to a folder: HTML pages, workbook, one CSV per table and provenance.json.

Layout under ``out``::

    report/index.html   the summary page (opens from disk)
    report/<id>.html    a page per section and per detail page; report/about.html
    report/report.pdf   the whole report as one PDF (only when asked for: WeasyPrint)
    report.xlsx         every table, with a Contents sheet
    tables/<id>.csv     every table
    provenance.json     inputs and their hashes, time, versions, git commit, seed, command

Everything is rendered in memory first, so a report that fails to render writes nothing. The
caller writes into a staged folder (:func:`csceval.atomic.staged_folder`) renamed into place
when complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from csceval.report.html import SUMMARY_PAGE, render_site
from csceval.report.model import Report, check_unique_ids, provenance_json
from csceval.report.pdf import PDF_NAME, pdf_bytes
from csceval.report.tables_csv import table_csv
from csceval.report.xlsx import xlsx_bytes


@dataclass(frozen=True, slots=True)
class ReportFiles:
    """The files a report was written to."""

    index_html: Path
    xlsx: Path
    tables_dir: Path
    provenance: Path
    tables: tuple[Path, ...] = ()
    pages: tuple[Path, ...] = ()
    pdf: Path | None = None


def report_files(
    report: Report, out: Path, pages: tuple[str, ...] = (), *, pdf: bool = False
) -> ReportFiles:
    """The paths of ``report``'s files under ``out`` (``pages``: the site's page names)."""
    out = Path(out)
    return ReportFiles(
        index_html=out / "report" / SUMMARY_PAGE,
        xlsx=out / "report.xlsx",
        tables_dir=out / "tables",
        provenance=out / "provenance.json",
        tables=tuple(out / "tables" / f"{t.id}.csv" for _, t in report.tables),
        pages=tuple(out / "report" / name for name in pages),
        pdf=out / "report" / PDF_NAME if pdf else None,
    )


def write_report(report: Report, out: Path, *, pdf: bool = False) -> ReportFiles:
    """Write ``report`` under ``out`` (and its PDF when ``pdf``) and return the paths written."""
    check_unique_ids(report)
    site = render_site(report)
    files = report_files(report, out, tuple(site), pdf=pdf)
    document = pdf_bytes(report) if files.pdf is not None else b""
    texts = {path: site[path.name] for path in files.pages}
    texts[files.provenance] = provenance_json(report.provenance)
    texts.update(
        {path: table_csv(t) for path, (_, t) in zip(files.tables, report.tables, strict=True)}
    )
    workbook = xlsx_bytes(report)
    files.index_html.parent.mkdir(parents=True, exist_ok=True)
    files.tables_dir.mkdir(parents=True, exist_ok=True)
    for path, text in texts.items():
        path.write_text(text, encoding="utf-8", newline="\n")
    files.xlsx.write_bytes(workbook)
    if files.pdf is not None:
        files.pdf.write_bytes(document)
    return files
