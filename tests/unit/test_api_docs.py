"""docs/api.md runs: every ``>>>`` example on the page is a doctest, and the page has some."""

from __future__ import annotations

import doctest
import functools
from pathlib import Path

import pytest
from folder_helpers import digest

import csceval
from csceval.pipeline import Evaluation
from csceval.pipeline.run import Progress

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "api.md"


@pytest.fixture
def demo_evaluated_once(
    demo_project: Path, demo_evaluation: Evaluation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``csceval.evaluate`` of a folder byte for byte the session's demo project gives the
    session's evaluation of it (``demo_evaluation``) instead of analysing it again.

    The page simulates seed 2018 (for real) and evaluates it, as the session's fixtures do: the
    evaluation is only served when the simulated folder holds the very files the fixture's was
    made of, so the page's outputs are still those of ``csceval.evaluate`` on its own inputs.
    Any other folder (the page's missing one included) is evaluated for real.
    """
    real = csceval.evaluate
    demo = digest(demo_project)

    @functools.wraps(real)
    def evaluate(path: Path | str, progress: Progress | None = None) -> Evaluation:
        folder = Path(path)
        if progress is None and folder.is_dir() and digest(folder) == demo:
            return demo_evaluation
        return real(path, progress)

    monkeypatch.setattr(csceval, "evaluate", evaluate)


@pytest.mark.usefixtures("demo_evaluated_once")
def test_the_api_page_examples_run() -> None:
    result = doctest.testfile(
        str(PAGE),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        raise_on_error=False,
        verbose=False,
        report=True,
    )
    assert result.attempted > 0, f"{PAGE} has no >>> examples"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {PAGE} failed"
