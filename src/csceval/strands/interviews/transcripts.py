"""Transcript readers: DOCX, TXT (``Speaker: text`` lines), WebVTT and SRT into speaker turns.

Teams and Zoom write WebVTT with voice tags (``<v Jane Smith>text</v>``, Teams with cue ids
such as ``GUID/12-0``); Zoom also writes WebVTT or SRT whose cue text starts ``Jane Smith: text``.
Consecutive cues of one speaker become one turn (start of the first cue, end of the last). A
DOCX is read from its ``word/document.xml`` (one line per paragraph), through the bounded zip and
XML readers of :mod:`~csceval.strands.interviews.archive`. Its lines (and a TXT's) are either
``Speaker: text`` lines or Teams' transcript layout: a heading paragraph with the speaker's name
and the time (``Jane Smith   1:02``, or ``0:01:02.5 --> 0:01:09.1`` followed by the name on its
own line), then the paragraphs of what they said. The Teams layout is recognised when the first
line of speech is such a heading; a heading's name must be one to five capitalised words, so
that a sentence ending in a time ("We met at 10:30") stays text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import PurePath

from csceval.errors import InputError, Problem
from csceval.strands.interviews.archive import BoundedZip, Limits, parse_xml

MAX_TEXT_BYTES = 5_000_000
MAX_DOCX_BYTES = 20_000_000
FORMATS = (".docx", ".txt", ".vtt", ".srt")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SPEAKER = re.compile(r"^\s*(?:\[[\d:.,]+\]\s*)?([A-Za-z][\w .'’-]{0,48}?)\s*:\s+(\S.*)$")
TIME = r"(?:(\d{1,3}):)?(\d{2}):(\d{2})[.,](\d{3})"
CUE_TIME = re.compile(rf"^\s*{TIME}\s*-->\s*{TIME}(?:\s.*)?$")
VOICE = re.compile(r"^<v(?:\.[\w.-]+)?\s+([^>]+)>(.*?)(?:</v>)?$", re.DOTALL)
TAG = re.compile(r"</?[a-z][^>]*>")
CLOCK = r"(?:(\d{1,2}):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?"
NAME = r"[A-Z][\w.'’-]*,?(?:\s+[A-Z(][\w.'’()-]*){0,4}"
TEAMS_HEADING = re.compile(rf"^\s*({NAME})\s+{CLOCK}\s*$")
TEAMS_ARROW = re.compile(rf"^\s*{CLOCK}\s*-->\s*{CLOCK}\s*$")


@dataclass(frozen=True)
class Turn:
    """One speaker turn: who (as written in the file), what, and when (seconds) if known."""

    speaker: str
    text: str
    start_s: float | None = None
    end_s: float | None = None


def _problem(
    code: str, message: str, file: str, row: int | None = None, value: str = "", fix: str = ""
) -> Problem:
    return Problem(code, message, file=file, row=row, value=value[:80], fix=fix)


def _decode(data: bytes, file: str) -> str:
    if len(data) > MAX_TEXT_BYTES:
        raise InputError(
            [
                _problem(
                    "CSC-E3602",
                    f"the file is {len(data):,} bytes, more than the {MAX_TEXT_BYTES:,} allowed",
                    file,
                )
            ]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            [
                _problem(
                    "CSC-E3601",
                    f"not UTF-8 text ({exc.reason})",
                    file,
                    fix="save the transcript as UTF-8 text",
                )
            ]
        ) from exc
    if "\x00" in text:
        raise InputError([_problem("CSC-E3601", "the file holds binary data", file)])
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_lines(lines: list[str], file: str) -> list[Turn]:
    """``Speaker: text`` lines; a line without a prefix continues the previous turn."""
    turns: list[Turn] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        match = SPEAKER.match(line)
        if match:
            turns.append(Turn(match.group(1).strip(), match.group(2).strip()))
        elif turns:
            turns[-1] = replace(turns[-1], text=f"{turns[-1].text} {line.strip()}")
        else:
            raise InputError(
                [
                    _problem(
                        "CSC-E3605",
                        "the first line of speech has no speaker",
                        file,
                        number,
                        line,
                        "start each turn 'Speaker: text'",
                    )
                ]
            )
    return turns


def _clock(parts: tuple[str | None, ...]) -> float:
    hours, minutes, seconds, fraction = parts
    whole = int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(seconds or 0)
    return whole + (int(fraction) / 10 ** len(fraction) if fraction else 0.0)


def parse_teams(lines: list[str]) -> list[Turn] | None:
    """Teams' transcript layout into turns (None when the lines are not in it)."""
    rows = [line.strip() for line in lines if line.strip()]
    if not rows or not (TEAMS_HEADING.match(rows[0]) or TEAMS_ARROW.match(rows[0])):
        return None
    turns: list[Turn] = []
    k = 0
    while k < len(rows):
        heading, arrow = TEAMS_HEADING.match(rows[k]), TEAMS_ARROW.match(rows[k])
        if arrow and k + 1 < len(rows):
            times = arrow.groups()
            turn = Turn(rows[k + 1], "", _clock(times[:4]), _clock(times[4:]))
            k += 2
        elif heading:
            turn = Turn(heading.group(1).strip(), "", _clock(heading.groups()[1:]))
            k += 1
        else:  # text: the turn goes on
            last = turns[-1]
            turns[-1] = replace(last, text=f"{last.text} {rows[k]}".strip())
            k += 1
            continue
        if turns and turns[-1].speaker == turn.speaker:
            turns[-1] = replace(turns[-1], end_s=turn.end_s)
        else:
            turns.append(turn)
    return [t for t in turns if t.text]


def _seconds(parts: tuple[str | None, ...]) -> float:
    hours, minutes, seconds, millis = (int(p) if p else 0 for p in parts)
    return hours * 3600 + minutes * 60 + seconds + millis / 1000


def _cue_turn(lines: list[str], start: float, end: float) -> Turn | None:
    text = " ".join(line.strip() for line in lines if line.strip())
    voice = VOICE.match(text)
    if voice:
        return Turn(voice.group(1).strip(), TAG.sub("", voice.group(2)).strip(), start, end)
    plain = TAG.sub("", text)
    match = SPEAKER.match(plain)
    if match:
        return Turn(match.group(1).strip(), match.group(2).strip(), start, end)
    return Turn("", plain.strip(), start, end) if plain.strip() else None


def parse_cues(text: str, file: str) -> list[Turn]:
    """WebVTT or SRT cues into turns, merging consecutive cues of one speaker."""
    blocks = re.split(r"\n\s*\n", text.strip())
    turns: list[Turn] = []
    row = 1
    for block in blocks:
        lines = block.split("\n")
        at = next((k for k, line in enumerate(lines) if "-->" in line), None)
        first_row, row = row, row + len(lines) + 1
        if at is None:
            continue  # WEBVTT header, NOTE or STYLE blocks
        timing = CUE_TIME.match(lines[at])
        if timing is None:
            raise InputError(
                [
                    _problem(
                        "CSC-E3606",
                        "the cue's timestamp line is malformed",
                        file,
                        first_row + at,
                        lines[at],
                        "write times as HH:MM:SS.mmm --> HH:MM:SS.mmm",
                    )
                ]
            )
        start, end = _seconds(timing.groups()[:4]), _seconds(timing.groups()[4:])
        turn = _cue_turn(lines[at + 1 :], start, end)
        if turn is None:
            continue
        if not turn.speaker:
            raise InputError(
                [
                    _problem(
                        "CSC-E3605",
                        "a cue has no speaker",
                        file,
                        first_row + at + 1,
                        turn.text,
                        "use <v Speaker> voice tags or 'Speaker: text'",
                    )
                ]
            )
        if turns and turns[-1].speaker == turn.speaker:
            last = turns[-1]
            turns[-1] = replace(last, text=f"{last.text} {turn.text}", end_s=end)
        else:
            turns.append(turn)
    return turns


def docx_paragraphs(data: bytes, file: str) -> list[str]:
    """The paragraphs of a .docx's main document, as plain text (at most ``MAX_TEXT_BYTES``)."""
    archive = BoundedZip(
        data, file, Limits(archive_bytes=MAX_DOCX_BYTES, entries=500, uncompressed_bytes=50_000_000)
    )
    if "word/document.xml" not in archive.names:
        raise InputError(
            [
                _problem(
                    "CSC-E3601",
                    "not a Word document (no word/document.xml)",
                    file,
                    fix="save the transcript as .docx from Word",
                )
            ]
        )
    root = parse_xml(archive.read("word/document.xml"), f"{file}: word/document.xml")
    out = []
    for paragraph in root.iter(f"{W}p"):
        pieces = []
        for node in paragraph.iter(f"{W}t", f"{W}tab", f"{W}br"):
            pieces.append(node.text or "" if node.tag == f"{W}t" else " ")
        out.append("".join(pieces))
    size = sum(len(p.encode("utf-8")) + 1 for p in out)
    if size > MAX_TEXT_BYTES:  # a .txt transcript's limit, whatever the format: the text is the
        # work (the web's redaction proposals); a 1 MB .docx can unpack to 37 MB of text.
        raise InputError(
            [
                _problem(
                    "CSC-E3602",
                    f"the document's text is {size:,} bytes, more than the "
                    f"{MAX_TEXT_BYTES:,} allowed (as for a .txt transcript)",
                    file,
                )
            ]
        )
    return out


def read_transcript(data: bytes, file: str) -> list[Turn]:
    """Read a transcript file into speaker turns (``InputError`` with coded problems)."""
    suffix = PurePath(file).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            [
                _problem(
                    "CSC-E3601",
                    f"unknown transcript format {suffix!r}",
                    file,
                    fix="give a .docx, .txt, .vtt or .srt file",
                )
            ]
        )
    if suffix in {".docx", ".txt"}:
        lines = (
            docx_paragraphs(data, file) if suffix == ".docx" else _decode(data, file).split("\n")
        )
        turns = parse_teams(lines) or parse_lines(lines, file)
    else:
        turns = parse_cues(_decode(data, file), file)
    if not turns:
        raise InputError(
            [
                _problem(
                    "CSC-E3605",
                    "no speaker turns found",
                    file,
                    fix="check the file holds the transcript",
                )
            ]
        )
    return turns
