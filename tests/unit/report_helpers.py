"""Shared test support for the report tests: a small report (two sections, three tables, two
charts, one suppressed cell) and an HTML parser that keeps tags in order with their text."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd

from csceval.disclosure import ColumnRole, PublishedColumn, PublishedTable, TableSpec, protect
from csceval.report import Finding, LineChart, Marker, Prose, Report, Section, Series, TableBlock

YEARS = list(range(2014, 2024))
SUPPRESSED_YEAR, SUPPRESSED_COUNT = 2017, 3


def plans_table() -> PublishedTable:
    """Counts for one pilot with one small count (suppressed) and its complement."""
    plans = [40, 42, 45, SUPPRESSED_COUNT, 47, 50, 44, 41, 39, 36]
    other = [300, 310, 305, 320, 330, 340, 335, 320, 310, 300]
    df = pd.DataFrame({"year": YEARS, "plans": plans, "other": other})
    df["total"] = df["plans"] + df["other"]
    spec = TableSpec(
        columns=(
            PublishedColumn("year", "Year", ColumnRole.LABEL),
            PublishedColumn("plans", "Children on a plan", ColumnRole.COUNT),
            PublishedColumn("other", "Other children in need", ColumnRole.COUNT),
            PublishedColumn("total", "Total", ColumnRole.COUNT),
        ),
        total_column="total",
    )
    return protect(df, spec)


def rates_table() -> PublishedTable:
    n = len(YEARS)
    df = pd.DataFrame(
        {
            "year": YEARS,
            "pilot": np.linspace(520.04, 480.26, n),
            "comparators": np.linspace(530.11, 600.57, n),
            "england": np.linspace(548.0, 575.0, n),
        }
    )
    df.loc[5, "comparators"] = np.nan  # not available: a gap in the line
    spec = TableSpec(
        columns=(
            PublishedColumn("year", "Year ending 31 March", ColumnRole.LABEL),
            *(
                PublishedColumn(c, c.title(), ColumnRole.RATE, unit="per 10,000")
                for c in ("pilot", "comparators", "england")
            ),
        )
    )
    return protect(df, spec)


def rates_chart(**changes: object) -> LineChart:
    args: dict[str, object] = {
        "id": "rates-chart",
        "title": "Referral rate, 2014 to 2023",
        "table_id": "rates",
        "x": "year",
        "series": (
            Series("pilot", "Pilot LAs", "focus"),
            Series("comparators", "Comparator LAs", "comparison"),
            Series("england", "England", "benchmark"),
        ),
        "y_label": "Referrals per 10,000 children",
        "description": "The pilot rate fell after 2018 while comparators rose.",
        "x_label": "Year ending 31 March",
        "markers": (Marker(2017.5, "Implementation starts"),),
    }
    return LineChart(**{**args, **changes})  # type: ignore[arg-type]


def build_report() -> Report:
    rates, plans = rates_table(), plans_table()
    impact = Section(
        "impact",
        "Impact on referrals",
        "Referral rates fell in the pilots relative to comparators.",
        findings=(
            Finding("Referral rates fell by about 60 per 10,000 relative to comparators.", "high"),
            Finding("Plans showed no clear change.", "low"),
            Finding("A finding without a strength."),
        ),
        blocks=(
            Prose("First paragraph.\n\nSecond paragraph <with> markup-like text."),
            rates_chart(),
            TableBlock("rates", "Referral rate", rates, caption="Per 10,000", source="DfE"),
            LineChart(
                "plans-chart",
                "Children on a plan",
                "plans",
                "year",
                (Series("plans", "Children on a plan"),),
                "Children",
                "Numbers fell after 2019; one year is suppressed.",
            ),
            TableBlock("plans", "Children in need by plan status", plans, notes=("A note.",)),
        ),
    )
    costs = Section(
        "costs", "Costs", "Costs per pilot.", blocks=(TableBlock("plans-again", "Again", plans),)
    )
    provenance: dict[str, object] = {
        "command": "csceval demo --out demo",
        "seed": 20240101,
        "versions": {"csceval": "0.1.0", "numpy": np.__version__},
        "inputs": [{"path": "data/cin.csv", "sha256": "ab" * 32}],
    }
    return Report("Evaluation report", "Synthetic", (impact, costs), provenance, synthetic=True)


class PageParser(HTMLParser):
    """Start tags in document order, with the text inside each element."""

    VOID = frozenset({"meta", "link", "br", "hr", "img", "input", "col", "path", "line", "rect"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[tuple[str, int]] = []
        self.texts: dict[int, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append((tag, dict(attrs)))
        self.texts[len(self.events) - 1] = []
        if tag not in self.VOID:
            self.stack.append((tag, len(self.events) - 1))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append((tag, dict(attrs)))
        self.texts[len(self.events) - 1] = []

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        for _, index in self.stack:
            self.texts[index].append(data)

    def text_of(self, index: int) -> str:
        return "".join(self.texts[index]).strip()


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser


def pages(out: Path) -> dict[str, str]:
    """Every page of the report written under ``out``, by file name."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((out / "report").glob("*.html"))}
