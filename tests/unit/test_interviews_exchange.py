"""``csceval interviews``: transcript import, agreement, REFI-QDA export and import.

The project is the small valid fixture plus an invented fieldwork plan; every transcript and
every .qdpx here is written by the tests (SYNTHETIC text, invented names).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from csceval.cli import main
from csceval.disclosure import DisclosurePolicy
from csceval.errors import InputError, Problem
from csceval.strands.interviews.analysis import analyse_interviews
from csceval.strands.interviews.fieldwork import expand_codings
from csceval.strands.interviews.project_io import load_interviews_project
from csceval.strands.interviews.qdpx_import import read_qdpx
from csceval.strands.interviews.section import render_interviews
from csceval.strands.strand import StrandInputs

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REFI = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "refi-qda"
NS = "urn:QDA-XML:project:1.0"
TXT = """Interviewer: [SYNTHETIC] How has the training gone at Fernleigh?
Pat Quill: Rowan Ember ran it on 3 May 2019 and it helped me map worries with families.
Interviewer: Anything else?
Pat Quill: Our practice lead comes out on visits; email pat.q@example.org for the notes.
"""
VTT = """WEBVTT

00:00:01.000 --> 00:00:03.000
<v Interviewer>[SYNTHETIC] What about supervision?</v>

00:00:03.500 --> 00:00:08.000
<v Sam Reed>Supervision now uses the same mapping we use with families.</v>

00:00:08.000 --> 00:00:12.000
<v Lee Park>For me it is still a checklist, if I am honest about it.</v>
"""
CODINGS = """transcript_id,first_turn,last_turn,code,coder,pass
INT-401-T1-1,2,2,trained-workforce,C-01,first
INT-401-T1-1,4,4,practice-leads,C-01,first
INT-401-T1-1,2,2,trained-workforce,C-02,second
INT-401-T1-1,2,4,practice-leads,C-02,second
FG-401-T1-2,2,3,aligned-supervision,C-01,first
FG-401-T1-2,2,2,aligned-supervision,C-02,second
"""


@pytest.fixture(scope="session")
def refi_schema() -> etree.XMLSchema:
    """The QDA-XML 1.0 schema in ../shared/reference: skipped on a user's clone, required in CI."""
    if not (REFI / "Project.xsd").is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the REFI-QDA schema is missing: {REFI}")
        pytest.skip(f"needs the REFI-QDA schema {REFI} (not part of a user's clone)")
    return etree.XMLSchema(etree.parse(str(REFI / "Project.xsd")))


def small_project(tmp: Path) -> Path:
    root = tmp / "project"
    shutil.copytree(FIXTURES / "valid_project", root)
    data = root / "data"
    (data / "interviews.csv").write_text(
        "interview_id,la_code,time_point,kind,topic_guide_version,status\n"
        "INT-401-T1-1,401,T1,interview,1.0,done\nFG-401-T1-2,401,T1,focus_group,1.0,done\n"
    )
    (data / "interview_participants.csv").write_text(
        "participant,la_code,role\nR-01,401,manager\nR-02,401,practitioner\nR-03,401,practitioner\n"
    )
    (data / "interview_attendance.csv").write_text(
        "interview_id,participant\nINT-401-T1-1,R-01\nFG-401-T1-2,R-02\nFG-401-T1-2,R-03\n"
    )
    (data / "interview_consents.csv").write_text(
        "participant,form_version,consent_date,scope,withdrawn_date\n"
        "R-01,1.0,2018-09-01,analysis_and_quotes,\nR-02,1.0,2018-09-01,analysis,\n"
        "R-03,1.0,2018-09-01,analysis_and_quotes,\n"
    )
    (root / "interviews").mkdir()
    (root / "interviews" / "names.toml").write_text(
        'people = ["Pat Quill", "Rowan Ember"]\nplaces = ["Fernleigh"]\n'
        '[speakers]\n"Pat Quill" = "R-01"\n"Interviewer" = "I-01"\n'
    )
    return root


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def coded_project(tmp: Path) -> Path:
    root = small_project(tmp)
    (tmp / "INT-401-T1-1.txt").write_text(TXT)
    (tmp / "fg.vtt").write_text(VTT)
    assert (
        run(
            "interviews", "import-transcript", tmp / "INT-401-T1-1.txt", "--project", root, "-q"
        ).exit_code
        == 0
    )
    result = run(
        "interviews",
        "import-transcript",
        tmp / "fg.vtt",
        "--project",
        root,
        "--id",
        "FG-401-T1-2",
        "--speaker",
        "Sam Reed=R-02",
        "--speaker",
        "Lee Park=R-03",
        "-q",
    )
    assert result.exit_code == 0, result.output
    (root / "data" / "interview_codings.csv").write_text(CODINGS)
    return root


def test_import_transcript_de_identifies_before_storing(tmp_path: Path) -> None:
    root = small_project(tmp_path)
    (tmp_path / "INT-401-T1-1.txt").write_text(TXT)
    result = run(
        "interviews",
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
    again = run("interviews", "import-transcript", tmp_path / "INT-401-T1-1.txt", "--project", root)
    assert again.exit_code == 2
    assert "CSC-E3608" in again.output
    unmapped = run(
        "interviews",
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
    big = run("interviews", "import-transcript", tmp_path / "big.txt", "--project", root)
    assert "CSC-E3602" in big.output
    assert {p: p.read_bytes() for p in (root / "data").iterdir()} == before
    assert not list((root / "data").glob(".*part"))


def test_agreement_command(tmp_path: Path) -> None:
    root = coded_project(tmp_path)
    result = run("interviews", "agreement", root, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["transcripts"] == ["FG-401-T1-2", "INT-401-T1-1"]
    by_code = {c["code"]: c for c in data["codes"]}
    assert by_code["trained-workforce"]["agreement"] == 1.0
    assert by_code["practice-leads"]["n_units"] == 4  # participant turns only
    assert len(data["disagreements"]) == 2
    assert run("interviews", "agreement", root).exit_code == 0
    assert run("interviews", "agreement", tmp_path / "nowhere").exit_code == 2


def test_export_validates_and_round_trips_byte_for_byte(
    tmp_path: Path, refi_schema: etree.XMLSchema
) -> None:
    root = coded_project(tmp_path / "a")
    first = tmp_path / "first.qdpx"
    assert run("interviews", "export-qdpx", root, "--out", first, "-q").exit_code == 0
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
    imported = run("interviews", "import-qdpx", first, "--project", target, "--json")
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
    assert run("interviews", "export-qdpx", target, "--out", second).exit_code == 0
    assert second.read_bytes() == first.read_bytes()


def qdpx(qde: str | bytes, files: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", qde)
        for name, data in (files or {}).items():
            z.writestr(name, data)
    return buffer.getvalue()


G = "{%s-0000-4000-8000-000000000000}"
TEXT = "Interviewer: Café 😀 first?\r\nSam Reed: The mapping helps.\r\nLee Park: Not for me."
START = TEXT.index("mapping")
OTHER_TOOL = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="made by hand">
 <Users><User guid="{G % "AAAAAAAA"}" name="Someone Real"/></Users>
 <CodeBook><Codes><Code guid="{G % "BBBBBBBB"}" name="Tools" isCodable="true">
  <Code guid="{G % "CCCCCCCC"}" name="Mapping tool" isCodable="true"/></Code></Codes></CodeBook>
 <Sources>
  <TextSource guid="{G % "DDDDDDDD"}" name="FG-401-T1-2" plainTextPath="internal://fg.txt">
   <PlainTextSelection guid="{G % "EEEEEEEE"}" startPosition="{START}" endPosition="{START + 7}"
     creatingUser="{(G % "AAAAAAAA").lower()}">
    <Coding guid="{G % "FFFFFFFF"}"><CodeRef targetGUID="{(G % "CCCCCCCC").strip("{}")}"/></Coding>
   </PlainTextSelection>
  </TextSource>
  <TextSource guid="{G % "11111111"}" name="INT-401-T1-1">
   <PlainTextContent>Interviewer: Hello\nPat Quill: Hi</PlainTextContent>
  </TextSource>
 </Sources>
</Project>"""


def test_another_tools_conventions_keep_selections_exact() -> None:
    project = read_qdpx(qdpx(OTHER_TOOL, {"sources/fg.txt": TEXT.encode()}), "hand.qdpx")
    assert [c.id for c in project.codes] == ["tools", "mapping-tool"]
    assert project.codes[1].parent == "tools"
    fg = project.sources[0]
    assert [t.speaker for t in fg.turns] == ["Interviewer", "Sam Reed", "Lee Park"]
    assert fg.turns[0].text == "Café 😀 first?"  # CRLF kept out of the text
    assert fg.codings == ((2, 2, "mapping-tool", "C-01", "first"),)
    assert TEXT[START : START + 7] == "mapping"
    assert "mapping" in fg.turns[1].text
    assert project.sources[1].turns[1].text == "Hi"  # PlainTextContent


def test_import_writes_the_codebook_and_maps_speakers(tmp_path: Path) -> None:
    root = small_project(tmp_path)
    (tmp_path / "hand.qdpx").write_bytes(qdpx(OTHER_TOOL, {"sources/fg.txt": TEXT.encode()}))
    result = run(
        "interviews",
        "import-qdpx",
        tmp_path / "hand.qdpx",
        "--project",
        root,
        "--speaker",
        "Sam Reed=R-02",
        "--speaker",
        "Lee Park=R-03",
    )
    assert result.exit_code == 0, result.output
    assert 'id = "mapping-tool"' in (root / "interviews" / "codebook.toml").read_text()
    codings = (root / "data" / "interview_codings.csv").read_text()
    assert "FG-401-T1-2,2,2,mapping-tool,C-01,first" in codings
    assert "Someone Real" not in codings
    assert run("interviews", "agreement", root).exit_code == 0  # the project still loads


def bad_codes(data: bytes) -> set[str]:
    with pytest.raises(InputError) as exc:
        read_qdpx(data, "bad.qdpx")
    return {p.code for p in exc.value.problems}


def test_hostile_and_broken_qdpx_files_are_coded_problems() -> None:
    fg = {"sources/fg.txt": TEXT.encode()}
    xxe = OTHER_TOOL.replace(
        "<Project", '<!DOCTYPE Project [<!ENTITY x SYSTEM "file:///etc/passwd">]><Project', 1
    ).replace('name="made by hand"', 'name="&x;"')
    assert bad_codes(qdpx(xxe, fg)) == {"CSC-E3604"}
    assert bad_codes(b"not a zip") == {"CSC-E3603"}
    assert bad_codes(qdpx(OTHER_TOOL, {"sources/x": b"\0" * 101_000_000})) == {"CSC-E3603"}
    no_qde = io.BytesIO()
    with zipfile.ZipFile(no_qde, "w") as z:
        z.writestr("other.xml", "<a/>")
    assert bad_codes(no_qde.getvalue()) == {"CSC-E3631"}
    assert bad_codes(qdpx("<NotAProject/>")) == {"CSC-E3631"}
    assert bad_codes(qdpx(OTHER_TOOL)) == {"CSC-E3633"}  # the source file is missing
    escape = OTHER_TOOL.replace("internal://fg.txt", "internal://../../etc/passwd")
    assert bad_codes(qdpx(escape, fg)) == {"CSC-E3633"}
    outside = OTHER_TOOL.replace(f'endPosition="{START + 7}"', 'endPosition="99999"')
    assert bad_codes(qdpx(outside, fg)) == {"CSC-E3632"}
    unknown = OTHER_TOOL.replace('targetGUID="CCCCCCCC', 'targetGUID="99999999')
    assert bad_codes(qdpx(unknown, fg)) == {"CSC-E3632"}


def problems_of(data: bytes) -> list[Problem]:
    try:
        read_qdpx(data, "fuzz.qdpx")
    except InputError as exc:
        return exc.problems
    return []


@settings(deadline=None, max_examples=120)
@given(st.integers(0, len(OTHER_TOOL) - 1), st.integers(1, 40), st.binary(max_size=20))
def test_mutated_qdpx_never_crashes(at: int, cut: int, junk: bytes) -> None:
    qde = OTHER_TOOL.encode()
    mutated = qde[:at] + junk + qde[at + cut :]
    problems = problems_of(qdpx(mutated, {"sources/fg.txt": TEXT.encode()}))
    assert all(p.code.startswith("CSC-E36") for p in problems)


@settings(deadline=None, max_examples=80)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash_the_qdpx_reader(data: bytes) -> None:
    assert all(p.code.startswith("CSC-E36") for p in problems_of(data))


def test_import_refuses_codes_missing_from_an_existing_codebook(tmp_path: Path) -> None:
    root = small_project(tmp_path)
    (root / "interviews" / "codebook.toml").write_text(
        'id = "own"\nversion = "2.0"\ntitle = "Own"\n'
        '[[codes]]\nid = "tools"\ntitle = "Tools"\ndefinition = "Tools in use."\n'
    )
    (tmp_path / "hand.qdpx").write_bytes(qdpx(OTHER_TOOL, {"sources/fg.txt": TEXT.encode()}))
    before = sorted(p.name for p in (root / "data").iterdir())
    result = run("interviews", "import-qdpx", tmp_path / "hand.qdpx", "--project", root)
    assert result.exit_code == 2
    assert "CSC-E3626" in result.output
    assert "mapping-tool" in result.output
    assert sorted(p.name for p in (root / "data").iterdir()) == before


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
    result = run("interviews", "export-qdpx", root, "--out", tmp_path / "a-file" / "x.qdpx")
    assert result.exit_code == 2
    assert "CSC-E3641" in result.output
    assert not list(tmp_path.glob("**/*.part"))


def test_matrix_command_writes_the_code_by_case_matrix(tmp_path: Path) -> None:
    root = coded_project(tmp_path)
    wide, long = tmp_path / "wide.csv", tmp_path / "long.csv"
    assert run("interviews", "matrix", root, "--out", wide, "-q").exit_code == 0
    assert run("interviews", "matrix", root, "--out", long, "--long").exit_code == 0
    frame = pd.read_csv(wide)
    assert len(frame) == 3  # a row per participant at a time point
    assert set(frame["trained-workforce"]) <= {0, 1}
    cells = pd.read_csv(long, keep_default_na=False)
    assert {"participant", "code", "turns", "exemplar"} <= set(cells.columns)
    assert (cells.loc[cells["participant"] == "R-02", "exemplar"] == "").all()  # not quotable
