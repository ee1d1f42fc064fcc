"""Importing answers from KoboToolbox and wide CSV exports, and the ``csceval survey`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from csceval.errors import InputError
from csceval.strands.culture_survey.cli import survey
from csceval.strands.culture_survey.imports import Mapping, import_responses
from csceval.strands.culture_survey.instrument import default_instrument
from csceval.strands.culture_survey.simulate import simulate_survey

ITEMS = ["safe_1", "safe_2", "safe_3", "safe_4"]
KOBO_HEADER = ["start", "end", "site", "team", "time_point",
               *[f"climate/{i}" for i in ITEMS], "comments", "_id", "_uuid",
               "_submission_time", "_submitted_by", "_index"]  # fmt: skip


def kobo_csv(rows: list[list[str]]) -> bytes:
    lines = [";".join(f'"{c}"' for c in KOBO_HEADER)]
    lines += [";".join(f'"{c}"' for c in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def kobo_row(uuid: str, answers: list[str], comment: str = "") -> list[str]:
    return ["2019-10-01T09:00:00", "2019-10-01T09:10:00", "871", "T01", "T2", *answers, comment,
            "1", uuid, "2019-10-01T09:11:00", "", "1"]  # fmt: skip


def test_kobo_export_with_group_paths() -> None:
    data = kobo_csv([kobo_row("u-1", ["4", "2", "5", ""], "Fine."), kobo_row("u-2", ["1"] * 4)])
    frame = import_responses(data, "kobo.csv", default_instrument())
    assert frame["response_id"].nunique() == 2
    assert frame["response_id"].str.fullmatch(r"R-[0-9A-F]{12}").all()
    assert set(frame["item"]) == {*ITEMS, "comments"}
    assert len(frame) == 3 + 1 + 4
    assert (frame["la_code"] == "871").all()
    assert (frame["time_point"] == "T2").all()
    again = import_responses(data, "kobo.csv", default_instrument())
    assert again.equals(frame)  # ids are stable for the same submissions
    assert "u-1" not in frame.to_csv()


def test_kobo_labels_export_and_fixed_site() -> None:
    ins = default_instrument()
    labels = {c.name: c.label for c in ins.choices["agree5"]}
    header = ["Team", *[ins.question(i).label for i in ITEMS]]
    rows = [["T03", labels["4"], labels["5"], labels["1"], labels["3"]]]
    text = ",".join(f'"{h}"' for h in header) + "\n" + ",".join(f'"{c}"' for c in rows[0]) + "\n"
    frame = import_responses(text.encode(), "labels.csv", ins,
                             Mapping(team_column="Team", site="871", time_point="T1"))  # fmt: skip
    assert dict(zip(frame["item"], frame["value"], strict=True)) == {
        "safe_1": "4", "safe_2": "5", "safe_3": "1", "safe_4": "3"}  # fmt: skip


def test_generic_wide_csv() -> None:
    text = "response_id,site,team,time_point,safe_1,safe_2,prac_1,extra\nA,871,T1,T1,4,5,3,zz\n"
    frame = import_responses(
        text.encode(), "wide.csv", default_instrument(), Mapping(layout="wide")
    )
    assert sorted(frame["item"]) == ["prac_1", "safe_1", "safe_2"]  # extra is dropped
    assert frame["response_id"].nunique() == 1
    assert "A" not in set(frame["response_id"])


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"\xff\xfe\x00", "CSC-E3431"),
        (b"site,team\n", "CSC-E3431"),
        (b"site,time_point,safe_1\n871,T1,4\n", "CSC-E3432"),
        (b"site,team,time_point,other\n871,T1,T1,4\n", "CSC-E3432"),
        (b"site,team,time_point,safe_1\n871,T1,T1,7\n", "CSC-E3433"),
        (b"site,team,time_point,safe_1\n871,,T1,4\n", "CSC-E3433"),
        (b"site,team,time_point,comments\n871,T1,T1,call 07700 900123\n", "CSC-E3434"),
        (b"PK\x03\x04broken", "CSC-E3431"),
    ],
)
def test_broken_exports_are_refused_whole(data: bytes, code: str) -> None:
    with pytest.raises(InputError) as caught:
        import_responses(data, "export.csv", default_instrument())
    assert code in {p.code for p in caught.value.problems}
    assert all(p.file == "export.csv" and p.fix for p in caught.value.problems)


def test_cli_score_import_and_form(tmp_path: Path) -> None:
    runner = CliRunner()
    responses = tmp_path / "survey_responses.csv"
    simulate_survey(3, (("101", "framework"), ("201", "contrast"))).responses.to_csv(
        responses, index=False
    )
    form = tmp_path / "form.xlsx"
    result = runner.invoke(survey, ["form", "--out", str(form)])
    assert result.exit_code == 0
    assert form.exists()
    result = runner.invoke(survey, ["score", str(responses), "--instrument", str(form), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert {r["subscale"] for r in report["subscales"]} == {"safety", "practice", "supervision",
                                                          "workload"}  # fmt: skip
    assert all(0 < r["alpha"] < 1 and 0 < r["omega"] < 1 for r in report["subscales"])
    result = runner.invoke(survey, ["score", str(responses), "--group", "la_code"])
    assert result.exit_code == 0
    assert "icc1" in result.output
    export = tmp_path / "kobo.csv"
    export.write_bytes(kobo_csv([kobo_row("u-9", ["4", "4", "2", "5"])]))
    out = tmp_path / "data" / "survey_responses.csv"
    result = runner.invoke(survey, ["import", str(export), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(out)) == 4
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"site,team,time_point,safe_1\n871,T1,T1,9\n")
    result = runner.invoke(survey, ["import", str(bad), "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 2
    assert "CSC-E3433" in result.output
    assert not (tmp_path / "x.csv").exists()
    result = runner.invoke(survey, ["score", str(responses), "--instrument", str(bad)])
    assert result.exit_code == 2
    assert "CSC-E3401" in result.output
