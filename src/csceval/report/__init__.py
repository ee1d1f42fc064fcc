"""The report: a typed model of its sections and the writers of its HTML, XLSX and CSV files."""

from csceval.report.model import (
    Finding,
    LineChart,
    Marker,
    Prose,
    Report,
    Section,
    Series,
    TableBlock,
)
from csceval.report.svg import render_line_chart
from csceval.report.writer import ReportFiles, write_report

__all__ = [
    "Finding",
    "LineChart",
    "Marker",
    "Prose",
    "Report",
    "ReportFiles",
    "Section",
    "Series",
    "TableBlock",
    "render_line_chart",
    "write_report",
]
