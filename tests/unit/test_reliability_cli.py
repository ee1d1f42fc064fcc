"""``csceval reliability RATINGS.csv``: long and wide layouts, golden values, coded errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from csceval.cli import main

GOLDEN = json.loads(
    (
        Path(__file__).parents[1] / "golden" / "reliability" / "hayes_krippendorff_2007.json"
    ).read_text()
)


@pytest.fixture
def wide_csv(tmp_path: Path) -> Path:
    """Hayes & Krippendorff (2007): 40 units x 5 observers, with missing ratings."""
    rows = [
        {"case": f"u{i:02d}", **{f"obs{j}": v for j, v in enumerate(row)}}
        for i, row in enumerate(GOLDEN["data"])
    ]
    path = tmp_path / "wide.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture
def long_csv(wide_csv: Path, tmp_path: Path) -> Path:
    wide = pd.read_csv(wide_csv)
    long = wide.melt(id_vars="case", var_name="rater", value_name="value").dropna()
    path = tmp_path / "long.csv"
    long.rename(columns={"case": "unit"}).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_long_layout_reproduces_hayes_krippendorff(long_csv: Path, level: str) -> None:
    result = CliRunner().invoke(
        main, ["reliability", str(long_csv), "--method", "krippendorff", "--level", level, "--json"]
    )
    assert result.exit_code == 0, result.output
    estimate = json.loads(result.output)["estimate"]
    assert estimate == pytest.approx(GOLDEN["expected"][f"krippendorff:{level}"], abs=1e-9)


def test_wide_layout_gives_the_same_answer(wide_csv: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "reliability",
            str(wide_csv),
            "--method",
            "krippendorff",
            "--level",
            "ordinal",
            "--unit",
            "case",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "0.7598" in result.output


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--method", "krippendorff", "--unit", "nope"], "CSC-E7202"),
        (["--method", "krippendorff", "--level", "cardinal", "--unit", "case"], "CSC-E7203"),
    ],
)
def test_mistakes_are_coded(wide_csv: Path, args: list[str], code: str) -> None:
    result = CliRunner().invoke(main, ["reliability", str(wide_csv), *args])
    assert result.exit_code == 2
    assert code in result.output


def test_missing_file_is_coded(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["reliability", str(tmp_path / "none.csv"), "--method", "cohen"]
    )
    assert result.exit_code == 2
    assert "CSC-E7201" in result.output
