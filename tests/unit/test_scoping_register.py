"""The framework register (a core table): read as at a date, converted, checked."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from csceval.errors import InputError
from csceval.project import read_project
from csceval.project.register import (
    COLUMNS,
    check_register,
    framework_users,
    register_as_at,
    register_from_scoping,
)

HEADER = ",".join(COLUMNS)


def _register(*rows: tuple[str, str, str | None, str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "la_code": code,
                "framework": fw,
                "extent": "whole_service",
                "started": date.fromisoformat(s) if s else None,
                "ended": date.fromisoformat(e) if e else None,
                "precision": "day",
                "training": "external",
                "licensing": "licensed",
                "source": "survey",
                "confidence": "high",
                "recorded": None,
            }
            for code, fw, s, e in rows
        ],
        columns=list(COLUMNS),
    )


REGISTER = _register(
    ("401", "Signs of Safety", "2015-04-01", "2019-03-31"),
    ("401", "Systemic practice", "2019-04-01", None),
    ("402", "Signs of Safety", None, None),
    ("403", "Restorative practice", "2021-01-01", None),
)


def test_as_at_reads_the_episodes_in_use_that_day() -> None:
    def codes(day: str, history: bool = False) -> list[tuple[str, str]]:
        view = register_as_at(REGISTER, date.fromisoformat(day), history=history)
        return list(zip(view["la_code"], view["framework"], strict=True))

    assert codes("2014-01-01") == [("402", "Signs of Safety")]
    assert codes("2019-03-31") == [("401", "Signs of Safety"), ("402", "Signs of Safety")]
    assert codes("2019-04-01") == [("401", "Systemic practice"), ("402", "Signs of Safety")]
    assert len(codes("2025-03-31")) == 3
    assert len(codes("2025-03-31", history=True)) == 4


def test_framework_users_include_ended_episodes_and_ignore_case() -> None:
    assert framework_users(REGISTER, ["signs of safety"], date(2025, 3, 31)) == {"401", "402"}
    assert framework_users(REGISTER, ["Restorative practice"], date(2020, 3, 31)) == set()


def test_the_older_scoping_table_converts_to_open_episodes() -> None:
    scoping = pd.DataFrame(
        {
            "la_code": ["401", "402"],
            "framework": ["Signs of Safety"] * 2,
            "since_year": pd.array([2016, None], dtype="Int64"),
            "source": ["x", "y"],
        }
    )
    rows = register_from_scoping(scoping)
    assert list(rows.columns) == list(COLUMNS)
    assert rows.at[0, "started"] == date(2015, 4, 1)
    assert rows.at[0, "precision"] == "year"
    assert rows.at[1, "started"] is None
    assert set(rows["source"]) == {"scoping_table"}
    assert rows["ended"].isna().all()


def test_checks_find_unknown_las_reversed_and_overlapping_episodes() -> None:
    bad = _register(
        ("401", "Signs of Safety", "2015-04-01", None),
        ("401", "signs of safety", "2018-04-01", "2020-03-31"),  # overlaps row 2
        ("402", "Signs of Safety", "2019-04-01", "2018-03-31"),  # ends before it starts
        ("999", "Signs of Safety", None, None),  # unknown LA
        ("403", "Signs of Safety", "2012-04-01", "2014-03-31"),
        ("403", "Signs of Safety", "2014-04-01", None),  # follows on: fine
    )
    found = {(p.code, p.row, p.column) for p in check_register(bad, {"401", "402", "403"})}
    assert found == {
        ("CSC-E2022", 3, "started"),
        ("CSC-E2021", 4, "ended"),
        ("CSC-E2010", 5, "la_code"),
    }


def _project_with_register(tmp_path: Path, valid_project: Path, rows: list[str]) -> Path:
    root = tmp_path / "project"
    shutil.copytree(valid_project, root)
    (root / "data" / "framework_register.csv").write_text("\n".join([HEADER, *rows]) + "\n")
    return root


GOOD = "401,Signs of Safety,whole_service,2015-04-01,,day,external,licensed,survey,high,"


def test_a_valid_register_loads_and_excludes_its_users(tmp_path: Path, valid_project: Path) -> None:
    project = read_project(_project_with_register(tmp_path, valid_project, [GOOD]))
    assert list(project.table("framework_register")["la_code"]) == ["401"]


@pytest.mark.parametrize(
    ("row", "code", "column"),
    [
        (GOOD.replace(",high,", ",certain,"), "CSC-E2006", "confidence"),
        (GOOD.replace("whole_service", "everywhere"), "CSC-E2006", "extent"),
        (GOOD.replace("2015-04-01,,", "2015-04-01,2014-01-01,"), "CSC-E2021", "ended"),
        (GOOD.replace("401,", "998,", 1), "CSC-E2010", "la_code"),
        (GOOD.replace("2015-04-01", "April 2015"), "CSC-E2005", "started"),
    ],
)
def test_a_broken_register_is_refused_with_a_coded_problem(
    tmp_path: Path, valid_project: Path, row: str, code: str, column: str
) -> None:
    root = _project_with_register(tmp_path, valid_project, [row])
    with pytest.raises(InputError) as caught:
        read_project(root)
    problems = [(p.code, p.file, p.row, p.column) for p in caught.value.problems]
    assert (code, "data/framework_register.csv", 2, column) in problems


def test_overlapping_rows_in_a_file_are_refused(tmp_path: Path, valid_project: Path) -> None:
    second = GOOD.replace("2015-04-01", "2017-04-01")
    with pytest.raises(InputError) as caught:
        read_project(_project_with_register(tmp_path, valid_project, [GOOD, second]))
    assert [(p.code, p.row) for p in caught.value.problems] == [("CSC-E2022", 3)]


DAYS = st.dates(min_value=date(2005, 1, 1), max_value=date(2030, 12, 31))


@given(
    episodes=st.lists(
        st.tuples(
            st.sampled_from(["401", "402"]), st.one_of(st.none(), DAYS), st.one_of(st.none(), DAYS)
        ),
        max_size=8,
    ),
    day=DAYS,
)
def test_as_at_keeps_exactly_the_episodes_running_that_day(
    episodes: list[tuple[str, date | None, date | None]], day: date
) -> None:
    register = _register(
        *((c, "Signs of Safety", s and s.isoformat(), e and e.isoformat()) for c, s, e in episodes)
    )
    view = register_as_at(register, day)
    expected = [
        (c, s, e) for c, s, e in episodes if (s is None or s <= day) and (e is None or e >= day)
    ]
    assert len(view) == len(expected)
    history = register_as_at(register, day, history=True)
    assert len(history) == sum(s is None or s <= day for _, s, _ in episodes)
