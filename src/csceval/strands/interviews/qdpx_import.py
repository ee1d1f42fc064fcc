"""REFI-QDA (``.qdpx``) import: a hostile-file reader into turns, codes and codings.

The archive is opened through :class:`~csceval.strands.interviews.archive.BoundedZip` (size,
entry count and total uncompressed size checked first) and ``project.qde`` parsed with no DTD,
no entities and no network. Each ``TextSource`` gives its text from ``PlainTextContent`` or from
``plainTextPath`` (``internal://NAME`` inside ``sources/``). Selections are measured in code
points on the text exactly as stored (CRLF kept), their end exclusive, and each is mapped to
the turns (``Speaker: text`` lines) it overlaps; only then are the turns de-identified.

Notes
-----
The coding pass comes from a ``pass: ...`` description (csceval's own exports); otherwise the
first user listed codes pass ``first`` and any other user pass ``second``. Users become coder
pseudonyms ``C-01``, ``C-02``, ... in the order listed (their names, which may be real, are
never kept). Codes are identified by the ``[id]`` that opens their description when present
(csceval's exports), else by a slug of their name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
from lxml import etree  # type: ignore[import-untyped]

from csceval.errors import InputError, Problem
from csceval.strands.interviews.archive import BoundedZip, parse_xml
from csceval.strands.interviews.codebook import Code
from csceval.strands.interviews.transcripts import SPEAKER, Turn

Q = "{urn:QDA-XML:project:1.0}"
ID_IN_DESCRIPTION = re.compile(r"^\[([a-z0-9][a-z0-9-]*)\]\s*")
MAX_TEXT_CHARS = 5_000_000


@dataclass(frozen=True)
class ImportedSource:
    """One text source: its name, turns (speaker labels as written) and codings by turn."""

    name: str
    turns: tuple[Turn, ...]
    codings: tuple[tuple[int, int, str, str, str], ...]
    """(first_turn, last_turn, code id, coder pseudonym, pass)."""


@dataclass(frozen=True)
class ImportedProject:
    codes: tuple[Code, ...]
    sources: tuple[ImportedSource, ...]


def _guid(value: str | None) -> str:
    """GUIDs compared as tools differ in writing them: lower case, without braces."""
    return (value or "").strip().strip("{}").lower()


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "code"


def _bad(code: str, message: str, file: str, value: str = "", fix: str = "") -> InputError:
    return InputError([Problem(code, message, file=file, value=value[:80], fix=fix)])


def _codes(parent: etree._Element, under: str | None, out: list[Code], ids: dict[str, str]) -> None:
    for element in parent.findall(f"{Q}Code"):
        name = element.get("name", "").strip() or "code"
        text = element.findtext(f"{Q}Description") or ""
        match = ID_IN_DESCRIPTION.match(text)
        code_id = match.group(1) if match else _slug(name)
        while code_id in ids.values():
            code_id += "-2"
        ids[_guid(element.get("guid"))] = code_id
        codable = element.get("isCodable", "true").lower() in {"true", "1"}
        definition = ID_IN_DESCRIPTION.sub("", text).strip() or name
        out.append(Code(code_id, name, definition, under, codable))
        _codes(element, code_id, out, ids)


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


def _source(
    element: etree._Element,
    archive: BoundedZip,
    file: str,
    codes: dict[str, str],
    users: dict[str, tuple[str, str]],
) -> ImportedSource:
    name = element.get("name", "") or element.get("guid", "")
    text = _text(element, archive, file)
    if len(text) > MAX_TEXT_CHARS:
        raise _bad("CSC-E3602", "a source text is too long", file, name)
    turns: list[Turn] = []
    spans: list[tuple[int, int]] = []
    for start, end, line in _lines(text):
        match = SPEAKER.match(line)
        if match:
            turns.append(Turn(match.group(1).strip(), match.group(2).strip()))
            spans.append((start, end))
        elif turns and line.strip():
            turns[-1] = Turn(turns[-1].speaker, f"{turns[-1].text} {line.strip()}")
            spans[-1] = (spans[-1][0], end)
    if not turns:
        raise _bad("CSC-E3605", "a source has no 'Speaker: text' turns", file, name)
    codings = []
    for sel in element.findall(f"{Q}PlainTextSelection"):
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
        hit = [k + 1 for k, (a, b) in enumerate(spans) if a < max(end, start + 1) and start < b]
        description = sel.findtext(f"{Q}Description") or ""
        for coding in sel.findall(f"{Q}Coding"):
            ref = coding.find(f"{Q}CodeRef")
            target = "" if ref is None else _guid(ref.get("targetGUID"))
            if target not in codes:
                raise _bad("CSC-E3632", "a coding refers to an unknown code", file, target)
            user = _guid(coding.get("creatingUser") or sel.get("creatingUser"))
            coder, default_pass = users.get(user, ("C-01", "first"))
            pass_ = description.removeprefix("pass: ").strip()
            pass_ = pass_ if pass_ in {"first", "second", "reconciled"} else default_pass
            if hit:
                codings.append((hit[0], hit[-1], codes[target], coder, pass_))
    return ImportedSource(name, tuple(turns), tuple(sorted(set(codings))))


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
    users = {
        _guid(u.get("guid")): (f"C-{k:02d}", "first" if k == 1 else "second")
        for k, u in enumerate(root.iterfind(f"{Q}Users/{Q}User"), start=1)
    }
    codes: list[Code] = []
    ids: dict[str, str] = {}
    book = root.find(f"{Q}CodeBook/{Q}Codes")
    if book is not None:
        _codes(book, None, codes, ids)
    sources = tuple(
        _source(s, archive, file, ids, users) for s in root.iterfind(f"{Q}Sources/{Q}TextSource")
    )
    return ImportedProject(tuple(codes), sources)


def codings_frame(transcript_id: str, source: ImportedSource) -> pd.DataFrame:
    """A source's codings as rows of data/interview_codings.csv."""
    return pd.DataFrame(
        [
            {
                "transcript_id": transcript_id,
                "first_turn": f,
                "last_turn": last,
                "code": c,
                "coder": coder,
                "pass": p,
            }
            for f, last, c, coder, p in source.codings
        ],
        columns=["transcript_id", "first_turn", "last_turn", "code", "coder", "pass"],
    )
