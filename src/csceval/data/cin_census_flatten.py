"""Flattening the CIN census ``Child`` elements into rows of the tables, as they stream past.

The flattening follows ``cin_validator/ingress.py`` (``data-to-insight/csc-validator-be-cin``):
one table per repeating block, keyed by ``LAchildID`` and ids generated while parsing
(``CINdetailsID``, ``AssessmentID``, ``CPPID``, numbered from 1 within the file). An element
csceval does not know is a warning (once per tag) and is skipped; a child without
``LAchildID`` or a CIN episode without ``CINreferralDate`` is an error.
"""

from __future__ import annotations

from lxml import etree  # type: ignore[import-untyped]

from csceval.data.cin_census_schema import _BLOCKS, _FIELDS, SEX_CANONICAL, TABLES
from csceval.errors import Problem


class _Flattener:
    """Collects rows per table while streaming; records problems with their line numbers."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.rows: dict[str, list[dict[str, str | int]]] = {t: [] for t in TABLES}
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

    def warn_unknown(self, elem: etree._Element) -> None:
        tag = str(elem.tag)
        if tag not in self.unknown:
            self.unknown.add(tag)
            self.problem(
                "CSC-E4126",
                f"element <{tag}> is not in the CIN census schemas; ignored",
                elem.sourceline,
                tag,
                "",
                severity="warning",
            )

    def n_errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    def add(self, table: str, values: dict[str, str | int], line: int | None) -> None:
        self.rows[table].append(values)
        self.lines[table].append(line or 0)

    def child(self, elem: etree._Element) -> None:
        ident: dict[str, str | int] = {}
        later: list[etree._Element] = []
        for part in elem:
            tag = part.tag
            if tag == "ChildIdentifiers" or tag == "ChildCharacteristics":
                for item in part:
                    itag = item.tag
                    if itag in _CHILD_FIELDS:
                        ident[itag] = (item.text or "").strip()
                    elif itag == "Disabilities":
                        later.append(item)
                    elif itag == "GenderCurrent" or itag == "Sex":
                        ident["SexRaw"] = (item.text or "").strip()
                    else:
                        self.warn_unknown(item)
            elif tag == "CINdetails":
                later.append(part)
            else:
                self.warn_unknown(part)
        child_id = str(ident.get("LAchildID", ""))
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
        raw = str(ident.get("SexRaw", ""))
        ident["Sex"] = SEX_CANONICAL.get(raw, "")
        if raw and raw not in SEX_CANONICAL:
            self.problem(
                "CSC-E4127",
                "Sex/GenderCurrent is not a known code; read as blank",
                elem.sourceline,
                "Sex",
                raw,
                severity="warning",
            )
        self.add("children", ident, elem.sourceline)
        for part in later:
            if part.tag == "Disabilities":
                for d in part:
                    self.add(
                        "disabilities",
                        {"LAchildID": child_id, "Disability": (d.text or "").strip()},
                        d.sourceline,
                    )
            else:
                self.details(part, child_id)

    def details(self, elem: etree._Element, child_id: str) -> None:
        self.n_details += 1
        key: dict[str, str | int] = {"LAchildID": child_id, "CINdetailsID": self.n_details}
        own = dict(key)
        for item in elem:
            tag = item.tag
            if tag in _DETAILS_FIELDS:
                own[tag] = (item.text or "").strip()
            elif tag in _BLOCKS:
                self.block(_BLOCKS[tag], item, key)
            else:
                self.warn_unknown(item)
        if not own.get("CINreferralDate"):
            self.problem(
                "CSC-E4125",
                "a CIN episode has no CINreferralDate",
                elem.sourceline,
                "CINreferralDate",
                "",
                "Add the referral date to <CINdetails>.",
            )
        self.rows["cin_details"].append(own)
        self.lines["cin_details"].append(elem.sourceline or 0)

    def block(self, table: str, elem: etree._Element, key: dict[str, str | int]) -> None:
        values = dict(key)
        if table == "assessments":
            self.n_assessments += 1
            values["AssessmentID"] = self.n_assessments
        elif table == "cpp":
            self.n_cpp += 1
            values["CPPID"] = self.n_cpp
        fields = _FIELDS[table]
        for item in elem:
            tag = item.tag
            if tag in fields:
                values[tag] = (item.text or "").strip()
            elif tag == "FactorsIdentifiedAtAssessment":
                rows, lines = self.rows["assessment_factors"], self.lines["assessment_factors"]
                for f in item:
                    rows.append({**values, "AssessmentFactors": (f.text or "").strip()})
                    lines.append(f.sourceline or 0)
            elif tag == "Reviews":
                for r in item:
                    self.add(
                        "cpp_reviews",
                        {**values, "CPPreviewDate": (r.text or "").strip()},
                        r.sourceline,
                    )
            else:
                self.warn_unknown(item)
        self.rows[table].append(values)
        self.lines[table].append(elem.sourceline or 0)


_CHILD_FIELDS = _FIELDS["children"] - {"Sex"}
_DETAILS_FIELDS = _FIELDS["cin_details"]
