"""The interviews strand end to end on the synthetic project: truth, consent, disclosure, checks."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from csceval.disclosure import DisclosurePolicy
from csceval.errors import InputError
from csceval.pipeline import load_project, policy_of
from csceval.project import Project
from csceval.registry import registered_strands
from csceval.strands.interviews.analysis import InterviewsResult, analyse_interviews
from csceval.strands.interviews.checks import check_interview_tables
from csceval.strands.interviews.codebook import parse_codebook, parse_topic_guide
from csceval.strands.interviews.fieldwork import apply_consent
from csceval.strands.interviews.section import render_interviews
from csceval.strands.interviews.simulate import PEOPLE
from csceval.strands.strand import StrandInputs


@pytest.fixture(scope="module")
def project_dir(demo_project: Path) -> Path:
    return demo_project


@pytest.fixture(scope="module")
def project(demo_loaded: Callable[[], Project]) -> Project:
    return demo_loaded()  # load_project(project_dir), loaded once per session


@pytest.fixture(scope="module")
def result(project: Project) -> InterviewsResult:
    return analyse_interviews(StrandInputs.of(project))


def truth(project_dir: Path) -> dict[str, object]:
    value = json.loads((project_dir / "truth.json").read_text())["interviews"]
    assert isinstance(value, dict)
    return value


def published_text(result: InterviewsResult) -> str:
    section = render_interviews(result, DisclosurePolicy())
    return "\n".join(t.table.cells.to_csv() for t in section.tables) + "\n".join(
        f.text for f in section.findings
    )


def test_the_strand_is_registered_and_available(project: Project) -> None:
    strand = next(s for s in registered_strands() if s.id == "interviews")
    assert strand.available(StrandInputs.of(project))
    assert project.settings.disclosure.min_count == DisclosurePolicy().min_count
    assert strand.cli is not None


def test_agreement_recovers_the_simulated_coder_error(
    project_dir: Path, result: InterviewsResult
) -> None:
    expected = truth(project_dir)["expected_percent_agreement"]
    assert isinstance(expected, float)
    assert result.agreement.pooled.agreement == pytest.approx(expected, abs=0.02)
    assert result.agreement.pooled.n_units > 1000


def test_participant_counts_recover_the_truth(project_dir: Path, result: InterviewsResult) -> None:
    true = truth(project_dir)["participants_mentioning"]
    assert isinstance(true, dict)
    got = {
        f"{c}|{la}|{tp}": n
        for c, la, tp, n in result.site_matrix[
            ["code", "la_code", "time_point", "participants"]
        ].itertuples(index=False)
    }
    diffs = [abs(got.get(k, 0) - v) for k, v in true.items()]
    assert sum(diffs) / len(diffs) < 1.0  # first-pass coder error is 3% per turn and code
    t1 = sum(v for k, v in true.items() if k.endswith("T1"))
    t2 = sum(v for k, v in true.items() if k.endswith("T2"))
    got_t1 = result.site_matrix.query("time_point == 'T1'")["participants"].sum()
    got_t2 = result.site_matrix.query("time_point == 'T2'")["participants"].sum()
    assert (got_t2 > got_t1) == (t2 > t1)


def test_a_withdrawn_participant_is_in_no_output(
    project_dir: Path, project: Project, result: InterviewsResult
) -> None:
    withdrawn = truth(project_dir)["withdrawn"]
    assert isinstance(withdrawn, list)
    (gone,) = (str(p) for p in withdrawn)
    raw = pd.read_csv(project_dir / "data" / "transcript_turns.csv", dtype=str)
    assert (raw["speaker"] == gone).any()  # their words are in the stored project ...
    for frame in (result.people, result.case_matrix, result.agreement.disagreements):
        assert gone not in frame.to_csv()  # ... and in nothing the analysis produced
    spoken = set(
        zip(
            raw.loc[raw["speaker"] == gone, "transcript_id"],
            raw.loc[raw["speaker"] == gone, "turn"].astype(int),
            strict=True,
        )
    )
    assert not spoken & set(zip(result.quotes["transcript_id"], result.quotes["turn"], strict=True))
    assert gone not in published_text(result)
    assert result.withdrawn == 1
    memos = pd.read_csv(project_dir / "data" / "interview_memos.csv", dtype=str)
    assert memos["text"].str.contains(gone).any()  # a memo names them in the project ...
    kept = apply_consent(project.tables).memos
    assert not kept.empty
    assert gone not in kept.to_csv()  # ... and is gone on the next run


def test_withdrawing_consent_removes_a_person_on_the_next_run(
    project: Project, result: InterviewsResult
) -> None:
    turns = project.table("transcript_turns").astype({"turn": int})
    keys = result.quotes[["transcript_id", "turn"]].astype({"turn": int})
    quoted = str(keys.merge(turns)["speaker"].iloc[0])
    consents = project.table("interview_consents").copy()
    consents.loc[consents["participant"] == quoted, "withdrawn_date"] = date(2020, 2, 1)
    tables = {**project.tables, "interview_consents": consents}
    again = analyse_interviews(StrandInputs(project.settings, tables, project.files))
    assert again.withdrawn == 2
    assert quoted not in set(again.people["participant"])
    assert len(again.quotes) < len(result.quotes)
    assert quoted not in published_text(again)


def test_quotes_respect_consent_scope_and_carry_no_identifiers(
    project_dir: Path, result: InterviewsResult
) -> None:
    consents = pd.read_csv(project_dir / "data" / "interview_consents.csv", dtype=str)
    turns = pd.read_csv(project_dir / "data" / "transcript_turns.csv", dtype={"turn": int})
    speakers = result.quotes.merge(turns, on=["transcript_id", "turn"])["speaker"]
    scope = dict(zip(consents["participant"], consents["scope"], strict=True))
    assert {scope[s] for s in speakers} == {"analysis_and_quotes"}
    assert all(t.startswith("[SYNTHETIC]") for t in result.quotes["text"])


def test_no_planted_name_is_stored_or_published(
    project_dir: Path, result: InterviewsResult
) -> None:
    names = truth(project_dir)["planted_names"]
    assert isinstance(names, list)
    ours = [t.file for t in next(s for s in registered_strands() if s.id == "interviews").tables]
    stored = "\n".join((project_dir / f).read_text() for f in ours if (project_dir / f).is_file())
    stored = stored.lower()
    published = published_text(result).lower()
    for name in names:
        parts = name.split() if name in PEOPLE else [name]  # places are matched whole
        for part in parts:
            assert part.lower() not in stored
            assert part.lower() not in published
    redactions = pd.read_csv(project_dir / "data" / "transcript_redactions.csv")
    planted = truth(project_dir)["planted_by_kind"]
    # every planted identifier was replaced (recall 100%), and nothing else was
    assert redactions.groupby("kind")["count"].sum().to_dict() == planted


def test_the_section_suppresses_small_counts(project: Project, result: InterviewsResult) -> None:
    policy = policy_of(project)
    section = render_interviews(result, policy)
    assert {t.id for t in section.tables} >= {
        "interviews-fieldwork", "interviews-code-matrix", "interviews-prevalence",
        "interviews-agreement", "interviews-quotes", "interviews-quote-export",
    }  # fmt: skip
    matrix = section.table("interviews-code-matrix").table
    for column in matrix.cells.columns[1:]:
        shown = pd.to_numeric(matrix.cells[column], errors="coerce").dropna()
        assert not shown.between(1, policy.min_count).any()
    assert (matrix.cells.to_numpy() == "c").any()
    roles = set(section.table("interviews-quotes").table.cells["role"])
    assert "senior leader" not in roles  # one per site and time point: generalised
    assert "\n" not in result.summary().split("\n")[0]


def test_to_frame_and_code_by_case(result: InterviewsResult) -> None:
    frame = result.to_frame()
    assert {"code", "la_code", "time_point", "participants", "share"} <= set(frame.columns)
    assert frame["share"].between(0, 1).all()
    wide = result.code_by_case()
    assert len(wide) == len(result.people)
    assert set(wide["child-voice"]) <= {0, 1}


@pytest.mark.parametrize(
    ("table", "change", "code"),
    [
        ("interview_consents", lambda f: f.iloc[1:], "CSC-E3623"),
        ("interviews", lambda f: f.assign(la_code="999"), "CSC-E3621"),
        ("interviews", lambda f: f.assign(time_point="T9"), "CSC-E3621"),
        ("interview_codings", lambda f: f.assign(coder="Jane"), "CSC-E3628"),
        ("interview_codings", lambda f: f.assign(last_turn=9999), "CSC-E3625"),
        ("interview_codings", lambda f: f.assign(transcript_id="INT-none"), "CSC-E3625"),
        ("transcript_turns", lambda f: f.assign(speaker="R-nobody"), "CSC-E3624"),
        ("interview_attendance", lambda f: f.assign(participant="R-ghost"), "CSC-E3622"),
        ("interview_participants", lambda f: f.assign(participant="Pat Quill"), "CSC-E3628"),
    ],
)
def test_broken_tables_are_coded_problems(
    project: Project, table: str, change: Callable[[pd.DataFrame], pd.DataFrame], code: str
) -> None:
    tables = {**project.tables, table: change(project.table(table).copy())}
    problems = check_interview_tables(project.settings, tables)
    assert code in {p.code for p in problems}
    assert all(p.file and p.row for p in problems if p.code == code)


def test_a_broken_table_file_stops_the_load(project_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "project"
    shutil.copytree(project_dir, copy, ignore=shutil.ignore_patterns("*.xml", "ssda903*"))
    path = copy / "data" / "interview_consents.csv"
    path.write_text(path.read_text().replace("analysis_and_quotes", "everything", 1))
    with pytest.raises(InputError) as exc:
        load_project(copy)
    assert "CSC-E2006" in {p.code for p in exc.value.problems}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (b"codes = 1", "CSC-E3612"),
        (b'id="a"\nversion="1"\ntitle="t"\n[[codes]]\nid="x"\ntitle="X"\n', "CSC-E3612"),
        (
            b'id="a"\nversion="1"\ntitle="t"\n[[codes]]\nid="x"\ntitle="X"\ndefinition="d"\n'
            b'parent="nope"\n',
            "CSC-E3613",
        ),
        (
            b'id="a"\nversion="1"\ntitle="t"\n[[codes]]\nid="x"\ntitle="X"\ndefinition="d"\n'
            b'[[codes]]\nid="x"\ntitle="Y"\ndefinition="d"\n',
            "CSC-E3613",
        ),
        (
            b'id="a"\nversion="1"\ntitle="t"\n[[codes]]\nid="x"\ntitle="X"\ndefinition="d"\n'
            b'parent="y"\n[[codes]]\nid="y"\ntitle="Y"\ndefinition="d"\nparent="x"\n',
            "CSC-E3613",
        ),
    ],
)
def test_broken_codebooks_are_coded_problems(text: bytes, code: str) -> None:
    with pytest.raises(InputError) as exc:
        parse_codebook(text)
    assert {p.code for p in exc.value.problems} == {code}


def test_broken_topic_guides_are_coded_problems() -> None:
    for text in (b"[[", b"sections = 2", b'version="1"\ntitle="t"\n[[sections]]\nid="a"\n'):
        with pytest.raises(InputError) as exc:
            parse_topic_guide(text)
        assert {p.code for p in exc.value.problems} == {"CSC-E3614"}


def test_themes_by_box_show_the_simulated_rise_from_t1_to_t2(
    project: Project, result: InterviewsResult
) -> None:
    themes = render_interviews(result, policy_of(project)).table("interviews-themes").table
    values = themes.values
    assert (values["p1"] > values["p0"]).all()  # every simulated code gains 0.3 at T2
    assert set(themes.cells["box"]) <= {c.toc_node for c in result.codebook.codes}
