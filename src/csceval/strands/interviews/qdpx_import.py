"""REFI-QDA (``.qdpx``) import: a hostile-file reader into turns, codes and codings.

The archive is opened through :class:`~csceval.strands.interviews.archive.BoundedZip` (size,
entry count and total uncompressed size checked first) and ``project.qde`` parsed with no DTD,
no entities and no network. Each ``TextSource`` gives its text from ``PlainTextContent`` or from
``plainTextPath`` (``internal://NAME`` inside ``sources/``). Selections are measured in code
points on the text exactly as stored (CRLF kept), their end exclusive, and each is mapped to
the turns (``Speaker: text`` lines) it overlaps; only then are the turns de-identified.

Notes
-----
The coding pass comes from a ``pass: ...`` line of the selection's description (csceval's own
exports, with ``id: ...`` for the coding's id); otherwise the first user listed codes pass
``first`` and any other user pass ``second``. A user whose name is a pseudonym (``C-...``,
``I-...``) keeps it; any other becomes ``C-01``, ``C-02``, ... in the order listed (names, which
may be real, are never kept). Codes are identified by the ``[id]`` that opens their description
when present (csceval's exports), else by a slug of their name. Each selection keeps its exact
span: its start and end are moved from the source text onto the turn's text (past the speaker
prefix, line breaks and CRs; see :mod:`~csceval.strands.interviews.segments`). Memos are the
project's ``<Notes>``: each ``<Note>`` is a memo on whatever holds a ``<NoteRef>`` to it (a
code, a source, a selection or coding, or the project); a coding a memo refers to gets an id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

import pandas as pd
from lxml import etree  # type: ignore[import-untyped]

from csceval.errors import InputError, Problem
from csceval.strands.interviews.archive import BoundedZip, parse_xml
from csceval.strands.interviews.checks import PATTERNS
from csceval.strands.interviews.codebook import Code
from csceval.strands.interviews.qdpx_export import LABELS
from csceval.strands.interviews.segments import OffsetMap, Piece, segment_text, to_turn
from csceval.strands.interviews.tables import CODINGS
from csceval.strands.interviews.transcripts import SPEAKER, Turn

Q = "{urn:QDA-XML:project:1.0}"
ID_IN_DESCRIPTION = re.compile(r"^\[([a-z0-9][a-z0-9-]*)\]\s*")
MAX_TEXT_CHARS = 5_000_000
STAMP = "2000-01-01T00:00:00Z"


@dataclass(frozen=True)
class ImportedSegment:
    """A coded selection: turns, offsets in the first and last turn's text (None: the whole
    turn's edge), code, coder, pass, and the coding's id when it has one."""

    first_turn: int
    last_turn: int
    start_char: int | None
    end_char: int | None
    code: str
    coder: str
    pass_: str
    coding_id: str | None = None


@dataclass(frozen=True)
class ImportedMemo:
    """A ``<Note>``: its id, target, author pseudonym, text as written and creation time."""

    memo_id: str
    target_kind: str
    target_id: str
    author: str
    text: str
    created: str


@dataclass(frozen=True)
class ImportedSource:
    """One text source: its name, turns (speaker labels as written) and codings by turn."""

    name: str
    turns: tuple[Turn, ...]
    codings: tuple[tuple[int, int, str, str, str], ...]
    """(first_turn, last_turn, code id, coder pseudonym, pass)."""
    segments: tuple[ImportedSegment, ...] = ()


@dataclass(frozen=True)
class ImportedProject:
    codes: tuple[Code, ...]
    sources: tuple[ImportedSource, ...]
    memos: tuple[ImportedMemo, ...] = ()
    users: tuple[str, ...] = ()


def _guid(value: str | None) -> str:
    """GUIDs compared as tools differ in writing them: lower case, without braces."""
    return (value or "").strip().strip("{}").lower()


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "code"


def _bad(code: str, message: str, file: str, value: str = "", fix: str = "") -> InputError:
    return InputError([Problem(code, message, file=file, value=value[:80], fix=fix)])


def parse_description(text: str, name: str) -> dict[str, str]:
    """A code's id (empty if none), definition and criteria from its ``Description``."""
    match = ID_IN_DESCRIPTION.match(text)
    fields = dict.fromkeys(("include", "exclude", "example", "toc_node"), "")
    keys = dict(zip(LABELS, fields, strict=True))
    body = []
    for line in ID_IN_DESCRIPTION.sub("", text).splitlines():
        label, _, value = line.partition(": ")
        if label in keys and value.strip():
            fields[keys[label]] = value.strip()
        else:
            body.append(line)
    definition = "\n".join(body).strip() or name
    return {"id": match.group(1) if match else "", "definition": definition, **fields}


def code_tree(
    parent: etree._Element,
    under: str | None,
    out: list[Code],
    ids: dict[str, str],
    refs: Refs,
    q: str = Q,
) -> None:
    """Codes nested under ``parent`` (GUID -> id in ``ids``; memo references in ``refs``)."""
    for element in parent.findall(f"{q}Code"):
        name = element.get("name", "").strip() or "code"
        fields = parse_description(element.findtext(f"{q}Description") or "", name)
        code_id = fields.pop("id") or _slug(name)
        while code_id in ids.values():
            code_id += "-2"
        ids[_guid(element.get("guid"))] = code_id
        codable = element.get("isCodable", "true").lower() in {"true", "1"}
        out.append(Code(code_id, name, parent=under, codable=codable, **fields))
        _refer(element, "code", code_id, refs)
        code_tree(element, code_id, out, ids, refs, q)


def _text(source: etree._Element, archive: BoundedZip, file: str) -> str:
    content = source.findtext(f"{Q}PlainTextContent")
    if content is not None:
        return str(content)
    path = source.get("plainTextPath", "")
    entry = "sources/" + path.removeprefix("internal://")
    if not path.startswith("internal://") or ".." in path or entry not in archive.names:
        raise _bad(
            "CSC-E3633",
            "a text source has no readable text",
            file,
            source.get("name", ""),
            "export the project again with its sources",
        )
    data = archive.read(entry)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _bad("CSC-E3633", "a source text is not UTF-8", file, entry) from exc


def _lines(text: str) -> list[tuple[int, int, str]]:
    """(start, end, line) for each line, with offsets in the text as stored."""
    out, at = [], 0
    for line in text.split("\n"):
        out.append((at, at + len(line), line.rstrip("\r")))
        at += len(line) + 1
    return out


Refs = dict[str, list[tuple[str, str]]]
"""Note GUID -> the (kind, target) of each element that refers to it."""


def _refer(element: etree._Element, kind: str, target: str, refs: Refs) -> None:
    for ref in element.findall(f"{Q}NoteRef"):
        refs.setdefault(_guid(ref.get("targetGUID")), []).append((kind, target))


def _turns(text: str) -> tuple[list[Turn], list[list[Piece]]]:
    """The ``Speaker: text`` turns and, for each, where its words lie in the source text."""
    turns: list[Turn] = []
    pieces: list[list[Piece]] = []
    for start, _end, line in _lines(text):
        match = SPEAKER.match(line)
        if match:
            words = match.group(2).strip()
            at = start + match.start(2)
            turns.append(Turn(match.group(1).strip(), words))
            pieces.append([Piece(at, at + len(words), 0)])
        elif turns and line.strip():
            words, at = line.strip(), start + len(line) - len(line.lstrip())
            joined = len(turns[-1].text) + 1
            turns[-1] = Turn(turns[-1].speaker, f"{turns[-1].text} {words}")
            pieces[-1].append(Piece(at, at + len(words), joined))
    return turns, pieces


def _selection(
    sel: etree._Element,
    text: str,
    pieces: list[list[Piece]],
    turns: list[Turn],
    where: tuple[str, str],
) -> tuple[int, int, int | None, int | None] | None:
    """The turns a selection covers and its offsets in their text (None: no turn)."""
    file, name = where
    try:
        start, end = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
    except ValueError as exc:
        raise _bad(
            "CSC-E3632", "a selection's positions are not whole numbers", file, name
        ) from exc
    if not 0 <= start <= end <= len(text):
        raise _bad(
            "CSC-E3632",
            f"a selection ({start}-{end}) lies outside the text of {len(text)} characters",
            file,
            name,
            "export the project again",
        )
    spans = [(p[0].source_start, p[-1].source_end) for p in pieces]
    hit = [k for k, (a, b) in enumerate(spans) if a < max(end, start + 1) and start < b]
    if not hit:
        return None
    first, last = hit[0], hit[-1]
    a, b = to_turn(pieces[first], start, False), to_turn(pieces[last], end, True)
    if first == last and b < a:
        b = a
    return first + 1, last + 1, a or None, None if b == len(turns[last].text) else b


def _source(
    element: etree._Element,
    archive: BoundedZip,
    file: str,
    codes: dict[str, str],
    users: dict[str, tuple[str, str]],
    refs: Refs,
) -> ImportedSource:
    name = element.get("name", "") or element.get("guid", "")
    text = _text(element, archive, file)
    if len(text) > MAX_TEXT_CHARS:
        raise _bad("CSC-E3602", "a source text is too long", file, name)
    turns, pieces = _turns(text)
    if not turns:
        raise _bad("CSC-E3605", "a source has no 'Speaker: text' turns", file, name)
    _refer(element, "source", name, refs)
    segments = []
    for sel in element.findall(f"{Q}PlainTextSelection"):
        span = _selection(sel, text, pieces, turns, (file, name))
        fields = dict(
            line.split(":", 1)
            for line in (sel.findtext(f"{Q}Description") or "").splitlines()
            if ":" in line
        )
        fields = {k.strip(): v.strip() for k, v in fields.items()}
        for coding in sel.findall(f"{Q}Coding"):
            ref = coding.find(f"{Q}CodeRef")
            target = "" if ref is None else _guid(ref.get("targetGUID"))
            if target not in codes:
                raise _bad("CSC-E3632", "a coding refers to an unknown code", file, target)
            user = _guid(coding.get("creatingUser") or sel.get("creatingUser"))
            coder, default_pass = users.get(user, ("C-01", "first"))
            pass_ = fields.get("pass", "")
            pass_ = pass_ if pass_ in {"first", "second", "reconciled"} else default_pass
            coding_id = fields.get("id") or None
            noted = coding.findall(f"{Q}NoteRef") + sel.findall(f"{Q}NoteRef")
            if noted and coding_id is None:
                coding_id = "K-" + _guid(coding.get("guid"))[:8]
            if coding_id:
                _refer(coding, "coding", coding_id, refs)
                _refer(sel, "coding", coding_id, refs)
            if span:
                segments.append(ImportedSegment(*span, codes[target], coder, pass_, coding_id))
    codings = sorted({(s.first_turn, s.last_turn, s.code, s.coder, s.pass_) for s in segments})
    return ImportedSource(name, tuple(turns), tuple(codings), tuple(dict.fromkeys(segments)))


def _users(root: etree._Element) -> dict[str, tuple[str, str]]:
    """User GUID -> (pseudonym, default pass); real names are never kept."""
    out: dict[str, tuple[str, str]] = {}
    for k, user in enumerate(root.iterfind(f"{Q}Users/{Q}User"), start=1):
        name = (user.get("name") or "").strip()
        own = PATTERNS["C"].match(name) or PATTERNS["I"].match(name)
        out[_guid(user.get("guid"))] = (
            name if own else f"C-{k:02d}",
            "first" if k == 1 else "second",
        )
    return out


def _memos(
    root: etree._Element, users: dict[str, tuple[str, str]], refs: Refs
) -> list[ImportedMemo]:
    memos: list[ImportedMemo] = []
    for k, note in enumerate(root.iterfind(f"{Q}Notes/{Q}Note"), start=1):
        name = (note.get("name") or "").strip()
        memo_id = name if re.fullmatch(r"M-[A-Za-z0-9-]{1,32}", name) else f"M-{k:04d}"
        author = users.get(_guid(note.get("creatingUser")), ("C-01", ""))[0]
        text = (note.findtext(f"{Q}PlainTextContent") or "").strip()
        created = note.get("creationDateTime") or STAMP
        targets = refs.get(_guid(note.get("guid")), [("project", "")])
        kind, target = targets[0]
        if text:
            memos.append(ImportedMemo(memo_id, kind, target, author, text, created))
    return memos


def read_qdpx(data: bytes, file: str) -> ImportedProject:
    """Read a ``.qdpx`` (coded problems for anything wrong; nothing is written here)."""
    archive = BoundedZip(data, file)
    if "project.qde" not in archive.names:
        raise _bad(
            "CSC-E3631",
            "the archive has no project.qde",
            file,
            fix="give a .qdpx exported by a QDA program",
        )
    root = parse_xml(archive.read("project.qde"), f"{file}: project.qde")
    if root.tag != f"{Q}Project":
        raise _bad("CSC-E3631", "project.qde is not a QDA-XML 1.0 project", file, str(root.tag))
    users = _users(root)
    refs: Refs = {}
    _refer(root, "project", "", refs)
    codes: list[Code] = []
    ids: dict[str, str] = {}
    book = root.find(f"{Q}CodeBook/{Q}Codes")
    if book is not None:
        code_tree(book, None, codes, ids, refs)
    sources = tuple(
        _source(s, archive, file, ids, users, refs)
        for s in root.iterfind(f"{Q}Sources/{Q}TextSource")
    )
    names = tuple(sorted({u for u, _ in users.values()}))
    coded = {seg.coding_id for src in sources for seg in src.segments}
    memos = tuple(  # a memo on a selection that covers no turn is kept, about the project
        m if m.target_kind != "coding" or m.target_id in coded
        else replace(m, target_kind="project", target_id="")
        for m in _memos(root, users, refs)
    )  # fmt: skip
    return ImportedProject(tuple(codes), sources, memos, names)


def codings_frame(
    transcript_id: str, source: ImportedSource, texts: Mapping[int, str] | None = None
) -> pd.DataFrame:
    """A source's codings as rows of data/interview_codings.csv.

    ``texts`` (turn number -> de-identified text, as stored) moves each segment's offsets from
    the text as written onto the stored text and records the segment's text as ``quote``.
    """
    rows = []
    for s in source.segments:
        start, end, quote = s.start_char, s.end_char, None
        if texts is not None:
            maps = [
                OffsetMap.of(source.turns[n - 1].text, texts[n])
                for n in (s.first_turn, s.last_turn)
            ]
            start = None if start is None else maps[0].start(start)
            end = None if end is None else maps[1].end(end)
            quote = segment_text(texts, s.first_turn, s.last_turn, start, end)
        rows.append(
            {
                "transcript_id": transcript_id,
                "first_turn": s.first_turn,
                "last_turn": s.last_turn,
                "code": s.code,
                "coder": s.coder,
                "pass": s.pass_,
                "start_char": start,
                "end_char": end,
                "coding_id": s.coding_id,
                "quote": quote,
            }
        )
    frame = pd.DataFrame(rows, columns=list(CODINGS.column_names))
    return frame.astype({"start_char": "Int64", "end_char": "Int64"})
