"""Memos, users and coded segments inside turns: REFI-QDA round trip and other tools' files.

Every transcript and .qdpx here is written by the tests (SYNTHETIC text, invented names).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree  # type: ignore[import-untyped]
from qual_helpers import NS, coded_project, qdpx, refi_schema, run, small_project

from csceval.errors import InputError
from csceval.strands.interviews.exchange import export_qdpx, import_qdpx
from csceval.strands.interviews.fieldwork import apply_consent
from csceval.strands.interviews.project_io import load_interviews_project

__all__ = ["refi_schema"]
Q = f"{{{NS}}}"
SEGMENTS = """transcript_id,first_turn,last_turn,code,coder,pass,start_char,end_char,coding_id,quote
INT-401-T1-1,2,2,trained-workforce,C-01,first,0,10,K-1,[PERSON-1]
INT-401-T1-1,4,4,practice-leads,C-01,first,4,17,K-2,practice lead
INT-401-T1-1,2,2,trained-workforce,C-02,second,,,,
FG-401-T1-2,2,3,aligned-supervision,C-01,first,11,13,K-3,
FG-401-T1-2,3,3,aligned-supervision,C-02,second,,,K-4,
"""
MEMOS = """memo_id,target_kind,target_id,author,text,created
M-0001,code,practice-leads,C-01,[SYNTHETIC] Leads are named in most interviews.,2026-05-01T10:00:00Z
M-0002,source,FG-401-T1-2,C-02,[SYNTHETIC] R-03 disagreed with R-02 throughout.,2026-05-02T09:30:00Z
M-0003,coding,K-3,C-01,[SYNTHETIC] Spans two turns on purpose.,2026-05-03T08:00:00Z
M-0004,project,,I-01,[SYNTHETIC] Fieldwork finished early.,2026-05-04T12:00:00Z
"""


def memo_project(tmp: Path) -> Path:
    root = coded_project(tmp)
    (root / "data" / "interview_codings.csv").write_text(SEGMENTS)
    (root / "data" / "interview_memos.csv").write_text(MEMOS)
    return root


def test_export_import_export_keeps_memos_users_and_segments(
    tmp_path: Path, refi_schema: etree.XMLSchema
) -> None:
    root = memo_project(tmp_path / "a")
    first = tmp_path / "first.qdpx"
    export_qdpx(root, first)
    archive = zipfile.ZipFile(first)
    qde = etree.fromstring(archive.read("project.qde"))
    assert refi_schema.validate(qde), refi_schema.error_log
    assert sorted(u.get("name") for u in qde.iter(f"{Q}User")) == ["C-01", "C-02", "I-01"]
    assert len(list(qde.iter(f"{Q}Note"))) == 4
    assert len(list(qde.iter(f"{Q}NoteRef"))) == 5  # the coding K-3 spans two turns
    for source in qde.iter(f"{Q}TextSource"):
        text = archive.read(f"sources/{source.get('plainTextPath')[11:]}").decode()
        found = {text[int(s.get("startPosition")) : int(s.get("endPosition"))]
                 for s in source.iter(f"{Q}PlainTextSelection")}  # fmt: skip
        if source.get("name") == "INT-401-T1-1":
            assert {"[PERSON-1]", "practice lead"} <= found
    target = small_project(tmp_path / "b")
    import_qdpx(target, first, {})
    for table in ("interview_memos", "interview_codings"):
        got, want = (load_interviews_project(p).table(table) for p in (target, root))
        if table == "interview_codings":  # segments over turns come back a selection per turn
            got, want = (apply_consent(load_interviews_project(p).tables).coded
                         for p in (target, root))  # fmt: skip
        key = list(got.columns)
        assert got.sort_values(key).astype(str).to_numpy().tolist() == (
            want[key].sort_values(key).astype(str).to_numpy().tolist()
        )
    quotes = load_interviews_project(target).table("interview_codings")["quote"]
    assert {"[PERSON-1]", "practice lead"} <= set(quotes)
    second = tmp_path / "second.qdpx"
    export_qdpx(target, second)
    assert second.read_bytes() == first.read_bytes()


CRLF_TEXT = (
    "Interviewer: [SYNTHETIC] Café 😀 talk, first?\r\n"
    "Sam Reed: The 🦊 mapping helps 𝒻ully.\r\n"
    "  It also helps Rowan Ember with planning.\r\n"
    "Lee Park: Not for me 😀 at all."
)
WANTED = ("mapping", "𝒻ully", "helps 𝒻ully.\r\n  It also", "Not for me 😀", "𝒻ully.\r\n  It")
OTHER_TOOL = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="made by hand">
 <Users><User guid="AAAAAAAA-0000-4000-8000-000000000000" name="Real Name"/>
  <User guid="AAAAAAAB-0000-4000-8000-000000000000" name="Other Name"/></Users>
 <CodeBook><Codes><Code guid="CCCCCCCC-0000-4000-8000-000000000000" name="Tools" isCodable="true">
  <NoteRef targetGUID="{{99999999-0000-4000-8000-00000000000A}}"/></Code></Codes></CodeBook>
 <Sources><TextSource guid="DDDDDDDD-0000-4000-8000-000000000000" name="FG-401-T1-2"
   plainTextPath="internal://fg.txt">{{selections}}</TextSource></Sources>
 <Notes><Note guid="99999999-0000-4000-8000-00000000000A" name="tools memo"
   creatingUser="AAAAAAAB-0000-4000-8000-000000000000"><PlainTextContent>Sam Reed thinks it
  helps.</PlainTextContent></Note>
  <Note guid="99999999-0000-4000-8000-00000000000B" name="M-77"
   creationDateTime="2026-01-02T03:04:05Z"><PlainTextContent>[SYNTHETIC] on a selection
  </PlainTextContent></Note></Notes>
</Project>"""


def other_tool_qdpx() -> bytes:
    selections = ""
    for k, wanted in enumerate(WANTED):
        start = CRLF_TEXT.index(wanted)
        note = '<NoteRef targetGUID="99999999-0000-4000-8000-00000000000B"/>' if k == 1 else ""
        selections += (
            f'<PlainTextSelection guid="EEEEEEE{k}-0000-4000-8000-000000000000" '
            f'startPosition="{start}" endPosition="{start + len(wanted)}" '
            f'creatingUser="AAAAAAA{"AB"[k % 2]}-0000-4000-8000-000000000000">'
            f'<Coding guid="FFFFFFF{k}-0000-4000-8000-000000000000">'
            '<CodeRef targetGUID="{CCCCCCCC-0000-4000-8000-000000000000}"/></Coding>'
            f"{note}</PlainTextSelection>"
        )
    qde = OTHER_TOOL.replace("{selections}", selections)
    return qdpx(qde, {"sources/fg.txt": CRLF_TEXT.encode()})


def test_another_tools_selections_keep_their_exact_text(tmp_path: Path) -> None:
    """CRLF line ends, characters outside the BMP, a continuation line, a selection over a
    line break and one with a name in it: each stored segment's text is the selection's."""
    root = small_project(tmp_path)
    (tmp_path / "hand.qdpx").write_bytes(other_tool_qdpx())
    speakers = {"Sam Reed": "R-02", "Lee Park": "R-03", "Interviewer": "I-01"}
    import_qdpx(root, tmp_path / "hand.qdpx", speakers)
    project = load_interviews_project(root)  # the contract's checks pass (offsets, quotes)
    codings = project.table("interview_codings")
    turns = project.table("transcript_turns")
    texts = dict(zip(turns["turn"], turns["text"], strict=True))
    assert texts[2] == "The 🦊 mapping helps 𝒻ully. It also helps [PERSON-1] with planning."
    got = dict(zip(codings["coder"] + codings["quote"], codings["first_turn"], strict=True))
    assert got == {
        "C-01mapping": 2,
        "C-02𝒻ully": 2,
        "C-01helps 𝒻ully. It also": 2,  # a line break inside a turn joins with a space
        "C-02Not for me 😀": 3,
        "C-01𝒻ully. It": 2,
    }
    for row in codings.itertuples():
        start, end = (None if pd.isna(v) else int(str(v)) for v in (row.start_char, row.end_char))
        assert texts[row.first_turn][start:end] == row.quote
    memos = project.table("interview_memos")
    assert set(memos["author"]) == {"C-02", "C-01"}  # names are never kept
    tools = memos[memos["target_kind"] == "code"].iloc[0]
    assert tools["target_id"] == "tools"
    assert "Sam" not in tools["text"]
    assert "[PERSON-1]" in tools["text"]
    on_selection = memos[memos["memo_id"] == "M-77"].iloc[0]
    assert on_selection["target_kind"] == "coding"
    assert on_selection["target_id"] in set(codings["coding_id"])
    assert "Real Name" not in "".join(p.read_text() for p in (root / "data").iterdir())


def test_withdrawal_removes_memos_and_the_export(tmp_path: Path) -> None:
    root = memo_project(tmp_path)
    consents = root / "data" / "interview_consents.csv"
    consents.write_text(consents.read_text().replace("R-03,1.0,2018-09-01,analysis_and_quotes,",
                                                     "R-03,1.0,2018-09-01,analysis_and_quotes,"
                                                     "2019-01-01"))  # fmt: skip
    fieldwork = apply_consent(load_interviews_project(root).tables)
    assert set(fieldwork.memos["memo_id"]) == {"M-0001", "M-0003", "M-0004"}  # M-0002 names R-03
    export_qdpx(root, tmp_path / "out.qdpx")
    archive = zipfile.ZipFile(tmp_path / "out.qdpx")
    everything = "".join(archive.read(n).decode() for n in archive.namelist())
    assert "R-03" not in everything
    assert "R-02" in everything  # the other participant stays
    assert "checklist" not in everything  # R-03's turn


def test_bad_segments_and_memos_are_coded_problems(tmp_path: Path) -> None:
    root = memo_project(tmp_path)
    codings = root / "data" / "interview_codings.csv"
    codings.write_text(SEGMENTS.replace("0,10,K-1,[PERSON-1]", "0,10,K-1,[PERSON-2]"))
    memos = root / "data" / "interview_memos.csv"
    memos.write_text(MEMOS.replace("coding,K-3", "coding,K-9").replace("2026-05-04T12", "May 4"))
    with pytest.raises(InputError) as caught:
        load_interviews_project(root)
    assert sorted(p.code for p in caught.value.problems) == ["CSC-E3627", "CSC-E3629", "CSC-E3629"]
    codings.write_text(SEGMENTS.replace("4,17,K-2,practice lead", "4,999,K-2,"))
    memos.write_text(MEMOS)
    result = run("qual", "agreement", root)
    assert result.exit_code == 2
    assert "CSC-E3627" in result.output
    assert isinstance(pd.read_csv(codings), pd.DataFrame)
