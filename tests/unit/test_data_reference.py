"""LA reference data, reorganisations, statistical neighbours and population rates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csceval.data.la_reference import (
    REORGANISATIONS,
    balance,
    read_las,
    read_statistical_neighbours,
    reorganisations_table,
)
from csceval.data.population import add_rates, rate_per_10k, read_population, round_half_up


def test_reorganisations_match_the_ees_code_history(shared_data: Path) -> None:
    las = read_las(shared_data / "la_reference" / "ees_las.csv")
    for reorg in REORGANISATIONS:
        for code in reorg.old:
            rows = las[las["la_code"] == code]
            assert set(rows["status"]) == {"terminated"}, code
            ended = pd.to_datetime(rows["date_of_termination"], format="%d/%m/%Y").max()
            assert ended.year == reorg.year - 1, code
            assert ended.month == 3, code
        for code in reorg.new:
            started = las.loc[las["la_code"] == code, "date_of_operation"].iloc[0]
            assert started == f"01/04/{reorg.year - 1}", code


def test_reorganisations_table_marks_splits_and_mergers() -> None:
    table = reorganisations_table()
    kinds = dict(
        zip(
            zip(table["old_la_code"], table["new_la_code"], strict=True),
            table["kind"],
            strict=True,
        )
    )
    assert kinds[("836", "839")] == "merger"
    assert kinds[("835", "838")] == "split"
    assert kinds[("928", "940")] == "split"
    assert ("836", "838") not in kinds


def test_both_statistical_neighbour_models(shared_data: Path) -> None:
    ref = shared_data / "la_reference"
    old = read_statistical_neighbours(ref / "statistical_neighbours_groupings_april_2021.csv")
    new = read_statistical_neighbours(ref / "statistical_neighbours_sn_model_2025_wide.csv")
    old_current = old[old["current"]]
    assert old_current["la_code"].nunique() == 152
    assert new["la_code"].nunique() == 153
    assert set(old.loc[~old["current"], "la_code"]) >= {"835", "836", "837", "928"}
    assert set(old["model"]) == {"2021"}
    assert set(new["model"]) == {"2025"}
    assert (old.groupby("la_code").size() == 10).all()
    camden = old[old["la_code"] == "202"].sort_values("rank")
    assert list(camden["neighbour_code"][:2]) == ["213", "205"]
    assert camden["closeness"].iloc[0] == "Very Close"


def test_synthetic_2025_model_file(tmp_path: Path) -> None:
    header = "old_la_code,la_name,region_ind,region_name," + ",".join(
        f"SN_{k},SN_{k}P" for k in range(1, 11)
    )
    row = "805,Hartlepool,1,North East," + ",".join(
        f"{806 + k},{'Extremely close' if k == 0 else 'Close '}" for k in range(10)
    )
    path = tmp_path / "sn_model_2025_wide.csv"
    path.write_bytes(b"\xef\xbb\xbf" + f"{header}\n{row}\n".encode())
    frame = read_statistical_neighbours(path)
    assert list(frame["neighbour_code"]) == [str(806 + k) for k in range(10)]
    assert list(frame["closeness"][:2]) == ["Extremely close", "Close"]


def test_rates_use_the_mid_year_before_and_round_half_up() -> None:
    assert list(round_half_up(np.array([12.45, 12.35, -0.5, 2.5]), 1)) == [12.5, 12.4, -0.5, 2.5]
    assert list(round_half_up(np.array([0.5, 1.5, 2.5]), 0)) == [1.0, 2.0, 3.0]
    assert rate_per_10k(np.array([123.0]), np.array([40_000.0]), 1)[0] == 30.8
    panel = pd.DataFrame(
        {
            "la_code": ["805", "805", "805"],
            "year": [2023, 2024, 2024],
            "indicator": ["population_0_17", "population_0_17", "cla_count_31mar"],
            "value": [20_000.0, 10_000.0, 200.0],
        }
    )
    rates = add_rates(panel, {"cla_rate_per_10k": ("cla_count_31mar", 0)})
    rate = rates[rates["indicator"] == "cla_rate_per_10k"]
    assert list(rate["value"]) == [100.0]  # 200 / mid-2023 (20,000), not mid-2024


def _group_panel() -> pd.DataFrame:
    rows = []
    for year, codes in ((2019, ("835", "836", "837")), (2020, ("838", "839"))):
        for code in codes:
            rows.append((code, year, "cla_count_31mar", 100.0))
            rows.append((code, year - 1, "population_0_17", 10_000.0))
            rows.append((code, year, "repeat_cpp_pct", 20.0))
    rows.append(("805", 2019, "cla_count_31mar", 50.0))
    return pd.DataFrame(rows, columns=["la_code", "year", "indicator", "value"])


def test_balance_drop_removes_every_code_of_a_reorganisation() -> None:
    dropped = balance(_group_panel(), "drop")
    assert set(dropped["la_code"]) == {"805"}


def test_balance_aggregate_sums_counts_and_recomputes_rates() -> None:
    merged = balance(
        _group_panel(),
        "aggregate",
        additive=frozenset({"cla_count_31mar", "population_0_17"}),
        rates={"cla_rate_per_10k": ("cla_count_31mar", 0)},
    )
    unit = merged[merged["la_code"] == "838"].set_index(["indicator", "year"])["value"]
    assert unit[("cla_count_31mar", 2019)] == 300  # the three old LAs
    assert unit[("cla_count_31mar", 2020)] == 200  # the two new LAs
    assert unit[("cla_rate_per_10k", 2020)] == 100  # 200 / 20,000 (mid-2019, new LAs)
    assert "repeat_cpp_pct" not in set(merged.loc[merged["la_code"] == "838", "indicator"])
    with pytest.raises(ValueError, match="unknown balancing rule"):
        balance(_group_panel(), "interpolate")


def test_population_file(shared_data: Path) -> None:
    pop = read_population(
        shared_data / "dfe_csc_ees_la" / "ons_mid-year_population_estimates_2012_to_2024.csv"
    )
    england = pop[(pop["geographic_level"] == "National") & (pop["year"] == 2024)]
    assert england["population"].iloc[0] == 12_183_016
    la = pop[pop["geographic_level"] == "Local authority"]
    assert la.groupby("year")["la_code"].nunique().between(150, 154).all()


def test_golden_published_rates() -> None:
    golden = pd.read_csv(
        Path(__file__).resolve().parents[1] / "golden" / "data" / "published_rates_sample.csv"
    )
    for decimals, rows in golden.groupby("decimals"):
        derived = rate_per_10k(
            rows["count"].to_numpy(), rows["population_mid_year_before"].to_numpy(), int(decimals)
        )
        assert list(derived) == list(rows["published_rate"])
