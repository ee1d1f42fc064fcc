"""The national scoping strand on a simulated project: recovery, comparators, report, CLI."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from csceval.cli import main
from csceval.disclosure import DisclosurePolicy
from csceval.pipeline import load_project
from csceval.project import Project
from csceval.project.comparators import adopters
from csceval.project.tables import FRAMEWORK_SCOPING
from csceval.simulate.scoping import scoping_rows
from csceval.simulate.world import World, simulate_world
from csceval.strands import StrandInputs
from csceval.strands.scoping import STRAND
from csceval.strands.scoping.analysis import NONE, ScopingResult, analyse_scoping
from csceval.strands.scoping.hexes import alive
from csceval.strands.scoping.simulate import scoping_files

SEED = 2018  # the demo's seed


@pytest.fixture(scope="module")
def world() -> World:
    return simulate_world(SEED)


@pytest.fixture(scope="module")
def project(demo_loaded: Callable[[], Project]) -> Project:
    """The demo project, simulated from ``world`` (read-only: a test that writes copies it)."""
    return demo_loaded()


@pytest.fixture(scope="module")
def result(project: Project) -> ScopingResult:
    return analyse_scoping(StrandInputs.of(project))


def test_the_register_keeps_the_demo_projects_comparator_exclusions(
    project: Project, world: World
) -> None:
    old = pd.DataFrame(scoping_rows(world), columns=list(FRAMEWORK_SCOPING.column_names))
    old["since_year"] = pd.to_numeric(old["since_year"]).astype("Int64")
    tables = {
        **project.tables,
        "framework_register": project.table("framework_register")[0:0],
        "framework_scoping": old,
    }
    assert adopters(Project(project.root, project.settings, tables)) == adopters(project)


def test_the_analysis_recovers_the_simulated_truth(project: Project, result: ScopingResult) -> None:
    truth = json.loads((project.root / "truth.json").read_text())["scoping"]
    assert result.as_at.isoformat() == truth["as_at"]
    assert len(result.las) == truth["las"]
    assert result.las["la_code"].is_unique
    for framework, codes in truth["framework_users"].items():
        users = result.las[result.las["frameworks"].str.contains(framework, regex=False)]
        assert sorted(users["la_code"]) == codes
    assert sorted(result.reminders["la_code"]) == truth["non_respondents"]
    england = result.progress.iloc[-1]
    assert england["region"] == "England"
    assert england["las"] == truth["las"]
    assert england["responded"] == truth["las"] - len(truth["non_respondents"])
    by_region = result.by_region().set_index("region")
    assert by_region.loc["England", "All LAs"] == truth["las"]
    assert by_region.drop(index="England")["All LAs"].sum() == truth["las"]


def test_contrast_proposals_use_other_frameworks_near_the_pilots(
    project: Project, result: ScopingResult
) -> None:
    proposals = result.proposals
    assert len(proposals) > 0
    excluded = adopters(project) - {s.la_code for s in project.settings.sites_with_role("contrast")}
    assert not set(proposals["la_code"]) & excluded
    assert not proposals["framework"].str.contains("Signs of Safety").any()
    assert (proposals["framework"] != "").all()
    scores = list(zip(-proposals["pilots_neighboured"], proposals["mean_rank"], strict=True))
    assert scores == sorted(scores)
    # every named contrast site neighbouring a pilot is proposed
    assert "yes" in set(proposals["contrast_site"])


def test_the_section_has_an_accessible_map_and_its_tables(result: ScopingResult) -> None:
    section = STRAND.render(result, DisclosurePolicy())
    ids = [t.id for t in section.tables]
    assert ids[:3] == ["scoping-las", "scoping-by-region", "scoping-by-framework"]
    assert {"scoping-contrasts", "scoping-survey", "scoping-reminders"} <= set(ids)
    (figure,) = [b for b in section.blocks if getattr(b, "svg", None)]
    svg = figure.svg
    assert 'role="img"' in svg
    assert "<title" in svg
    assert "<desc" in svg
    drawn = re.findall(r'data-la="(\d{3})"', svg)
    assert sorted(drawn) == sorted(result.las["la_code"])
    assert len(set(drawn)) == len(drawn)
    assert "None recorded (" in svg
    assert ">NR</text>" in svg
    assert section.findings
    assert all(f.text.endswith(".") for f in section.findings)


def test_the_simulated_files_are_deterministic(world: World) -> None:
    assert scoping_files(world) == scoping_files(world)


def test_without_a_register_the_scoping_table_is_used(project: Project, world: World) -> None:
    old = pd.DataFrame(scoping_rows(world), columns=list(FRAMEWORK_SCOPING.column_names))
    old["since_year"] = pd.to_numeric(old["since_year"]).astype("Int64")
    tables = {
        **project.tables,
        "framework_register": project.table("framework_register")[0:0],
        "framework_scoping": old,
        "scoping_responses": project.table("scoping_responses")[0:0],
    }
    inputs = StrandInputs(project.settings, tables)
    assert STRAND.available(inputs)
    converted = analyse_scoping(inputs)
    assert converted.source == "data/framework_scoping.csv"
    assert converted.progress.empty
    assert converted.reminders.empty
    STRAND.render(converted, DisclosurePolicy())  # renders without a survey
    tables["framework_scoping"] = old[0:0]
    assert not STRAND.available(StrandInputs(project.settings, tables))


def test_the_cli_lists_maps_reviews_and_converts(
    project: Project, world: World, tmp_path: Path
) -> None:
    root = tmp_path / "project"
    shutil.copytree(project.root, root)
    runner = CliRunner()
    listed = runner.invoke(main, ["scoping", "list", str(root), "--json"])
    assert listed.exit_code == 0, listed.output
    document = json.loads(listed.output)
    assert document["as_at"] == "2025-03-31"
    assert len(document["episodes"]) > 10
    text = runner.invoke(main, ["scoping", "list", str(root), "--as-at", "2010-01-01", "--history"])
    assert text.exit_code == 0
    assert "episodes as at 2010-01-01" in text.output
    svg = tmp_path / "map.svg"
    drawn = runner.invoke(main, ["scoping", "map", str(root), "--out", str(svg)])
    assert drawn.exit_code == 0, drawn.output
    assert svg.read_text().startswith("<svg")
    early = runner.invoke(main, ["scoping", "map", str(root), "--out", str(svg), "--year", "2019"])
    assert early.exit_code == 0, early.output
    assert len(re.findall(r"data-la=", svg.read_text())) == len(
        alive(project.table("local_authorities"), 2019)
    )
    reviewed = runner.invoke(main, ["scoping", "review", str(root)])
    assert reviewed.exit_code == 0, reviewed.output
    reviewed_project = load_project(root)
    assert reviewed_project.table("framework_register")["source"].eq("survey").any()
    assert adopters(reviewed_project) == adopters(project)  # reviews agree with the register
    refused = runner.invoke(main, ["scoping", "convert", str(root)])
    assert refused.exit_code == 2
    assert "CSC-E3520" in refused.output
    (root / "data" / "framework_register.csv").unlink()
    old = pd.DataFrame(scoping_rows(world), columns=list(FRAMEWORK_SCOPING.column_names))
    old.to_csv(root / FRAMEWORK_SCOPING.file, index=False)
    converted = runner.invoke(main, ["scoping", "convert", str(root)])
    assert converted.exit_code == 0, converted.output
    converted_project = load_project(root)
    register = converted_project.table("framework_register")
    assert set(register["source"]) == {"scoping_table"}
    assert len(register) == len(old)
    assert adopters(converted_project) == adopters(project)
    missing = runner.invoke(main, ["scoping", "list", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2


def test_none_recorded_is_the_largest_category(result: ScopingResult) -> None:
    assert result.categories[-1] == NONE


def test_the_strand_checks_its_tables(project: Project) -> None:
    assert STRAND.checks is not None
    tables = dict(project.tables)
    assert STRAND.checks(project.settings, tables) == []
    hexes = tables["la_hexes"].copy()
    hexes.loc[0, "la_code"] = "999"  # unknown LA
    first, second = sorted(alive(tables["local_authorities"], 2025))[5:7]
    at = hexes.index[hexes["la_code"] == first][0]
    hexes.loc[hexes["la_code"] == second, ["q", "r"]] = hexes.loc[at, ["q", "r"]].to_numpy()
    responses = tables["scoping_responses"].copy()
    responses.loc[0, "la_code"] = "998"
    responses.loc[1, "since"] = "last spring"
    tables.update(la_hexes=hexes, scoping_responses=responses)
    found = {(p.code, p.file, p.row) for p in STRAND.checks(project.settings, tables)}
    second_row = int(hexes.index[hexes["la_code"] == second][0]) + 2
    assert found == {
        ("CSC-E3513", "data/la_hexes.csv", 2),
        ("CSC-E3513", "data/la_hexes.csv", second_row),
        ("CSC-E3505", "data/scoping_responses.csv", 2),
        ("CSC-E3504", "data/scoping_responses.csv", 3),
    }
