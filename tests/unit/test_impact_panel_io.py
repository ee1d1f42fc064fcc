"""csceval.impact.panel_io: what ``csceval impact`` checks, callable from a notebook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from csceval.errors import InputError
from csceval.impact.panel_io import (
    adoption_from,
    estimator_input,
    parse_adoption_years,
    parse_predictor,
    parse_predictors,
    read_panel,
    read_synth_panel,
)
from csceval.impact.synth import Predictor


@pytest.fixture
def panel(tmp_path: Path) -> Path:
    rows = [
        {"unit": u, "year": y, "y": float(u * 10 + y - 2000), "first": 2003 if u == 1 else 0}
        for u in range(4)
        for y in range(2000, 2006)
    ]
    path = tmp_path / "panel.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def codes(exc: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [p.code for p in exc.value.problems]


def test_read_synth_panel_gives_text_units_and_a_panel(panel: Path) -> None:
    data, synth = read_synth_panel(panel, unit="unit", time="year", variables=["y"])
    assert set(data["unit"]) == {"0", "1", "2", "3"}
    assert list(synth.units) == ["0", "1", "2", "3"]


def test_missing_columns_and_unreadable_files_are_coded(panel: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError) as missing:
        read_panel(panel, {"outcome": "nope", "group": "also_nope"})
    assert codes(missing) == ["CSC-E7102", "CSC-E7102"]
    with pytest.raises(InputError) as unreadable:
        read_panel(tmp_path / "absent.csv", {})
    assert codes(unreadable) == ["CSC-E7101"]


def test_predictors_and_adoption_years_are_parsed() -> None:
    assert parse_predictor("beer:1984-1988") == Predictor("beer", 1984, 1988)
    assert parse_predictor("cigsale:1975") == Predictor("cigsale", 1975, None)
    with pytest.raises(InputError) as bad:
        parse_predictors(["beer:84", "x:1990", "y"])
    assert codes(bad) == ["CSC-E7104", "CSC-E7104"]
    assert parse_adoption_years("2019, 2019,2020,") == [2019, 2019, 2020]
    with pytest.raises(InputError) as years:
        parse_adoption_years("2019,soon")
    assert codes(years) == ["CSC-E7106"]


def test_adoption_comes_one_way_only(panel: Path) -> None:
    data = pd.read_csv(panel)
    assert adoption_from(data, "unit", group="first") == {"1": 2003}
    assert adoption_from(data, "unit", treated=["1", "2"], start=2004) == {"1": 2004, "2": 2004}
    ways: list[dict[str, Any]] = [
        {},
        {"treated": ["1"]},
        {"treated": ["1"], "start": 2003, "group": "first"},
    ]
    for kwargs in ways:
        with pytest.raises(InputError) as neither:
            adoption_from(data, "unit", **kwargs)
        assert codes(neither) == ["CSC-E7105"]
    data.loc[0, "first"] = 2001  # unit 0 now has two first treated periods
    with pytest.raises(InputError) as uneven:
        adoption_from(data, "unit", group="first")
    assert codes(uneven) == ["CSC-E7103"]


def test_an_estimator_refusing_the_input_is_coded() -> None:
    def refuse() -> int:
        raise ValueError("no pre-periods")

    assert estimator_input("p.csv", lambda: 3) == 3
    with pytest.raises(InputError) as refused:
        estimator_input("p.csv", refuse)
    assert codes(refused) == ["CSC-E7103"]
    assert "no pre-periods" in refused.value.problems[0].message
