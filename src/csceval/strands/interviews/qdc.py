"""REFI-QDA codebook exchange (``.qdc``): the codes alone, as QDA-XML codebook 1.0.

A ``.qdc`` is one XML document whose root is ``CodeBook`` in the ``urn:QDA-XML:codebook:1.0``
namespace, holding the same ``Codes``/``Code`` types as a project (REFI's codebook schema reuses
the project schema's types). Codes nest as the hierarchy does; each ``Description`` is
``[id] definition`` with a line per inclusion, exclusion, example and theory-of-change box, so
csceval reads back every field while other tools show the text. GUIDs are UUID 5 of the code ids,
as in the project export, so a code keeps its GUID across both files. The codebook's version and
change log stay in ``interviews/codebook.toml``: the codebook schema has no place for them.
"""

from __future__ import annotations

from pathlib import PurePath

from lxml import etree  # type: ignore[import-untyped]

from csceval.errors import InputError, Problem
from csceval.strands.interviews.archive import parse_xml
from csceval.strands.interviews.codebook import Code, Codebook
from csceval.strands.interviews.qdpx_export import code_elements
from csceval.strands.interviews.qdpx_import import Refs, code_tree

QDC_NS = "urn:QDA-XML:codebook:1.0"
QC = f"{{{QDC_NS}}}"
MAX_QDC_BYTES = 5_000_000


def qdc_bytes(codebook: Codebook) -> bytes:
    """The codebook as a ``.qdc`` document (deterministic bytes)."""
    root = etree.Element(f"{QC}CodeBook", nsmap={None: QDC_NS})
    code_elements(etree.SubElement(root, f"{QC}Codes"), codebook, None, None, QC)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True))


def read_qdc(data: bytes, file: str) -> Codebook:
    """Read a ``.qdc`` (CSC-E3604 for unsafe or broken XML, CSC-E3616 for the wrong shape)."""
    if len(data) > MAX_QDC_BYTES:
        raise InputError(
            [Problem("CSC-E3602", f"the file is more than {MAX_QDC_BYTES:,} bytes", file=file)]
        )
    root = parse_xml(data, file)
    codes: list[Code] = []
    book = root.find(f"{QC}Codes") if root.tag == f"{QC}CodeBook" else None
    if book is not None:
        refs: Refs = {}
        code_tree(book, None, codes, {}, refs, QC)
    if not codes:
        raise InputError(
            [
                Problem(
                    "CSC-E3616",
                    "not a REFI-QDA codebook with codes",
                    file=file,
                    value=str(root.tag)[:80],
                    fix="export the codebook again as .qdc (QDA-XML codebook 1.0)",
                )
            ]
        )
    title = f"Codebook imported from {PurePath(file).name}"
    return Codebook("imported", "1.0", title, tuple(codes))
