"""Child-level returns as files: the round trip, the Parquet store, bad folders and files."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from csceval.errors import InputError
from csceval.strands.child_impact import returns as returns_module
from csceval.strands.child_impact.cohorts import la_cohorts
from csceval.strands.child_impact.folder import parse_result, read_cohorts
from csceval.strands.child_impact.pseudonym import Pseudonymiser
from csceval.strands.child_impact.returns import find_returns, read_year
from csceval.strands.child_impact.simulate_model import ChildWorldSpec
from csceval.strands.child_impact.simulate_records import simulate_la
from csceval.strands.child_impact.simulate_returns import la_files, la_returns
from csceval.strands.child_impact.store import stored_cohorts

GOLDEN = Path(__file__).parents[1] / "golden" / "child_impact"
KEY = Pseudonymiser(b"a test key of thirty-two bytes!!")
SPEC = ChildWorldSpec({"811": 30.0}, {"811": dt.date(2017, 4, 1)}, tuple(range(2016, 2020)))


def _write(files: dict[str, str], root: Path) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_returns_written_and_read_back_give_the_same_cohorts(tmp_path: Path) -> None:
    records = simulate_la(SPEC, "811")
    tables = la_returns(records, SPEC.years)
    _write(la_files("811", tables), tmp_path)
    folders = find_returns(tmp_path)["811"]
    from_files, dropped = la_cohorts("811", {y: read_year(p) for y, p in folders.items()}, KEY)
    direct, dropped_direct = la_cohorts("811", tables, KEY)
    assert len(from_files) > 50
    pd.testing.assert_frame_equal(from_files, direct, check_dtype=False)
    assert dropped == dropped_direct


def test_the_store_is_reused_until_a_return_changes(tmp_path: Path) -> None:
    shutil.copytree(GOLDEN / "child_level", tmp_path / "child_level")
    folders = find_returns(tmp_path)["901"]
    first, dropped, cached = stored_cohorts(tmp_path, "901", folders, KEY)
    assert not cached
    assert (tmp_path / "child_level" / "_cohorts" / "901.parquet").is_file()
    again, dropped_again, cached = stored_cohorts(tmp_path, "901", folders, KEY)
    assert cached
    assert dropped_again == dropped
    pd.testing.assert_frame_equal(again, first)
    census = folders[2020] / "cin_census.xml"  # the latest version of child E's record
    census.write_text(census.read_text().replace("<Ethnicity>BAFR", "<Ethnicity>WBRI"))
    changed, _, cached = stored_cohorts(tmp_path, "901", find_returns(tmp_path)["901"], KEY)
    assert not cached
    assert "Black" not in set(changed["ethnic_group"])


def test_a_folder_that_is_not_an_la_or_a_year_is_named(tmp_path: Path) -> None:
    (tmp_path / "child_level" / "Ashcombe" / "2019").mkdir(parents=True)
    (tmp_path / "child_level" / "901" / "last year").mkdir(parents=True)
    with pytest.raises(InputError) as caught:
        find_returns(tmp_path)
    problems = caught.value.problems
    assert {p.code for p in problems} == {"CSC-E3802"}
    assert any("Ashcombe" in p.message for p in problems)
    assert any("last year" in p.message for p in problems)


def test_a_missing_folder_is_a_coded_problem(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        find_returns(tmp_path)
    assert caught.value.problems[0].code == "CSC-E3802"


def test_a_return_larger_than_the_limit_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(GOLDEN / "child_level", tmp_path / "child_level")
    monkeypatch.setattr(returns_module, "MAX_RETURN_BYTES", 100)
    with pytest.raises(InputError) as caught:
        read_year(tmp_path / "child_level" / "901" / "2019")
    problem = caught.value.problems[0]
    assert problem.code == "CSC-E3801"
    assert problem.file.endswith("cin_census.xml")


def test_an_invalid_return_names_the_file_and_keeps_the_readers_problems(tmp_path: Path) -> None:
    folder = tmp_path / "child_level" / "901" / "2019"
    folder.mkdir(parents=True)
    (folder / "cin_census.xml").write_text("<Message><Children><Child>", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_year(folder)
    codes = [p.code for p in caught.value.problems]
    assert codes[0] == "CSC-E3806"
    assert "CSC-E4121" in codes


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\xff\xfe", id="not-utf8"),
        pytest.param(b"[" * 100_000, id="deeply-nested"),
        pytest.param(b'{"format": "something else"}', id="other-format"),
        pytest.param(
            b'{"format": "csceval child-level impact 1", "estimates": [{"outcome": 1}]}',
            id="bad-estimate",
        ),
        pytest.param(b"null", id="null"),
    ],
)
def test_a_results_file_that_is_not_one_is_a_coded_problem(data: bytes) -> None:
    with pytest.raises(InputError) as caught:
        parse_result(data)
    assert caught.value.problems[0].code == "CSC-E3805"


def test_a_store_that_cannot_be_read_is_rebuilt(tmp_path: Path) -> None:
    shutil.copytree(GOLDEN / "child_level", tmp_path / "child_level")
    folders = find_returns(tmp_path)["901"]
    stored_cohorts(tmp_path, "901", folders, KEY)
    meta = tmp_path / "child_level" / "_cohorts" / "901.json"
    meta.write_text("{not json", encoding="utf-8")
    os.utime(meta)
    _, _, cached = stored_cohorts(tmp_path, "901", folders, KEY)
    assert not cached


def test_an_invalid_return_read_by_a_worker_process_is_still_a_coded_problem(
    tmp_path: Path,
) -> None:
    shutil.copytree(GOLDEN / "child_level" / "901", tmp_path / "child_level" / "901")
    shutil.copytree(GOLDEN / "child_level" / "901", tmp_path / "child_level" / "902")
    broken = tmp_path / "child_level" / "902" / "2019" / "cin_census.xml"
    broken.write_text("<Message><Children><Child>", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_cohorts(tmp_path, {"901", "902"}, KEY, jobs=2)
    problems = caught.value.problems
    assert [p.code for p in problems[:2]] == ["CSC-E3806", "CSC-E4121"]
    assert problems[0].file.endswith("902/2019")
