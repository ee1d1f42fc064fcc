"""The public Python API: ``csceval.evaluate``, the strand results' frames and summaries, and the
estimator packages' flat imports (docs/api.md shows them at work)."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import inspect
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import csceval
from csceval.errors import InputError
from csceval.pipeline import Evaluation, StrandRun
from csceval.registry import registered_strands
from csceval.report.pdf import PDF_NAME
from csceval.strands import Result
from csceval.strands.benchmarking.benchmarking import BENCHMARK_COLUMNS
from csceval.strands.costs.analysis import COST_COLUMNS
from csceval.strands.impact.frames import ESTIMATE_COLUMNS
from csceval.strands.implementation.progress import IMPLEMENTATION_COLUMNS
from csceval.strands.key_indicators.trends import TREND_COLUMNS
from csceval.strands.quality_of_recording.analysis import COMPARISON_COLUMNS

STRAND_IDS = [s.id for s in registered_strands()]
COLUMNS = {
    "key-indicators": TREND_COLUMNS,
    "benchmarking": BENCHMARK_COLUMNS,
    "impact": ESTIMATE_COLUMNS,
    "implementation": IMPLEMENTATION_COLUMNS,
    "costs": COST_COLUMNS,
    "quality-of-recording": COMPARISON_COLUMNS,
}
ESTIMATOR_PACKAGES = ("csceval.impact", "csceval.reliability", "csceval.disclosure")


@pytest.fixture(scope="module")
def demo(demo_project: Path) -> Path:
    return demo_project


@pytest.fixture(scope="module")
def evaluation(demo_evaluation: Evaluation) -> Evaluation:
    return demo_evaluation  # csceval.evaluate of the demo, once per test session


def test_every_strand_runs_on_the_demo(evaluation: Evaluation) -> None:
    assert list(evaluation.results) == STRAND_IDS
    assert evaluation.skipped == ()
    assert set(evaluation.sections) == set(STRAND_IDS)
    assert evaluation.project.root.name == "project"


@pytest.mark.parametrize("strand_id", STRAND_IDS)
def test_every_result_has_a_frame_and_a_summary(evaluation: Evaluation, strand_id: str) -> None:
    result = evaluation[strand_id]
    assert isinstance(result, Result)
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert not frame.empty
    assert frame.columns.is_unique
    if strand_id in COLUMNS:  # a plug-in strand documents its own
        assert list(frame.columns) == list(COLUMNS[strand_id])
    text = result.summary()
    assert isinstance(text, str)
    assert text.strip()
    assert text.splitlines()[0].strip(), "the headline comes first"
    for method in (type(result).to_frame, type(result).summary):
        assert inspect.getdoc(method), f"{type(result).__name__}.{method.__name__} has no docstring"


def test_the_evaluation_summary_has_a_line_per_strand(evaluation: Evaluation) -> None:
    lines = evaluation.summary().splitlines()
    assert lines[0].endswith(f"{len(STRAND_IDS)} of {len(STRAND_IDS)} strands ran.")
    assert [line.split(":")[0] for line in lines[1:]] == STRAND_IDS
    for line, strand_id in zip(lines[1:], STRAND_IDS, strict=True):
        assert line == f"{strand_id}: {evaluation[strand_id].summary().splitlines()[0]}"


def test_a_skipped_or_unknown_strand_says_why(evaluation: Evaluation) -> None:
    runs = tuple(
        StrandRun(run.strand, skipped="no data") if run.strand.id == "costs" else run
        for run in evaluation.runs
    )
    partial = dataclasses.replace(evaluation, runs=runs)
    assert partial.skipped == ("costs",)
    assert "costs" not in partial.results
    assert "costs: skipped (no data)" in partial.summary().splitlines()
    with pytest.raises(KeyError, match="did not run"):
        partial["costs"]
    with pytest.raises(KeyError, match="no strand 'nowhere'"):
        evaluation["nowhere"]


def test_a_bad_project_raises_a_coded_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        csceval.evaluate(tmp_path / "missing")
    assert [p.code for p in caught.value.problems] == ["CSC-E1001"]


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_report_is_run_projects_without_analysing_again(
    evaluation: Evaluation, demo_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same bytes as ``csceval run`` of the same project (the session's demo run), but for
    the provenance's time and command, the pages and manifest that show or hash them, and the
    print edition (the run's ``--pdf``): a second analysis of the demo reproduces the first."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("Evaluation.report analysed the strands again")

    for module in ("csceval.pipeline.run", "csceval.pipeline.evaluation"):
        monkeypatch.setattr(f"{module}.analyse_strands", refuse)
    files = evaluation.report(tmp_path / "api", command="test")
    assert files.index_html == tmp_path / "api" / "report" / "index.html"
    assert files.index_html.is_file()
    assert (tmp_path / "api" / "costs_workbook.xlsx").is_file()
    assert len(files.tables) == len(list((demo_run / "tables").glob("*.csv")))
    changing = {"provenance.json", "manifest.json", "report/about.html", f"report/{PDF_NAME}"}
    api, run = _digest(tmp_path / "api"), _digest(demo_run)
    assert {k: v for k, v in api.items() if k not in changing} == {
        k: v for k, v in run.items() if k not in changing
    }
    assert set(api) == set(run) - {f"report/{PDF_NAME}"}
    provenance = json.loads((tmp_path / "api" / "provenance.json").read_text())
    earlier = json.loads((demo_run / "provenance.json").read_text())
    assert provenance["command"] == "test"
    assert earlier["command"].startswith("csceval")
    for key in ("run_at", "command"):
        provenance.pop(key), earlier.pop(key)
    # the checkout's commit: equal in CI; in a working tree a commit may land between the runs
    commits = [provenance.pop("git_commit"), earlier.pop("git_commit")]
    assert all(c is None or re.fullmatch(r"[0-9a-f]{40}", c) for c in commits), commits
    assert provenance == earlier


def test_evaluate_is_lazy_and_listed() -> None:
    assert csceval.__all__ == ["Evaluation", "__version__", "evaluate"]
    assert csceval.Evaluation is Evaluation
    assert {"evaluate", "Evaluation"} <= set(dir(csceval))
    with pytest.raises(AttributeError, match="no attribute 'nowhere'"):
        _ = csceval.nowhere  # type: ignore[attr-defined]
    code = (
        "import sys, csceval.project; "
        "loaded = [m for m in sys.modules if m.startswith(('csceval.pipeline', "
        "'csceval.strands', 'csceval.registry'))]; "
        "assert not loaded, loaded; "
        "import csceval; assert callable(csceval.evaluate)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("package", ESTIMATOR_PACKAGES)
def test_estimator_packages_export_documented_names_flat(package: str) -> None:
    module = importlib.import_module(package)
    names = module.__all__
    assert names, f"{package} has an empty __all__"
    assert len(set(names)) == len(names), f"{package}.__all__ repeats a name"
    package_doc = module.__doc__ or ""
    undocumented = []
    for name in names:
        value = getattr(module, name)  # importable flat
        if inspect.isclass(value):
            own = value.__dict__.get("__doc__") or ""
            documented = bool(own.strip()) and not own.startswith(f"{name}(")  # dataclass default
        elif callable(value):
            documented = bool(inspect.getdoc(value))
        else:  # a constant: its package docstring names it
            documented = f"``{name}``" in package_doc
        if not documented:
            undocumented.append(name)
    assert not undocumented, f"{package}: no docstring for {undocumented}"
