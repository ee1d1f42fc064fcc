"""The strand end to end on the synthetic project: tables, checks, report section."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from csceval.errors import InputError
from csceval.pipeline import load_project, policy_of
from csceval.project import Project
from csceval.registry import registered_strands
from csceval.strands.quality_of_recording.analysis import QualityResult, analyse_quality
from csceval.strands.quality_of_recording.section import describe, render_quality


@pytest.fixture(scope="module")
def project_dir(demo_project: Path) -> Path:
    return demo_project


@pytest.fixture(scope="module")
def project(demo_loaded: Callable[[], Project]) -> Project:
    return demo_loaded()  # load_project(project_dir), loaded once per session


@pytest.fixture(scope="module")
def result(project: Project) -> QualityResult:
    """The strand's analysis of the demo, made once for the tests that read it."""
    return analyse_quality(project)


def test_the_synthetic_project_has_samples_audits_and_truth(project_dir: Path) -> None:
    samples = pd.read_csv(project_dir / "data" / "case_samples.csv", dtype=str)
    audits = pd.read_csv(project_dir / "data" / "case_audits.csv", dtype=str)
    truth = json.loads((project_dir / "truth.json").read_text())["case_audits"]
    assert set(samples["status"]) >= {"sampled", "reserve"}
    assert samples["pseudonym"].str.fullmatch(r"P-[A-Z2-7]{16}").all()
    assert not (project_dir / "data" / "case_samples.csv").read_text().count("SYN-")
    assert set(audits["is_second_rating"]) == {"true", "false"}
    assert set(truth["framework_minus_contrast_overall"]) == {"T1", "T2"}
    assert set(truth["site_groups"].values()) == {"framework", "contrast"}


def test_the_strand_runs_and_every_table_is_protected(
    project: Project, result: QualityResult
) -> None:
    strand = next(s for s in registered_strands() if s.id == "quality-of-recording")
    assert strand.available(project)
    section = render_quality(result, policy_of(project))
    ids = {t.id for t in section.tables}
    assert ids == {
        "quality-overall-trend",
        "quality-by-group",
        "quality-comparison",
        "quality-by-site",
        "quality-reliability",
    }
    assert section.charts[0].table_id == "quality-overall-trend"
    assert any("T2" in f.text for f in section.findings)
    for c in (c for c in result.comparisons if c.measure == "overall"):
        (finding,) = [f for f in section.findings if f.text == describe(c, "Overall quality")]
        assert finding.strength == c.verdict.strength
        assert c.mde > 0
        assert "reliably be detected" in finding.text
        assert "studies with no difference" in finding.text
    frame = result.to_frame()
    assert "verdict" not in frame
    assert (frame["mde"] > 0).all()
    assert set(frame["strength"]) <= {"none", "low"}
    site_table = section.table("quality-by-site").table
    assert (site_table.cells["n_cases"] == "10").all()


def test_small_groups_are_withheld(project: Project, result: QualityResult) -> None:
    few = result.cases.groupby(["la_code", "time_point"]).head(3)
    small = type(result)(
        **{**result.__dict__, "cases": few, "sites": result.sites.assign(n_cases=3)}
    )
    section = render_quality(small, policy_of(project))
    cells = section.table("quality-by-site").table.cells
    assert (cells["n_cases"] == "c").all()
    assert (cells["overall"] == "c").all()


BROKEN: tuple[tuple[str, str, str], ...] = (
    ("instrument_version", "9.9", "CSC-E3231"),
    ("item", "no_such_item", "CSC-E3232"),
    ("value", "7", "CSC-E3233"),
    ("time_point", "T9", "CSC-E3234"),
    ("pseudonym", "P-AAAAAAAAAAAAAAAA", "CSC-E3235"),
)
"""One planted fault per row of ``case_audits.csv`` (column, value, the code it must give)."""


def test_broken_audits_give_coded_problems(project_dir: Path, tmp_path: Path) -> None:
    """Each planted fault gives its code, and a second rater on one case gives E3236.

    The faults sit on different rows of one copy, so one load checks them all (the project is
    large; loading it once per fault cost a minute of the suite)."""
    copy = tmp_path / "copy"
    shutil.copytree(project_dir, copy)
    path = copy / "data" / "case_audits.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for i, (column, value, _) in enumerate(BROKEN):
        frame.loc[i, column] = value
    frame = pd.concat([frame, frame.iloc[[len(BROKEN)]]], ignore_index=True)
    frame.loc[len(frame) - 1, "rater_id"] = "another-rater"
    frame.to_csv(path, index=False, lineterminator="\n")
    with pytest.raises(InputError) as caught:
        load_project(copy)
    codes = [p.code for p in caught.value.problems]
    for code in [c for _, _, c in BROKEN] + ["CSC-E3236"]:
        assert code in codes
