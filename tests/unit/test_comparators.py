"""Comparator sets: adopters, from the sites and from the scoping table, are never controls."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from csceval.pipeline import load_project, simulate_project
from csceval.project import Project
from csceval.project.comparators import adopters, choose_comparators
from csceval.simulate.scoping import OTHER_ADOPTERS


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("comparators") / "project"
    simulate_project(root, seed=11)
    return load_project(root)


def _with_comparators(project: Project, method: str) -> Project:
    analysis = project.settings.analysis.model_copy(update={"comparators": method})
    settings = project.settings.model_copy(update={"analysis": analysis})
    return Project(project.root, settings, project.tables)


def test_framework_users_from_the_scoping_table_are_never_comparators(project: Project) -> None:
    scoping = project.table("framework_scoping")
    users = set(scoping.loc[scoping["framework"] == "Signs of Safety", "la_code"])
    pilots = {s.la_code for s in project.pilots}
    assert pilots < users
    assert len(users - pilots) == OTHER_ADOPTERS
    contrast_users = set(scoping.loc[scoping["framework"] != "Signs of Safety", "la_code"])
    everyone = set(project.table("local_authorities")["la_code"])
    for method in ("all_non_adopters", "statistical_neighbours"):
        chosen = choose_comparators(_with_comparators(project, method))
        assert not users & set(chosen.la_codes), method
        assert users <= set(chosen.excluded)
    # users of other frameworks stay eligible (except the contrast sites, studied in their own
    # right); among all non-adopters every other LA is a comparator
    contrasts = {s.la_code for s in project.settings.sites_with_role("contrast")}
    chosen = choose_comparators(_with_comparators(project, "all_non_adopters"))
    assert set(chosen.la_codes) == everyone - users - contrasts
    assert (contrast_users - contrasts) <= set(chosen.la_codes)


def test_scoping_names_match_case_insensitively(project: Project) -> None:
    extra = pd.DataFrame(
        {"la_code": ["999"], "framework": ["SIGNS OF SAFETY"], "since_year": [2020],
         "source": ["x"]}
    )  # fmt: skip
    tables = dict(project.tables)
    tables["framework_scoping"] = pd.concat([tables["framework_scoping"], extra])
    assert "999" in adopters(Project(project.root, project.settings, tables))
    tables["framework_scoping"] = tables["framework_scoping"].iloc[0:0]
    without = adopters(Project(project.root, project.settings, tables))
    assert without == {s.la_code for s in project.settings.sites if s.role != "comparator"}


def test_a_project_without_a_scoping_table_loads(tmp_path: Path, project: Project) -> None:
    copy = tmp_path / "project"
    shutil.copytree(project.root, copy)
    (copy / "data" / "framework_scoping.csv").unlink()
    bare = load_project(copy)
    assert bare.table("framework_scoping").empty
    assert adopters(bare) == {s.la_code for s in bare.settings.sites if s.role != "comparator"}
