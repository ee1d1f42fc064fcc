"""Docs that cannot drift: generated pages match the code, every error code is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from csceval.docgen import PAGES
from csceval.registry import all_error_codes

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_generated_page_is_up_to_date(name: str) -> None:
    committed = (ROOT / "docs" / name).read_text(encoding="utf-8")
    assert committed == PAGES[name](), f"docs/{name} is stale: run python -m csceval.docgen"


def test_every_error_code_in_the_source_is_documented() -> None:
    used = set()
    for path in (ROOT / "src" / "csceval").rglob("*.py"):
        if path.name != "error_codes.py":
            used |= set(re.findall(r"CSC-E\d{4}", path.read_text(encoding="utf-8")))
    assert used, "no error codes found: the scan is broken"
    known = set(all_error_codes())
    assert used <= known, f"undocumented codes: {sorted(used - known)}"


def test_every_documented_error_code_is_used() -> None:
    text = "\n".join(
        p.read_text(encoding="utf-8")
        for p in [*(ROOT / "src").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]
        if p.name != "error_codes.py"
    )
    unused = [code for code in all_error_codes() if code not in text]
    assert not unused, f"codes documented but never raised: {unused}"
