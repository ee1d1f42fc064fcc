"""REFI-QDA (QDA-XML 1.0) project export: ``project.qde`` plus ``sources/`` in a ``.qdpx`` zip.

Conventions, as QualCoder and other tools write them: each transcript is a ``TextSource`` whose
plain text is stored as ``sources/<guid>.txt`` and referenced by
``plainTextPath="internal://<guid>.txt"``; a coded run of turns is a ``PlainTextSelection``
whose ``startPosition`` and ``endPosition`` count Unicode code points in that text, the end
exclusive (``text[start:end]``); its ``Coding`` names the code and the coder (a ``User``). The
plain text is one line per turn, ``SPEAKER: text``, with LF line ends. Coders are users named by
pseudonym; the selection's ``Description`` keeps the coding pass (``pass: first``). GUIDs are
derived from ids (UUID 5), so exporting twice gives the same file. Only de-identified text is
exported, after withdrawals are applied.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass

import pandas as pd
from lxml import etree  # type: ignore[import-untyped]

from csceval.strands.interviews.codebook import Codebook
from csceval.strands.interviews.fieldwork import Fieldwork

NS = "urn:QDA-XML:project:1.0"
Q = f"{{{NS}}}"
GUID_ROOT = uuid.UUID("5b2f3c1e-8d1a-4e0b-9c77-1a2b3c4d5e6f")
STAMP = "2000-01-01T00:00:00Z"


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


def _codes(parent: etree._Element, codebook: Codebook, under: str | None) -> None:
    for code in (c for c in codebook.codes if c.parent == under):
        element = etree.SubElement(
            parent,
            f"{Q}Code",
            guid=guid("code", code.id),
            name=code.title,
            isCodable="true" if code.codable else "false",
        )
        etree.SubElement(element, f"{Q}Description").text = f"[{code.id}] {code.definition}"
        _codes(element, codebook, code.id)


def project_xml(
    fieldwork: Fieldwork, codebook: Codebook, name: str
) -> tuple[bytes, dict[str, str]]:
    """``project.qde`` and the source texts by archive path."""
    root = etree.Element(
        f"{Q}Project", nsmap={None: NS}, name=name, origin="csceval", creationDateTime=STAMP
    )
    coders = sorted(set(fieldwork.coded["coder"]))
    users = etree.SubElement(root, f"{Q}Users")
    for coder in coders or ["C-00"]:
        etree.SubElement(users, f"{Q}User", guid=guid("user", coder), name=coder)
    book = etree.SubElement(root, f"{Q}CodeBook")
    _codes(etree.SubElement(book, f"{Q}Codes"), codebook, None)
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
        mine = coded[coded["transcript_id"] == tid].sort_values(["turn", "code", "coder"])
        for turn, code, coder, pass_ in mine[["turn", "code", "coder", "pass"]].itertuples(
            index=False
        ):
            start, end = src.spans[int(turn)]
            key = f"{tid}:{turn}:{code}:{coder}:{pass_}"
            sel = etree.SubElement(
                element,
                f"{Q}PlainTextSelection",
                guid=guid("sel", key),
                name=f"turn {turn}",
                startPosition=str(start),
                endPosition=str(end),
                creatingUser=guid("user", coder),
            )
            etree.SubElement(sel, f"{Q}Description").text = f"pass: {pass_}"
            coding = etree.SubElement(
                sel, f"{Q}Coding", guid=guid("coding", key), creatingUser=guid("user", coder)
            )
            etree.SubElement(coding, f"{Q}CodeRef", targetGUID=guid("code", str(code)))
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
