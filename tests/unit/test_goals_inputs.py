"""Broken goal tables and goals files: coded problems naming file, row, column and value."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from csceval.cli import main
from csceval.errors import InputError
from csceval.pipeline import load_project
from csceval.strands.family_goals import goals_file
from csceval.strands.family_goals.tables import FAMILY_GOALS, GOAL_RATINGS

LEVELS = ["much less", "less", "as expected", "more", "much more"]
GOAL = {"la_code": "401", "time_point": "T2", "family": "P-AAAA1111", "goal": "G1",
        "source": "parent", "description": "Kids get to school on time", "level_m2": LEVELS[0],
        "level_m1": LEVELS[1], "level_0": LEVELS[2], "level_p1": LEVELS[3],
        "level_p2": LEVELS[4], "weight": "2", "baseline": "-1", "set_on": "2018-10-01"}  # fmt: skip
RATING = {"la_code": "401", "time_point": "T2", "family": "P-AAAA1111", "goal": "G1",
          "rater_role": "parent", "entry": "1", "rating": "1",
          "rated_on": "2019-10-01"}  # fmt: skip


def _csv(columns: tuple[str, ...], rows: list[dict[str, str]]) -> str:
    lines = [",".join(columns)] + [",".join(r.get(c, "") for c in columns) for r in rows]
    return "\n".join(lines) + "\n"


def _project(
    tmp_path: Path, valid_project: Path, goals: list[dict[str, str]], ratings: list[dict[str, str]]
) -> Path:
    root = tmp_path / "project"
    shutil.copytree(valid_project, root)
    (root / FAMILY_GOALS.file).write_text(_csv(FAMILY_GOALS.column_names, goals))
    (root / GOAL_RATINGS.file).write_text(_csv(GOAL_RATINGS.column_names, ratings))
    return root


def _codes(root: Path) -> list[tuple[str, str, int | None, str, str]]:
    with pytest.raises(InputError) as info:
        load_project(root)
    return [(p.code, p.file, p.row, p.column, p.value) for p in info.value.problems]


def test_good_tables_load(tmp_path: Path, valid_project: Path) -> None:
    parent_goal = {**GOAL, "goal": "G2", "la_code": "402", "family": "P-BBBB2222"}
    rating = {**RATING, "la_code": "402", "family": "P-BBBB2222", "goal": "G2"}
    ratings = [RATING, rating, {**RATING, "entry": "2"},
               {**RATING, "rater_role": "worker", "rating": ""}]  # fmt: skip
    root = _project(tmp_path, valid_project, [GOAL, parent_goal], ratings)
    project = load_project(root)
    assert len(project.table("family_goals")) == 2
    assert project.table("goal_ratings")["rating"].isna().sum() == 1


@pytest.mark.parametrize(
    ("goal", "rating", "expected"),
    [
        ({"la_code": "999"}, {"la_code": "999"},
         ("CSC-E3301", "data/family_goals.csv", 2, "la_code", "999")),
        ({"time_point": "T9"}, {"time_point": "T9"},
         ("CSC-E3302", "data/family_goals.csv", 2, "time_point", "T9")),
        ({"weight": "0"}, {}, ("CSC-E3303", "data/family_goals.csv", 2, "weight", "0")),
        ({"family": "Jane Smith"}, {"family": "Jane Smith"},
         ("CSC-E3306", "data/family_goals.csv", 2, "family", "Jan...")),
        ({}, {"goal": "G7"}, ("CSC-E3304", "data/goal_ratings.csv", 2, "goal", "G7")),
        ({}, {"family": "P-ZZZZ9999"},
         ("CSC-E3304", "data/goal_ratings.csv", 2, "family", "P-ZZZZ9999")),
        ({}, {"entry": "2"}, ("CSC-E3305", "data/goal_ratings.csv", 2, "entry", "2")),
        ({}, {"rating": "3"}, ("CSC-E2006", "data/goal_ratings.csv", 2, "rating", "3")),
        ({}, {"rater_role": "child"},
         ("CSC-E2006", "data/goal_ratings.csv", 2, "rater_role", "child")),
        ({"source": "judge"}, {}, ("CSC-E2006", "data/family_goals.csv", 2, "source", "judge")),
    ],
)  # fmt: skip
def test_broken_tables_give_coded_problems(
    tmp_path: Path,
    valid_project: Path,
    goal: dict[str, str],
    rating: dict[str, str],
    expected: tuple[str, str, int, str, str],
) -> None:
    root = _project(tmp_path, valid_project, [{**GOAL, **goal}], [{**RATING, **rating}])
    assert expected in _codes(root)


def test_a_duplicate_rating_is_refused(tmp_path: Path, valid_project: Path) -> None:
    root = _project(tmp_path, valid_project, [GOAL], [RATING, {**RATING, "rating": "0"}])
    assert ("CSC-E2008", "data/goal_ratings.csv", 3) in [c[:3] for c in _codes(root)]


def test_a_direct_identifier_column_is_refused(tmp_path: Path, valid_project: Path) -> None:
    root = _project(tmp_path, valid_project, [GOAL], [RATING])
    path = root / FAMILY_GOALS.file
    text = path.read_text().splitlines()
    path.write_text("\n".join([text[0] + ",surname", text[1] + ",Smith"]) + "\n")
    assert "CSC-E2014" in [c[0] for c in _codes(root)]


GOOD = "site,family,goal,weight,rating\nA,F1,G1,3,-2\nA,F1,G2,5,0\nA,F1,G3,1,-1\nA,F1,G4,4,2\n"
GOOD += "A,F1,G5,2,0\nA,F1,G6,6,1\nA,F2,G1,1,1\nA,F2,G2,1,\nB,F3,G1,1,0\n"


def _run(tmp_path: Path, text: str | bytes, *args: str) -> tuple[int, str]:
    path = tmp_path / "goals.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    result = CliRunner().invoke(main, ["goals", "score", str(path), *args])
    return result.exit_code, result.output


def test_cli_scores_families_and_sites(tmp_path: Path) -> None:
    code, output = _run(tmp_path, GOOD)
    assert code == 0, output
    assert "A F1: T = 55.00 (6 of 6 goals rated, 4 met)" in output
    assert "A F2: T = 60.00 (1 of 2 goals rated, 1 met)" in output
    assert "A: 2 families, mean T = 57.50" in output


def test_cli_json_and_rho(tmp_path: Path) -> None:
    code, output = _run(tmp_path, GOOD, "--json", "--rho", "0")
    assert code == 0, output
    data = json.loads(output)
    assert data["rho"] == 0
    f1 = next(f for f in data["families"] if f["family"] == "F1")
    assert f1["t_score"] == pytest.approx(50 + 10 * 7 / 91**0.5)


@pytest.mark.parametrize(
    ("text", "args", "code", "needle"),
    [
        ("family,goal,rating\nF1,G1,1\n", (), "CSC-E3312", "column weight"),
        ("family,goal,weight,rating\nF1,G1,0,1\n", (), "CSC-E3313", "row 2, column weight"),
        ("family,goal,weight,rating\nF1,G1,x,1\n", (), "CSC-E3313", "'x'"),
        ("family,goal,weight,rating\nF1,G1,1,3\n", (), "CSC-E3314", "row 2, column rating"),
        ("family,goal,weight,rating\nF1,G1,1,1\nF1,G1,1,0\n", (), "CSC-E3315", "row 3"),
        ("family,goal,weight,rating\n,G1,1,1\n", (), "CSC-E3316", "column family"),
        ("site,family,goal,weight,rating\nA,F1,G1,1,1\nB,F1,G2,1,1\n", (), "CSC-E3316",
         "already in site"),
        ("", (), "CSC-E3311", "empty"),
        ("family,goal,weight,rating\n", (), "CSC-E3311", "no goals"),
        (b"family,goal,weight,rating\nF\xff,G1,1,1\n", (), "CSC-E3311", "UTF-8"),
        (GOOD, ("--rho", "2"), "CSC-E3317", "rho"),
    ],
)  # fmt: skip
def test_cli_refuses_a_bad_file_with_coded_problems(
    tmp_path: Path, text: str | bytes, args: tuple[str, ...], code: str, needle: str
) -> None:
    exit_code, output = _run(tmp_path, text, *args)
    assert exit_code == 2
    assert code in output
    assert needle in output
    assert "Traceback" not in output


def test_cli_refuses_a_missing_or_oversized_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = CliRunner().invoke(main, ["goals", "score", str(tmp_path / "none.csv")])
    assert result.exit_code == 2
    assert "CSC-E3311" in result.output
    monkeypatch.setattr(goals_file, "MAX_BYTES", 50)
    exit_code, output = _run(tmp_path, GOOD)
    assert exit_code == 2
    assert "over the limit" in output
