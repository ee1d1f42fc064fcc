"""The children's social work workforce (CSWW) census XML: header, LA vacancies, workers.

The file (see ``samples/csww/social_work_workforce_2022.xsd``) is ``Message/Header`` then
``LALevelVacancies`` then one ``CSWWWorker`` per worker. It is parsed with lxml with entity
expansion and network access off. Elements the reader does not know are kept as text columns
(schemas change by year), so a file that does not validate against the XSD is still read; what
the reader relies on is checked and reported with the element's line number.

Identifiers: ``PersonBirthDate`` is replaced by age in whole years at the reference date;
``SWENo`` (the Social Work England registration number) is pseudonymised with the caller's key
(HMAC-SHA256, as :func:`csceval.data.annex_a.pseudonym`) or dropped when no key is given.

:func:`la_measures` gives the LA-level workforce measures DfE publishes, from one census, with
DfE's definitions (formats_and_data.md 4.2): turnover = leavers FTE / employed FTE in post;
agency rate = agency FTE / (agency + employed FTE); vacancy rate = vacancies / (vacancies +
employed FTE); caseload = cases / case-holding FTE. Employed in post means a non-agency worker
with FTE > 0 and no role end date on or before the reference date; a leaver is a non-agency
worker whose role ended in the 12 months to the reference date (their FTE30 when given, else FTE).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from lxml import etree  # type: ignore[import-untyped]

from csceval.data.annex_a import MIN_KEY_BYTES, pseudonym
from csceval.errors import InputError, Problem

NUMERIC = frozenset(
    {
        "AgencyWorker",
        "FTE",
        "FTE30",
        "Cases30",
        "WorkingDaysLost",
        "ContractWeeks",
        "StepUpGrad",
        "FrontlineGrad",
        "Absat30Sept",
        "CFKSSstatus",
        "OrgRole",
        "StartOrigin",
        "LeaverDestination",
        "ReasonLeave",
        "GenderCurrent",
        "QualLevel",
    }
)
DATES = frozenset({"RoleStartDate", "RoleEndDate", "PersonBirthDate"})
VACANCIES = ("NumberOfVacancies", "NoAgencyFTE", "NoAgencyHeadcount")


@dataclass(frozen=True)
class CswwCensus:
    """One LA's census: ``la_code``, ``reference_date``, vacancies and one row per worker."""

    file: str
    la_code: str
    year: int
    reference_date: dt.date
    vacancies: dict[str, float]
    workers: pd.DataFrame


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def read_csww(path: Path, *, key: bytes | None = None) -> CswwCensus:
    """Read one CSWW census XML (all problems raised together; nothing half-read)."""
    name = str(path)
    if key is not None and len(key) < MIN_KEY_BYTES:
        raise InputError(
            [Problem("CSC-E4024", f"the key must be at least {MIN_KEY_BYTES} bytes", name)]
        )
    try:
        root = etree.parse(str(path), _parser()).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(
            [Problem("CSC-E4030", f"not well-formed XML ({exc})", name, line)]
        ) from None
    problems: list[Problem] = []
    collection = root.findtext("Header/CollectionDetails/Collection")
    if etree.QName(root).localname != "Message" or (collection or "").strip() != "CSWW":
        raise InputError(
            [
                Problem(
                    "CSC-E4031",
                    "not a CSWW census file (root Message, Collection CSWW)",
                    name,
                    root.sourceline,
                    "Collection",
                    f"{etree.QName(root).localname}/{collection}",
                )
            ]
        )
    lea = (root.findtext("Header/Source/LEA") or "").strip()
    ref_text = (root.findtext("Header/CollectionDetails/ReferenceDate") or "").strip()
    year_text = (root.findtext("Header/CollectionDetails/Year") or "").strip()
    reference = _date(ref_text)
    for element, value, ok in (
        ("Header/Source/LEA", lea, len(lea) == 3 and lea.isdigit()),
        ("Header/CollectionDetails/ReferenceDate", ref_text, reference is not None),
        ("Header/CollectionDetails/Year", year_text, year_text.isdigit()),
    ):
        if not ok:
            problems.append(
                Problem(
                    "CSC-E4033" if not value else "CSC-E4032",
                    "missing" if not value else "not a valid value",
                    name,
                    root.sourceline,
                    element,
                    value,
                )
            )
    vacancies: dict[str, float] = {}
    block = root.find("LALevelVacancies")
    for tag in VACANCIES:
        node = block.find(tag) if block is not None else None
        if node is None or not (node.text or "").strip():
            continue
        number = _number(node.text)
        if number is None:
            problems.append(
                Problem("CSC-E4032", "not a number", name, node.sourceline, tag, node.text or "")
            )
        else:
            vacancies[tag] = number
    records = []
    for worker in root.iterfind("CSWWWorker"):
        record: dict[str, object] = {"_line": worker.sourceline}
        for child in worker:
            if not isinstance(child.tag, str):
                continue
            tag, text = etree.QName(child).localname, (child.text or "").strip()
            parsed: object
            if tag in NUMERIC and text:
                parsed = _number(text)
            elif tag in DATES and text:
                parsed = _date(text)
            else:
                parsed = text or None
            if parsed is None and text:
                problems.append(
                    Problem(
                        "CSC-E4032",
                        "not a date (yyyy-mm-dd)" if tag in DATES else "not a number",
                        name,
                        child.sourceline,
                        tag,
                        text,
                    )
                )
            record[tag] = parsed
        if "FTE" not in record:
            problems.append(
                Problem("CSC-E4033", "a CSWWWorker has no FTE", name, worker.sourceline, "FTE")
            )
        records.append(record)
    if problems:
        raise InputError(problems)
    assert reference is not None
    workers = pd.DataFrame(records).drop(columns="_line")
    workers = _deidentify(workers, reference, key)
    return CswwCensus(name, lea, int(year_text), reference, vacancies, workers)


def _number(text: str | None) -> float | None:
    try:
        return float((text or "").strip())
    except ValueError:
        return None


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def _deidentify(workers: pd.DataFrame, reference: dt.date, key: bytes | None) -> pd.DataFrame:
    if "PersonBirthDate" in workers.columns:
        workers["age"] = [
            None
            if not isinstance(b, dt.date)
            else reference.year - b.year - ((reference.month, reference.day) < (b.month, b.day))
            for b in workers["PersonBirthDate"]
        ]
        workers = workers.drop(columns="PersonBirthDate")
    if "SWENo" in workers.columns:
        if key is None:
            workers = workers.drop(columns="SWENo")
        else:
            workers["SWENo"] = [None if v is None else pseudonym(key, v) for v in workers["SWENo"]]
    return workers


def la_measures(census: CswwCensus) -> dict[str, float]:
    """The LA's published-style measures from one census (percentages to 1 dp as DfE)."""
    w = census.workers
    agency = w.get("AgencyWorker", pd.Series(0.0, index=w.index)).fillna(0) == 1
    ended = pd.to_datetime(w.get("RoleEndDate", pd.Series(pd.NaT, index=w.index)))
    ref = pd.Timestamp(census.reference_date)
    fte = w["FTE"].astype("float64")
    in_post = ~agency & (fte > 0) & ~(ended <= ref)
    leavers = ~agency & (ended <= ref) & (ended > ref - pd.DateOffset(years=1))
    leaver_fte = w.get("FTE30", fte).fillna(fte)[leavers].sum()
    in_post_fte = float(fte[in_post].sum())
    agency_fte = census.vacancies.get("NoAgencyFTE", float(fte[agency].sum()))
    vacancy_fte = census.vacancies.get("NumberOfVacancies", float("nan"))
    cases = w.get("Cases30", pd.Series(0.0, index=w.index)).fillna(0)
    holders = in_post & (cases > 0)

    def pct(num: float, den: float) -> float:
        return round(100 * num / den, 1) if den > 0 else float("nan")

    return {
        "sw_fte": round(in_post_fte, 1),
        "sw_turnover_pct": pct(float(leaver_fte), in_post_fte),
        "sw_agency_pct": pct(agency_fte, agency_fte + in_post_fte),
        "sw_vacancy_pct": pct(vacancy_fte, vacancy_fte + in_post_fte),
        "sw_caseload": round(float(cases[holders].sum()) / float(fte[holders].sum()), 1)
        if fte[holders].sum() > 0
        else float("nan"),
    }
