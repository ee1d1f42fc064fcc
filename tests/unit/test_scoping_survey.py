"""The scoping survey: since, review into register rows, progress, reminders, import."""

from __future__ import annotations

import io
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from csceval.cli import main
from csceval.errors import InputError
from csceval.project.register import COLUMNS
from csceval.strands.scoping.responses_io import merge_responses, read_responses
from csceval.strands.scoping.survey import (
    parse_since,
    progress_by_region,
    reminders,
    review_responses,
)
from csceval.strands.scoping.tables import SCOPING_RESPONSES

HEADER = ",".join(SCOPING_RESPONSES.column_names)
ROW = "R-1,401,director,Signs of Safety,whole_service,2016,external,licensed,2025-01-10,accepted,"
KNOWN = {"401", "402", "403"}


def test_since_reads_a_year_a_month_or_a_day() -> None:
    assert parse_since("2016") == (date(2015, 4, 1), "year")
    assert parse_since("2016-09") == (date(2016, 9, 1), "month")
    assert parse_since("2016-09-12") == (date(2016, 9, 12), "day")
    assert parse_since(" ") is None
    for bad in ("16", "2016/09", "2016-13", "Sept 2016"):
        with pytest.raises(ValueError, match=r"."):
            parse_since(bad)


def _responses(*rows: str) -> pd.DataFrame:
    return read_responses("r.csv", "\n".join([HEADER, *rows]).encode(), KNOWN)


def test_review_confirms_adds_and_ends_episodes() -> None:
    register = pd.DataFrame(
        [
            {
                "la_code": "401",
                "framework": "Signs of Safety",
                "extent": "unknown",
                "started": None,
                "ended": None,
                "precision": None,
                "training": "unknown",
                "licensing": "unknown",
                "source": "scoping_table",
                "confidence": "medium",
                "recorded": None,
            },
            {
                "la_code": "402",
                "framework": "Restorative practice",
                "extent": "some_teams",
                "started": date(2012, 4, 1),
                "ended": None,
                "precision": "year",
                "training": "in_house",
                "licensing": "not_applicable",
                "source": "desk_review",
                "confidence": "low",
                "recorded": None,
            },
        ],
        columns=list(COLUMNS),
    )
    responses = _responses(
        ROW,
        "R-2,402,head_of_service,Systemic practice,whole_service,2020-09,in_house,"
        "not_applicable,2025-02-01,accepted,2025-02-03",
        "R-3,403,other,Signs of Safety,some_teams,,external,licensed,2025-02-01,pending,",
    )
    review = review_responses(register, responses)
    out = review.register.set_index(["la_code", "framework"])
    confirmed = out.loc[("401", "Signs of Safety")]
    assert confirmed["started"] == date(2015, 4, 1)
    assert confirmed["confidence"] == "high"
    assert confirmed["extent"] == "whole_service"
    assert confirmed["source"] == "survey"
    assert out.loc[("402", "Restorative practice"), "ended"] == date(2025, 1, 31)
    assert out.loc[("402", "Systemic practice"), "started"] == date(2020, 9, 1)
    assert "403" not in set(review.register["la_code"])  # pending: not applied
    assert len(review.changes) == 3
    again = review_responses(review.register, responses)  # applying twice changes nothing more
    pd.testing.assert_frame_equal(again.register, review.register)


def test_progress_by_region_and_reminders() -> None:
    las = pd.DataFrame(
        {
            "la_code": ["401", "402", "403"],
            "la_name": ["A", "B", "C"],
            "region_name": ["London", "London", "North East"],
        }
    )
    responses = _responses(ROW, ROW.replace("R-1,401", "R-2,402").replace("accepted,", "query,"))
    progress = progress_by_region(las, responses).set_index("region")
    assert progress.loc["London", ["las", "responded", "accepted", "awaiting_review"]].tolist() == [
        2,
        2,
        1,
        1,
    ]
    assert progress.loc["England", "response_rate"] == pytest.approx(200 / 3)
    assert reminders(las, responses)["la_code"].tolist() == ["403"]


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Responses"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_file_reads_like_a_csv() -> None:
    cells: list[object] = ROW.split(",")
    cells[8] = pd.Timestamp("2025-01-10").to_pydatetime()
    cells[5] = 2016
    frame = read_responses("r.xlsx", _xlsx([HEADER.split(","), cells]), KNOWN)
    assert frame.equals(_responses(ROW))


@pytest.mark.parametrize(
    ("rows", "code", "row", "column"),
    [
        ([ROW.replace(",director,", ",Jane Smith,")], "CSC-E3503", 2, "respondent_role"),
        ([ROW.replace(",2016,", ",spring 2016,")], "CSC-E3504", 2, "since"),
        ([ROW.replace(",401,", ",999,")], "CSC-E3505", 2, "la_code"),
        ([ROW, ROW], "CSC-E3506", 3, "response_id"),
        ([ROW + "2024-12-01"], "CSC-E3507", 2, "reviewed"),
        ([ROW.replace("Signs of Safety", " ; ")], "CSC-E3507", 2, "frameworks"),
        ([ROW.replace("2025-01-10", "10/01/2025")], "CSC-E3503", 2, "received"),
        ([ROW.replace(",accepted,", ",,")], "CSC-E3503", 2, "review_status"),
    ],
)
def test_broken_rows_are_refused_with_their_place(
    rows: list[str], code: str, row: int, column: str
) -> None:
    with pytest.raises(InputError) as caught:
        _responses(*rows)
    assert (code, "r.csv", row, column) in {
        (p.code, p.file, p.row, p.column) for p in caught.value.problems
    }


@pytest.mark.parametrize(
    ("header", "column"),
    [
        (HEADER + ",respondent_name", "respondent_name"),
        (HEADER + ",email", "email"),
        (HEADER + ",colour", "colour"),
        (HEADER.replace(",extent", ""), "extent"),
    ],
)
def test_a_bad_header_is_refused(header: str, column: str) -> None:
    with pytest.raises(InputError) as caught:
        read_responses("r.csv", f"{header}\n".encode(), KNOWN)
    assert ("CSC-E3502", column) in {(p.code, p.column) for p in caught.value.problems}


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("r.csv", b""),
        ("r.csv", b"\xff\xfe\x00bad"),
        ("r.xlsx", b"not a zip"),
        ("r.csv", b"x" * 5_000_001),
    ],
)
def test_an_unreadable_file_is_refused(name: str, content: bytes) -> None:
    with pytest.raises(InputError) as caught:
        read_responses(name, content, KNOWN)
    assert {p.code for p in caught.value.problems} == {"CSC-E3501"}


def test_an_xlsx_problem_names_the_sheet_and_cell() -> None:
    cells: list[object] = ROW.split(",")
    cells[1] = "999"
    with pytest.raises(InputError) as caught:
        read_responses("r.xlsx", _xlsx([HEADER.split(","), cells]), KNOWN)
    (problem,) = caught.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("Responses", 2, "la_code")


def test_merge_keeps_identical_ids_and_refuses_changed_ones() -> None:
    first = _responses(ROW)
    merged = merge_responses(first, _responses(ROW, ROW.replace("R-1", "R-2")), "new.csv")
    assert merged["response_id"].tolist() == ["R-1", "R-2"]
    with pytest.raises(InputError) as caught:
        merge_responses(first, _responses(ROW.replace(",director,", ",other,")), "new.csv")
    assert caught.value.problems[0].code == "CSC-E3506"


def test_the_import_command_writes_whole_files_only(tmp_path: Path, valid_project: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(valid_project, project)
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(f"{HEADER}\n{ROW}\n")
    bad.write_text(f"{HEADER}\n{ROW.replace('R-1', 'R-2')}\n{ROW.replace(',401,', ',999,')}\n")
    runner = CliRunner()
    target = project / SCOPING_RESPONSES.file
    result = runner.invoke(main, ["scoping", "import", str(bad), "--project", str(project)])
    assert result.exit_code == 2
    assert "CSC-E3505" in result.output
    assert not target.exists()
    result = runner.invoke(main, ["scoping", "import", str(good), "--project", str(project)])
    assert result.exit_code == 0, result.output
    before = target.read_bytes()
    result = runner.invoke(main, ["scoping", "import", str(bad), "--project", str(project)])
    assert result.exit_code == 2
    assert target.read_bytes() == before
    assert not list((project / "data").glob(".*.tmp"))
