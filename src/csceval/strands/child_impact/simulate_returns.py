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

import numpy as np
import pandas as pd

from csceval.data.ssda903 import TABLES as SSDA903_TABLES
from csceval.strands.child_impact.cohorts import YearReturns
from csceval.strands.child_impact.returns import CIN_FILE, RETURNS_FOLDER
from csceval.strands.child_impact.simulate_model import NEEDS, window
from csceval.strands.child_impact.simulate_records import LaRecords


def _known(dates: pd.Series, end: np.datetime64) -> pd.Series:
    return dates.where(dates <= end).astype("datetime64[ns]")


def _ids(rec: LaRecords, child: pd.Series) -> pd.Series:
    return rec.la_code + "C" + child.astype(str).str.zfill(7)


def cin_tables(rec: LaRecords, year: int) -> dict[str, pd.DataFrame]:
    """The CIN census tables of ``year`` (the columns the strand reads, typed as the reader)."""
    lo, hi = window(year)
    ep = rec.episodes
    ep = ep[(ep["ref"] <= hi) & (ep["close"] >= lo)].reset_index(drop=True)
    ids = _ids(rec, ep["child"])
    details = pd.DataFrame(
        {
            "LAchildID": ids,
            "CINdetailsID": np.arange(1, len(ep) + 1),
            "CINreferralDate": ep["ref"].astype("datetime64[ns]"),
            "PrimaryNeedCode": np.array(NEEDS)[ep["need"].to_numpy()],
            "CINclosureDate": _known(ep["close"], hi),
            "ReferralNFA": ep["nfa"].astype("boolean"),
        }
    )
    has_a = ep["assessed"].notna() & (ep["assessed"] <= hi)
    assessments = pd.DataFrame(
        {
            "LAchildID": ids[has_a],
            "CINdetailsID": details["CINdetailsID"][has_a],
            "AssessmentID": np.arange(1, int(has_a.sum()) + 1),
            "AssessmentActualStartDate": ep["assessed"][has_a].astype("datetime64[ns]"),
            "AssessmentAuthorisationDate": _known(ep["authorised"][has_a], hi),
        }
    )
    factors = assessments.assign(AssessmentFactors=ep["factors"][has_a].str.split("|"))
    factors = factors.explode("AssessmentFactors")[
        ["LAchildID", "CINdetailsID", "AssessmentID", "AssessmentFactors"]
    ]
    has_s = ep["s47"].notna() & (ep["s47"] <= hi)
    section47 = pd.DataFrame(
        {
            "LAchildID": ids[has_s],
            "CINdetailsID": details["CINdetailsID"][has_s],
            "S47ActualStartDate": ep["s47"][has_s].astype("datetime64[ns]"),
            "DateOfInitialCPC": _known(ep["icpc"][has_s], hi),
        }
    )
    has_p = ep["cpp_start"].notna() & (ep["cpp_start"] <= hi)
    cpp = pd.DataFrame(
        {
            "LAchildID": ids[has_p],
            "CINdetailsID": details["CINdetailsID"][has_p],
            "CPPID": np.arange(1, int(has_p.sum()) + 1),
            "CPPstartDate": ep["cpp_start"][has_p].astype("datetime64[ns]"),
            "CPPendDate": _known(ep["cpp_end"][has_p], hi),
            "NumberOfPreviousCPP": ep["cpp_previous"][has_p].astype("Int64"),
        }
    )
    kids = rec.children[rec.children["child"].isin(ep["child"])]
    children = pd.DataFrame(
        {
            "LAchildID": _ids(rec, kids["child"]),
            "PersonBirthDate": kids["dob"].astype("M8[ns]"),
            "Sex": kids["sex"],
            "Ethnicity": kids["ethnicity"],
        }
    )
    disabled = kids[kids["disabled"]]
    disabilities = pd.DataFrame({"LAchildID": _ids(rec, disabled["child"]), "Disability": "MOB"})
    return {
        "children": children.reset_index(drop=True),
        "disabilities": disabilities.reset_index(drop=True),
        "cin_details": details,
        "assessments": assessments.reset_index(drop=True),
        "assessment_factors": factors.reset_index(drop=True),
        "section47": section47.reset_index(drop=True),
        "cpp": cpp.reset_index(drop=True),
    }


def ssda903_tables(rec: LaRecords, year: int) -> dict[str, pd.DataFrame]:
    """The SSDA903 ``header`` and ``episodes`` of ``year`` (one episode per period of care)."""
    lo, hi = window(year)
    care = rec.care[(rec.care["decom"] <= hi) & (rec.care["dec"] >= lo)]
    ids = _ids(rec, care["child"])
    kids = rec.children.set_index("child").loc[care["child"]]
    header = pd.DataFrame(
        {
            "CHILD": ids.to_numpy(),
            "SEX": np.where(kids["sex"] == "M", "1", "2"),
            "DOB": kids["dob"].astype("M8[ns]").to_numpy(),
            "ETHNIC": kids["ethnicity"].to_numpy(),
        }
    )
    episodes = pd.DataFrame(
        {
            "CHILD": ids.to_numpy(),
            "DECOM": care["decom"].astype("M8[ns]").to_numpy(),
            "RNE": "S",
            "LS": "C2",
            "CIN": "N1",
            "PLACE": "U1",
            "PLACE_PROVIDER": "PR1",
            "DEC": _known(care["dec"], hi).to_numpy(),
        }
    )
    episodes["REC"] = np.where(episodes["DEC"].isna(), "", "E13")
    return {
        "header": header.reindex(columns=list(SSDA903_TABLES["header"]), fill_value=""),
        "episodes": episodes.reindex(columns=list(SSDA903_TABLES["episodes"]), fill_value=""),
    }


def _texts(values: pd.Series) -> list[str]:
    """Cell texts ("" when blank; dates as YYYY-MM-DD), one pandas pass per column."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return list(values.dt.strftime("%Y-%m-%d").fillna("").tolist())
    return ["" if pd.isna(v) else str(v) for v in values.tolist()]


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
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%d/%m/%Y").fillna("")
    return str(out.to_csv(index=False, lineterminator="\n"))


def la_returns(rec: LaRecords, years: tuple[int, ...]) -> dict[int, YearReturns]:
    """The LA's returns as the readers give them, by collection year."""
    out = {}
    for year in years:
        ssda903 = ssda903_tables(rec, year)
        out[year] = YearReturns(cin_tables(rec, year), ssda903["episodes"], ssda903["header"])
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
