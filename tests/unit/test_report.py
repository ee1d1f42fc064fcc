"""The report model and its writers: HTML (with SVG charts), XLSX, CSV and provenance.json."""

from __future__ import annotations

import csv
import itertools
import json
import re
from datetime import date
from pathlib import Path, PurePosixPath

import numpy as np
import openpyxl
import pandas as pd
import pytest
from report_helpers import (
    SUPPRESSED_COUNT,
    SUPPRESSED_YEAR,
    YEARS,
    build_report,
    pages,
    parse,
    rates_chart,
    rates_table,
)

from csceval.disclosure import ColumnRole, PublishedColumn, TableSpec, protect
from csceval.report import (
    LineChart,
    Report,
    Section,
    Series,
    TableBlock,
    render_line_chart,
    write_report,
)
from csceval.report.html import render_html
from csceval.report.svg import BENCHMARK, PALETTE, nice_ticks
from csceval.report.tables_csv import table_csv
from csceval.report.xlsx import sheet_names


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, Path]:
    report, out = build_report(), tmp_path_factory.mktemp("out")
    write_report(report, out)
    return report, out


def test_every_page_is_structured_and_accessible(written: tuple[Report, Path]) -> None:
    _, out = written
    site = pages(out)
    assert set(site) == {"index.html", "impact.html", "costs.html", "about.html"}
    for name, html in site.items():
        page = parse(html)
        tags = [t for t, _ in page.events]
        assert page.events[0] == ("html", {"lang": "en"}), name
        levels = [int(t[1]) for t in tags if re.fullmatch(r"h[1-6]", t)]
        assert levels.count(1) == 1, name
        assert levels[0] == 1, name
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), (name, levels)
        ids = [a["id"] for _, a in page.events if "id" in a]
        assert len(ids) == len(set(ids)), f"duplicate HTML ids on {name}"
        skip = next(a for t, a in page.events if t == "a")
        assert skip["href"] == "#main-content"
        assert "main-content" in ids
        hrefs = [a["href"] for t, a in page.events if t == "a"]
        assert {"index.html", "impact.html", "costs.html", "about.html"} <= set(hrefs), name
        current = [a["href"] for t, a in page.events if t == "a" and "aria-current" in a]
        assert current == [name], name
        assert "Synthetic data: every number was simulated" in html
        assert "<script" not in html


def test_single_page_holds_everything(written: tuple[Report, Path]) -> None:
    report, _ = written
    page = parse(render_html(report))
    ids = {a["id"] for _, a in page.events if "id" in a}
    assert {"impact", "costs", "provenance", "rates", "plans", "plans-again"} <= ids
    hrefs = {a["href"] for t, a in page.events if t == "a"}
    assert {"#impact", "#costs", "#provenance"} <= hrefs


def test_every_chart_is_an_accessible_svg_followed_by_its_table(
    written: tuple[Report, Path],
) -> None:
    _, out = written
    page = parse(pages(out)["impact.html"])
    tags = [t for t, _ in page.events]
    svgs = [i for i, t in enumerate(tags) if t == "svg"]
    assert len(svgs) == 2
    for i in svgs:
        attrs = page.events[i][1]
        assert attrs["role"] == "img"
        title_id, desc_id = attrs["aria-labelledby"], attrs["aria-describedby"]
        assert (tags[i + 1], page.events[i + 1][1].get("id")) == ("title", title_id)
        assert (tags[i + 2], page.events[i + 2][1].get("id")) == ("desc", desc_id)
        assert page.text_of(i + 1)
        assert page.text_of(i + 2)
        after = tags[i + 1 :]
        nxt = next(t for t in after if t in {"svg", "table", "h2", "h3"})
        assert nxt == "table", "a chart must be followed by its data table"
        assert "details" in after[: after.index("table")], "the data are behind <details>"


def test_every_table_has_caption_header_scope_and_csv_link(written: tuple[Report, Path]) -> None:
    report, out = written
    found = 0
    for name, html in pages(out).items():
        page = parse(html)
        tags = [t for t, _ in page.events]
        data_tables = [
            i
            for i, (t, a) in enumerate(page.events)
            if t == "div" and "table-block" in (a["class"] or "")
        ]
        found += len(data_tables)
        for start in data_tables:
            table = tags.index("table", start)
            assert tags[table + 1] == "caption"
            assert page.text_of(table + 1)
            end = tags.index("tbody", table)
            heads = [page.events[k][1] for k in range(table, end) if tags[k] == "th"]
            assert heads
            assert all(h.get("scope") == "col" for h in heads)
            link = next(
                page.events[k][1]["href"]
                for k in range(table, len(tags))
                if tags[k] == "a" and (page.events[k][1]["href"] or "").endswith(".csv")
            )
            assert link is not None
            assert link.startswith("../tables/")
            assert (out / "report" / link).resolve().is_file()
        if data_tables:
            numeric = [a for t, a in page.events if t == "td" and a.get("class") == "num"]
            assert numeric, f"numbers are right-aligned on {name}"
    assert found == len(report.tables) == 3


def test_suppressed_cell_shows_c_everywhere_and_never_in_a_chart(
    written: tuple[Report, Path],
) -> None:
    report, out = written
    page = parse(pages(out)["impact.html"])
    tags = [t for t, _ in page.events]
    plans = next(i for i, (t, a) in enumerate(page.events) if a.get("id") == "plans")
    row = next(k for k in range(plans, len(tags)) if tags[k] == "th" and page.text_of(k) == "2017")
    assert page.text_of(tags.index("td", row)) == "c"

    rows = list(csv.reader((out / "tables" / "plans.csv").open(encoding="utf-8")))
    assert rows[0] == ["year", "plans", "other", "total"]
    assert rows[1 + YEARS.index(SUPPRESSED_YEAR)][1] == "c"

    ws = openpyxl.load_workbook(out / "report.xlsx")["2 Children in need by plan"]
    found = [(c.value, c.data_type) for r in ws.iter_rows() for c in r if c.value == "c"]
    assert found
    assert all(kind == "s" for _, kind in found)

    section = report.sections[0]
    chart = section.charts[1]
    svg = render_line_chart(chart, section.table("plans").table)
    tips = re.findall(r"<title>([^<]*)</title>", svg)  # point labels; the chart title has an id
    assert len(tips) == len(YEARS) - 1
    assert not any(f", {SUPPRESSED_YEAR}:" in t for t in tips)
    assert not any(t.endswith(f": {SUPPRESSED_COUNT}") for t in tips)
    assert svg.count("<path ") == 2, "the suppressed year is a gap in the line"


def test_xlsx_contents_and_numbers(written: tuple[Report, Path]) -> None:
    report, out = written
    wb = openpyxl.load_workbook(out / "report.xlsx")
    assert wb.sheetnames[0] == "Contents"
    assert wb.sheetnames[1:] == ["1 Referral rate", "2 Children in need by plan", "3 Again"]
    contents = wb["Contents"]
    links = {c.value: c.hyperlink.location for r in contents.iter_rows() for c in r if c.hyperlink}
    assert set(links) == set(wb.sheetnames[1:])
    assert all(loc == f"'{name}'!A1" for name, loc in links.items())
    titles = {c.value for r in contents.iter_rows() for c in r}
    assert {t.title for _, t in report.tables} <= titles
    ws = wb["1 Referral rate"]
    assert ws["A1"].value == "Referral rate"
    header = next(r for r in range(1, 6) if ws.cell(r, 1).value == "Year ending 31 March")
    assert ws.cell(header, 2).font.b
    assert ws.freeze_panes == f"A{header + 1}"
    first = ws.cell(header + 1, 2)
    assert first.data_type == "n"
    assert first.number_format == "#,##0.0"
    assert ws.cell(header + 6, 3).value == "x"  # comparators not available in 2019
    counts = wb["2 Children in need by plan"]
    assert isinstance(counts.cell(4, 2).value, int)
    assert wb.properties.created == wb.properties.modified


def test_provenance_round_trips(written: tuple[Report, Path], tmp_path: Path) -> None:
    report, out = written
    text = (out / "provenance.json").read_text(encoding="utf-8")
    assert json.loads(text) == report.provenance
    assert text == json.dumps(report.provenance, sort_keys=True, indent=2) + "\n"
    extra = Report("T", "", (), {"input": PurePosixPath("a/b.csv"), "day": date(2024, 3, 31)})
    files = write_report(extra, tmp_path)
    assert json.loads(files.provenance.read_text()) == {"input": "a/b.csv", "day": "2024-03-31"}
    with pytest.raises(TypeError, match="cannot be written as JSON"):
        write_report(Report("T", "", (), {"bad": object()}), tmp_path / "bad")
    assert not (tmp_path / "bad").exists(), "nothing is half-written"


def test_same_input_gives_identical_bytes(tmp_path: Path) -> None:
    a = write_report(build_report(), tmp_path / "a")
    b = write_report(build_report(), tmp_path / "b")
    for name in ("index_html", "xlsx", "provenance"):
        assert getattr(a, name).read_bytes() == getattr(b, name).read_bytes(), name
    for x, y in zip(a.tables, b.tables, strict=True):
        assert x.read_bytes() == y.read_bytes()


def test_chart_validation_errors() -> None:
    rates = TableBlock("rates", "Rates", rates_table())
    with pytest.raises(ValueError, match="column 'nope'"):
        Section("s", "S", "", blocks=(rates_chart(series=(Series("nope", "Nope"),)), rates))
    with pytest.raises(ValueError, match="column 'when'"):
        Section("s", "S", "", blocks=(rates_chart(x="when"), rates))
    with pytest.raises(ValueError, match="not a table of that section"):
        Section("s", "S", "", blocks=(rates_chart(table_id="other"), rates))
    with pytest.raises(ValueError, match="description"):
        rates_chart(description=" ")
    with pytest.raises(ValueError, match="not valid"):
        TableBlock("bad id/x", "Rates", rates_table())
    one = Section("one", "One", "", blocks=(TableBlock("t", "T", rates_table()),))
    two = Section("two", "Two", "", blocks=(TableBlock("T", "T", rates_table()),))
    with pytest.raises(ValueError, match="Duplicate id"):
        Report("R", "", (one, two))


def test_text_is_escaped_and_formulas_are_not_run(tmp_path: Path) -> None:
    df = pd.DataFrame({"la": ["=HYPERLINK(1)", "<b>Leeds</b>"], "n": [10, 20]})
    spec = TableSpec(
        columns=(
            PublishedColumn("la", "LA", ColumnRole.LABEL),
            PublishedColumn("n", "N", ColumnRole.COUNT),
        )
    )
    block = TableBlock("t", "<script>x</script>", protect(df, spec))
    report = Report("<i>R</i>", "", (Section("s", "S", "<b>", blocks=(block,)),))
    html = render_html(report)
    assert "<script>x" not in html
    assert "&lt;script&gt;x" in html
    assert "<b>Leeds" not in html
    assert table_csv(block).splitlines()[1] == "'=HYPERLINK(1),10"
    files = write_report(report, tmp_path)
    cell = openpyxl.load_workbook(files.xlsx).worksheets[1]["A3"]
    assert cell.value == "'=HYPERLINK(1)"
    assert cell.data_type == "s"


def test_svg_details() -> None:
    table = rates_table()
    chart = rates_chart()
    svg = render_line_chart(chart, table)
    assert svg == render_line_chart(chart, table)
    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert 'stroke-dasharray="7 4"' in svg
    assert BENCHMARK in svg
    assert PALETTE[0] in svg
    assert "Implementation starts" in svg
    assert ">2014<" in svg
    assert ">2023<" in svg
    assert re.search(r'stroke-width="3.5"', svg), "the focus series is bold"
    comparators = svg.split('data-column="comparators"')[1].split("</g>")[0]
    assert comparators.count("<path ") == 2, "NaN is a gap"
    assert not re.search(r"\d\.\d\d", re.sub(r"<title>.*?</title>", "", svg)), "1 dp coordinates"


def test_category_axis_and_empty_chart() -> None:
    df = pd.DataFrame({"fy": ["2018-19", "2019-20", "2020-21"], "cost": [1.5, np.nan, 2.25]})
    spec = TableSpec(
        columns=(
            PublishedColumn("fy", "Financial year", ColumnRole.LABEL),
            PublishedColumn("cost", "Cost", ColumnRole.VALUE, unit="£m"),
        )
    )
    block = TableBlock("costs", "Costs", protect(df, spec))
    chart = LineChart("c", "Cost", "costs", "fy", (Series("cost", "Cost"),), "£m", "Cost rose.")
    svg = render_line_chart(chart, block.table)
    assert ">2018-19<" in svg
    assert ">2020-21<" in svg
    assert "<path" not in svg
    empty = pd.DataFrame({"fy": ["2018-19"], "cost": [np.nan]})
    svg = render_line_chart(chart, protect(empty, spec))
    assert "No published values" in svg


def test_palette_meets_non_text_contrast() -> None:
    def luminance(hex_colour: str) -> float:
        rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    for colour in (*PALETTE, BENCHMARK):
        assert 1.05 / (luminance(colour) + 0.05) >= 3.0, colour


def test_nice_ticks_and_sheet_names() -> None:
    ticks, dp = nice_ticks(482.6, 612.4)
    assert ticks[0] <= 482.6
    assert ticks[-1] >= 612.4
    assert dp == 0
    assert ticks == [450, 500, 550, 600, 650]
    ticks, dp = nice_ticks(0.12, 0.47)
    assert dp == 1
    assert ticks == [0.1, 0.2, 0.3, 0.4, 0.5]
    names = sheet_names(["a" * 40, "A" * 40, "Contents", "Rates: [pilot]/England?", "x " * 30])
    assert names[:4] == ["1 " + "a" * 29, "2 " + "A" * 29, "3 Contents", "4 Rates pilot England"]
    assert all(len(n) <= 31 for n in names)
    assert len({n.lower() for n in names} | {"contents"}) == 6
