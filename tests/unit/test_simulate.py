"""Synthetic England: determinism, the project contract, realism and the injected truth."""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from csceval.indicators import BY_ID, Kind
from csceval.pipeline import simulate_project, validate_project
from csceval.project.settings import EvaluationSettings
from csceval.project.tables import TABLES
from csceval.registry import registered_strands
from csceval.simulate import World, simulate_world

SEED = 2018
COUNTS = [k for k, v in BY_ID.items() if v.kind == Kind.COUNT]


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim") / "project"
    steps: list[tuple[str, float]] = []
    summary = simulate_project(out, seed=SEED, progress=lambda s, f: steps.append((s, f)))
    assert (summary.out, summary.seed) == (out, SEED)
    assert (summary.n_pilots, summary.years) == (10, (2010, 2025))
    assert 140 <= summary.n_las <= 160
    assert summary.n_suppressed_cells > 0
    fractions = [f for _, f in steps]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    return out


@pytest.fixture(scope="module")
def indicators(project: Path) -> pd.DataFrame:
    frame = pd.read_csv(project / "data" / "indicators.csv", dtype=str, keep_default_na=False)
    frame["year"] = frame["year"].astype(int)
    frame["number"] = pd.to_numeric(frame["value"], errors="coerce")
    return frame


@pytest.fixture(scope="module")
def las(project: Path) -> pd.DataFrame:
    return pd.read_csv(project / "data" / "local_authorities.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def settings(project: Path) -> EvaluationSettings:
    raw = tomllib.loads((project / "evaluation.toml").read_text(encoding="utf-8"))
    return EvaluationSettings.model_validate(raw)


@pytest.fixture(scope="module")
def truth(project: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((project / "truth.json").read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def world() -> World:
    return simulate_world(SEED)


# --- determinism ----------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(project: Path, demo_project: Path) -> None:
    """This module's simulation and the test session's own of the same seed."""
    first, second = _hashes(project), _hashes(demo_project)
    returns = {p for p in first if p.startswith("child_level/")}  # the child-impact strand's
    assert any(p.endswith("cin_census.xml") for p in returns)
    assert set(first) - returns == {
        "evaluation.toml",
        "truth.json",
        "README.md",
        "manifest.json",  # written last by the staged folder
        *(t.file for t in TABLES if t.name != "framework_scoping"),  # the register replaces it
        *(t.file for s in registered_strands() for t in s.tables),
        *(f.path for s in registered_strands() for f in s.files if (project / f.path).exists()),
    }
    assert first == second


def test_another_seed_gives_other_data(project: Path, simulated: Callable[[int], Path]) -> None:
    first, second = _hashes(project), _hashes(simulated(7))
    assert first["data/indicators.csv"] != second["data/indicators.csv"]
    assert first["truth.json"] != second["truth.json"]


def test_refuses_a_folder_that_is_not_a_synthetic_project(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError):
        simulate_project(tmp_path / "mine")
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "evaluation.toml").write_text("[evaluation]\nsynthetic = false\n")
    with pytest.raises(FileExistsError):
        simulate_project(tmp_path / "real")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_a_rerun_replaces_a_previous_synthetic_project(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "previous"
    out.mkdir()
    (out / "evaluation.toml").write_text("[evaluation]\nsynthetic = true\n")
    (out / "results.txt").write_text("stale: not the simulator's")
    simulate_project(out, seed=SEED)
    assert not (out / "results.txt").exists()  # the whole folder is replaced: nothing stale
    assert (out / "manifest.json").is_file()
    assert _hashes(out) == _hashes(project)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # staging removed


# --- the project contract -------------------------------------------------------------------


def test_the_project_is_valid(project: Path) -> None:
    assert [p.render() for p in validate_project(project)] == []


def test_every_table_has_exactly_the_declared_columns(project: Path) -> None:
    for schema in (t for t in TABLES if t.name != "framework_scoping"):
        header = (project / schema.file).read_text(encoding="utf-8").splitlines()[0]
        assert tuple(header.split(",")) == schema.column_names, schema.file


def test_settings_describe_the_synthetic_evaluation(
    settings: EvaluationSettings, las: pd.DataFrame
) -> None:
    assert settings.evaluation.synthetic is True
    assert "synthetic" in settings.evaluation.name.lower()
    assert settings.evaluation.frameworks == ["Signs of Safety"]
    assert (settings.periods.first_year, settings.periods.last_year) == (2010, 2025)
    assert [tp.id for tp in settings.periods.time_points] == ["T1", "T2"]
    assert all(i in BY_ID for i in settings.analysis.indicators)
    roles = [s.role for s in settings.sites]
    assert (roles.count("pilot"), roles.count("exited"), roles.count("contrast")) == (8, 2, 2)
    assert {s.la_code for s in settings.sites} <= set(las["la_code"])
    groups = dict(zip(las["la_code"], las["neighbour_group"], strict=True))
    for site in settings.sites:
        assert site.neighbour_group == groups[site.la_code]
        if site.role in ("pilot", "exited"):
            assert site.implementation_start is not None
            assert site.fully_embedded is not None
            months = (site.fully_embedded - site.implementation_start).days / 30.44
            assert 2015 <= site.implementation_start.year <= 2018
            assert 11.5 <= months <= 30.5
    starts = sorted(s.implementation_start for s in settings.sites if s.implementation_start)
    assert len(set(starts)) > 3  # staggered


def test_indicator_rows_are_sorted_and_unique(indicators: pd.DataFrame) -> None:
    keys = list(
        zip(indicators["la_code"], indicators["year"], indicators["indicator"], strict=True)
    )
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    symbols = set(indicators.loc[indicators["number"].isna(), "value"])
    assert {"c", "x"} <= symbols <= {"c", "x", "z"}


def test_values_are_formatted_like_dfe_files(indicators: pd.DataFrame) -> None:
    numeric = indicators[indicators["number"].notna()]
    kinds = numeric["indicator"].map({k: v.kind for k, v in BY_ID.items()})
    whole = kinds.isin([Kind.COUNT, Kind.PERSONS])
    assert numeric.loc[whole, "value"].str.fullmatch(r"\d+").all()
    assert numeric.loc[~whole, "value"].str.fullmatch(r"\d+\.\d").all()


# --- realism --------------------------------------------------------------------------------


def test_names_and_codes_are_fictional(las: pd.DataFrame) -> None:
    assert las["la_code"].astype(int).between(401, 599).all()
    assert las["gss_code"].str.fullmatch(r"E(06|08|09|10)9\d{5}").all()
    assert las["la_name"].is_unique
    assert (las["region_name"] == "London").sum() == 33


def test_no_name_is_a_real_english_local_authority(las: pd.DataFrame, shared_data: Path) -> None:
    reference = shared_data / "la_reference"
    real = set(pd.read_csv(reference / "ees_las.csv")["la_name"].str.lower())
    lookup = pd.read_csv(reference / "ons_ltla_utla_apr23_lookup_england_wales.csv")
    real |= set(lookup["LTLA23NM"].str.lower()) | set(lookup["UTLA23NM"].str.lower())
    assert not set(las["la_name"].str.lower()) & real


def test_populations_look_like_england(indicators: pd.DataFrame) -> None:
    pop = indicators[(indicators["indicator"] == "population_0_17") & (indicators["year"] == 2018)]
    assert 45_000 <= pop["number"].median() <= 70_000
    assert pop["number"].min() < 2_000  # a City-of-London-like LA
    assert 180_000 <= pop["number"].max() <= 400_000
    assert 10.0e6 <= pop["number"].sum() <= 13.0e6


def test_national_cla_rate_is_realistic(indicators: pd.DataFrame) -> None:
    cla = indicators[indicators["indicator"] == "cla_rate_per_10k"]
    by_year = cla.groupby("year")["number"].mean()
    assert 55 <= by_year[2020] <= 80
    assert by_year[2023] > by_year[2012]  # the national rise


def test_england_rates_match_the_calibrated_national_series(indicators: pd.DataFrame) -> None:
    wide = indicators[indicators["year"] == 2020].pivot_table(
        index="la_code", columns="indicator", values="number", aggfunc="max"
    )
    rows = wide[["cla_count_31mar", "cla_rate_per_10k"]].dropna()
    population = rows["cla_count_31mar"] / rows["cla_rate_per_10k"] * 1e4
    assert rows["cla_count_31mar"].sum() / population.sum() * 1e4 == pytest.approx(67.9, abs=2)


def test_a_few_count_cells_are_suppressed(indicators: pd.DataFrame) -> None:
    counts = indicators[indicators["indicator"].isin(COUNTS)]
    share = (counts["value"] == "c").mean()
    assert 0 < share < 0.05


def test_coverage_follows_the_real_collections(indicators: pd.DataFrame) -> None:
    first = indicators.groupby("indicator")["year"].min()
    assert first["cla_rate_per_10k"] == 2010
    assert first["cin_rate_per_10k"] == first["rereferral_within_12m_pct"] == 2013
    assert first["sw_turnover_pct"] == 2015
    assert first["cla_long_term_stability_pct"] == 2018


def test_reorganised_codes_stop_and_new_codes_start(
    project: Path, indicators: pd.DataFrame, las: pd.DataFrame
) -> None:
    reorg = pd.read_csv(project / "data" / "reorganisations.csv", dtype=str)
    assert set(reorg["kind"]) == {"merger", "split"}
    life = las.set_index("la_code")
    years = indicators.groupby("la_code")["year"].agg(["min", "max"])
    for row in reorg.itertuples():
        assert int(life.at[row.old_la_code, "last_year"]) == int(row.year) - 1
        assert int(life.at[row.new_la_code, "first_year"]) == int(row.year)
        assert years.at[row.old_la_code, "max"] == int(row.year) - 1
        assert years.at[row.new_la_code, "min"] == int(row.year)
    ended = las[las["last_year"] != ""]
    assert len(ended) == 3
    for code, last in zip(ended["la_code"], ended["last_year"].astype(int), strict=True):
        assert years.at[code, "max"] <= last


def test_rates_agree_with_counts_and_mid_year_populations(indicators: pd.DataFrame) -> None:
    wide = indicators.pivot_table(
        index=["la_code", "year"], columns="indicator", values="number", aggfunc="max"
    )
    previous = wide["population_0_17"].rename("pop").reset_index()
    previous["year"] += 1
    wide = wide.reset_index().merge(previous, on=["la_code", "year"], how="left")
    checked = 0
    for rate, count in (
        (k, v.numerator) for k, v in BY_ID.items() if v.kind == Kind.RATE and v.numerator
    ):
        rows = wide[[rate, count, "pop"]].dropna()
        error = (rows[count] / rows["pop"] * 1e4 - rows[rate]).abs()
        assert (error <= 0.05 + 1e-9).all(), rate
        checked += len(rows)
    assert checked > 10_000


def test_statistical_neighbours_are_ten_other_las(project: Path, las: pd.DataFrame) -> None:
    sn = pd.read_csv(project / "data" / "statistical_neighbours.csv", dtype=str)
    ranks = sn.groupby("la_code")["rank"].apply(list)
    assert all(r == [str(k) for k in range(1, 11)] for r in ranks)
    assert set(sn["la_code"]) == set(las["la_code"])
    assert (sn["la_code"] != sn["neighbour_code"]).all()
    assert sn["closeness"].value_counts().idxmax() == "Very Close"


# --- the truth ------------------------------------------------------------------------------


def test_truth_lists_pilots_effects_and_reorganisations(
    truth: dict[str, Any], settings: EvaluationSettings, project: Path
) -> None:
    pilots = truth["pilots"]
    assert isinstance(pilots, list)
    assert len(pilots) == 10
    sites = {s.la_code: s for s in settings.sites}
    for pilot in pilots:
        site = sites[pilot["la_code"]]
        assert pilot["role"] == site.role
        assert pilot["implementation_start"] == str(site.implementation_start)
        assert (pilot["exit_date"] is not None) == (site.role == "exited")
    effects = truth["effects"]
    assert isinstance(effects, list)
    assert {e["indicator"] for e in effects} == {
        "rereferral_within_12m_pct",
        "cpp_rate_per_10k",
        "cla_rate_per_10k",
    }
    nulls = truth["null_indicators"]
    assert isinstance(nulls, list)
    assert "cin_rate_per_10k" in nulls
    reorg = pd.read_csv(project / "data" / "reorganisations.csv", dtype=str)
    codes = set(reorg["old_la_code"]) | set(reorg["new_la_code"])
    assert set(truth["reorganised_la_codes"]) == codes
    assert not codes & set(sites)
    assert truth["seed"] == SEED
    assert truth["synthetic"] is True


def test_the_files_are_the_simulated_world(world: World, indicators: pd.DataFrame) -> None:
    panel = world.panel
    assert len(panel) == len(indicators)
    assert (panel["la_code"].to_numpy() == indicators["la_code"].to_numpy()).all()
    shown = indicators["number"].notna().to_numpy()
    published = indicators["number"].to_numpy()[shown]
    assert np.abs(panel["observed"].to_numpy()[shown] - published).max() <= 0.05 + 1e-9


def test_injected_effects_are_in_the_panel(world: World, truth: dict[str, Any]) -> None:
    panel = world.panel
    pilots = {p.la_code: p for p in world.design.pilots}
    is_pilot = panel["la_code"].isin(list(pilots))
    same = panel["observed"].eq(panel["counterfactual"]) | panel["observed"].isna()
    assert same[~is_pilot].all()  # no effect anywhere else
    effects = truth["effects"]
    assert isinstance(effects, list)
    affected = {i for e in effects for i in e["applies_to"]}
    assert same[~panel["indicator"].isin(list(affected))].all()  # the nulls are null

    exposure = truth["exposure"]
    assert isinstance(exposure, dict)
    for effect in effects:
        rows = panel[is_pilot & (panel["indicator"] == effect["indicator"])]
        for row in rows.itertuples():
            size = effect["per_pilot"][row.la_code]
            x = exposure[row.la_code][effect["indicator"]][str(row.year)]
            if effect["form"] == "relative":
                assert row.expected == pytest.approx(row.expected_counterfactual * (1 + size * x))
            else:
                assert row.expected == pytest.approx(row.expected_counterfactual + size * x)
            assert (row.observed - row.counterfactual) * np.sign(size) >= -1e-9  # same direction
        embedded = rows[rows["year"] >= 2019]
        gap = (embedded["counterfactual"] - embedded["observed"]).mean()
        assert gap > 0, effect["indicator"]
