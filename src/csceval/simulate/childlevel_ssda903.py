"""Simulated SSDA903 records of one LA-year that reproduce its panel values, as tables or XML.

Children at 31 March are long-term (under 16, in care 2.5+ years: stable or not, the stability
denominator and numerator), starters still in care, and mid-term children; starters who left
make up the starts. Children with 3+ placements get two extra moves in the year; some stable
children move to adoption with their carers (RNE T, not counted); a few short-break children
(V3/V4) are added, whom every measure excludes.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from csceval.data.ssda903 import TABLES as TABLES_903
from csceval.simulate.childlevel_targets import _ETHNIC, ChildLevelError, Targets

_FOSTER = ("U1", "U2", "U3", "U4", "U5", "U6")


class _ClaBuilder:
    def __init__(self, t: Targets, rng: np.random.Generator) -> None:
        self.t, self.rng = t, rng
        self.fast = random.Random(int(rng.integers(2**62)))  # quick scalar draws
        self.ws, self.we = dt.date(t.year - 1, 4, 1), dt.date(t.year, 3, 31)
        self.header: list[dict[str, object]] = []
        self.episodes: list[dict[str, object]] = []

    def days(self, lo: int, hi: int) -> dt.timedelta:
        return dt.timedelta(days=self.fast.randint(lo, hi))

    def fail(self, what: str) -> ChildLevelError:
        return ChildLevelError(f"LA {self.t.la_code} {self.t.year}: {what}")

    def child(
        self,
        dob: dt.date,
        moves: list[tuple[dt.date, str, str, str]],
        end: dt.date | None,
        ls: str = "C2",
    ) -> None:
        """One child: episodes (DECOM, RNE, PLACE, LS or '') in order, ending at ``end``."""
        cid = f"{self.t.la_code}{self.t.year}{len(self.header) + 1:06d}"
        sexes = ("M", "F") if self.t.year >= 2025 else ("1", "2")
        self.header.append(
            {
                "CHILD": cid,
                "SEX": sexes[self.fast.randint(0, 1)],
                "DOB": dob,
                "ETHNIC": _ETHNIC[self.fast.randint(0, 8)],
                "UPN": "",
                "MOTHER": "",
                "MC_DOB": "",
            }
        )
        for k, (decom, rne, place, legal) in enumerate(moves):
            last = k == len(moves) - 1
            dec = end if last else moves[k + 1][0]
            self.episodes.append(
                {
                    "CHILD": cid,
                    "DECOM": decom,
                    "RNE": rne,
                    "LS": legal or ls,
                    "CIN": f"N{self.fast.randint(1, 8)}",
                    "PLACE": place,
                    "PLACE_PROVIDER": "PR1",
                    "DEC": dec,
                    "REC": ("X1" if not last else "E13" if end else ""),
                    "REASON_PLACE_CHANGE": "",
                    "HOME_POST": "",
                    "PL_POST": "",
                    "URN": "",
                }
            )

    def foster(self) -> str:
        return self.fast.choice(_FOSTER)

    def in_year(self, lo: int = 0, hi: int = 360) -> dt.date:
        return self.ws + self.days(lo, hi)

    def build(self) -> None:
        t, ws, we = self.t, self.ws, self.we
        n_cla, n_starts = t.count("cla_count_31mar"), t.count("cla_starts_count")
        s_num, s_den = t.ratio("cla_long_term_stability_pct")
        p_num, p_den = t.ratio("cla_3plus_placements_pct")
        three = round(p_num / p_den * n_cla) if p_den else 0
        if s_den > n_cla:
            raise self.fail(f"stability cohort {s_den} exceeds the CLA at 31 March {n_cla}")
        staying = min(n_starts, n_cla - s_den)
        mid = n_cla - s_den - staying
        if three > n_cla - s_num:
            raise self.fail(
                f"{three} children with 3+ placements but only {n_cla - s_num} "
                "are not in a long-term stable placement"
            )
        movers = iter(range(three))
        is_mover = [next(movers, None) is not None for _ in range(n_cla - s_num)]
        mover = iter(is_mover)
        for i in range(s_den):  # long-term: under 16, in care 2.5+ years
            care = we - dt.timedelta(days=913) - self.days(1, 1000)
            dob = care - self.days(1, max(2, (care - (we - dt.timedelta(days=5800))).days))
            first = (care, "S", self.foster(), "")
            if i < s_num:
                moves = [first]
                if self.fast.random() < 0.2:
                    moves.append((self.in_year(), "T", "A4", "E1"))  # to adoption, same carers
            elif next(mover):
                d1 = self.in_year(0, 200)
                moves = [
                    first,
                    (d1, "P", self.foster(), ""),
                    (d1 + self.days(1, 150), "P", self.foster(), ""),
                ]
            else:
                moves = [first, (we - self.days(1, 700), "P", self.foster(), "")]
            self.child(dob, moves, None)
        for _ in range(staying):  # starters still looked after at 31 March
            d0 = self.in_year(0, 200)
            dob = d0 - self.days(1, 6000)
            moves = [(d0, "S", self.foster(), "")]
            if next(mover):
                d1 = d0 + self.days(1, 80)
                moves += [(d1, "P", self.foster(), ""), (d1 + self.days(1, 80), "P", "R1", "")]
            self.child(dob, moves, None, ls="V2")
        for _ in range(mid):  # began before April, less than 2.5 years ago
            care = ws - self.days(1, 500)
            dob = care - self.days(1, 5000)
            moves = [(care, "S", self.foster(), "")]
            if next(mover):
                d1 = self.in_year(0, 200)
                moves += [(d1, "P", self.foster(), ""), (d1 + self.days(1, 150), "B", "K2", "")]
            self.child(dob, moves, None)
        for _ in range(n_starts - staying):  # started and left in the year
            d0 = self.in_year(0, 300)
            self.child(
                d0 - self.days(1, 6000),
                [(d0, "S", self.foster(), "")],
                d0 + self.days(1, (we - d0).days - 1 if (we - d0).days > 1 else 1),
            )
        for _ in range(max(1, n_cla // 50)):  # short breaks: excluded from every measure
            d0 = self.in_year(0, 300)
            self.child(d0 - self.days(400, 5000), [(d0, "S", "R1", "V3")], None)

    def tables(self) -> dict[str, pd.DataFrame]:
        header = pd.DataFrame(self.header, columns=list(TABLES_903["header"]))
        episodes = pd.DataFrame(self.episodes, columns=list(TABLES_903["episodes"]))
        for frame, cols in ((header, ("DOB",)), (episodes, ("DECOM", "DEC"))):
            for c in cols:
                frame[c] = pd.to_datetime(frame[c])
        return {"header": header, "episodes": episodes}


def ssda903_xml(tables: dict[str, pd.DataFrame]) -> str:
    """The ``EXPSSDA903`` XML of header and episodes tables (``PLACE`` written as ``PL``)."""

    def d(value: Any) -> str:
        return "" if pd.isna(value) else str(pd.Timestamp(value).strftime("%d/%m/%Y"))

    def el(tag: str, value: Any) -> str:
        return f"<{tag}>{escape(str(value))}</{tag}>" if value else f"<{tag} />"

    by_child: dict[str, list[str]] = {}
    for e in tables["episodes"].itertuples(index=False):
        by_child.setdefault(str(e.CHILD), []).append(
            f"<EPISODE>{el('DECOM', d(e.DECOM))}{el('RNE', e.RNE)}{el('LS', e.LS)}"
            f"{el('CIN', e.CIN)}{el('PL', e.PLACE)}<PL_POST /><HOME_POST /><URN />"
            f"{el('PLACE_PROVIDER', e.PLACE_PROVIDER)}{el('DEC', d(e.DEC))}"
            f"{el('REC', e.REC)}<REASON_PLACE_CHANGE /></EPISODE>"
        )
    out = ["<?xml version='1.0' encoding='utf-8'?>\n<EXPSSDA903>"]
    for row in tables["header"].itertuples(index=False):
        out.append(
            f"<CHILD><HEADER>{el('CHILDID', row.CHILD)}{el('UPN', row.UPN)}"
            f"{el('SEX', row.SEX)}{el('DOB', d(row.DOB))}{el('ETHNIC', row.ETHNIC)}"
            "<UASC /><MOTHER /><MC_DOB /></HEADER>"
        )
        out.extend(by_child.get(str(row.CHILD), []))
        out.append("</CHILD>")
    out.append("</EXPSSDA903>\n")
    return "".join(out)
