"""SSDA903 (children looked after) indicators for one LA and collection year, DfE definitions.

Definitions follow DfE "Children looked after in England including adoptions" (methodology)
and the LAIT indicator dictionary. Children looked after under an agreed series of short-term
placements (legal status V3 or V4, "short breaks") are excluded from every measure, as DfE does.

- ``cla_count_31mar``: children with an episode open at 31 March (DECOM on or before, DEC blank
  or after 31 March).
- ``cla_starts_count``: children who started to be looked after in the year (an episode with
  RNE ``S`` and DECOM in the year), each child once.
- ``cla_3plus_placements_pct``: of the children looked after at 31 March, the share with three or
  more placements during the year. A child's placements in the year are its first episode open
  in the year plus every later episode that starts with a change of placement (RNE ``S``, ``P``,
  ``B``, ``T`` or ``U``), except a change with the same carers to an adoption placement (RNE
  ``T``/``U`` into A3-A6: "a move to adoption with the same carers is not counted") and
  temporary placements (PLACE T0-T4: holidays, hospital, custody), which DfE does not count.
- ``cla_long_term_stability_pct``: of the children looked after at 31 March who were under 16
  then and had been looked after continuously for 2.5 years or more (the start of the current
  period of care, its latest RNE ``S`` episode, at least 30 months before), the share whose
  current placement had lasted two years or more. The current placement starts at the latest
  episode with a change of carer (RNE ``S``, ``P`` or ``B``); changes with the same carer (``T``,
  ``U``, including a move to adoption by the foster carers) keep the placement, as in DfE's
  "or placed for adoption ... together with the previous placement" clause.
"""

from __future__ import annotations

import pandas as pd

from csceval.childlevel.calendar import collection_window
from csceval.childlevel.cin import _ratio

SHORT_BREAKS = frozenset({"V3", "V4"})
PLACEMENT_CHANGE = frozenset({"S", "P", "B", "T", "U"})
CARER_CHANGE = frozenset({"S", "P", "B"})
ADOPTION = frozenset({"A3", "A4", "A5", "A6"})
TEMPORARY = frozenset({"T0", "T1", "T2", "T3", "T4"})
CLA_INDICATORS = (
    "cla_count_31mar",
    "cla_starts_count",
    "cla_3plus_placements_pct",
    "cla_long_term_stability_pct",
)


def cla_indicators(episodes: pd.DataFrame, header: pd.DataFrame, year: int) -> dict[str, float]:
    """Every 903 indicator for ``year`` from the episodes and header tables of one LA."""
    start, end = collection_window(year)
    eps = episodes[~episodes["LS"].isin(SHORT_BREAKS)]
    eps = eps.sort_values(["CHILD", "DECOM"], kind="stable")
    open_end = (eps["DECOM"] <= end) & (eps["DEC"].isna() | (eps["DEC"] > end))
    at_end = pd.Index(eps.loc[open_end, "CHILD"].unique())
    out: dict[str, float] = {"cla_count_31mar": float(len(at_end))}
    began = (eps["RNE"] == "S") & (eps["DECOM"] >= start) & (eps["DECOM"] <= end)
    out["cla_starts_count"] = float(eps.loc[began, "CHILD"].nunique())

    in_year = eps[(eps["DECOM"] <= end) & (eps["DEC"].isna() | (eps["DEC"] >= start))]
    first = ~in_year["CHILD"].duplicated()
    moves = in_year["RNE"].isin(PLACEMENT_CHANGE) & ~in_year["PLACE"].isin(TEMPORARY)
    to_adoption = in_year["RNE"].isin({"T", "U"}) & in_year["PLACE"].isin(ADOPTION)
    counted = first | (moves & ~to_adoption)
    placements = counted.astype(int).groupby(in_year["CHILD"]).sum()
    three = placements.reindex(at_end, fill_value=0) >= 3
    _ratio(out, "cla_3plus_placements_pct", int(three.sum()), len(at_end))

    upto = eps[eps["DECOM"] <= end]
    care_start = upto[upto["RNE"] == "S"].groupby("CHILD")["DECOM"].max()
    place_start = upto[upto["RNE"].isin(CARER_CHANGE)].groupby("CHILD")["DECOM"].max()
    dob = header.drop_duplicates("CHILD").set_index("CHILD")["DOB"]
    cohort = at_end[
        (care_start.reindex(at_end) <= end - pd.DateOffset(months=30)).to_numpy()
        & (dob.reindex(at_end) > end - pd.DateOffset(years=16)).to_numpy()
    ]
    stable = place_start.reindex(cohort) <= end - pd.DateOffset(years=2)
    _ratio(out, "cla_long_term_stability_pct", int(stable.sum()), len(cohort))
    return out
