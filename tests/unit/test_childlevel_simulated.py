"""The acceptance test: indicators computed from simulated child-level files equal the panel.

The simulator writes CIN census XML and SSDA903 XML and CSVs for LA-years; the readers parse
them and the DfE definitions give back the simulator's published LA-year values exactly (every
count; every percentage's numerator and denominator). The one documented exception is
``cla_3plus_placements_pct``, whose panel denominator is not DfE's (see
:mod:`csceval.simulate.childlevel`): there the percentage is within half a child.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from csceval.childlevel import cin_indicators, cla_indicators
from csceval.cli import main
from csceval.data.cin_census import read_cin_census
from csceval.data.ssda903 import read_903_folder, read_903_xml
from csceval.simulate import World, simulate_world
from csceval.simulate.childlevel import (
    ChildLevelError,
    Targets,
    simulate_child_level,
    write_child_level,
)
from csceval.simulate.childlevel_cin import _CinBuilder
from csceval.simulate.rng import stream


@pytest.fixture(scope="module")
def world() -> World:
    return simulate_world(2018)


def _cases(world: World) -> list[tuple[str, int]]:
    pilots = [p.la_code for p in world.design.pilots][:2]
    pop = world.panel[
        (world.panel["indicator"] == "population_0_17") & (world.panel["year"] == 2019)
    ]
    smallest = pop.sort_values("observed")["la_code"].iloc[2]  # a small LA (not the 2 tiniest)
    return [(la, y) for la in pilots for y in (2016, 2024)] + [(smallest, 2025)]


def test_indicators_equal_the_panel(world: World, tmp_path: Path) -> None:
    checked = 0
    for la, year in _cases(world):
        files = simulate_child_level(world.panel, la, year, seed=2018)
        folder = tmp_path / la / str(year)
        write_child_level(files, folder)
        got = cin_indicators(read_cin_census(folder / "cin_census.xml").tables, year)
        xml = read_903_xml(folder / "ssda903.xml", year)
        csv = read_903_folder(folder / "ssda903", year)
        from_xml = cla_indicators(xml["episodes"], xml["header"], year)
        from_csv = cla_indicators(csv["episodes"], csv["header"], year)
        assert from_xml.keys() == from_csv.keys()
        for key, value in from_xml.items():
            assert value == from_csv[key] or (math.isnan(value) and math.isnan(from_csv[key]))
        got.update(from_xml)
        t = files.targets
        for name, count in t.counts.items():
            assert got[name] == count, (la, year, name)
            checked += 1
        for name, (num, den) in t.ratios.items():
            if name == "cla_3plus_placements_pct":
                assert abs(got[name] - 100 * num / den) <= 50 / got["cla_count_31mar"] + 1e-9
            else:
                pair = (got[f"{name}__numerator"], got[f"{name}__denominator"])
                assert pair == (num, den), (la, year, name)
                assert got[name] == pytest.approx(100 * num / den)
            checked += 1
    assert checked > 60


def test_short_breaks_are_present_but_excluded(world: World) -> None:
    la = world.design.pilots[0].la_code
    files = simulate_child_level(world.panel, la, 2024)
    episodes = files.ssda903["episodes"]
    assert episodes["LS"].isin(["V3", "V4"]).any()
    assert episodes["RNE"].eq("T").any()
    assert episodes["PLACE"].eq("A4").any()


def test_sex_coding_follows_the_year(world: World) -> None:
    la = world.design.pilots[0].la_code
    assert "<GenderCurrent>" in simulate_child_level(world.panel, la, 2024).cin_xml
    files = simulate_child_level(world.panel, la, 2025)
    assert "<Sex>" in files.cin_xml
    assert set(files.ssda903["header"]["SEX"]) <= {"M", "F"}


def test_infeasible_targets_are_refused() -> None:
    t = Targets(
        "999", 2024, {"cin_count_31mar": 1, "cpp_count_31mar": 3, "cpp_starts_count": 3}, {}
    )
    with pytest.raises(ChildLevelError, match="999 2024"):
        _CinBuilder(t, stream(1, "t")).build()


def test_cli_writes_files_and_known_values(world: World, tmp_path: Path) -> None:
    la = world.design.pilots[0].la_code
    result = CliRunner().invoke(
        main, ["simulate-child-level", "--out", str(tmp_path / "o"), "--la", la, "--year", "2023"]
    )
    assert result.exit_code == 0, result.output
    known = pd.read_csv(tmp_path / "o" / "known_values.csv", dtype={"la_code": str})
    assert set(known["la_code"]) == {la}
    assert len(known) >= 15
    assert (tmp_path / "o" / la / "2023" / "ssda903" / "episodes.csv").is_file()


def test_cli_unknown_la_is_a_coded_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["simulate-child-level", "--out", str(tmp_path / "o"), "--la", "000", "--year", "2023"],
    )
    assert result.exit_code == 2
    assert "CSC-E4151" in result.output
