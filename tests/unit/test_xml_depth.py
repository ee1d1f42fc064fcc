"""Nesting depth in the child-level XML readers (they parse with lxml's ``huge_tree``, which
lifts libxml2's text-node limit for national files but keeps a depth limit of 2048): a hostile
file nested deeper ends in the readers' coded error, and one just under it is read without a
traceback (a recursion error would be one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from csceval.data.cin_census import read_cin_census
from csceval.data.ssda903 import read_903_xml
from csceval.errors import InputError


def _nested(depth: int) -> str:
    return "<X>" * depth + "1" + "</X>" * depth


def _cin(tmp_path: Path, depth: int) -> Path:
    path = tmp_path / f"cin_{depth}.xml"
    path.write_text(
        "<Message><Header><CollectionDetails><Collection>CIN</Collection></CollectionDetails>"
        "</Header><Children><Child><ChildIdentifiers><LAchildID>A1</LAchildID>"
        f"</ChildIdentifiers>{_nested(depth)}</Child></Children></Message>",
        encoding="utf-8",
    )
    return path


def _903(tmp_path: Path, depth: int) -> Path:
    path = tmp_path / f"ssda903_{depth}.xml"
    path.write_text(
        f"<EXPSSDA903><CHILD><CHILD_ID>1</CHILD_ID>{_nested(depth)}</CHILD></EXPSSDA903>",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("depth", [2100, 20_000])
def test_a_file_nested_beyond_the_limit_is_a_coded_error(tmp_path: Path, depth: int) -> None:
    with pytest.raises(InputError) as cin:
        read_cin_census(_cin(tmp_path, depth))
    assert [p.code for p in cin.value.problems] == ["CSC-E4121"]
    assert "depth" in cin.value.problems[0].message
    with pytest.raises(InputError) as ssda:
        read_903_xml(_903(tmp_path, depth), 2020)
    assert [p.code for p in ssda.value.problems] == ["CSC-E4107"]


def test_a_deep_file_under_the_limit_gives_no_traceback(tmp_path: Path) -> None:
    census = read_cin_census(_cin(tmp_path, 1500))
    assert {w.code for w in census.warnings} == {"CSC-E4126"}  # <X> is not in the schemas
    with pytest.raises(InputError) as ssda:
        read_903_xml(_903(tmp_path, 1500), 2020)
    assert all(p.code.startswith("CSC-E41") for p in ssda.value.problems)
