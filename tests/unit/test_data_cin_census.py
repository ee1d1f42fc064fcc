"""CIN census reader: every shared sample (tolerantly), schema changes, the broken corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from csceval.data.cin_census import TABLES, read_cin_census
from csceval.errors import InputError

BROKEN = Path(__file__).parents[1] / "fixtures" / "data_broken"
EXPECTED = json.loads((BROKEN / "expected_childlevel.json").read_text(encoding="utf-8"))


def test_every_sample_parses(shared_data: Path) -> None:
    files = sorted((shared_data / "samples/cin_census").glob("*/*.xml"))
    assert len(files) == 5
    for path in files:
        got = read_cin_census(path)
        assert set(got.tables) == set(TABLES)
        assert len(got["children"]) >= 1
        assert len(got["cin_details"]) >= 1
        assert all(p.severity == "warning" for p in got.warnings)


def test_fake_cin_data(shared_data: Path) -> None:
    got = read_cin_census(
        shared_data / "samples/cin_census/csc_validator_be_cin_fake" / "fake_CIN_data.xml"
    )
    assert got.la_code == "975"
    assert (len(got["children"]), len(got["cin_details"])) == (332, 402)
    assert set(got["children"]["SexRaw"]) == {"0", "1", "2", "9"}  # GenderCurrent
    assert set(got["children"]["Sex"]) == {"M", "F", "U"}
    assert got["cin_details"]["ReferralNFA"].all()  # 'true' read as a flag, with a warning
    assert [(w.code, w.column, w.value) for w in got.warnings] == [
        ("CSC-E4127", "ReferralNFA", "true")
    ]
    assert pd.api.types.is_datetime64_any_dtype(got["cin_details"]["CINreferralDate"])


def test_2026_pre_proceedings_and_sex(shared_data: Path) -> None:
    got = read_cin_census(
        shared_data / "samples/cin_census/csc_validator_be_cin_fake" / "CIN_Census_2026.xml"
    )
    pp = got["pre_proceedings"]
    assert len(pp) == 1
    assert pp.at[0, "PPStartDate"] == pd.Timestamp("2026-09-09")
    assert pp.at[0, "ReviewMeetingsCount"] == 3
    assert list(got["children"]["Sex"]) == ["M", "M"]  # <Sex>1</Sex> and <Sex>M</Sex>
    assert (len(got["cin_plans"]), len(got["assessment_factors"])) == (1, 3)
    cpp = got["cpp"]
    assert (cpp.at[0, "NumberOfPreviousCPP"], cpp.at[0, "CPPID"]) == (10, 1)
    assert got["cpp_reviews"].at[0, "CPPID"] == 1


def test_out_of_range_date_is_a_warning(shared_data: Path) -> None:
    got = read_cin_census(
        shared_data / "samples/cin_census/csc_validator_be_cin_fake" / "CIN_Census_2021.xml"
    )
    assert ("CSC-E4127", "ExpectedPersonBirthDate", "1066-04-13") in {
        (w.code, w.column, w.value) for w in got.warnings
    }
    assert got["children"]["ExpectedPersonBirthDate"].isna().all()


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n.startswith("cin_")))
def test_broken_corpus(name: str) -> None:
    expected = EXPECTED[name]
    with pytest.raises(InputError) as caught:
        read_cin_census(BROKEN / name)
    where = {(p.code, p.row, p.column) for p in caught.value.problems if p.severity == "error"}
    assert (expected["code"], expected["row"], expected["column"]) in where


def test_unknown_elements_warn_once(tmp_path: Path) -> None:
    path = tmp_path / "c.xml"
    path.write_text(
        "<Message><Children>" + "<Child><ChildIdentifiers><LAchildID>X</LAchildID><Shoe>9</Shoe>"
        "</ChildIdentifiers><CINdetails><CINreferralDate>2024-01-02</CINreferralDate>"
        "</CINdetails></Child>" * 2 + "</Children></Message>",
        encoding="utf-8",
    )
    got = read_cin_census(path)
    assert [(w.code, w.column) for w in got.warnings] == [("CSC-E4126", "Shoe")]
    assert list(got["cin_details"]["CINdetailsID"]) == [1, 2]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("2024", "CSC-E4124"),  # numpy alone would read these three as dates
        ("today", "CSC-E4124"),
        ("2024-01-02T00", "CSC-E4124"),
        ("2024-02-30", "CSC-E4124"),
        ("1500-01-01", "CSC-E4127"),
    ],
)
def test_a_date_column_with_one_bad_value_is_checked_value_by_value(
    tmp_path: Path, value: str, code: str
) -> None:
    """Plain date columns are parsed in one go; one value that is not a plain date sends the
    column through the checked path, which names it with its line."""
    child = (
        "<Child><ChildIdentifiers><LAchildID>{id}</LAchildID></ChildIdentifiers>\n"
        "<CINdetails><CINreferralDate>{ref}</CINreferralDate></CINdetails></Child>\n"
    )
    body = child.format(id="A", ref="2024-01-02") + child.format(id="B", ref=value)
    path = tmp_path / "c.xml"
    path.write_text(f"<Message><Children>\n{body}</Children></Message>", encoding="utf-8")
    problems = []
    try:
        problems = read_cin_census(path).warnings
    except InputError as exc:
        problems = exc.problems
    assert [(p.code, p.row, p.column, p.value) for p in problems] == [
        (code, 5, "CINreferralDate", value)
    ]
