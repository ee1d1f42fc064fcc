"""Write a report to a folder: HTML page, workbook, one CSV per table and provenance.json.

Layout under ``out``::

    report/index.html   the report (opens from disk)
    report.xlsx         every table, with a Contents sheet
    tables/<id>.csv     every table
    provenance.json     inputs, versions, seed, command

Everything is rendered in memory first, so a report that fails to render writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from csceval.report.html import render_html
from csceval.report.model import Report, check_unique_ids, provenance_json
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


def report_files(report: Report, out: Path) -> ReportFiles:
    """The paths of ``report``'s files under ``out``."""
    out = Path(out)
    return ReportFiles(
        index_html=out / "report" / "index.html",
        xlsx=out / "report.xlsx",
        tables_dir=out / "tables",
        provenance=out / "provenance.json",
        tables=tuple(out / "tables" / f"{t.id}.csv" for _, t in report.tables),
    )


def write_report(report: Report, out: Path) -> ReportFiles:
    """Write ``report`` under ``out`` and return the paths written."""
    check_unique_ids(report)
    files = report_files(report, out)
    texts = {
        files.index_html: render_html(report),
        files.provenance: provenance_json(report.provenance),
    }
    texts.update(
        {path: table_csv(t) for path, (_, t) in zip(files.tables, report.tables, strict=True)}
    )
    workbook = xlsx_bytes(report)
    files.index_html.parent.mkdir(parents=True, exist_ok=True)
    files.tables_dir.mkdir(parents=True, exist_ok=True)
    for path, text in texts.items():
        path.write_text(text, encoding="utf-8", newline="\n")
    files.xlsx.write_bytes(workbook)
    return files
