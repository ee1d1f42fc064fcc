"""The DfE children in need (CIN) census XML, 2017-2026 schemas, flattened to tables.

The tables, and the schema changes handled, are declared in :mod:`csceval.data.cin_census_schema`;
the flattening (which follows ``cin_validator/ingress.py`` in
``data-to-insight/csc-validator-be-cin``) is :mod:`csceval.data.cin_census_flatten`.

Tolerant of files that do not validate against the XSD, as real exports often do not: an
element csceval does not know, a flag written ``true``/``false`` rather than ``1``/``0``, or a
code outside its list are **warnings** (CSC-E4126, CSC-E4127) and the value is kept. What makes
the tables unusable is an **error** and nothing is returned: the file is not XML or not a CIN
census (CSC-E4121, CSC-E4122), a child without ``LAchildID`` (CSC-E4123), a date that is not a
date (CSC-E4124), a CIN episode without ``CINreferralDate`` (CSC-E4125). Parsing streams with
``lxml.etree.iterparse`` over ``Child`` elements, clearing each once flattened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pandas as pd
from lxml import etree  # type: ignore[import-untyped]

from csceval.data.cin_census_checks import _MAX_ERRORS, _table
from csceval.data.cin_census_flatten import _Flattener
from csceval.data.cin_census_schema import TABLES
from csceval.errors import InputError, Problem

__all__ = ["TABLES", "CINCensus", "read_cin_census"]


@dataclass
class CINCensus:
    """A flattened CIN census file: ``header`` (collection details), tables, warnings."""

    header: dict[str, str]
    tables: dict[str, pd.DataFrame]
    warnings: list[Problem] = field(default_factory=list)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    @property
    def la_code(self) -> str:
        return self.header.get("LEA", "")


class _NotCensusError(Exception):
    """Stop reading: the file is not a CIN census."""


def _root(path: Path) -> etree._Element:
    """The root element (parsing stops at its start tag; the file is closed, which lxml does
    only at the end of the document). lxml names an open file as it names a path, so the
    messages of its errors are the same."""
    with open(str(path), "rb") as source:
        for _, elem in etree.iterparse(source, events=("start",), huge_tree=True):
            return elem
    raise etree.XMLSyntaxError("no root element", None, 0, 0)


def _stream(source: BinaryIO, flat: _Flattener, header: dict[str, str]) -> None:
    """Flatten each ``Child`` as it ends, clearing it; ``header`` gets the (last) ``Header``.
    Only Header and Child end events reach Python (lxml filters the rest in C)."""
    context = etree.iterparse(
        source,
        events=("end",),
        tag=("Header", "Child"),
        huge_tree=True,
        remove_comments=True,
        remove_pis=True,
    )
    for _, elem in context:
        tag = elem.tag
        if tag == "Child":
            flat.child(elem)
            elem.clear(keep_tail=False)
            parent = elem.getparent()
            if parent is not None:
                while elem.getprevious() is not None:
                    del parent[0]
            if len(flat.problems) > _MAX_ERRORS and flat.n_errors() > _MAX_ERRORS:
                break
        elif tag == "Header":
            header.clear()
            header.update(
                (str(e.tag), (e.text or "").strip())
                for e in elem.iter()
                if isinstance(e.tag, str) and len(e) == 0
            )


def read_cin_census(path: Path) -> CINCensus:
    """Read and flatten one CIN census XML file (all-or-nothing; warnings on the result)."""
    path = Path(path)
    flat = _Flattener(path.name)
    header: dict[str, str] = {}
    first = True
    try:
        root = _root(path)
        first = False
        if root.tag != "Message":
            flat.problem(
                "CSC-E4122",
                f"the root element is <{root.tag}>, not <Message>: not a CIN census file",
                root.sourceline,
                "",
                str(root.tag),
            )
            raise _NotCensusError
        with open(str(path), "rb") as source:  # closed also when too many errors stop it
            _stream(source, flat, header)
    except _NotCensusError:
        pass
    except (OSError, etree.XMLSyntaxError) as exc:
        flat.problem(
            "CSC-E4121",
            f"cannot read the file as XML: {exc}",
            getattr(exc, "lineno", None),
            "",
            "",
            "Check that the file is a complete CIN census XML export.",
        )
    if not flat.problems and not flat.lines["children"] and not first:
        flat.problem(
            "CSC-E4122",
            "the file has no <Child> records",
            None,
            "Children",
            "",
            "Export the census with its children.",
        )
    tables = {t: _table(t, flat.columns(t), flat) for t in TABLES}
    errors = [p for p in flat.problems if p.severity == "error"]
    if errors:
        raise InputError(flat.problems[: _MAX_ERRORS + 20])
    return CINCensus(header, tables, flat.problems)
