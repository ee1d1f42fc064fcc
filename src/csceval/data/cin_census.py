"""The DfE children in need (CIN) census XML, 2017-2026 schemas, flattened to tables.

The flattening follows ``cin_validator/ingress.py`` (``data-to-insight/csc-validator-be-cin``):
one table per repeating block, keyed by ``LAchildID`` and ids generated while parsing
(``CINdetailsID``, ``AssessmentID``, ``CPPID``, numbered from 1 within the file). Schema changes
handled: ``GenderCurrent`` (1/2/0/9, to 2024) became ``Sex`` (M/F/U, from 2025) and both are
read into a canonical ``Sex`` (1 -> M, 2 -> F, 0 and 9 -> U; the code as given is in
``SexRaw``); ``CINPlanDates`` (from the 2022 schema); the 2026/27 ``PreProceedingsandFGDM`` block.

Tolerant of files that do not validate against the XSD, as real exports often do not: an
element csceval does not know, a flag written ``true``/``false`` rather than ``1``/``0``, or a
code outside its list are **warnings** (CSC-E4126, CSC-E4127) and the value is kept. What makes
the tables unusable is an **error** and nothing is returned: the file is not XML or not a CIN
census (CSC-E4121, CSC-E4122), a child without ``LAchildID`` (CSC-E4123), a date that is not a
date (CSC-E4124), a CIN episode without ``CINreferralDate`` (CSC-E4125). Parsing streams with
``lxml.etree.iterparse`` over ``Child`` elements, clearing each once flattened.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from lxml import etree  # type: ignore[import-untyped]

from csceval.errors import InputError, Problem

TABLES: dict[str, tuple[str, ...]] = {
    "children": (
        "LAchildID",
        "UPN",
        "FormerUPN",
        "UPNunknown",
        "PersonBirthDate",
        "ExpectedPersonBirthDate",
        "Sex",
        "SexRaw",
        "PersonDeathDate",
        "Ethnicity",
    ),
    "disabilities": ("LAchildID", "Disability"),
    "cin_details": (
        "LAchildID",
        "CINdetailsID",
        "CINreferralDate",
        "ReferralSource",
        "PrimaryNeedCode",
        "CINclosureDate",
        "ReasonForClosure",
        "DateOfInitialCPC",
        "ReferralNFA",
    ),
    "assessments": (
        "LAchildID",
        "CINdetailsID",
        "AssessmentID",
        "AssessmentActualStartDate",
        "AssessmentInternalReviewDate",
        "AssessmentAuthorisationDate",
    ),
    "assessment_factors": ("LAchildID", "CINdetailsID", "AssessmentID", "AssessmentFactors"),
    "cin_plans": ("LAchildID", "CINdetailsID", "CINPlanStartDate", "CINPlanEndDate"),
    "section47": (
        "LAchildID",
        "CINdetailsID",
        "S47ActualStartDate",
        "InitialCPCtarget",
        "DateOfInitialCPC",
        "ICPCnotRequired",
    ),
    "cpp": (
        "LAchildID",
        "CINdetailsID",
        "CPPID",
        "CPPstartDate",
        "CPPendDate",
        "InitialCategoryOfAbuse",
        "LatestCategoryOfAbuse",
        "NumberOfPreviousCPP",
    ),
    "cpp_reviews": ("LAchildID", "CINdetailsID", "CPPID", "CPPreviewDate"),
    "pre_proceedings": (
        "LAchildID",
        "CINdetailsID",
        "PPStartDate",
        "LBPSentDate",
        "FGDMMeetingOffer",
        "FGDMMeetingFac",
        "InitialPPMeetingDate",
        "ReviewMeetingsCount",
        "StepDecisionDate",
        "PPOutcome",
        "CourtAppDate",
        "LetterInitCPDate",
    ),
}
"""The flattened tables and their columns."""

DATE_FIELDS = frozenset(
    c for cols in TABLES.values() for c in cols if "Date" in c or c == "InitialCPCtarget"
)
FLAG_FIELDS = frozenset({"ReferralNFA", "ICPCnotRequired"})
"""0/1 fields; ``true``/``false`` (any case) is read with a warning."""
_FLAGS = {"0": False, "1": True, "false": False, "true": True}
SEX_CANONICAL = {"1": "M", "2": "F", "0": "U", "9": "U", "M": "M", "F": "F", "U": "U"}
_MAX_ERRORS = 200

_FIELDS = {t: frozenset(cols) for t, cols in TABLES.items()}
_BLOCKS = {
    "Assessments": "assessments",
    "CINPlanDates": "cin_plans",
    "Section47": "section47",
    "ChildProtectionPlans": "cpp",
    "PreProceedingsandFGDM": "pre_proceedings",
}


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
                    if item.tag == "Disabilities":
                        later.append(item)
                    elif item.tag in ("GenderCurrent", "Sex"):
                        ident["SexRaw"] = (item.text or "").strip()
                    elif item.tag in _FIELDS["children"]:
                        ident[item.tag] = (item.text or "").strip()
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
            if tag in _BLOCKS:
                self.block(_BLOCKS[tag], item, key)
            elif tag in _FIELDS["cin_details"]:
                own[tag] = (item.text or "").strip()
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
        self.add("cin_details", own, elem.sourceline)

    def block(self, table: str, elem: etree._Element, key: dict[str, str | int]) -> None:
        values = dict(key)
        if table == "assessments":
            self.n_assessments += 1
            values["AssessmentID"] = self.n_assessments
        elif table == "cpp":
            self.n_cpp += 1
            values["CPPID"] = self.n_cpp
        for item in elem:
            tag = item.tag
            if tag == "FactorsIdentifiedAtAssessment":
                for f in item:
                    self.add(
                        "assessment_factors",
                        {**values, "AssessmentFactors": (f.text or "").strip()},
                        f.sourceline,
                    )
            elif tag == "Reviews":
                for r in item:
                    self.add(
                        "cpp_reviews",
                        {**values, "CPPreviewDate": (r.text or "").strip()},
                        r.sourceline,
                    )
            elif tag in _FIELDS[table]:
                values[tag] = (item.text or "").strip()
            else:
                self.warn_unknown(item)
        self.add(table, values, elem.sourceline)


class _NotCensusError(Exception):
    """Stop reading: the file is not a CIN census."""


def _root(path: Path) -> etree._Element:
    """The root element (parsing stops at its start tag)."""
    for _, elem in etree.iterparse(str(path), events=("start",), huge_tree=True):
        return elem
    raise etree.XMLSyntaxError("no root element", None, 0, 0)


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
        # Only Header and Child end events reach Python (lxml filters the rest in C).
        context = etree.iterparse(
            str(path),
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
                header = {
                    str(e.tag): (e.text or "").strip()
                    for e in elem.iter()
                    if isinstance(e.tag, str) and len(e) == 0
                }
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
    if not flat.problems and not flat.rows["children"] and not first:
        flat.problem(
            "CSC-E4122",
            "the file has no <Child> records",
            None,
            "Children",
            "",
            "Export the census with its children.",
        )
    tables = {
        t: pd.DataFrame.from_records(flat.rows[t], columns=list(TABLES[t])).fillna("")
        for t in TABLES
    }
    for t in TABLES:
        _convert(t, tables[t], flat.lines[t], flat)
    errors = [p for p in flat.problems if p.severity == "error"]
    if errors:
        raise InputError(flat.problems[: _MAX_ERRORS + 20])
    return CINCensus(header, tables, flat.problems)


def _convert(table: str, frame: pd.DataFrame, lines: list[int], flat: _Flattener) -> None:
    for col in frame.columns:
        values = frame[col]
        if col in DATE_FIELDS:
            parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
            bad = (values != "") & parsed.isna()
            for i in bad.to_numpy().nonzero()[0][:_MAX_ERRORS]:
                if _calendar_date(str(values.iat[i])):
                    flat.problem(
                        "CSC-E4127",
                        f"{col} is a date outside 1678-2261; read as blank",
                        lines[i],
                        col,
                        str(values.iat[i]),
                        severity="warning",
                    )
                else:
                    flat.problem(
                        "CSC-E4124",
                        f"{col} is not a date",
                        lines[i],
                        col,
                        str(values.iat[i]),
                        "Write dates as YYYY-MM-DD.",
                    )
            frame[col] = parsed
        elif col in FLAG_FIELDS:
            lowered = values.str.lower()
            _warn_where(
                flat,
                lines,
                col,
                values,
                ~lowered.isin(["", "0", "1"]),
                f"{col} should be 0 or 1; read as a flag where possible",
            )
            frame[col] = lowered.map(_FLAGS).astype("boolean")
        elif col in ("NumberOfPreviousCPP", "ReviewMeetingsCount"):
            numbers = pd.to_numeric(values.where(values != ""), errors="coerce")
            _warn_where(
                flat,
                lines,
                col,
                values,
                (values != "") & numbers.isna(),
                f"{col} is not a whole number; read as blank",
            )
            frame[col] = numbers.astype("Int64")
        elif col.endswith("ID") and col != "LAchildID":
            frame[col] = pd.to_numeric(values).astype("int64")


def _calendar_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _warn_where(
    flat: _Flattener, lines: list[int], col: str, values: pd.Series, mask: pd.Series, msg: str
) -> None:
    seen: set[str] = set()
    for i in mask.to_numpy().nonzero()[0]:
        value = str(values.iat[i])
        if value not in seen:  # one warning per distinct value
            seen.add(value)
            flat.problem("CSC-E4127", msg, lines[i], col, value, severity="warning")
