"""Case lists: reading uploads, refusing direct identifiers, deriving from CIN / SSDA903 rows."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from csceval.errors import InputError
from csceval.strands.quality_of_recording import identifiers
from csceval.strands.quality_of_recording.case_list import derive_case_list, parse

GOOD = b"case_id,stratum,team,opened,closed\nC2,cpp,North,2018-01-05,\nC1,cla,South,,\n"


def _codes(content: bytes, name: str = "list.csv") -> list[str]:
    with pytest.raises(InputError) as caught:
        parse("871", name, content)
    return [p.code for p in caught.value.problems if p.severity == "error"]


def test_a_good_list_is_read_and_sorted_by_case_id() -> None:
    cases = parse("871", "list.csv", GOOD)
    assert list(cases.cases["case_id"]) == ["C1", "C2"]
    assert cases.cases.loc[1, "opened"] == "2018-01-05"


def test_the_hash_ignores_row_order_but_not_content() -> None:
    shuffled = b"case_id,stratum\nC1,cla\nC2,cpp\n"
    assert parse("871", "a.csv", GOOD).sha256 == parse("871", "b.csv", shuffled).sha256
    assert (
        parse("871", "a.csv", GOOD).sha256 != parse("871", "b.csv", shuffled[:-4] + b"cla\n").sha256
    )


@pytest.mark.parametrize(
    "column",
    ["Surname", "first_name", "Child Name", "DOB", "Date of birth", "UPN", "NHS Number",
     "Postcode", "home_address", "Forename(s)"],
)  # fmt: skip
def test_identifier_columns_are_refused_by_name(column: str) -> None:
    content = f"case_id,stratum,{column}\nC1,cla,x\n".encode()
    with pytest.raises(InputError) as caught:
        parse("871", "list.csv", content)
    (problem,) = caught.value.problems
    assert (problem.code, problem.column, problem.file) == ("CSC-E3204", column, "list.csv")


@pytest.mark.parametrize("column", ["team_name", "la_name", "birth_year", "stratum", "notes"])
def test_harmless_columns_are_not_mistaken_for_identifiers(column: str) -> None:
    assert not identifiers.identifier_column(column)


@pytest.mark.parametrize(
    ("value", "kind"),
    [("943 476 5919", "NHS number"), ("9434765919", "NHS number"), ("A801234567890", "UPN"),
     ("A80123456789Z", "UPN"), ("SL1 2AB", "postcode"), ("lives at SW1A 1AA now", "postcode")],
)  # fmt: skip
def test_identifier_values_are_refused_with_the_value_masked(value: str, kind: str) -> None:
    content = f"case_id,stratum,notes\nC1,cla,ok\nC2,cpp,{value}\n".encode()
    with pytest.raises(InputError) as caught:
        parse("871", "list.csv", content)
    (problem,) = caught.value.problems
    assert (problem.code, problem.row, problem.column) == ("CSC-E3205", 3, "notes")
    assert kind in problem.message
    assert value not in caught.value.summary()
    assert value.replace(" ", "") not in problem.value


def test_nhs_check_digit_and_outward_codes() -> None:
    assert identifiers.nhs_number("4010232137")
    assert not identifiers.nhs_number("4010232138")
    assert not identifiers.postcode("SL1")


def test_ten_digit_case_ids_pass_unless_they_look_like_nhs_numbers() -> None:
    ids = [f"{1000000000 + 7 * i}" for i in range(40)]
    valid = sum(identifiers.nhs_number(i) for i in ids)
    assert 0 < valid < 20  # some pass the checksum by chance
    body = "".join(f"{i},cin\n" for i in ids)
    assert len(parse("871", "l.csv", f"case_id,stratum\n{body}".encode()).cases) == 40
    nhs = "".join(f"{i},cin\n" for i in ["9434765919", "4010232137", "1234567881"])
    assert _codes(f"case_id,stratum\n{nhs}".encode()) == ["CSC-E3205"] * 3


identifier_values = st.sampled_from(
    ["943 476 5919", "4010232137", "A801234567890", "B12345678901C", "SL1 2AB", "M1 1AE",
     "12 High St, EC1A 1BB"]
)  # fmt: skip
free_text = st.text(alphabet="abcdefgh ", max_size=10)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 15),
    where=st.integers(0, 100),
    column=st.sampled_from(["notes", "team", "stratum", "extra"]),
    secret=identifier_values,
    filler=free_text,
)
def test_no_direct_identifier_survives_an_import(
    n: int, where: int, column: str, secret: str, filler: str
) -> None:
    rows = [{"case_id": f"C{i}", "stratum": "cin", "team": "T", "notes": filler, "extra": ""}
            for i in range(n)]  # fmt: skip
    rows[where % n][column] = secret
    buffer = io.StringIO()
    pd.DataFrame(rows).to_csv(buffer, index=False)
    with pytest.raises(InputError) as caught:
        parse("871", "upload.csv", buffer.getvalue().encode())
    assert any(p.code == "CSC-E3205" and p.row == where % n + 2 for p in caught.value.problems)
    assert secret not in caught.value.summary()


def test_xlsx_uploads_name_sheet_and_cell() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Cases"
    for row in (["case_id", "stratum", "nhs"], ["C1", "cla", "x"], ["C2", "cin", "x"]):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(InputError) as caught:
        parse("871", "list.xlsx", buffer.getvalue())
    (problem,) = caught.value.problems
    assert (problem.code, problem.sheet, problem.column) == ("CSC-E3204", "Cases", "nhs")
    sheet["C1"] = "notes"
    sheet["C3"] = "SW1A 1AA"
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(InputError) as caught:
        parse("871", "list.xlsx", buffer.getvalue())
    (problem,) = caught.value.problems
    assert (problem.code, problem.cell, problem.value) == ("CSC-E3205", "C3", "S******A")


@pytest.mark.parametrize(
    ("content", "codes"),
    [
        (b"", ["CSC-E3202"]),
        (b"\xff\xfe\x00bad", ["CSC-E3202"]),
        (b"case_id,team\nC1,x\n", ["CSC-E3203"]),
        (b"case_id,stratum\n", ["CSC-E3209"]),
        (b"case_id,stratum\nC1,\n,cla\n", ["CSC-E3206", "CSC-E3206"]),
        (b"case_id,stratum\nC1,cla\nC1,cin\n", ["CSC-E3207"]),
        (b"case_id,stratum,opened,closed\nC1,cla,2019-02-30,\nC2,cla,2019-03-01,2019-01-01\n",
         ["CSC-E3208", "CSC-E3208"]),
    ],
)  # fmt: skip
def test_broken_lists_give_coded_problems(content: bytes, codes: list[str]) -> None:
    assert _codes(content) == codes


def test_a_file_that_is_not_a_workbook_is_refused() -> None:
    assert _codes(b"not a zip file", "list.xlsx") == ["CSC-E3202"]


def test_unused_columns_are_dropped() -> None:
    cases = parse("871", "l.csv", b"case_id,stratum,worker_grade\nC1,cla,senior\n")
    assert "worker_grade" not in cases.cases.columns


def test_derived_lists_take_strata_by_priority_and_keep_no_other_column() -> None:
    cin = pd.DataFrame(
        {
            "LAchildID": ["A", "B", "C", "D"],
            "UPN": ["A801234567890"] * 4,
            "CINreferralDate": ["2018-01-01"] * 4,
            "CINclosureDate": ["", "", "", "2018-02-01"],
            "CINPlanStartDate": ["2018-02-01", "", "2018-02-01", ""],
            "CINPlanEndDate": [""] * 4,
            "CPPstartDate": ["", "", "2018-03-01", ""],
            "CPPendDate": [""] * 4,
        }
    )
    ssda903 = pd.DataFrame(
        {"CHILD": ["A", "E"], "DECOM": ["2018-05-01", "2017-01-01"], "DEC": ["", "2017-06-01"],
         "DOB": ["2010-01-01", "2011-01-01"]}
    )  # fmt: skip
    cases = derive_case_list("871", date(2018, 6, 30), cin=cin, ssda903=ssda903)
    assert dict(zip(cases.cases["case_id"], cases.cases["stratum"], strict=True)) == {
        "A": "cla",
        "B": "cin",
        "C": "cpp",
    }
    assert list(cases.cases.columns) == ["case_id", "stratum", "team", "opened", "closed"]
    with pytest.raises(InputError) as caught:
        derive_case_list("871", date(2018, 6, 30), cin=cin.drop(columns="CPPendDate"))
    assert caught.value.problems[0].code == "CSC-E3203"
    with pytest.raises(InputError):
        derive_case_list("871", date(2000, 1, 1), cin=cin)


def test_open_on_filters_by_dates() -> None:
    cases = parse("871", "l.csv", b"case_id,stratum,opened,closed\nA,cla,2018-01-01,2018-03-01\n"
                  b"B,cla,2018-01-01,\nC,cla,2019-01-01,\n")  # fmt: skip
    assert list(cases.open_on(date(2018, 6, 1)).cases["case_id"]) == ["B"]
