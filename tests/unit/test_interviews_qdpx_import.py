"""``csceval qual import-qdpx`` and the REFI-QDA reader: other tools' conventions, the
codebook and speakers it writes, and hostile or broken .qdpx files (coded problems, never a
crash; fuzzed)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qual_helpers import NS, qdpx, run, small_project

from csceval.errors import InputError, Problem
from csceval.strands.interviews.qdpx_import import read_qdpx

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
        "qual",
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
    assert run("qual", "agreement", root).exit_code == 0  # the project still loads


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
    result = run("qual", "import-qdpx", tmp_path / "hand.qdpx", "--project", root)
    assert result.exit_code == 2
    assert "CSC-E3626" in result.output
    assert "mapping-tool" in result.output
    assert sorted(p.name for p in (root / "data").iterdir()) == before
