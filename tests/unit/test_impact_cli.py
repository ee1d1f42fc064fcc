"""``csceval impact synth`` and ``csceval impact did`` on any long-format panel."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from csceval.cli import main


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["impact", *args])
    return result.exit_code, result.output


@pytest.fixture
def toy_panel(tmp_path: Path) -> Path:
    """Ten units, 2000-2011; unit u0 is the mean of u1 and u2, plus 3 from 2008."""
    rng = np.random.default_rng(4)
    years = np.arange(2000, 2012)
    series = {f"u{i}": rng.normal(10 + i, 1.0, len(years)).cumsum() for i in range(1, 10)}
    series["u0"] = (series["u1"] + series["u2"]) / 2 + np.where(years >= 2008, 3.0, 0.0)
    rows = [
        {"unit": u, "year": int(y), "y": float(v), "first": 2008 if u in ("u0", "u3") else 0}
        for u, values in series.items()
        for y, v in zip(years, values, strict=True)
    ]
    path = tmp_path / "panel.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_synth_recovers_a_convex_combination(toy_panel: Path) -> None:
    code, output = run(
        "synth",
        "--data",
        str(toy_panel),
        "--unit",
        "unit",
        "--time",
        "year",
        "--outcome",
        "y",
        "--treated",
        "u0",
        "--start",
        "2008",
        "--json",
    )
    assert code == 0, output
    fit = json.loads(output)["fit"]
    assert fit["att"] == pytest.approx(3.0, abs=1e-6)
    assert fit["weights"]["u1"] == pytest.approx(0.5, abs=1e-6)


def test_did_runs_and_prints_every_aggregation(toy_panel: Path) -> None:
    code, output = run(
        "did",
        "--data",
        str(toy_panel),
        "--unit",
        "unit",
        "--time",
        "year",
        "--outcome",
        "y",
        "--group",
        "first",
    )
    assert code == 0, output
    for kind in ("simple", "dynamic", "group", "calendar", "pre-trend"):
        assert kind in output


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("--outcome", "nope", "--treated", "u0"), "CSC-E7102"),
        (("--outcome", "y", "--treated", "zz"), "CSC-E7103"),
        (("--outcome", "y", "--treated", "u0", "--predictor", "y:20x8"), "CSC-E7104"),
    ],
)
def test_synth_mistakes_are_coded(toy_panel: Path, args: tuple[str, ...], code: str) -> None:
    exit_code, output = run(
        "synth",
        "--data",
        str(toy_panel),
        "--unit",
        "unit",
        "--time",
        "year",
        "--start",
        "2008",
        *args,
    )
    assert exit_code == 2
    assert code in output


def test_unreadable_panel_is_coded(tmp_path: Path) -> None:
    exit_code, output = run(
        "did",
        "--data",
        str(tmp_path / "missing.csv"),
        "--unit",
        "u",
        "--time",
        "t",
        "--outcome",
        "y",
        "--group",
        "g",
    )
    assert exit_code == 2
    assert "CSC-E7101" in output


def test_prop99_from_the_command_line(shared_data: Path) -> None:
    data = shared_data / "reference" / "prop99_smoking_long.csv"
    predictors = [
        "lnincome:1980-1988",
        "retprice:1980-1988",
        "age15to24:1980-1988",
        "beer:1984-1988",
        "cigsale:1975",
        "cigsale:1980",
        "cigsale:1988",
    ]
    args = [x for p in predictors for x in ("--predictor", p)]
    code, output = run(
        "synth",
        "--data",
        str(data),
        "--unit",
        "state",
        "--time",
        "year",
        "--outcome",
        "cigsale",
        "--treated",
        "California",
        "--start",
        "1989",
        "--v-method",
        "nested",
        *args,
        "--json",
    )
    assert code == 0, output
    result = json.loads(output)
    weights = result["fit"]["weights"]
    published = ("Utah", "Nevada", "Montana", "Colorado", "Connecticut")
    assert sum(weights[s] for s in published) >= 0.9
    assert result["rank"] == 1


def test_mpdta_simple_att_matches_r_did(shared_data: Path) -> None:
    code, output = run(
        "did",
        "--data",
        str(shared_data / "reference" / "mpdta.csv"),
        "--unit",
        "countyreal",
        "--time",
        "year",
        "--outcome",
        "lemp",
        "--group",
        "first.treat",
        "--json",
    )
    assert code == 0, output
    assert json.loads(output)["simple"]["overall"]["att"] == pytest.approx(-0.0399513, abs=5e-7)


def test_sdid_recovers_the_effect_and_prints_json(toy_panel: Path) -> None:
    common = ("--data", str(toy_panel), "--unit", "unit", "--time", "year", "--outcome", "y")
    code, output = run("sdid", *common, "--group", "first", "--reps", "20", "--json")
    assert code == 0, output
    result = json.loads(output)
    assert result["method"] == "sdid"
    assert [c["start"] for c in result["cohorts"]] == [2008]
    assert result["cohorts"][0]["treated"] == ["u0", "u3"]
    assert result["se"] > 0
    code, output = run("sdid", *common, "--treated", "u0", "--start", "2008", "--se", "none")
    assert code == 0, output
    assert "overall effect" in output
    assert "cohort 2008" in output


@pytest.mark.parametrize(
    "extra", [(), ("--treated", "u0"), ("--treated", "u0", "--start", "2008", "--group", "first")]
)
def test_sdid_needs_the_treated_units_one_way(toy_panel: Path, extra: tuple[str, ...]) -> None:
    code, output = run(
        "sdid",
        *("--data", str(toy_panel), "--unit", "unit", "--time", "year", "--outcome", "y"),
        *extra,
    )
    assert code == 2
    assert "CSC-E7105" in output


def test_sdid_refuses_a_start_without_pre_periods(toy_panel: Path) -> None:
    code, output = run(
        "sdid",
        *("--data", str(toy_panel), "--unit", "unit", "--time", "year", "--outcome", "y"),
        *("--treated", "u0", "--start", "2001"),
    )
    assert code == 2
    assert "CSC-E7103" in output
    assert "pre-periods" in output


def test_its_prints_level_and_slope_and_json(toy_panel: Path) -> None:
    common = ("--data", str(toy_panel), "--unit", "unit", "--time", "year", "--outcome", "y")
    args = ("its", *common, "--treated", "u0", "--start", "2008", "--comparison", "u1")
    code, output = run(*args, "--comparison", "u2")
    assert code == 0, output
    assert "level change" in output
    assert "slope change" in output
    code, output = run(*args, "--json")
    assert code == 0, output
    assert json.loads(output)["comparison"] == ["u1"]
    code, output = run("its", *common, "--treated", "u0", "--start", "2001")
    assert code == 2
    assert "CSC-E7103" in output


def test_calibrate_reports_size_and_coverage(toy_panel: Path) -> None:
    common = ("--data", str(toy_panel), "--unit", "unit", "--time", "year", "--outcome", "y")
    args = ("calibrate", *common, "--adoption-years", "2006,2008", "--draws", "2")
    code, output = run(*args, "--method", "its", "--method", "did", "--json")
    assert code == 0, output
    (result,) = json.loads(output)["results"]
    assert set(result["methods"]) == {"its", "did"}
    assert result["methods"]["its"]["tests"] == 4
    code, output = run(*args, "--method", "its")
    assert code == 0, output
    assert "Controlled ITS" in output
    assert "coverage" in output
    code, output = run(*args, "--method", "random_trend", "--json")  # opt-in, asked for
    assert code == 0, output
    (result,) = json.loads(output)["results"]
    assert set(result["methods"]) == {"random_trend"}
    assert result["methods"]["random_trend"]["tests"] == 2
    code, output = run("calibrate", *common, "--adoption-years", "2006,soon")
    assert code == 2
    assert "CSC-E7106" in output
    code, output = run("calibrate", *common, "--adoption-years", "2001")
    assert code == 2
    assert "CSC-E7103" in output


def test_trend_estimates_the_pooled_effect_and_prints_json(toy_panel: Path) -> None:
    common = ("--data", str(toy_panel), "--unit", "unit", "--time", "year", "--outcome", "y")
    code, output = run("trend", *common, "--group", "first", "--json")
    assert code == 0, output
    result = json.loads(output)
    assert [p["unit"] for p in result["pilots"]] == ["u0", "u3"]
    assert result["donors"] == [f"u{i}" for i in (1, 2, 4, 5, 6, 7, 8, 9)]
    assert result["ci"][0] < result["att"] < result["ci"][1]
    assert result["att"] == pytest.approx(np.mean([p["effect"] for p in result["pilots"]]))
    code, output = run("trend", *common, "--treated", "u0", "--start", "2008", "--log")
    assert code == 0, output
    assert "Random-trend model, outcome log y, 9 donors" in output  # u3 is a donor now
    assert "u0 (from 2008): effect" in output


def test_trend_mistakes_are_coded(toy_panel: Path, tmp_path: Path) -> None:
    common = ("--data", str(toy_panel), "--unit", "unit", "--time", "year", "--outcome", "y")
    code, output = run("trend", *common, "--treated", "u0", "--start", "2001")
    assert code == 2
    assert "CSC-E7103" in output
    assert "fewer than 2 pre-years" in output
    code, output = run("trend", *common)
    assert code == 2
    assert "CSC-E7105" in output
    code, output = run("trend", *common, "--treated", "u99", "--start", "2008")
    assert code == 2
    assert "not in the panel: u99" in output
    gappy = pd.read_csv(toy_panel)
    gappy.loc[(gappy["unit"] == "u5") & (gappy["year"] == 2003), "y"] = np.nan
    gappy.to_csv(tmp_path / "gappy.csv", index=False)
    code, output = run(
        "trend", "--data", str(tmp_path / "gappy.csv"), "--unit", "unit", "--time", "year",
        "--outcome", "y", "--treated", "u0", "--start", "2008",
    )  # fmt: skip
    assert code == 0, output
    assert "left out for missing periods: u5" in output
