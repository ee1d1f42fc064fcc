"""The cost strand end to end on a simulated project: analysis, report section, chart, workbook."""

from __future__ import annotations

import math
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lxml import etree
from openpyxl import load_workbook

from csceval.disclosure import ColumnRole, PublishedColumn, TableSpec, protect
from csceval.pipeline import load_project, policy_of
from csceval.project import Project
from csceval.registry import registered_strands
from csceval.report.model import BarChart, Section, Series, TableBlock
from csceval.report.svg import render_bar_chart
from csceval.strands.costs.analysis import CostsResult, analyse_costs
from csceval.strands.costs.cba import ActivityChange
from csceval.strands.costs.section import render_costs
from csceval.strands.costs.workbook import costs_workbook_bytes


@pytest.fixture(scope="module")
def project(demo_loaded: Callable[[], Project]) -> Project:
    return demo_loaded()  # load_project(demo_project), loaded once per session


class _Impact:
    """The impact result as the costs strand sees it: its frame of headline estimates."""

    def to_frame(self) -> pd.DataFrame:
        rows = [("cpp_rate_per_10k", -15.0, -25.0, -5.0), ("cla_rate_per_10k", -8.0, -14.0, -2.0)]
        return pd.DataFrame(
            [(i, i, "log", "synth_pooled", e, lo, hi, True, 10, True) for i, e, lo, hi in rows],
            columns=["indicator", "title", "scale", "method", "estimate", "low", "high",
                     "estimable", "n_pilots", "headline"],
        )  # fmt: skip


@pytest.fixture(scope="module")
def result(project: Project) -> CostsResult:
    return analyse_costs(project, impact=_Impact())


def test_simulated_ledger_covers_every_pilot_and_year(project: Project) -> None:
    ledger = project.table("cost_ledger")
    assert set(ledger["financial_year"]) == {"2017-18", "2018-19"}
    assert set(ledger["la_code"]) == {s.la_code for s in project.pilots}
    assert (ledger["source"].str.startswith("SYNTHETIC")).all()


def test_costs_in_one_price_base_add_up(result: CostsResult) -> None:
    ledger = result.ledger
    assert result.by_site_year["total"].sum() == pytest.approx(ledger["real_gbp"].sum())
    time = ledger[ledger["kind"] == "time"].iloc[0]
    assert time["cost_gbp"] == pytest.approx(time["hours"] * time["unit_cost_gbp"])
    factor = result.deflator.factor(str(time["price_year"]), "2019-20")
    assert time["real_gbp"] == pytest.approx(time["cost_gbp"] * factor)
    assert result.site_costs.shape == (10, 10)
    assert result.site_costs[:, :2].sum() == pytest.approx(result.total_cost)


def test_costs_per_child_and_per_social_worker(result: CostsResult, project: Project) -> None:
    indicators = project.table("indicators").set_index(["la_code", "year", "indicator"])
    row = result.by_site_year.iloc[0]
    start = int(row["financial_year"][:4])  # 2017-18: CIN at 31 March 2018, FTE at Sept 2017
    cin = float(indicators.loc[(row["la_code"], start + 1, "cin_count_31mar"), "value"])
    fte = float(indicators.loc[(row["la_code"], start, "sw_fte"), "value"])
    assert row["per_child_in_need"] == pytest.approx(row["total"] / cin)
    assert row["per_social_worker_fte"] == pytest.approx(row["total"] / fte)


def test_cba_values_the_impact_estimates(result: CostsResult, project: Project) -> None:
    assert result.cba is not None
    assert result.psa is not None
    assert result.model is not None
    assert {line.change.activity for line in result.model.lines} == {
        "looked_after_child_year", "child_protection_plan_year"
    }  # fmt: skip
    assert all(line.change.change < 0 for line in result.model.lines)
    assert abs(float(np.median(result.psa.npv)) - result.cba.npv) < 0.05 * abs(result.cba.npv)
    assert result.cba.npv == pytest.approx(result.cba.pv_benefits - result.cba.pv_costs)
    assert project.table("activity_changes").empty  # the simulator's true effects stay out


def test_given_changes_replace_the_estimates(project: Project) -> None:
    changes = [ActivityChange("foster_care_week", -520.0, 100.0, "impact strand")]
    fed = analyse_costs(project, changes, impact=_Impact())
    assert fed.model is not None
    assert [line.change.source for line in fed.model.lines] == ["impact strand"]
    assert analyse_costs(project, []).cba is None


def test_section_tables_chart_and_reading(result: CostsResult, project: Project) -> None:
    section = render_costs(result, policy_of(project))
    ids = {t.id for t in section.tables}
    assert {"costs-by-site", "costs-per-child", "costs-by-category", "cba-results",
            "cba-tornado", "cba-switching", "cba-lines", "cba-years"} <= ids  # fmt: skip
    charts = [b for b in section.blocks if isinstance(b, BarChart)]
    assert [c.id for c in charts] == ["chart-costs-by-site", "chart-cba-tornado"]
    text = " ".join(f.text for f in section.findings)
    assert "simulations" in text
    assert "benefit-cost ratio" in text


def test_strand_is_registered_and_runs(project: Project, demo_run: Path) -> None:
    strand = next(s for s in registered_strands() if s.id == "costs")
    assert strand.available(project)
    html = (demo_run / "report" / "costs.html").read_text()
    assert 'id="chart-cba-tornado"' in html
    assert (demo_run / "tables" / "cba-tornado.csv").is_file()


def test_strand_not_available_without_a_ledger(valid_project: Path) -> None:
    strand = next(s for s in registered_strands() if s.id == "costs")
    assert not strand.available(load_project(valid_project))


def test_workbook_is_deterministic_and_auditable(result: CostsResult) -> None:
    data = costs_workbook_bytes(result)
    assert data == costs_workbook_bytes(result)
    assert all(
        i.date_time == (1980, 1, 1, 0, 0, 0) for i in zipfile.ZipFile(BytesIO(data)).infolist()
    )
    wb = load_workbook(BytesIO(data))
    assert wb.sheetnames == ["About", "Deflators", "Ledger", "Unit costs", "CBA"]
    ledger = wb["Ledger"]
    assert ledger["L2"].value == '=IF(F2="time",H2*I2,G2)'
    assert ledger["N2"].value == "=L2*$Q$2/M2"
    cba = wb["CBA"]
    rows = {r[0]: r for r in cba.iter_rows(values_only=True) if r and isinstance(r[0], str)}
    assert rows["Net present value"][2] == pytest.approx(result.cba.npv if result.cba else 0)
    assert str(rows["Net present value"][1]).startswith("=B")


def _bars() -> tuple[Section, BarChart]:
    frame = pd.DataFrame({"input": ["A <b>", "B"], "low": [1.5, math.nan], "high": [-2.0, 3.25]})
    spec = TableSpec(
        (
            PublishedColumn("input", "Input", ColumnRole.LABEL),
            PublishedColumn("low", "Low", ColumnRole.VALUE, dp=2),
            PublishedColumn("high", "High", ColumnRole.VALUE, dp=2),
        )
    )
    block = TableBlock("t-bars", "Bars", protect(frame, spec))
    chart = BarChart("c-bars", "A tornado", "t-bars", "input",
                     (Series("low", "Low"), Series("high", "High")), "NPV", "Two inputs.",
                     base=0.5, base_label="Central")  # fmt: skip
    return Section("s", "S", "", blocks=(chart, block)), chart


def test_bar_chart_svg_is_accessible_and_draws_published_values() -> None:
    section, chart = _bars()
    svg = render_bar_chart(chart, section.table("t-bars").table)
    root = etree.fromstring(svg.encode())
    assert root.get("role") == "img"
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}title").text == "A tornado"
    assert root.find(f"{ns}desc").text == "Two inputs."
    bars = [r for r in root.iter(f"{ns}rect") if r.find(f"{ns}title") is not None]
    assert len(bars) == 3  # the NaN cell draws no bar
    assert "A &lt;b&gt;" in svg
    assert "3.25" in svg


def test_a_value_label_never_runs_into_the_category_labels() -> None:
    """The lowest bar reaches the plot's left edge: its value label goes beside the base end,
    not over the category labels; a bar with room keeps its label beyond its far end."""
    section, chart = _bars()
    root = etree.fromstring(render_bar_chart(chart, section.table("t-bars").table).encode())
    texts = {t.text: t for t in root.iter("{http://www.w3.org/2000/svg}text")}
    category = float(texts["B"].get("x"))
    lowest = texts["-2.00"]
    assert lowest.get("text-anchor") == "start"
    assert float(lowest.get("x")) > category
    assert texts["3.25"].get("text-anchor") == "start"


def test_bar_chart_must_name_columns_of_its_table() -> None:
    section, chart = _bars()
    bad = BarChart("c2", "t", "t-bars", "nope", (Series("low", "Low"),), "x", "d")
    with pytest.raises(ValueError, match="nope"):
        Section("s2", "S", "", blocks=(bad, section.table("t-bars")))
    with pytest.raises(ValueError, match="description"):
        BarChart("c3", "t", "t-bars", "input", (Series("low", "Low"),), "x", " ")
    assert chart.base == 0.5
