"""A simulated LA's yearly returns: CIN census and SSDA903 tables, and their files.

A CIN census of year Y holds every episode open at some time in the year (1 April to 31 March)
with what was known on 31 March: a closure, an authorisation, a conference or a plan's end after
31 March is blank, and a plan that starts after it is absent. An SSDA903 return holds the
periods of care open in the year, likewise. So one episode appears in several censuses, as in
real returns, and the cohort builder must take each episode's latest version.
:func:`cin_tables` and :func:`ssda903_tables` give the tables as the readers return them (for
recovery studies that skip the files); :func:`la_files` writes the same tables as files.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from csceval.data.ssda903 import TABLES as SSDA903_TABLES
from csceval.strands.child_impact.cohorts import YearReturns
from csceval.strands.child_impact.returns import CIN_FILE, RETURNS_FOLDER
from csceval.strands.child_impact.simulate_model import NEEDS, window
from csceval.strands.child_impact.simulate_records import LaRecords


@dataclass(frozen=True)
class _Arrays:
    """One LA's records as numpy columns with each child's identifier, converted once for all
    its years (pandas indexing per year and table cost more than the data: 112 LA-years)."""

    episodes: dict[str, np.ndarray]
    episode_ids: np.ndarray
    factors: list[list[str]]
    children: dict[str, np.ndarray]
    child_ids: np.ndarray
    care: dict[str, np.ndarray]
    care_rows: np.ndarray  # each period of care's row in ``children``


def _columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    return {str(c): frame[c].to_numpy() for c in frame.columns}


def child_ids(la_code: str, children: np.ndarray) -> np.ndarray:
    """The ``LAchildID`` (and SSDA903 ``CHILD``) the returns give each simulated child."""
    return np.array([f"{la_code}C{c:07d}" for c in children.tolist()], object)


def _arrays(rec: LaRecords) -> _Arrays:
    children = _columns(rec.children)
    order = np.argsort(children["child"], kind="stable")
    ids = child_ids(rec.la_code, children["child"])
    episodes = _columns(rec.episodes)
    care = _columns(rec.care)

    def rows(child: np.ndarray) -> np.ndarray:
        return np.asarray(order[np.searchsorted(children["child"], child, sorter=order)])

    return _Arrays(
        episodes,
        ids[rows(episodes["child"])],
        [str(f).split("|") for f in episodes["factors"].tolist()],
        children,
        ids,
        care,
        rows(care["child"]),
    )


def _known(dates: np.ndarray, end: np.datetime64) -> np.ndarray:
    """The dates known on ``end`` (later ones blank), as the readers type them."""
    return np.where(dates <= end, dates, np.datetime64("NaT")).astype("M8[ns]")


def _ns(dates: np.ndarray) -> np.ndarray:
    return dates.astype("M8[ns]")


def cin_tables(rec: LaRecords, year: int) -> dict[str, pd.DataFrame]:
    """The CIN census tables of ``year`` (the columns the strand reads, typed as the reader)."""
    return _cin_tables(_arrays(rec), year)


def _cin_tables(la: _Arrays, year: int) -> dict[str, pd.DataFrame]:
    lo, hi = window(year)
    e = la.episodes
    open_ = np.flatnonzero((e["ref"] <= hi) & (e["close"] >= lo))
    ep = {c: v[open_] for c, v in e.items()}
    ids = la.episode_ids[open_]
    detail_ids = np.arange(1, len(open_) + 1)
    details = pd.DataFrame(
        {
            "LAchildID": ids,
            "CINdetailsID": detail_ids,
            "CINreferralDate": _ns(ep["ref"]),
            "PrimaryNeedCode": np.array(NEEDS)[ep["need"]],
            "CINclosureDate": _known(ep["close"], hi),
            "ReferralNFA": pd.array(ep["nfa"], dtype="boolean"),
        }
    )
    has_a = ep["assessed"] <= hi
    assessment_ids = np.arange(1, int(has_a.sum()) + 1)
    assessments = pd.DataFrame(
        {
            "LAchildID": ids[has_a],
            "CINdetailsID": detail_ids[has_a],
            "AssessmentID": assessment_ids,
            "AssessmentActualStartDate": _ns(ep["assessed"][has_a]),
            "AssessmentAuthorisationDate": _known(ep["authorised"][has_a], hi),
        }
    )
    codes = [la.factors[i] for i in open_[has_a]]
    counts = np.array([len(c) for c in codes], dtype=np.int64)
    factors = pd.DataFrame(
        {
            "LAchildID": np.repeat(ids[has_a], counts),
            "CINdetailsID": np.repeat(detail_ids[has_a], counts),
            "AssessmentID": np.repeat(assessment_ids, counts),
            "AssessmentFactors": np.array([f for c in codes for f in c], dtype=object),
        }
    )
    has_s = ep["s47"] <= hi
    section47 = pd.DataFrame(
        {
            "LAchildID": ids[has_s],
            "CINdetailsID": detail_ids[has_s],
            "S47ActualStartDate": _ns(ep["s47"][has_s]),
            "DateOfInitialCPC": _known(ep["icpc"][has_s], hi),
        }
    )
    has_p = ep["cpp_start"] <= hi
    cpp = pd.DataFrame(
        {
            "LAchildID": ids[has_p],
            "CINdetailsID": detail_ids[has_p],
            "CPPID": np.arange(1, int(has_p.sum()) + 1),
            "CPPstartDate": _ns(ep["cpp_start"][has_p]),
            "CPPendDate": _known(ep["cpp_end"][has_p], hi),
            "NumberOfPreviousCPP": pd.array(ep["cpp_previous"][has_p], dtype="Int64"),
        }
    )
    c = la.children
    kids = np.isin(c["child"], ep["child"])
    disabled = kids & c["disabled"]
    return {
        "children": pd.DataFrame(
            {
                "LAchildID": la.child_ids[kids],
                "PersonBirthDate": _ns(c["dob"][kids]),
                "Sex": c["sex"][kids],
                "Ethnicity": c["ethnicity"][kids],
            }
        ),
        "disabilities": pd.DataFrame({"LAchildID": la.child_ids[disabled], "Disability": "MOB"}),
        "cin_details": details,
        "assessments": assessments,
        "assessment_factors": factors,
        "section47": section47,
        "cpp": cpp,
    }


def ssda903_tables(rec: LaRecords, year: int) -> dict[str, pd.DataFrame]:
    """The SSDA903 ``header`` and ``episodes`` of ``year`` (one episode per period of care)."""
    return _ssda903_tables(_arrays(rec), year)


def _ssda903_tables(la: _Arrays, year: int) -> dict[str, pd.DataFrame]:
    lo, hi = window(year)
    care = la.care
    open_ = (care["decom"] <= hi) & (care["dec"] >= lo)
    rows = la.care_rows[open_]
    ids = la.child_ids[rows]
    header = pd.DataFrame(
        {
            "CHILD": ids,
            "SEX": np.where(la.children["sex"][rows] == "M", "1", "2"),
            "DOB": _ns(la.children["dob"][rows]),
            "ETHNIC": la.children["ethnicity"][rows],
        }
    )
    dec = _known(care["dec"][open_], hi)
    episodes = pd.DataFrame(
        {
            "CHILD": ids,
            "DECOM": _ns(care["decom"][open_]),
            "RNE": "S",
            "LS": "C2",
            "CIN": "N1",
            "PLACE": "U1",
            "PLACE_PROVIDER": "PR1",
            "DEC": dec,
            "REC": np.where(np.isnat(dec), "", care["rec"][open_]),
        }
    )
    return {
        "header": header.reindex(columns=list(SSDA903_TABLES["header"]), fill_value=""),
        "episodes": episodes.reindex(columns=list(SSDA903_TABLES["episodes"]), fill_value=""),
    }


def _texts(values: pd.Series) -> list[str]:
    """Cell texts ("" when blank; dates as YYYY-MM-DD)."""
    array = values.to_numpy()
    if np.issubdtype(array.dtype, np.datetime64):
        days = np.datetime_as_string(array.astype("M8[D]"))
        return ["" if d == "NaT" else d for d in days.tolist()]
    return ["" if pd.isna(v) else str(v) for v in array.tolist()]


def _tags(tag: str, values: pd.Series) -> list[str]:
    return [f"<{tag}>{v}</{tag}>" if v else "" for v in _texts(values)]


def _joined(keys: pd.Series, parts: list[str]) -> dict[object, str]:
    """``parts`` concatenated per key (in row order)."""
    out: dict[object, str] = {}
    for key, part in zip(keys.tolist(), parts, strict=True):
        out[key] = out.get(key, "") + part
    return out


def _blocks(frame: pd.DataFrame, tag: str, fields: tuple[str, ...]) -> dict[object, str]:
    """Each episode's blocks of ``tag`` as XML, by CINdetailsID."""
    columns = [_tags(f, frame[f]) for f in fields]
    parts = [f"<{tag}>{''.join(cells)}</{tag}>" for cells in zip(*columns, strict=True)]
    return _joined(frame["CINdetailsID"], parts) if parts else {}


def cin_xml(tables: dict[str, pd.DataFrame], la_code: str, year: int) -> str:
    """The CIN census XML of the tables (``GenderCurrent`` 1/2 before 2025, ``Sex`` after)."""
    af = tables["assessment_factors"]
    factors = _joined(af["CINdetailsID"], _tags("AssessmentFactors", af["AssessmentFactors"]))
    a = tables["assessments"]
    a = a.assign(FactorsIdentifiedAtAssessment=[factors.get(k, "") for k in a["CINdetailsID"]])
    blocks = [
        _blocks(
            a,
            "Assessments",
            (
                "AssessmentActualStartDate",
                "AssessmentAuthorisationDate",
                "FactorsIdentifiedAtAssessment",
            ),
        ),
        _blocks(tables["section47"], "Section47", ("S47ActualStartDate", "DateOfInitialCPC")),
        _blocks(
            tables["cpp"],
            "ChildProtectionPlans",
            ("CPPstartDate", "CPPendDate", "NumberOfPreviousCPP"),
        ),
    ]
    d = tables["cin_details"]
    ids = d["CINdetailsID"].tolist()
    columns = zip(
        ids,
        _tags("CINreferralDate", d["CINreferralDate"]),
        _tags("PrimaryNeedCode", d["PrimaryNeedCode"]),
        _tags("CINclosureDate", d["CINclosureDate"]),
        d["ReferralNFA"].astype(int).tolist(),
        strict=True,
    )
    parts = []
    for key, ref, need, close, nfa in columns:
        parts.append(
            f"<CINdetails>{ref}<ReferralSource>1A</ReferralSource>{need}{close}"
            f"{'<ReasonForClosure>RC1</ReasonForClosure>' if close else ''}"
            f"<ReferralNFA>{nfa}</ReferralNFA>{blocks[0].get(key, '')}{blocks[1].get(key, '')}"
            f"{blocks[2].get(key, '')}</CINdetails>"
        )
    details = _joined(d["LAchildID"], parts)
    c = tables["children"]
    sex_tag = "Sex" if year >= 2025 else "GenderCurrent"
    sex = c["Sex"] if year >= 2025 else c["Sex"].map({"M": "1", "F": "2"})
    disabled = set(tables["disabilities"]["LAchildID"])
    out = [
        "<?xml version='1.0' encoding='utf-8'?>\n<Message><Header><CollectionDetails>"
        f"<Collection>CIN</Collection><Year>{year}</Year>"
        f"<ReferenceDate>{year}-03-31</ReferenceDate></CollectionDetails><Source>"
        f"<SourceLevel>L</SourceLevel><LEA>{la_code}</LEA></Source></Header><Children>"
    ]
    rows = zip(
        c["LAchildID"].tolist(),
        _tags("PersonBirthDate", c["PersonBirthDate"]),
        _tags(sex_tag, sex),
        _tags("Ethnicity", c["Ethnicity"]),
        strict=True,
    )
    dis = "<Disabilities><Disability>MOB</Disability></Disabilities>"
    for child, born, sexed, ethnic in rows:
        out.append(
            f"<Child><ChildIdentifiers><LAchildID>{child}</LAchildID><UPNunknown>UN1</UPNunknown>"
            f"{born}{sexed}</ChildIdentifiers><ChildCharacteristics>{ethnic}"
            f"{dis if child in disabled else ''}</ChildCharacteristics>{details.get(child, '')}"
            "</Child>"
        )
    out.append("</Children></Message>\n")
    return "".join(out)


def _csv(frame: pd.DataFrame) -> str:
    """The table as an SSDA903 CSV (dates as DD/MM/YYYY, blanks empty)."""
    columns = []
    for col in frame.columns:
        texts = _texts(frame[col])
        if np.issubdtype(frame[col].to_numpy().dtype, np.datetime64):
            texts = [f"{d[8:]}/{d[5:7]}/{d[:4]}" if d else "" for d in texts]
        columns.append(texts)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(frame.columns)
    writer.writerows(zip(*columns, strict=True))
    return out.getvalue()


def la_returns(rec: LaRecords, years: tuple[int, ...]) -> dict[int, YearReturns]:
    """The LA's returns as the readers give them, by collection year."""
    la = _arrays(rec)
    out = {}
    for year in years:
        ssda903 = _ssda903_tables(la, year)
        out[year] = YearReturns(_cin_tables(la, year), ssda903["episodes"], ssda903["header"])
    return out


def la_files(la_code: str, returns: dict[int, YearReturns]) -> dict[str, str]:
    """The returns as files: ``child_level/<la>/<year>/cin_census.xml`` and ``ssda903/*.csv``."""
    files: dict[str, str] = {}
    for year, r in returns.items():
        base = f"{RETURNS_FOLDER}/{la_code}/{year}"
        files[f"{base}/{CIN_FILE}"] = cin_xml(dict(r.cin), la_code, year)
        if r.episodes is not None and r.header is not None:
            files[f"{base}/ssda903/header.csv"] = _csv(r.header)
            files[f"{base}/ssda903/episodes.csv"] = _csv(r.episodes)
    return files
