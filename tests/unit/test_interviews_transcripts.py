"""Transcript readers (TXT, VTT, SRT, DOCX), hostile files, and de-identification.

Every transcript here is invented for the tests (SYNTHETIC); no real person is named.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csceval.errors import InputError, Problem
from csceval.strands.interviews.archive import BoundedZip, Limits, parse_xml
from csceval.strands.interviews.codebook import parse_codebook, parse_topic_guide
from csceval.strands.interviews.deidentify import Redactor, residual_identifiers
from csceval.strands.interviews.names import NameLists, parse_names
from csceval.strands.interviews.transcripts import MAX_TEXT_BYTES, read_transcript

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TXT = b"Interviewer: [SYNTHETIC] How did the training go?\nPat Quill: It went well.\n"
TXT += b"We used the mapping tool.\n\nInterviewer: Thank you.\n"
VTT = """WEBVTT

1
00:00:01.000 --> 00:00:04.500
<v Interviewer>[SYNTHETIC] How did the training go?</v>

2
00:00:05.000 --> 00:00:07.000
<v Pat Quill>It went well.</v>

3
00:00:07.000 --> 00:01:09.250
<v Pat Quill>We used the mapping tool.</v>
"""
SRT = """1
00:00:01,000 --> 00:00:04,500
Interviewer: [SYNTHETIC] How did the training go?

2
00:00:05,000 --> 00:00:07,000
Pat Quill: It went well.
"""


def docx(paragraphs: list[str], extra: dict[str, bytes] | None = None, head: str = "") -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    xml = (
        f'<?xml version="1.0"?>{head}<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", xml)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buffer.getvalue()


def problems_of(data: bytes, name: str) -> list[Problem]:
    """The problems reading raises (none when the file reads)."""
    try:
        read_transcript(data, name)
    except InputError as exc:
        return exc.problems
    return []


def codes(exc: pytest.ExceptionInfo[InputError]) -> set[str]:
    return {p.code for p in exc.value.problems}


def test_txt_turns_with_continuation_lines() -> None:
    turns = read_transcript(TXT, "t.txt")
    assert [t.speaker for t in turns] == ["Interviewer", "Pat Quill", "Interviewer"]
    assert turns[1].text == "It went well. We used the mapping tool."


def test_vtt_voice_tags_merge_one_speakers_cues_with_times() -> None:
    turns = read_transcript(VTT.encode(), "teams.vtt")
    assert [t.speaker for t in turns] == ["Interviewer", "Pat Quill"]
    assert turns[1].text == "It went well. We used the mapping tool."
    assert (turns[1].start_s, turns[1].end_s) == (5.0, 69.25)


def test_srt_speaker_prefixes_and_crlf() -> None:
    turns = read_transcript(SRT.replace("\n", "\r\n").encode(), "zoom.srt")
    assert [(t.speaker, t.start_s) for t in turns] == [("Interviewer", 1.0), ("Pat Quill", 5.0)]


def test_docx_paragraphs_are_read_as_turns() -> None:
    turns = read_transcript(docx(["Interviewer: Hello.", "Pat Quill: Hi there."]), "t.docx")
    assert [t.text for t in turns] == ["Hello.", "Hi there."]


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"just words without a speaker", "t.txt", "CSC-E3605"),
        (b"\xff\xfe\x00bad", "t.txt", "CSC-E3601"),
        (b"", "t.txt", "CSC-E3605"),
        (b"x", "t.pdf", "CSC-E3601"),
        (b"WEBVTT\n\n00:00:01 --> 00:00:02\n<v A>x</v>\n", "t.vtt", "CSC-E3606"),
        (b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nno speaker\n", "t.vtt", "CSC-E3605"),
        (b"not a zip", "t.docx", "CSC-E3603"),
    ],
)
def test_broken_transcripts_are_coded_problems(data: bytes, name: str, code: str) -> None:
    with pytest.raises(InputError) as exc:
        read_transcript(data, name)
    assert code in codes(exc)
    assert all(p.file == name for p in exc.value.problems)


def test_docx_zip_bomb_is_refused_before_decompressing() -> None:
    bomb = docx(["A: x"], {"word/media/big.bin": b"\0" * 60_000_000})
    assert len(bomb) < 1_000_000
    with pytest.raises(InputError) as exc:
        read_transcript(bomb, "bomb.docx")
    assert codes(exc) == {"CSC-E3603"}


def test_a_docx_holds_no_more_text_than_a_txt_transcript() -> None:
    """A 1 MB .docx could unpack to 37 MB of text and keep the web's upload busy for 15 s of
    CPU (2026-12-07); its text is held to the .txt limit (CSC-E3602)."""
    turn = "Interviewer: " + "how did the training go " * 40
    small = docx([turn] * (MAX_TEXT_BYTES // len(turn) - 10))
    assert problems_of(small, "t.docx") == []
    large = docx([turn] * (MAX_TEXT_BYTES // len(turn) + 10))
    assert len(large) < MAX_TEXT_BYTES // 20
    assert [p.code for p in problems_of(large, "t.docx")] == ["CSC-E3602"]


def test_too_many_entries_and_a_lying_header_are_refused() -> None:
    many = docx(["A: x"], {f"f{i}": b"" for i in range(20)})
    with pytest.raises(InputError):
        BoundedZip(many, "many.zip", Limits(entries=10))
    archive = BoundedZip(docx(["A: x"]), "ok.zip")
    archive.zip.getinfo("word/document.xml").file_size = 10  # the header now lies
    with pytest.raises(InputError) as exc:
        archive.read("word/document.xml")
    assert codes(exc) == {"CSC-E3603"}


def test_xxe_and_entity_expansion_are_refused() -> None:
    head = '<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    with pytest.raises(InputError) as exc:
        read_transcript(docx(["A: &x;"], head=head), "xxe.docx")
    assert codes(exc) == {"CSC-E3604"}
    laughs = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><r>&b;</r>'
    with pytest.raises(InputError):
        parse_xml(laughs, "lol.xml")


@settings(deadline=None, max_examples=150)
@given(st.binary(max_size=400), st.sampled_from(["t.txt", "t.vtt", "t.srt", "t.docx"]))
def test_readers_never_crash_on_arbitrary_bytes(data: bytes, name: str) -> None:
    assert all(p.code.startswith("CSC-E36") for p in problems_of(data, name))


@settings(deadline=None, max_examples=150)
@given(st.text(max_size=300))
def test_cue_reader_never_crashes_on_arbitrary_text(text: str) -> None:
    assert all(
        p.code.startswith("CSC-E36") for p in problems_of(f"WEBVTT\n\n{text}".encode(), "t.vtt")
    )


NAMES = NameLists(("Pat Quill", "Rowan Ember"), ("Fernleigh",), {"Pat Quill": "R-01"})


def test_names_places_and_patterns_are_replaced_and_recorded() -> None:
    redactor = Redactor(NAMES)
    text, found = redactor.redact(
        1,
        "Pat met Rowan Ember at Fernleigh on 3 May 2019; email pat.q@example.org, "
        "ring 07700 900123, postcode ZZ9 9ZZ, NHS 943 476 5919, at 14 Elm Tree Road. Quill agreed.",
    )
    for gone in ("Pat", "Rowan", "Fernleigh", "Quill", "example.org", "07700"):
        assert gone not in text
    for tag in ("[PERSON-1]", "[PERSON-2]", "[PLACE]"):
        assert tag in text
    kinds = {r.kind for r in found}
    assert kinds == {
        "person",
        "place",
        "date",
        "email",
        "phone",
        "address",
        "postcode",
        "nhs_number",
    }
    assert residual_identifiers(text) == []
    again, _ = redactor.redact(2, "Rowan said so.")
    assert again == "[PERSON-2] said so."  # numbered consistently within the transcript


def test_names_file_is_parsed_and_checked() -> None:
    names = parse_names(b'people = ["Pat Quill"]\nplaces = []\n[speakers]\n"Pat Quill" = "R-01"\n')
    assert names.speakers == {"Pat Quill": "R-01"}
    for bad in (b"people = 3", b'[speakers]\nx = "Pat"', b"nope = 1", b"=="):
        with pytest.raises(InputError) as exc:
            parse_names(bad)
        assert codes(exc) == {"CSC-E3611"}


@settings(deadline=None, max_examples=200)
@given(
    st.lists(
        st.sampled_from(["Pat Quill", "Rowan Ember", "Fernleigh", "quill", "ROWAN"]), max_size=6
    ),
    st.lists(st.text(alphabet="abc .,;:!?'-\n", max_size=12), min_size=7, max_size=7),
)
def test_no_listed_name_survives_redaction(names: list[str], fillers: list[str]) -> None:
    text = "".join(f"{f} {n} " for f, n in zip(fillers, [*names, ""], strict=False))
    redacted, _ = Redactor(NAMES).redact(1, text)
    lowered = redacted.lower()
    for name in ("pat", "quill", "rowan", "ember", "fernleigh"):
        assert name not in lowered.replace("[person-", "").replace("[place]", "")


@settings(deadline=None, max_examples=150)
@given(
    st.lists(
        st.sampled_from(
            [
                'id = "a"',
                'version = "1"',
                'title = "t"',
                "[[codes]]",
                "[[sections]]",
                'id = "x"',
                'title = "X"',
                'definition = "d"',
                'parent = "x"',
                "codable = 3",
                'questions = ["q?"]',
                "questions = [1]",
                "toc_nodes = 2",
                "people = []",
                'places = ["P"]',
                "[speakers]",
                'A = "R-1"',
                "B = 2",
                "codes = 1",
                "x = {",
            ]
        ),
        max_size=12,
    )
)
def test_declared_file_parsers_never_crash(lines: list[str]) -> None:
    data = "\n".join(lines).encode()
    allowed = {"CSC-E3611", "CSC-E3612", "CSC-E3613", "CSC-E3614"}
    for parse in (parse_codebook, parse_topic_guide, parse_names):
        found: set[str] = set()
        try:
            parse(data, "f.toml")
        except InputError as exc:
            found = {p.code for p in exc.problems}
        assert found <= allowed


TEAMS_DOCX = [
    "Interviewer   0:03",
    "[SYNTHETIC] How has supervision changed since the training?",
    "Sam Reed   0:09",
    "We map cases together now.",
    "We met at 10:30 every week, which helped.",
    "Sam Reed   0:41",
    "It took a while.",
    "Interviewer   1:02:05",
    "Thank you.",
]


def test_teams_docx_layout_becomes_speaker_turns() -> None:
    turns = read_transcript(docx(TEAMS_DOCX), "teams.docx")
    assert [(t.speaker, t.start_s) for t in turns] == [
        ("Interviewer", 3.0),
        ("Sam Reed", 9.0),  # the two headings of one speaker make one turn
        ("Interviewer", 3725.0),
    ]
    assert turns[1].text == (
        "We map cases together now. We met at 10:30 every week, which helped. It took a while."
    )


def test_teams_arrow_layout_and_zoom_voice_tags() -> None:
    arrow = [
        "0:0:0.0 --> 0:0:4.250",
        "Interviewer",
        "[SYNTHETIC] Tell me about the tools.",
        "0:0:4.250 --> 0:0:9.5",
        "Lee Park",
        "The three houses tool works with younger children.",
    ]
    turns = read_transcript(docx(arrow), "old-teams.docx")
    assert [(t.speaker, t.start_s, t.end_s) for t in turns] == [
        ("Interviewer", 0.0, 4.25),
        ("Lee Park", 4.25, 9.5),
    ]
    zoom = (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500\n<v Lee Park>[SYNTHETIC] The tools</v>\n\n"
        "2\n00:00:02.500 --> 00:00:05.000\n<v Lee Park>help a lot.</v>\n\n"
        "3\n00:00:05.000 --> 00:00:06.000\n<v Interviewer>Thanks.</v>\n"
    )
    turns = read_transcript(zoom.encode(), "zoom.vtt")
    assert [(t.speaker, t.text, t.start_s, t.end_s) for t in turns] == [
        ("Lee Park", "[SYNTHETIC] The tools help a lot.", 1.0, 5.0),
        ("Interviewer", "Thanks.", 5.0, 6.0),
    ]
    plain = read_transcript(docx(["Pat Quill: We met at 10:30.", "It helped."]), "p.docx")
    assert [(t.speaker, t.text) for t in plain] == [("Pat Quill", "We met at 10:30. It helped.")]
