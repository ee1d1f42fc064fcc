"""``csceval qual``: transcript import, agreement, REFI-QDA export and import.

The project is the small valid fixture plus an invented fieldwork plan; every transcript and
every .qdpx here is written by the tests (SYNTHETIC text, invented names).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree  # type: ignore[import-untyped]
from qual_helpers import NS, TXT, coded_project, refi_schema, run, small_project

from csceval.disclosure import DisclosurePolicy
from csceval.strands.interviews.analysis import analyse_interviews
from csceval.strands.interviews.fieldwork import expand_codings
from csceval.strands.interviews.project_io import load_interviews_project
from csceval.strands.interviews.section import render_interviews
from csceval.strands.strand import StrandInputs

__all__ = ["refi_schema"]


def test_import_transcript_de_identifies_before_storing(tmp_path: Path) -> None:
    root = small_project(tmp_path)
    (tmp_path / "INT-401-T1-1.txt").write_text(TXT)
    result = run(
        "qual",
        "import-transcript",
        tmp_path / "INT-401-T1-1.txt",
        "--project",
        root,
        "--json",
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["turns"] == 4
    assert report["redactions"] == {"date": 1, "email": 1, "person": 1, "place": 1}
    stored = (root / "data" / "transcript_turns.csv").read_text()
    for name in ("Pat", "Quill", "Rowan", "Ember", "Fernleigh", "example.org", "2019"):
        assert name not in stored
    assert "R-01,,,[PERSON-1] ran it on [DATE]" in stored
    assert "I-01" in stored
    assert "Fernleigh" not in (root / "data" / "transcript_redactions.csv").read_text()


def test_failed_imports_leave_the_project_unchanged(tmp_path: Path) -> None:
    root = coded_project(tmp_path)
    before = {p: p.read_bytes() for p in (root / "data").iterdir()}
    again = run("qual", "import-transcript", tmp_path / "INT-401-T1-1.txt", "--project", root)
    assert again.exit_code == 2
    assert "CSC-E3608" in again.output
    unmapped = run(
        "qual",
        "import-transcript",
        tmp_path / "fg.vtt",
        "--project",
        root,
        "--id",
        "FG-401-T1-2",
    )
    assert unmapped.exit_code == 2
    assert "CSC-E3607" in unmapped.output
    assert "Traceback" not in unmapped.output
    (tmp_path / "big.txt").write_bytes(b"A: x\n" * 5_000_000)
    big = run("qual", "import-transcript", tmp_path / "big.txt", "--project", root)
    assert "CSC-E3602" in big.output
    assert {p: p.read_bytes() for p in (root / "data").iterdir()} == before
    assert not list((root / "data").glob(".*part"))


def test_agreement_command(tmp_path: Path) -> None:
    root = coded_project(tmp_path)
    result = run("qual", "agreement", root, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["transcripts"] == ["FG-401-T1-2", "INT-401-T1-1"]
    by_code = {c["code"]: c for c in data["codes"]}
    assert by_code["trained-workforce"]["agreement"] == 1.0
    assert by_code["practice-leads"]["n_units"] == 4  # participant turns only
    assert len(data["disagreements"]) == 2
    assert run("qual", "agreement", root).exit_code == 0
    assert run("qual", "agreement", tmp_path / "nowhere").exit_code == 2


def test_export_validates_and_round_trips_byte_for_byte(
    tmp_path: Path, refi_schema: etree.XMLSchema
) -> None:
    root = coded_project(tmp_path / "a")
    first = tmp_path / "first.qdpx"
    assert run("qual", "export-qdpx", root, "--out", first, "-q").exit_code == 0
    archive = zipfile.ZipFile(first)
    qde = etree.fromstring(archive.read("project.qde"))
    assert refi_schema.validate(qde), refi_schema.error_log
    for source in qde.iter(f"{{{NS}}}TextSource"):
        path = source.get("plainTextPath").removeprefix("internal://")
        text = archive.read(f"sources/{path}").decode()
        for sel in source.iter(f"{{{NS}}}PlainTextSelection"):
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            assert text[start:end]
            assert "\n" not in text[start:end]  # one turn's words, without its speaker
    target = small_project(tmp_path / "b")
    imported = run("qual", "import-qdpx", first, "--project", target, "--json")
    assert imported.exit_code == 0, imported.output
    for table, drop in (("transcript_turns", ["start_s", "end_s"]), ("interview_codings", [])):
        got, want = (
            pd.read_csv(p / "data" / f"{table}.csv").drop(columns=drop) for p in (target, root)
        )
        if table == "interview_codings":  # runs of turns come back one turn per selection
            got, want = expand_codings(got), expand_codings(want)
        assert sorted(got.to_numpy().tolist()) == sorted(want.to_numpy().tolist())
    # timestamps are not part of REFI-QDA text sources: they are the one thing not carried over
    second = tmp_path / "second.qdpx"
    assert run("qual", "export-qdpx", target, "--out", second).exit_code == 0
    assert second.read_bytes() == first.read_bytes()


@pytest.mark.parametrize("codings", [True, False])
def test_the_section_renders_for_a_small_project(tmp_path: Path, codings: bool) -> None:
    root = coded_project(tmp_path)
    if not codings:
        (root / "data" / "interview_codings.csv").unlink()
    inputs = StrandInputs.of(load_interviews_project(root))
    result = analyse_interviews(inputs)
    section = render_interviews(result, DisclosurePolicy())
    assert section.table("interviews-fieldwork").table.cells["manager"].tolist() == ["c"]
    assert len(result.people) == 3
    assert result.summary()
    if codings:  # R-02 consented to analysis only: never quoted
        speakers = {2: "R-02", 3: "R-03"}
        fg = result.quotes[result.quotes["transcript_id"] == "FG-401-T1-2"]
        assert "R-02" not in {speakers[t] for t in fg["turn"]}


def test_a_turn_with_a_listed_name_or_an_identifier_is_never_quoted(tmp_path: Path) -> None:
    project = load_interviews_project(coded_project(tmp_path))
    turns = project.table("transcript_turns").copy()
    fg3 = (turns["transcript_id"] == "FG-401-T1-2") & (turns["turn"] == 3)
    inputs = StrandInputs(project.settings, project.tables, project.files)
    assert 3 in set(analyse_interviews(inputs).quotes["turn"])  # R-03 agreed to be quoted
    for slipped in (
        "Rowan said it is still a checklist, if I am honest about it.",
        "It is still a checklist, ring 07700 900123 if you want to know more.",
    ):
        turns.loc[fg3, "text"] = slipped  # e.g. the name list grew after the import
        tables = {**project.tables, "transcript_turns": turns}
        quotes = analyse_interviews(StrandInputs(project.settings, tables, project.files)).quotes
        assert slipped not in set(quotes["text"])


def test_export_to_an_unwritable_place_is_a_coded_problem(tmp_path: Path) -> None:
    root = coded_project(tmp_path)
    (tmp_path / "a-file").write_text("not a folder")
    result = run("qual", "export-qdpx", root, "--out", tmp_path / "a-file" / "x.qdpx")
    assert result.exit_code == 2
    assert "CSC-E3641" in result.output
    assert not list(tmp_path.glob("**/*.part"))


def test_matrix_command_writes_the_code_by_case_matrix(tmp_path: Path) -> None:
    root = coded_project(tmp_path)
    wide, long = tmp_path / "wide.csv", tmp_path / "long.csv"
    assert run("qual", "matrix", root, "--out", wide, "-q").exit_code == 0
    assert run("qual", "matrix", root, "--out", long, "--long").exit_code == 0
    frame = pd.read_csv(wide)
    assert len(frame) == 3  # a row per participant at a time point
    assert set(frame["trained-workforce"]) <= {0, 1}
    cells = pd.read_csv(long, keep_default_na=False)
    assert {"participant", "code", "turns", "exemplar"} <= set(cells.columns)
    assert (cells.loc[cells["participant"] == "R-02", "exemplar"] == "").all()  # not quotable
