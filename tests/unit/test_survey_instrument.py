"""Survey instruments: the open default, XLSForm as KoboToolbox writes it, broken forms, norms."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from openpyxl import Workbook

from csceval.errors import InputError
from csceval.strands.culture_survey.instrument import default_instrument
from csceval.strands.culture_survey.norms import parse_norms
from csceval.strands.culture_survey.xlsform import default_xlsform, read_xlsform

KOBO_SURVEY = [
    ["type", "name", "label::English (en)", "hint::English (en)", "required", "relevant",
     "subscale", "reverse", "$kuid", "$autoname"],
    ["start", "start", "", "", "", "", "", "", "k1", "start"],
    ["select_one teams", "team", "Your team", "", "true", "", "", "", "k2", "team"],
    ["begin_group", "climate", "Your team's climate", "", "", "", "", "", "k3", "climate"],
    ["select_one agree5", "q1", "I can raise a worry.", "", "true", "", "safety", "", "k4", "q1"],
    ["select_one agree5", "q2", "Mistakes are held against you.", "", "true", "", "safety",
     "TRUE", "k5", "q2"],
    ["select_one agree5", "q3", "We talk openly.", "", "false", "", "safety", "", "k6", "q3"],
    ["end_group", "", "", "", "", "", "", "", "k7", ""],
    ["select_one yesno", "sup", "Do you have supervision?", "", "", "", "", "", "k8", "sup"],
    ["select_one agree5", "s1", "Supervision helps.", "", "", "${sup} = 'yes'", "sup", "", "k9",
     "s1"],
    ["select_one agree5", "s2", "Supervision is regular.", "", "", "${sup} = 'yes'", "sup", "",
     "k10", "s2"],
    ["text", "comments", "Anything else?", "", "", "", "", "", "k11", "comments"],
    ["end", "end", "", "", "", "", "", "", "k12", "end"],
]  # fmt: skip
KOBO_CHOICES = [
    ["list_name", "name", "label::English (en)", "$kuid", "$autovalue"],
    *[["agree5", str(v), f"Level {v}", f"c{v}", str(v)] for v in range(1, 6)],
    ["yesno", "yes", "Yes", "y", "yes"],
    ["yesno", "no", "No", "n", "no"],
    ["teams", "T01", "Team one", "t1", "T01"],
]
KOBO_SETTINGS = [["form_title", "version", "default_language"], ["Team form", "v1", "English (en)"]]


def workbook(sheets: dict[str, list[list[str]]]) -> bytes:
    book = Workbook()
    for index, (name, rows) in enumerate(sheets.items()):
        ws = book.active if index == 0 else book.create_sheet()
        assert ws is not None
        ws.title = name
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def kobo(**changes: list[list[str]]) -> bytes:
    sheets = {"survey": KOBO_SURVEY, "choices": KOBO_CHOICES, "settings": KOBO_SETTINGS}
    sheets.update(changes)
    return workbook(sheets)


def codes(data: bytes) -> set[str]:
    with pytest.raises(InputError) as caught:
        read_xlsform(data, "form.xlsx")
    for problem in caught.value.problems:
        assert problem.file == "form.xlsx"
        assert problem.fix
    return {p.code for p in caught.value.problems}


def test_default_instrument_is_open_and_complete() -> None:
    ins = default_instrument()
    assert list(ins.subscales) == ["safety", "practice", "supervision", "workload"]
    assert all(len(q) == 4 for q in ins.subscales.values())
    assert sum(q.reverse for qs in ins.subscales.values() for q in qs) == 5
    assert [q.name for q in ins.free_text] == ["comments"]
    assert ins.question("safe_1").group == "climate"
    assert ins.title_of("safety") == "Psychological safety"


def test_default_round_trips_through_xlsform() -> None:
    again = read_xlsform(default_xlsform())
    default = default_instrument()
    assert again.questions == default.questions
    assert dict(again.choices) == dict(default.choices)
    assert again.title == default.title
    assert again.version == "1.0"


def test_kobo_form_loads_unchanged() -> None:
    ins = read_xlsform(kobo())
    assert ins.title == "Team form"
    assert ins.version == "v1"
    assert [q.name for q in ins.subscales["safety"]] == ["q1", "q2", "q3"]
    assert ins.question("q2").reverse
    assert not ins.question("q1").reverse
    assert ins.question("q1").label == "I can raise a worry."
    assert ins.question("q1").required
    assert ins.question("q1").group == "climate"
    assert ins.question("s1").condition == ("sup", "=", "yes")
    assert ins.choices["agree5"][0].label == "Level 1"
    assert ins.scale_range(ins.question("q1")) == (1, 5)
    assert ins.n_options(ins.question("q1")) == 5


def test_spaced_group_types_and_plain_label_column() -> None:
    survey = [["type", "name", "label", "subscale"], ["begin group", "g", "G", ""],
              ["select_one agree5", "a", "A", "x"], ["select_one agree5", "b", "B", "x"],
              ["end group", "", "", ""]]  # fmt: skip
    ins = read_xlsform(kobo(survey=survey))
    assert ins.question("a").group == "g"
    assert ins.question("a").label == "A"


def change(row: int, column: int, value: str) -> list[list[str]]:
    rows = [list(r) for r in KOBO_SURVEY]
    rows[row][column] = value
    return rows


BROKEN: dict[str, Callable[[], bytes]] = {
    "CSC-E3401": lambda: b"not a workbook",
    "CSC-E3402": lambda: workbook({"survey": KOBO_SURVEY}),
    "CSC-E3403": lambda: kobo(survey=change(5, 1, "q1")),
    "CSC-E3404": lambda: kobo(survey=change(3, 0, "select_one agree7")),
    "CSC-E3405": lambda: kobo(survey=change(7, 0, "begin_repeat")),
    "CSC-E3406": lambda: kobo(survey=change(4, 7, "maybe")),
    "CSC-E3407": lambda: kobo(survey=change(9, 5, "${nope} = 'yes'")),
}


@pytest.mark.parametrize("code", sorted(BROKEN))
def test_broken_forms_give_coded_problems(code: str) -> None:
    assert code in codes(BROKEN[code]())


def test_more_broken_forms() -> None:
    assert "CSC-E3402" in codes(kobo(survey=[["kind", "name"], ["text", "x"]]))
    assert "CSC-E3405" in codes(kobo(survey=KOBO_SURVEY[:7]))  # group never closed
    one_item = [r for r in KOBO_SURVEY if r[1] not in ("s2",)]
    assert "CSC-E3406" in codes(kobo(survey=one_item))
    letters = [["list_name", "name", "label"], *[["agree5", c, c] for c in "abcde"],
               ["yesno", "yes", "Yes"], ["teams", "T01", "T"]]  # fmt: skip
    assert "CSC-E3404" in codes(kobo(choices=letters))
    twice = [*KOBO_CHOICES, ["agree5", "1", "again"]]
    assert "CSC-E3403" in codes(kobo(choices=twice))
    assert "CSC-E3401" in codes(b"PK\x03\x04" + b"0" * 100)
    many = [KOBO_SURVEY[0], *[["text", f"t{k}", "T"] for k in range(5001)]]
    assert "CSC-E2031" in codes(kobo(survey=many))  # refused from its declared size


def test_norms_parse_and_refuse_bad_rows() -> None:
    norms = parse_norms(b"subscale,mean,sd,source\nsafety,3.5,0.4,synthetic\n")
    assert norms["safety"].t_score(3.9) == pytest.approx(60.0)
    for bad in (b"subscale,mean\nx,1\n", b"subscale,mean,sd\nx,1,0\n", b"subscale,mean,sd\nx,a,1\n",
                b"subscale,mean,sd\nx,1,1\nx,1,1\n", b"\xff\xfe"):  # fmt: skip
        with pytest.raises(InputError) as caught:
            parse_norms(bad)
        assert {p.code for p in caught.value.problems} == {"CSC-E3411"}


def test_declared_project_files_parse_and_refuse() -> None:
    from csceval.strands.culture_survey import STRAND

    files = {f.name: f for f in STRAND.files}
    form = files["culture_survey"].parse(default_xlsform(), "culture_survey.xlsx")
    assert form.id == "csceval-team-climate"
    with pytest.raises(InputError):
        files["culture_survey"].parse(b"", "culture_survey.xlsx")
    norms = files["culture_survey_norms"].parse(b"subscale,mean,sd\nsafety,3,1\n", "n.csv")
    assert norms["safety"].t_score(4.0) == pytest.approx(60.0)
