"""Flattening the CIN census ``Child`` elements into rows of the tables, as they stream past.

The flattening follows ``cin_validator/ingress.py`` (``data-to-insight/csc-validator-be-cin``):
one table per repeating block, keyed by ``LAchildID`` and ids generated while parsing
(``CINdetailsID``, ``AssessmentID``, ``CPPID``, numbered from 1 within the file). An element
csceval does not know is a warning (CSC-E4126, once per tag) and is skipped; a child without
``LAchildID`` or a CIN episode without ``CINreferralDate`` is an error. Where an element is
repeated, the last one counts.

The keys are never read from inside ``CINdetails``: an element named like a generated id, or
an ``LAchildID`` there, is skipped with that warning (as ``ingress.py`` reads only the schema's
fields), so it cannot re-key a row or break the integer ids. Factors are read only inside
``Assessments`` and reviews only inside ``ChildProtectionPlans``, whose ids they carry;
elsewhere (``Section47``, say) they are skipped with the warning, not kept without an id.

Speed (issue 24): each row is a list in its table's column order, filled by column position
(one dict lookup per element, no per-row dicts to merge and complete later), and is appended
to one flat list of cells per table, whose columns are then slices
(:meth:`_Flattener.columns`).
"""

from __future__ import annotations

from lxml import etree  # type: ignore[import-untyped]

from csceval.data.cin_census_schema import _BLOCKS, SEX_CANONICAL, TABLES
from csceval.errors import Problem

Row = list[str | int]


class _Flattener:
    """Collects rows per table while streaming; records problems with their line numbers."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.cells: dict[str, list[str | int]] = {t: [] for t in TABLES}
        """Each table's rows, one after the other (row-major)."""
        self.lines: dict[str, list[int]] = {t: [] for t in TABLES}
        self.problems: list[Problem] = []
        self.unknown: set[str] = set()
        self.n_details = self.n_assessments = self.n_cpp = 0

    def problem(
        self,
        code: str,
        msg: str,
        line: int | None,
        col: str,
        value: str,
        fix: str = "",
        severity: str = "error",
    ) -> None:
        self.problems.append(
            Problem(
                code,
                msg,
                file=self.name,
                row=line,
                column=col,
                value=value,
                fix=fix,
                severity=severity,
            )
        )

    def warn_unknown(self, elem: etree._Element, where: str = "") -> None:
        """An element skipped: not in the schemas, or (``where``) not in that block."""
        tag = str(elem.tag)
        if tag not in self.unknown:
            self.unknown.add(tag)
            self.problem(
                "CSC-E4126",
                f"element <{tag}> does not belong in <{where}>; ignored"
                if where
                else f"element <{tag}> is not in the CIN census schemas; ignored",
                elem.sourceline,
                tag,
                "",
                severity="warning",
            )

    def n_errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    def columns(self, table: str) -> list[list[str | int]]:
        """The table's columns, in its order (slices of its cells)."""
        cells, n = self.cells[table], len(TABLES[table])
        return [cells[j::n] for j in range(n)]

    def child(self, elem: etree._Element) -> None:
        row: Row = list(_BLANK["children"])
        later: list[etree._Element] = []
        for part in elem:
            tag = part.tag
            if tag == "ChildIdentifiers" or tag == "ChildCharacteristics":
                for item in part:
                    j = _CHILD_INDEX.get(item.tag)
                    if j is not None:
                        row[j] = (item.text or "").strip()
                    elif item.tag == "Disabilities":
                        later.append(item)
                    else:
                        self.warn_unknown(item)
            elif tag == "CINdetails":
                later.append(part)
            else:
                self.warn_unknown(part)
        child_id = str(row[0])
        if not child_id:
            self.problem(
                "CSC-E4123",
                "a child has no LAchildID",
                elem.sourceline,
                "LAchildID",
                "",
                "Every <Child> needs <ChildIdentifiers><LAchildID>.",
            )
            return
        raw = str(row[_SEX_RAW])
        row[_SEX] = SEX_CANONICAL.get(raw, "")
        if raw and raw not in SEX_CANONICAL:
            self.problem(
                "CSC-E4127",
                "Sex/GenderCurrent is not a known code; read as blank",
                elem.sourceline,
                "Sex",
                raw,
                severity="warning",
            )
        self.cells["children"] += row
        self.lines["children"].append(elem.sourceline or 0)
        for part in later:
            if part.tag == "Disabilities":
                cells, lines = self.cells["disabilities"], self.lines["disabilities"]
                for d in part:
                    cells += (child_id, (d.text or "").strip())
                    lines.append(d.sourceline or 0)
            else:
                self.details(part, child_id)

    def details(self, elem: etree._Element, child_id: str) -> None:
        self.n_details += 1
        details_id = self.n_details
        row: Row = list(_BLANK["cin_details"])
        row[0], row[1] = child_id, details_id
        for item in elem:
            tag = item.tag
            j = _DETAILS_INDEX.get(tag)
            if j is not None:
                row[j] = (item.text or "").strip()
            elif tag in _BLOCKS:
                self.block(_BLOCKS[tag], item, child_id, details_id)
            else:
                self.warn_unknown(item, "CINdetails" if tag == "LAchildID" else "")
        if not row[_REFERRAL]:
            self.problem(
                "CSC-E4125",
                "a CIN episode has no CINreferralDate",
                elem.sourceline,
                "CINreferralDate",
                "",
                "Add the referral date to <CINdetails>.",
            )
        self.cells["cin_details"] += row
        self.lines["cin_details"].append(elem.sourceline or 0)

    def block(self, table: str, elem: etree._Element, child_id: str, details_id: int) -> None:
        row: Row = list(_BLANK[table])
        row[0], row[1] = child_id, details_id
        if table == "assessments":
            self.n_assessments += 1
            row[2] = self.n_assessments
        elif table == "cpp":
            self.n_cpp += 1
            row[2] = self.n_cpp
        index = _INDEX[table]
        for item in elem:
            tag = item.tag
            j = index.get(tag)
            if j is not None:
                row[j] = (item.text or "").strip()
            elif tag == _LISTS.get(table):  # factors of an assessment, reviews of a plan
                listed = "assessment_factors" if table == "assessments" else "cpp_reviews"
                cells, lines = self.cells[listed], self.lines[listed]
                for f in item:  # keyed by the block's own id, row[2]
                    cells += (row[0], row[1], row[2], (f.text or "").strip())
                    lines.append(f.sourceline or 0)
            else:
                misplaced = tag == "LAchildID" or tag in _LISTED
                self.warn_unknown(item, str(elem.tag) if misplaced else "")
        self.cells[table] += row
        self.lines[table].append(elem.sourceline or 0)


_KEYS = frozenset({"LAchildID", "CINdetailsID", "AssessmentID", "CPPID"})
_INDEX = {
    t: {c: j for j, c in enumerate(cols) if t == "children" or c not in _KEYS}
    for t, cols in TABLES.items()
}
"""Each table's column positions by the tag read into them: its fields, not its keys (the
child's ``LAchildID`` and the generated ids)."""
_LISTS = {"assessments": "FactorsIdentifiedAtAssessment", "cpp": "Reviews"}
"""The lists read inside a block, into rows keyed by the block's own id."""
_LISTED = frozenset(_LISTS.values())
_BLANK = {t: ("",) * len(cols) for t, cols in TABLES.items()}
# A child's identifiers and characteristics: every column but Sex (GenderCurrent and Sex
# elements are read into SexRaw, the code as given; Sex is then the canonical code).
_CHILD_INDEX = {c: j for c, j in _INDEX["children"].items() if c != "Sex"}
_CHILD_INDEX["GenderCurrent"] = _CHILD_INDEX["Sex"] = _SEX_RAW = _INDEX["children"]["SexRaw"]
_SEX = _INDEX["children"]["Sex"]
_DETAILS_INDEX = _INDEX["cin_details"]
_REFERRAL = _DETAILS_INDEX["CINreferralDate"]
# Rows start with their keys: LAchildID, then (blocks) CINdetailsID, then their own id.
assert TABLES["children"][0] == "LAchildID"
assert all(TABLES[t][:2] == ("LAchildID", "CINdetailsID") for t in _BLOCKS.values())
assert TABLES["assessments"][2] == "AssessmentID"
assert TABLES["cpp"][2] == "CPPID"
