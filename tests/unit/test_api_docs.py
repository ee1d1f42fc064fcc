"""docs/api.md runs: every ``>>>`` example on the page is a doctest, and the page has some."""

from __future__ import annotations

import doctest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "api.md"


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
