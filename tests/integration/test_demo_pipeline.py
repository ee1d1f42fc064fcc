"""End to end: simulate synthetic England, validate it, run it, and read the report back."""

from __future__ import annotations

import hashlib
import json
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from csceval.cli import main
from csceval.pipeline import run_project, simulate_project


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(main, ["demo", "--out", str(root), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "Report:" in result.output
    return root


class Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.svgs = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2", "h3"):
            self.tags.append(tag)
        if tag == "svg":
            self.svgs += 1


def test_demo_writes_every_output(demo: Path) -> None:
    out = demo / "output"
    html = (out / "report" / "index.html").read_text(encoding="utf-8")
    parser = Headings()
    parser.feed(html)
    assert parser.tags.count("h1") == 1
    assert "Key indicators over time" in html
    assert parser.svgs >= 10
    assert "SYNTHETIC" in html
    tables = sorted((out / "tables").glob("*.csv"))
    assert len(tables) >= 10
    workbook = openpyxl.load_workbook(out / "report.xlsx", read_only=True)
    assert workbook.sheetnames[0] == "Contents"
    assert len(workbook.sheetnames) == len(tables) + 1
    provenance = json.loads((out / "provenance.json").read_text())
    assert provenance["seed"] == 2018
    assert "data/indicators.csv" in provenance["inputs"]
    assert provenance["command"].startswith("csceval")
    costs = openpyxl.load_workbook(out / "costs_workbook.xlsx")  # the costs strand's audit book
    assert len(costs.sheetnames) >= 3


def test_england_rate_is_the_pooled_rate(demo: Path) -> None:
    """The published England CLA rate equals total children looked after / total population."""
    rows = pd.read_csv(demo / "project" / "data" / "indicators.csv", dtype={"la_code": str})
    wide = rows.pivot_table(
        index=["la_code", "year"], columns="indicator", values="value", aggfunc="first"
    )
    count = pd.to_numeric(wide["cla_count_31mar"], errors="coerce").xs(2020, level="year")
    population = pd.to_numeric(wide["population_0_17"], errors="coerce").xs(2019, level="year")
    both = pd.concat([count, population], axis=1, keys=["n", "pop"]).dropna()
    pooled = both["n"].sum() / both["pop"].sum() * 10_000
    table = pd.read_csv(demo / "output" / "tables" / "trend-cla_rate_per_10k.csv", dtype=str)
    assert list(table.columns)[:4] == ["year", "pilots", "comparators", "england"]
    published = float(table.loc[table["year"] == "2020", "england"].iat[0])
    assert published == pytest.approx(pooled, abs=0.15)


def test_run_is_reproducible(demo: Path, tmp_path: Path) -> None:
    run_project(demo / "project", tmp_path / "a", command="csceval run")
    run_project(demo / "project", tmp_path / "b", command="csceval run")
    assert digest(tmp_path / "a") == digest(tmp_path / "b")


def test_simulate_same_seed_is_byte_identical(tmp_path: Path) -> None:
    simulate_project(tmp_path / "one", seed=7)
    simulate_project(tmp_path / "two", seed=7)
    assert digest(tmp_path / "one") == digest(tmp_path / "two")


def test_validate_accepts_the_simulated_project(demo: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(demo / "project")])
    assert result.exit_code == 0, result.output


def test_run_on_a_broken_project_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    broken = Path(__file__).parents[1] / "fixtures" / "broken" / "unknown_role"
    result = CliRunner().invoke(main, ["run", str(broken), "--out", str(tmp_path / "o"), "--quiet"])
    assert result.exit_code == 2
    assert "CSC-E1108" in result.output
    assert not (tmp_path / "o").exists()


def test_simulate_refuses_a_folder_with_other_content(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["simulate", "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 2
    assert "CSC-E5001" in result.output


def test_run_into_a_file_is_a_coded_problem(tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("not a folder")
    valid = Path(__file__).parents[1] / "fixtures" / "valid_project"
    result = CliRunner().invoke(main, ["run", str(valid), "--out", str(target), "--quiet"])
    assert result.exit_code == 2
    assert "CSC-E5002" in result.output


def test_simulate_under_a_file_is_a_coded_problem(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    result = CliRunner().invoke(
        main, ["simulate", "--out", str(tmp_path / "a-file" / "p"), "--quiet"]
    )
    assert result.exit_code == 2
    assert "CSC-E5002" in result.output
