"""The child-impact strand end to end: csceval impact child-did, the declared file, the section."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from csceval.cli import main
from csceval.disclosure import DisclosurePolicy
from csceval.pipeline import load_project
from csceval.report.model import Figure, LineChart, TableBlock
from csceval.strands.child_impact import STRAND, ChildImpactResult
from csceval.strands.child_impact.simulate_model import ChildWorldSpec
from csceval.strands.child_impact.simulate_records import simulate_la
from csceval.strands.child_impact.simulate_returns import la_files, la_returns
from csceval.strands.strand import StrandInputs

PILOT_START = dt.date(2017, 4, 1)  # site 401 of the valid fixture project
COMPARATORS = ("811", "812", "813", "814")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("child") / "project"
    shutil.copytree(Path(__file__).parents[1] / "fixtures" / "valid_project", root)
    starts = {"401": PILOT_START, **dict.fromkeys(COMPARATORS, None)}
    spec = ChildWorldSpec(dict.fromkeys(starts, 30.0), starts, tuple(range(2016, 2021)), seed=5)
    for la in starts:
        for name, text in la_files(la, la_returns(simulate_la(spec, la), spec.years)).items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def run(project: Path) -> tuple[str, ChildImpactResult]:
    got = CliRunner().invoke(
        main, ["impact", "child-did", str(project), "--reps", "199", "--method", "cem", "-q"]
    )
    assert got.exit_code == 0, got.output
    loaded = load_project(project)
    result = STRAND.analyse(StrandInputs.of(loaded))
    assert STRAND.available(StrandInputs.of(loaded))
    return got.output, result


def test_the_command_writes_the_declared_file_and_prints_a_summary(
    project: Path, run: tuple[str, ChildImpactResult]
) -> None:
    output, result = run
    assert "1 pilot and 4 comparator LAs" in output
    assert (project / "child_impact.json").is_file()
    assert result.pilots == ("401",)
    assert result.comparators == COMPARATORS
    assert {e.outcome for e in result.headline} == {
        "rereferral_12m",
        "cpp_12m",
        "repeat_cpp_12m",
        "cla_12m",
    }
    assert all(e.n_clusters_treated == 1 and e.n_clusters_control == 4 for e in result.estimates)
    stored = json.loads((project / "child_impact.json").read_text(encoding="utf-8"))
    assert not re.search(r'"[0-9a-f]{16}"', json.dumps(stored))  # aggregates only: no pseudonyms


def test_the_result_records_the_hash_of_every_return_it_read(
    project: Path, run: tuple[str, ChildImpactResult]
) -> None:
    """The run's provenance hashes child_impact.json, which hashes the raw returns."""
    files = sorted(
        p for p in (project / "child_level").rglob("*") if p.is_file() and "_cohorts" not in p.parts
    )
    assert len(files) == 5 * 5 * 3  # 5 LAs x 5 years x (CIN census, SSDA903 header, episodes)
    assert run[1].inputs == {
        p.relative_to(project).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files
    }


def test_the_simulated_result_records_the_hash_of_every_return(demo_project: Path) -> None:
    stored = json.loads((demo_project / "child_impact.json").read_text(encoding="utf-8"))
    assert len(stored["inputs"]) > 100
    for name, digest in stored["inputs"].items():
        assert hashlib.sha256((demo_project / name).read_bytes()).hexdigest() == digest, name


def test_a_rerun_reuses_the_stored_cohorts_and_prints_json(
    project: Path, run: tuple[str, ChildImpactResult]
) -> None:
    store = sorted((project / "child_level" / "_cohorts").glob("*.parquet"))
    written = [p.stat().st_mtime_ns for p in store]
    args = ["impact", "child-did", str(project), "--reps", "199", "--method", "cem", "--json"]
    got = CliRunner().invoke(main, args)
    assert got.exit_code == 0, got.output
    assert len(store) == 5
    assert [p.stat().st_mtime_ns for p in store] == written
    again = json.loads(got.output)
    first = run[1].to_json()
    assert [e["estimate"] for e in again["estimates"]] == pytest.approx(
        [e["estimate"] for e in first["estimates"]], abs=1e-9
    )


def test_the_section_has_its_tables_charts_and_the_cluster_sentence(
    run: tuple[str, ChildImpactResult],
) -> None:
    section = STRAND.render(run[1], DisclosurePolicy())
    tables = {b.id: b for b in section.blocks if isinstance(b, TableBlock)}
    assert {"child-impact-estimates", "child-impact-balance", "child-impact-counts"} <= set(tables)
    love = next(b for b in section.blocks if isinstance(b, Figure))
    assert love.table_id == "child-impact-balance"
    assert love.svg.count("<circle") > 20
    charts = [b for b in section.blocks if isinstance(b, LineChart)]
    assert {c.table_id for c in charts} <= set(tables)
    assert len(charts) == 4
    assert "5 LA clusters (1 pilot and 4 comparator LAs)" in section.findings[0].text


def test_small_counts_are_suppressed(run: tuple[str, ChildImpactResult]) -> None:
    result = run[1]
    counts = result.counts.copy()
    counts.loc[0, "cla_12m"] = 2
    small = ChildImpactResult(**{**result.__dict__, "counts": counts})
    section = STRAND.render(small, DisclosurePolicy(min_count=5))
    table = next(b for b in section.blocks if getattr(b, "id", "") == "child-impact-counts")
    assert isinstance(table, TableBlock)
    assert table.table.cells["cla_12m"].iloc[0] == "c"


def test_changes_in_activity_follow_the_headline_estimates(
    run: tuple[str, ChildImpactResult],
) -> None:
    result = run[1]
    frame = result.activity_frame()
    assert set(frame["activity"]) == {"referral", "child_protection_plan_start", "care_entry"}
    for e in result.headline:
        rows = frame[frame["outcome"] == e.outcome]
        if len(rows):
            change = float(rows["change"].iloc[0])
            assert change == pytest.approx(e.estimate / 100 * e.treated_post_per_year)
            assert float(rows["low"].iloc[0]) <= change <= float(rows["high"].iloc[0])
    assert len(result.to_frame()) == len(result.estimates)
    assert "wild bootstrap" in result.summary()
    assert "worlds of this design with no effect" in result.summary()
