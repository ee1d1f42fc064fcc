"""The LA x year panel: the headline check against DfE's published rates, and build-panel."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from csceval.cli import main
from csceval.data.panel import DERIVED_RATES, build_panel, rate_agreement
from csceval.data.panel_rates import _derive
from csceval.errors import InputError

GEO = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
GEO += "region_name,old_la_code,new_la_code,la_name"
LA = "Local authority,E92000001,England,E12000001,North East"


@pytest.fixture(scope="module")
def real_panel(shared_data: Path):  # type: ignore[no-untyped-def]
    return build_panel(shared_data)


def test_derived_rates_match_dfe_published_rates(real_panel) -> None:  # type: ignore[no-untyped-def]
    """The headline check: count / ONS mid-(Y-1) population x 10,000, rounded as DfE does,
    equals DfE's published rate for at least 99% of LA-years of every rate indicator."""
    agreement = rate_agreement(real_panel).set_index("indicator")
    assert set(agreement.index) == set(DERIVED_RATES)
    assert (agreement["la_years"] >= 1000).all()
    assert (agreement["pct_equal"] >= 99.0).all(), agreement


def test_the_check_can_fail(real_panel) -> None:  # type: ignore[no-untyped-def]
    """With the mid-Y population instead of mid-(Y-1), no rate indicator reaches 99%."""
    long = real_panel.long.copy()
    pop = long["indicator"] == "population_0_17"
    long.loc[pop, "year"] = long.loc[pop, "year"] + 1  # shift: rate for Y now uses mid-Y
    shifted = _derive(
        long[~long["indicator"].isin(DERIVED_RATES) & ~long["source"].str.startswith("derived")]
    )
    broken = type(real_panel)(
        shifted,
        real_panel.published,
        real_panel.local_authorities,
        real_panel.statistical_neighbours,
        real_panel.reorganisations,
    )
    assert (rate_agreement(broken)["pct_equal"] < 99).all()


def test_superseded_vintages_are_reported_separately(real_panel) -> None:  # type: ignore[no-untyped-def]
    every = rate_agreement(real_panel, current_only=False)
    assert every["published_in"].str.contains("2019_to_2023").any()


def test_panel_tables(real_panel) -> None:  # type: ignore[no-untyped-def]
    las = real_panel.local_authorities.set_index("la_code")
    assert las.loc["839", "first_year"] == 2020
    assert las.loc["837", "last_year"] == 2019
    assert las.loc["941", "first_year"] == 2022
    assert las.loc["928", "last_year"] == 2021
    assert las.loc["942", "first_year"] == 2024
    assert las.loc["330", "la_name"] == "Birmingham"
    sn = real_panel.statistical_neighbours
    assert (sn.groupby("la_code").size() <= 10).all()
    assert sn["la_code"].nunique() >= 150
    ind = real_panel.indicators_table()
    assert not ind.duplicated(["la_code", "year", "indicator"]).any()
    bham = ind[(ind["la_code"] == "330") & (ind["year"] == 2024)].set_index("indicator")
    assert float(bham.loc["cin_rate_per_10k", "value"]) > 0
    assert {"spend_per_child_gbp", "sw_turnover_pct", "cla_3plus_placements_pct"} <= set(bham.index)


def _source(tmp_path: Path, *, b1: bool = True) -> Path:
    src = tmp_path / "src"
    ees = src / "dfe_csc_ees_la"
    ref = src / "la_reference"
    ees.mkdir(parents=True)
    ref.mkdir()
    pop = [f"{GEO},age_group,population_estimate"]
    cin = [f"{GEO},category,At31_episodes"]
    for code, gss, name, n in (
        ("805", "E06000001", "Hartlepool", 20000),
        ("806", "E06000002", "Middlesbrough", 30000),
    ):
        for year in (2022, 2023):
            pop.append(
                f"{year},Reporting year,{LA},{code},{gss},{name},"
                f"Children aged 0 to 17 years,{n + year - 2022}"
            )
        cin.append(f"2023,Reporting year,{LA},{code},{gss},{name},CIN,{n // 100}")
        cin.append(f"2024,Reporting year,{LA},{code},{gss},{name},CIN,c")
    (ees / "ons_mid-year_population_estimates_2012_to_2024.csv").write_text("\n".join(pop))
    if b1:
        (ees / "b1_children_in_need_2013_to_2025.csv").write_bytes(
            b"\xef\xbb\xbf" + "\n".join(cin).encode()
        )
    (ref / "ees_las.csv").write_text(
        "new_la_code,la_name,date_of_operation,date_of_termination,parent_geography_code,"
        "entity_code,entity_description,status,old_la_code\n"
        "E06000001,Hartlepool,01/01/2009,,E12000001,E06,UA,live,805\n"
        "E06000002,Middlesbrough,01/01/2009,,E12000001,E06,UA,live,806\n"
    )
    (ref / "ees_regions.csv").write_text("region_code,region_name\nE12000001,North East\n")
    return src


def test_build_panel_command(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["data", "build-panel", str(_source(tmp_path)), "--out", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    assert "2 LAs" in result.output
    ind = pd.read_csv(out / "data" / "indicators.csv", dtype=str)
    rate = ind[(ind["indicator"] == "cin_rate_per_10k") & (ind["la_code"] == "805")]
    # 2023: 200 / mid-2022 population 20,000 x 10,000 = 100.0; 2024: count suppressed -> c.
    assert dict(zip(rate["year"], rate["value"], strict=True)) == {"2023": "100", "2024": "c"}
    las = pd.read_csv(out / "data" / "local_authorities.csv", dtype=str)
    assert list(las["region_name"]) == ["North East", "North East"]
    assert (out / "panel_wide.csv").is_file()
    assert (out / "rate_agreement.csv").is_file()


def test_build_panel_replaces_its_own_output_but_no_other_folder(tmp_path: Path) -> None:
    src = _source(tmp_path)
    out = tmp_path / "out"
    for _ in range(2):
        result = CliRunner().invoke(main, ["data", "build-panel", str(src), "--out", str(out)])
        assert result.exit_code == 0, result.output
    other = tmp_path / "project"
    other.mkdir()
    (other / "evaluation.toml").write_text("")
    result = CliRunner().invoke(main, ["data", "build-panel", str(src), "--out", str(other)])
    assert result.exit_code == 2
    assert "CSC-E4051" in result.output
    assert [p.name for p in other.iterdir()] == ["evaluation.toml"]


def test_build_panel_reports_a_missing_source_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["data", "build-panel", str(_source(tmp_path, b1=False)), "--out", str(out), "-q"]
    )
    assert result.exit_code == 2
    assert "CSC-E4050" in result.output
    assert not out.exists()


def test_a_broken_source_file_stops_the_build(tmp_path: Path) -> None:
    src = _source(tmp_path)
    path = src / "dfe_csc_ees_la" / "b1_children_in_need_2013_to_2025.csv"
    path.write_text(path.read_text(encoding="utf-8-sig").replace(",c", ",n/a"))
    with pytest.raises(InputError) as caught:
        build_panel(src)
    assert {p.code for p in caught.value.problems} == {"CSC-E4008"}
    assert caught.value.problems[0].column == "At31_episodes"
