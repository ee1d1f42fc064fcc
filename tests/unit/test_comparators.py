"""Comparator sets: adopters, from the sites and from the framework register (or the older
scoping table), are never controls."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from csceval.pipeline import load_project
from csceval.project import Project
from csceval.project.comparators import adopters, choose_comparators
from csceval.project.register import register_as_at
from csceval.simulate.scoping import OTHER_ADOPTERS


@pytest.fixture(scope="module")
def project(simulated: Callable[[int], Path]) -> Project:
    return load_project(simulated(11))


def _with_comparators(project: Project, method: str) -> Project:
    analysis = project.settings.analysis.model_copy(update={"comparators": method})
    settings = project.settings.model_copy(update={"analysis": analysis})
    return Project(project.root, settings, project.tables)


def _with_tables(project: Project, **tables: pd.DataFrame) -> Project:
    return Project(project.root, project.settings, {**project.tables, **tables})


def test_framework_users_from_the_register_are_never_comparators(project: Project) -> None:
    register = project.table("framework_register")
    users = set(register.loc[register["framework"] == "Signs of Safety", "la_code"])
    pilots = {s.la_code for s in project.pilots}
    assert pilots < users
    assert len(users - pilots) == OTHER_ADOPTERS
    contrast_users = set(register.loc[register["framework"] != "Signs of Safety", "la_code"])
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


def _episode(code: str, framework: str, started: date | None, ended: date | None) -> dict:
    return {
        "la_code": code,
        "framework": framework,
        "extent": "whole_service",
        "started": started,
        "ended": ended,
        "precision": "day",
        "training": "unknown",
        "licensing": "unknown",
        "source": "desk_review",
        "confidence": "low",
        "recorded": None,
    }


def test_register_names_match_case_insensitively_and_dates_count(project: Project) -> None:
    end = date(project.settings.periods.last_year, 3, 31)
    extra = pd.DataFrame(
        [
            _episode("997", "SIGNS OF SAFETY", date(2012, 4, 1), None),
            _episode("998", "Signs of Safety", date(2012, 4, 1), date(2014, 3, 31)),  # stopped
            _episode("999", "Signs of Safety", end + pd.Timedelta(days=1), None),  # too late
        ]
    )
    register = pd.concat([project.table("framework_register"), extra], ignore_index=True)
    found = adopters(_with_tables(project, framework_register=register))
    assert {"997", "998"} <= found
    assert "999" not in found


def test_the_register_as_at_the_period_end_gives_the_exclusions(project: Project) -> None:
    end = date(project.settings.periods.last_year, 3, 31)
    view = register_as_at(project.table("framework_register"), end, history=True)
    users = set(view.loc[view["framework"] == "Signs of Safety", "la_code"])
    sites = {s.la_code for s in project.settings.sites if s.role != "comparator"}
    assert adopters(project) == users | sites


def test_without_a_register_the_scoping_table_is_read(project: Project) -> None:
    register = project.table("framework_register")
    users = register[register["framework"] == "Signs of Safety"]
    scoping = pd.DataFrame(
        {
            "la_code": users["la_code"],
            "framework": "signs of safety",
            "since_year": 2016,
            "source": "x",
        }
    )
    empty = register.iloc[0:0]
    old = _with_tables(project, framework_register=empty, framework_scoping=scoping)
    assert adopters(old) == adopters(project)


def test_a_project_without_a_register_or_scoping_table_loads(
    tmp_path: Path, project: Project
) -> None:
    copy = tmp_path / "project"
    shutil.copytree(project.root, copy)
    (copy / "data" / "framework_register.csv").unlink()
    bare = load_project(copy)
    assert bare.table("framework_register").empty
    assert bare.table("framework_scoping").empty
    assert adopters(bare) == {s.la_code for s in bare.settings.sites if s.role != "comparator"}
