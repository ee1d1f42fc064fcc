"""The SSDA903 tables, their columns and the code lists the reader checks.

Code changes by collection year (the year ending 31 March), from the liiatools schema diffs:

- ``SEX``: 1/2 until 2024, M/F/U from 2025. Both forms are read in every year and a canonical
  ``SEX`` (M/F/U; 1 -> M, 2 -> F, as liiatools maps them) is stored; the code as given is kept
  in ``SEX_RAW``. A code of the other era than the stated year is a warning, not an error.
- ``PLACE``: 2025 adds K3 (supported accommodation) and drops H5 (semi-independent living) and
  P2 (independent living); 2026 adds Z11-Z14 (a split of Z1, other placements). The code as given
  stays in ``PLACE``; ``PLACE_CANONICAL`` maps it to one series that runs across the change:
  Z11-Z14 -> Z1 and H5, P2 -> K3 (DfE's "independent and semi-independent living" group became
  Ofsted-registered supported accommodation from 2025). With a collection year the code must be
  in that year's list; without one, in any year's list.
"""

from __future__ import annotations

from collections.abc import Iterable

TABLES: dict[str, tuple[str, ...]] = {
    "header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "episodes": (
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    ),
    "uasc": ("CHILD", "SEX", "DOB", "DUC"),
    "reviews": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "oc2": (
        "CHILD",
        "DOB",
        "SDQ_SCORE",
        "SDQ_REASON",
        "CONVICTED",
        "HEALTH_CHECK",
        "IMMUNISATIONS",
        "TEETH_CHECK",
        "HEALTH_ASSESSMENT",
        "SUBSTANCE_MISUSE",
        "INTERVENTION_RECEIVED",
        "INTERVENTION_OFFERED",
    ),
    "oc3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "ad1": (
        "CHILD",
        "DOB",
        "DATE_INT",
        "DATE_MATCH",
        "FOSTER_CARE",
        "NB_ADOPTR",
        "SEX_ADOPTR",
        "LS_ADOPTR",
    ),
    "placed_for_adoption": (
        "CHILD",
        "DOB",
        "DATE_PLACED",
        "DATE_PLACED_CEASED",
        "REASON_PLACED_CEASED",
    ),
    "previous_permanence": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "sw_episodes": ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
    "dolo": ("CHILD", "DOB", "DOLO_START", "DOLO_END"),
}
"""Every 903 table and its columns, in the DfE order."""

DATE_COLUMNS = frozenset(
    {
        "DOB",
        "MC_DOB",
        "DECOM",
        "DEC",
        "DUC",
        "REVIEW",
        "MIS_START",
        "MIS_END",
        "DATE_INT",
        "DATE_MATCH",
        "DATE_PLACED",
        "DATE_PLACED_CEASED",
        "DATE_PERM",
        "SW_DECOM",
        "SW_DEC",
        "DOLO_START",
        "DOLO_END",
    }
)
REQUIRED = {"episodes": ("DECOM", "RNE", "LS", "PLACE")}
"""Cells that may not be blank (the rest of the columns may be)."""
_REQUIRED_ALL = ("CHILD",)

_PLACE_2024 = frozenset(
    {
        "A3",
        "A4",
        "A5",
        "A6",
        "H5",
        "K1",
        "K2",
        "P1",
        "P2",
        "P3",
        "R1",
        "R2",
        "R3",
        "R5",
        "S1",
        "T0",
        "T1",
        "T2",
        "T3",
        "T4",
        "U1",
        "U2",
        "U3",
        "U4",
        "U5",
        "U6",
        "Z1",
    }
)
_PLACE_2025 = (_PLACE_2024 - {"H5", "P2"}) | {"K3"}
_PLACE_2026 = _PLACE_2025 | {"Z11", "Z12", "Z13", "Z14"}


def place_codes(year: int | None) -> frozenset[str]:
    """The PLACE codes valid in the collection year ending 31 March ``year`` (None: any year)."""
    if year is None:
        return _PLACE_2024 | _PLACE_2026
    return _PLACE_2024 if year <= 2024 else _PLACE_2025 if year == 2025 else _PLACE_2026


PLACE_CANONICAL: dict[str, str] = {
    "Z11": "Z1",
    "Z12": "Z1",
    "Z13": "Z1",
    "Z14": "Z1",
    "H5": "K3",
    "P2": "K3",
}
"""The documented mapping of year-specific PLACE codes onto one series (others: themselves)."""
SEX_CANONICAL: dict[str, str] = {"1": "M", "2": "F", "M": "M", "F": "F", "U": "U"}
CODE_LISTS: dict[str, frozenset[str]] = {
    "RNE": frozenset({"S", "L", "P", "T", "U", "B"}),
    "LS": frozenset({"C1", "C2", "D1", "E1", "V2", "V3", "V4", "L1", "L2", "L3", "J1", "J2", "J3"}),
    "CIN": frozenset(f"N{i}" for i in range(1, 9)),
    "PLACE_PROVIDER": frozenset(f"PR{i}" for i in range(6)),
    "MISSING": frozenset({"M", "A"}),
}
"""Code lists checked strictly (SEX and PLACE are checked by year)."""


def recognise(columns: Iterable[str]) -> str:
    """The table whose columns best match a CSV's header row (most shared, then fewest extra)."""
    have = set(columns)
    return max(TABLES, key=lambda t: (len(have & set(TABLES[t])), -len(set(TABLES[t]) - have)))
