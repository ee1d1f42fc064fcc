"""REFI-QDA (QDA-XML 1.0) project export: ``project.qde`` plus ``sources/`` in a ``.qdpx`` zip.

Conventions, as QualCoder and other tools write them: each transcript is a ``TextSource`` whose
plain text is stored as ``sources/<guid>.txt`` and referenced by
``plainTextPath="internal://<guid>.txt"``; a coded run of turns is a ``PlainTextSelection``
whose ``startPosition`` and ``endPosition`` count Unicode code points in that text, the end
exclusive (``text[start:end]``); its ``Coding`` names the code and the coder (a ``User``). The
plain text is one line per turn, ``SPEAKER: text``, with LF line ends; a segment inside a turn
starts and ends at its offsets in the turn's words, and a segment over several turns is a
selection per turn. Coders and memo authors are users named by pseudonym; the selection's
``Description`` keeps the coding pass (``pass: first``) and the coding's id (``id: K-1``).
Memos are ``<Notes>`` (a ``Note`` with ``PlainTextContent``, its author and time), referred to
by a ``<NoteRef>`` in what they are about: the code, the text source, each ``Coding`` of the
coding, or the project. GUIDs are derived from ids (UUID 5), so exporting twice gives the same
file. Only de-identified text is exported, after withdrawals are applied.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass

import pandas as pd
from lxml import etree  # type: ignore[import-untyped]

from csceval.strands.interviews.codebook import Code, Codebook
from csceval.strands.interviews.fieldwork import Fieldwork
from csceval.strands.interviews.segments import blank

NS = "urn:QDA-XML:project:1.0"
Q = f"{{{NS}}}"
GUID_ROOT = uuid.UUID("5b2f3c1e-8d1a-4e0b-9c77-1a2b3c4d5e6f")
STAMP = "2000-01-01T00:00:00Z"
LABELS = ("Include", "Exclude", "Example", "Theory-of-change box")


def guid(kind: str, key: str) -> str:
    """A stable GUID for an object of a kind (same id, same GUID)."""
    return str(uuid.uuid5(GUID_ROOT, f"{kind}:{key}"))


@dataclass(frozen=True)
class SourceText:
    """A transcript as one plain text, with each turn's span of code points."""

    text: str
    spans: dict[int, tuple[int, int]]


def source_text(turns: pd.DataFrame) -> SourceText:
    """The plain text of a transcript's turns and where each turn's words lie in it."""
    pieces, spans, at = [], {}, 0
    for turn, speaker, text in turns[["turn", "speaker", "text"]].itertuples(index=False):
        head = f"{speaker}: "
        spans[int(turn)] = (at + len(head), at + len(head) + len(text))
        pieces.append(head + text)
        at += len(head) + len(text) + 1
    return SourceText("\n".join(pieces), spans)


def _note_refs(element: etree._Element, memos: pd.DataFrame, kind: str, target: str) -> None:
    mine = memos[(memos["target_kind"] == kind) & (memos["target_id"].fillna("") == target)]
    for memo_id in sorted(mine["memo_id"]):
        etree.SubElement(element, f"{Q}NoteRef", targetGUID=guid("memo", str(memo_id)))


def describe(code: Code) -> str:
    """A code's ``Description``: ``[id] definition``, then a line per criterion given."""
    lines = [f"[{code.id}] {code.definition}"]
    for label, value in zip(LABELS, (code.include, code.exclude, code.example, code.toc_node),
                            strict=True):  # fmt: skip
        lines += [f"{label}: {value}"] if value else []
    return "\n".join(lines)


def code_elements(
    parent: etree._Element,
    codebook: Codebook,
    under: str | None,
    memos: pd.DataFrame | None = None,
    q: str = Q,
) -> None:
    """``<Code>`` elements for the codes under ``under``, nested as the hierarchy is."""
    for code in (c for c in codebook.codes if c.parent == under):
        element = etree.SubElement(
            parent,
            f"{q}Code",
            guid=guid("code", code.id),
            name=code.title,
            isCodable="true" if code.codable else "false",
        )
        etree.SubElement(element, f"{q}Description").text = describe(code)
        if memos is not None:
            _note_refs(element, memos, "code", code.id)
        code_elements(element, codebook, code.id, memos, q)


def _selections(
    element: etree._Element, tid: str, src: SourceText, coded: pd.DataFrame, memos: pd.DataFrame
) -> None:
    columns = ["turn", "code", "coder", "pass", "start_char", "end_char", "coding_id"]
    for turn, code, coder, pass_, a, b, cid in coded[columns].itertuples(index=False):
        start, end = src.spans[int(turn)]
        key = f"{tid}:{turn}:{code}:{coder}:{pass_}"
        if not (blank(a) and blank(b)):
            key += f":{'' if blank(a) else int(a)}-{'' if blank(b) else int(b)}"
            start, end = (
                start if blank(a) else start + int(a),
                end if blank(b) else src.spans[int(turn)][0] + int(b),
            )
        sel = etree.SubElement(
            element,
            f"{Q}PlainTextSelection",
            guid=guid("sel", key),
            name=f"turn {turn}",
            startPosition=str(start),
            endPosition=str(end),
            creatingUser=guid("user", coder),
        )
        description = f"pass: {pass_}" + ("" if blank(cid) else f"\nid: {cid}")
        etree.SubElement(sel, f"{Q}Description").text = description
        coding = etree.SubElement(
            sel, f"{Q}Coding", guid=guid("coding", key), creatingUser=guid("user", coder)
        )
        etree.SubElement(coding, f"{Q}CodeRef", targetGUID=guid("code", str(code)))
        if not blank(cid):
            _note_refs(coding, memos, "coding", str(cid))


def _notes(root: etree._Element, memos: pd.DataFrame) -> None:
    if memos.empty:
        return
    notes = etree.SubElement(root, f"{Q}Notes")
    for memo in memos.sort_values("memo_id").itertuples(index=False):
        note = etree.SubElement(
            notes,
            f"{Q}Note",
            guid=guid("memo", str(memo.memo_id)),
            name=str(memo.memo_id),
            creatingUser=guid("user", str(memo.author)),
            creationDateTime=str(memo.created),
        )
        etree.SubElement(note, f"{Q}PlainTextContent").text = str(memo.text)


def project_xml(
    fieldwork: Fieldwork, codebook: Codebook, name: str
) -> tuple[bytes, dict[str, str]]:
    """``project.qde`` and the source texts by archive path."""
    root = etree.Element(
        f"{Q}Project", nsmap={None: NS}, name=name, origin="csceval", creationDateTime=STAMP
    )
    memos = fieldwork.memos
    people = sorted(set(fieldwork.coded["coder"]) | set(memos["author"]))
    users = etree.SubElement(root, f"{Q}Users")
    for person in people or ["C-00"]:
        etree.SubElement(users, f"{Q}User", guid=guid("user", person), name=person)
    book = etree.SubElement(root, f"{Q}CodeBook")
    code_elements(etree.SubElement(book, f"{Q}Codes"), codebook, None, memos)
    sources = etree.SubElement(root, f"{Q}Sources")
    texts: dict[str, str] = {}
    known = {c.id for c in codebook.codes}
    coded = fieldwork.coded[fieldwork.coded["code"].isin(known)]
    for tid, turns in fieldwork.turns.groupby("transcript_id", sort=True):
        src = source_text(turns.sort_values("turn"))
        sguid = guid("source", str(tid))
        texts[f"sources/{sguid}.txt"] = src.text
        element = etree.SubElement(
            sources,
            f"{Q}TextSource",
            guid=sguid,
            name=str(tid),
            plainTextPath=f"internal://{sguid}.txt",
        )
        mine = coded[coded["transcript_id"] == tid]
        mine = mine.sort_values(["turn", "code", "coder", "pass", "start_char", "end_char"])
        _selections(element, str(tid), src, mine, memos)
        _note_refs(element, memos, "source", str(tid))
    _notes(root, memos)
    _note_refs(root, memos, "project", "")
    xml = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return xml, texts


def qdpx_bytes(fieldwork: Fieldwork, codebook: Codebook, name: str = "csceval interviews") -> bytes:
    """The whole ``.qdpx`` archive (deterministic bytes for the same project)."""
    xml, texts = project_xml(fieldwork, codebook, name)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in (("project.qde", xml), *((p, t.encode()) for p, t in texts.items())):
            info = zipfile.ZipInfo(path, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()
