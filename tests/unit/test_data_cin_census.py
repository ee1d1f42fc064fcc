"""CIN census reader: every shared sample (tolerantly), schema changes, the broken corpus."""

from __future__ import annotations

import gc
import json
import warnings
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


def _one_child(tmp_path: Path, inner: str) -> Path:
    """A file with one child and one CIN episode; ``inner`` (the episode's blocks) is line 4."""
    path = tmp_path / "c.xml"
    path.write_text(
        "<Message><Children><Child>\n"
        "<ChildIdentifiers><LAchildID>A</LAchildID></ChildIdentifiers>\n"
        "<CINdetails><CINreferralDate>2024-01-02</CINreferralDate>\n"
        f"{inner}\n"
        "</CINdetails></Child></Children></Message>\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("value", ["1.5", "inf", "9" * 40, "-0.5", "abc"])
@pytest.mark.parametrize(
    ("block", "count"),
    [
        ("ChildProtectionPlans", "NumberOfPreviousCPP"),
        ("PreProceedingsandFGDM", "ReviewMeetingsCount"),
    ],
)
def test_a_count_that_is_not_a_whole_number_is_read_as_blank(
    tmp_path: Path, block: str, count: str, value: str
) -> None:
    """``1.5``, ``inf`` or a number beyond int64 raised TypeError/OverflowError in the typing;
    like ``abc``, it is a warning and a blank, and the whole counts beside it are kept."""
    plans = f"<{block}><{count}>{value}</{count}></{block}><{block}><{count}>2</{count}></{block}>"
    got = read_cin_census(_one_child(tmp_path, plans))
    assert [(w.code, w.row, w.column, w.value) for w in got.warnings] == [
        ("CSC-E4127", 4, count, value)
    ]
    table = got["cpp" if block == "ChildProtectionPlans" else "pre_proceedings"]
    assert str(table[count].dtype) == "Int64"
    assert pd.isna(table.at[0, count])
    assert table.at[1, count] == 2


@pytest.mark.parametrize(
    ("inner", "tag", "block"),
    [
        (
            "<Section47><FactorsIdentifiedAtAssessment><AssessmentFactors>2A</AssessmentFactors>"
            "</FactorsIdentifiedAtAssessment></Section47>",
            "FactorsIdentifiedAtAssessment",
            "Section47",
        ),
        (
            "<Assessments><Reviews><CPPreviewDate>2024-02-01</CPPreviewDate></Reviews>"
            "</Assessments>",
            "Reviews",
            "Assessments",
        ),
        (
            "<PreProceedingsandFGDM><Reviews><CPPreviewDate>2024-02-01</CPPreviewDate></Reviews>"
            "</PreProceedingsandFGDM>",
            "Reviews",
            "PreProceedingsandFGDM",
        ),
    ],
)
def test_factors_or_reviews_outside_their_own_block_are_skipped_with_a_warning(
    tmp_path: Path, inner: str, tag: str, block: str
) -> None:
    """They had no AssessmentID/CPPID to carry (IntCastingNaNError on the blank id): skipped as
    a misplaced element, while those in their own block keep their block's id."""
    own = (
        "<Assessments><FactorsIdentifiedAtAssessment><AssessmentFactors>3B</AssessmentFactors>"
        "</FactorsIdentifiedAtAssessment></Assessments>"
        "<ChildProtectionPlans><Reviews><CPPreviewDate>2024-03-01</CPPreviewDate></Reviews>"
        "</ChildProtectionPlans>"
    )
    got = read_cin_census(_one_child(tmp_path, inner + own))
    assert [(w.code, w.row, w.column) for w in got.warnings] == [("CSC-E4126", 4, tag)]
    assert f"<{block}>" in got.warnings[0].message
    factors, reviews = got["assessment_factors"], got["cpp_reviews"]
    assert list(factors["AssessmentFactors"]) == ["3B"]
    assert list(reviews["CPPreviewDate"]) == [pd.Timestamp("2024-03-01")]
    assert str(factors["AssessmentID"].dtype) == str(reviews["CPPID"].dtype) == "int64"
    assert list(factors["AssessmentID"]) == list(got["assessments"]["AssessmentID"][-1:])
    assert list(reviews["CPPID"]) == [1]


@pytest.mark.parametrize(
    ("inner", "tag"),
    [
        ("<Assessments><AssessmentID>1A</AssessmentID></Assessments>", "AssessmentID"),
        ("<Assessments><AssessmentID>7</AssessmentID></Assessments>", "AssessmentID"),
        ("<ChildProtectionPlans><CPPID>1.5</CPPID></ChildProtectionPlans>", "CPPID"),
        ("<CINdetailsID>N4</CINdetailsID>", "CINdetailsID"),
        ("<Section47><CINdetailsID>today</CINdetailsID></Section47>", "CINdetailsID"),
        ("<LAchildID>B</LAchildID>", "LAchildID"),
        ("<Assessments><LAchildID>B</LAchildID></Assessments>", "LAchildID"),
    ],
)
def test_an_element_named_like_a_key_inside_an_episode_is_skipped(
    tmp_path: Path, inner: str, tag: str
) -> None:
    """The keys are the child's LAchildID and ids generated while reading: an element so named
    inside CINdetails overrode them (ValueError on ``1A``, ``1.5`` read as 1, rows re-keyed to
    another child). It is now skipped with a warning; the keys stay the generated ones."""
    got = read_cin_census(_one_child(tmp_path, inner))
    assert [(w.code, w.row, w.column) for w in got.warnings] == [("CSC-E4126", 4, tag)]
    for name, table in got.tables.items():
        if name != "children" and len(table):
            assert set(table["LAchildID"]) == {"A"}
            assert set(table["CINdetailsID"]) == {1}
    assert set(got["assessments"]["AssessmentID"]) <= {1}
    assert set(got["cpp"]["CPPID"]) <= {1}


def test_reading_closes_the_file(tmp_path: Path) -> None:
    """The root is read with a parse stopped at its start tag: the file is closed all the same
    (it gave a ResourceWarning on every read)."""
    path = _one_child(tmp_path, "")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_cin_census(path)
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
