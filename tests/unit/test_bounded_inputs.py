"""Values and documents that once passed validation or crashed a reader get coded problems.

Non-finite numbers (``inf``, ``1e400``), other scripts' digits, deeply nested TOML and JSON, and
CSV fields over the csv module's 128 KiB limit (issue 16, item 5).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from csceval.data.ees import read_ees
from csceval.data.ssda903 import read_903_csv
from csceval.errors import InputError
from csceval.pipeline import load_project
from csceval.project.documents import parse_json, parse_toml
from csceval.project.schema import PARSERS, ColumnType

DEEP = 50_000
BIG_FIELD = "a" * 200_000


@pytest.mark.parametrize("text", ["inf", "-Infinity", "nan", "1e400", "1_000", "٣", "١٢٣", "0x1A"])
def test_a_number_must_be_finite_and_in_ascii_digits(text: str) -> None:
    with pytest.raises(ValueError, match="not a"):
        PARSERS[ColumnType.NUMBER](text)


@pytest.mark.parametrize("text", ["٣٤", "１２", "1.0", "+"])
def test_a_whole_number_must_be_ascii_digits(text: str) -> None:
    with pytest.raises(ValueError, match="not a whole number"):
        PARSERS[ColumnType.INTEGER](text)


@pytest.mark.parametrize(
    ("text", "value"), [("41.7", 41.7), ("-3", -3.0), (".5", 0.5), ("1e-3", 1e-3)]
)
def test_ordinary_numbers_still_parse(text: str, value: float) -> None:
    assert PARSERS[ColumnType.NUMBER](text) == value


def test_deep_nesting_is_a_decode_error_not_a_recursion_error() -> None:
    with pytest.raises(tomllib.TOMLDecodeError, match="nested too deeply"):
        parse_toml("a = " + "[" * DEEP + "]" * DEEP)
    with pytest.raises(json.JSONDecodeError, match="nested too deeply"):
        parse_json("[" * DEEP + "]" * DEEP)
    assert parse_toml("a = [[1]]") == {"a": [[1]]}


def test_a_deeply_nested_evaluation_toml_is_a_coded_problem(tmp_path: Path) -> None:
    (tmp_path / "evaluation.toml").write_text("x = " + "[" * DEEP + "]" * DEEP, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_project(tmp_path)
    assert "CSC-E1003" in {p.code for p in caught.value.problems}


def test_an_oversize_csv_field_is_a_coded_problem(tmp_path: Path) -> None:
    ees = tmp_path / "ees.csv"
    ees.write_text(f'time_period,geographic_level\n"{BIG_FIELD}",National\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_ees(ees)
    assert [p.code for p in caught.value.problems] == ["CSC-E4001"]
    assert "field limit" in caught.value.problems[0].message
    header = tmp_path / "header.csv"
    header.write_text(f'CHILD,SEX\n"{BIG_FIELD}",1\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_903_csv([header], 2020)
    assert "CSC-E4101" in {p.code for p in caught.value.problems}
