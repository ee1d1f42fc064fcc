"""The family goals strand end to end on the synthetic project: tables, truth, section."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from csceval.disclosure import DisclosurePolicy
from csceval.pipeline import policy_of
from csceval.project import Project
from csceval.registry import registered_strands
from csceval.strands import StrandInputs
from csceval.strands.family_goals.analysis import GoalsResult, analyse_goals
from csceval.strands.family_goals.section import describe, render_goals


@pytest.fixture(scope="module")
def project_dir(demo_project: Path) -> Path:
    return demo_project


@pytest.fixture(scope="module")
def project(demo_loaded: Callable[[], Project]) -> Project:
    return demo_loaded()  # load_project(project_dir), loaded once per session


@pytest.fixture(scope="module")
def result(project: Project) -> GoalsResult:
    return analyse_goals(project)


def test_the_synthetic_project_has_goals_ratings_and_truth(project_dir: Path) -> None:
    goals = pd.read_csv(project_dir / "data" / "family_goals.csv", dtype=str)
    ratings = pd.read_csv(project_dir / "data" / "goal_ratings.csv", dtype=str)
    truth = json.loads((project_dir / "truth.json").read_text())["family_goals"]
    assert set(goals["source"]) == {"plan", "worker", "parent"}
    assert set(ratings["rater_role"]) == {"worker", "parent"}
    assert set(ratings["entry"]) == {"1", "2"}
    sizes = goals.groupby("la_code")["family"].nunique()
    assert sizes.between(10, 15).all()
    assert set(truth["site_groups"].values()) == {"framework", "contrast"}
    assert set(truth["framework_minus_contrast"]) == {"worker", "parent"}


def test_the_strand_runs_and_its_section_is_protected(
    project: Project, result: GoalsResult
) -> None:
    strand = next(s for s in registered_strands() if s.id == "family-goals")
    assert strand.available(StrandInputs.of(project))
    section = render_goals(result, policy_of(project))
    assert {t.id for t in section.tables} == {"goals-by-site", "goals-comparison",
                                              "goals-agreement"}  # fmt: skip
    assert any("minimum detectable" in f.text or "reliably be detected" in f.text
               for f in section.findings)  # fmt: skip
    assert "rho = 0.3" in " ".join(section.table("goals-by-site").notes)
    assert {"parent", "worker"} == {c.rater for c in result.comparisons}
    for c in result.comparisons:  # the word and its rates on this design, in the finding
        (finding,) = [f for f in section.findings if f.text == describe(c)]
        assert finding.strength == c.verdict.strength
        assert f"in {100 * c.verdict.null_rate:.0f}% of studies with no difference" in finding.text
    frame = result.to_frame()
    assert list(frame["rater"]) == ["parent", "worker"]
    assert "verdict" not in frame  # flat: the word and its rates are columns
    assert list(frame["strength"]) == [c.verdict.strength for c in result.comparisons]
    assert list(frame["strength_null_rate"]) == [c.verdict.null_rate for c in result.comparisons]
    assert "framework minus contrast" in result.summary()
    # goal texts (free text) never reach the report
    texts = set(project.table("family_goals")["description"])
    for table in section.tables:
        cells = pd.DataFrame(table.table.cells).astype(str)
        assert not texts & set(cells.to_numpy().ravel())


def test_small_sites_are_withheld(result: GoalsResult) -> None:
    fam = result.families
    first = fam["la_code"].iloc[0]
    keep = fam[(fam["la_code"] != first) | fam["family"].isin(fam["family"].unique()[:3])]
    sites = result.sites.copy()
    sites.loc[sites["la_code"] == first, "n_families"] = 3
    small = replace(result, families=keep, sites=sites)
    section = render_goals(small, DisclosurePolicy(min_count=5))
    cells = section.table("goals-by-site").table.cells
    name = result.site_names[first]
    row = cells[cells["site"] == name].iloc[0]
    assert row["n_families"] == "c"
    assert row["parent_mean"] == "c"
    assert row["worker_met"] == "c"
