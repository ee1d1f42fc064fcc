"""The panel's reference tables: its local authorities (with their years) and neighbours.

An LA's ``first_year``/``last_year`` are the first and last years with a CIN or CLA value
(:data:`EXISTENCE`); the project ``indicators`` table keeps only rows inside that window. Its GSS
code is the latest of its 3-digit code's (live rows first, then the latest operation date).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from csceval.data.la_reference import read_las, read_regions, read_statistical_neighbours
from csceval.data.panel_sources import REF_DIR, _missing

EXISTENCE = frozenset({"cin_count_31mar", "referrals_count", "cla_count_31mar"})


def _local_authorities(source: Path, long: pd.DataFrame) -> pd.DataFrame:
    ref = source / REF_DIR
    if not (ref / "ees_las.csv").is_file():
        raise _missing(source, f"{REF_DIR}/ees_las.csv")
    las = read_las(ref / "ees_las.csv")
    las = las[las["la_code"].str.fullmatch(r"\d{3}")].copy()
    regions = read_regions(ref / "ees_regions.csv") if (ref / "ees_regions.csv").is_file() else {}
    # The latest GSS code of each 3-digit code: live rows first, then the latest operation date.
    las["op"] = pd.to_datetime(las["date_of_operation"], format="%d/%m/%Y", errors="coerce")
    latest = (
        las.sort_values(["status", "op"], ascending=[True, False])
        .drop_duplicates("la_code")
        .set_index("la_code")
    )
    # c: exists, hidden; x, z and LAIT's "-" (missing or suppressed) are no evidence the LA existed
    shown = long["value"].notna() | ~long["symbol"].isin(["", "x", "z", "-"])
    present = long[long["indicator"].isin(EXISTENCE) & shown]
    span = present.groupby("la_code")["year"].agg(["min", "max"])
    last_year = int(long.loc[long["indicator"].isin(EXISTENCE), "year"].max())
    rows = []
    for code, first, last in zip(span.index, span["min"], span["max"], strict=True):
        ref_row = latest.loc[str(code)] if code in latest.index else None
        region = "" if ref_row is None else str(ref_row["region_code"])
        rows.append(
            {
                "la_code": code,
                "gss_code": "" if ref_row is None else ref_row["gss_code"],
                "la_name": "" if ref_row is None else ref_row["la_name"],
                "region_code": region,
                "region_name": regions.get(region, ""),
                "first_year": int(first),
                "last_year": None if int(last) == last_year else int(last),
                "neighbour_group": "",
            }
        )
    frame = pd.DataFrame(rows)
    frame["last_year"] = frame["last_year"].astype("Int64")
    return frame.sort_values("la_code").reset_index(drop=True)


def _neighbours(source: Path, model: str, universe: set[str]) -> pd.DataFrame:
    ref = source / REF_DIR
    pattern = {"2021": "statistical_neighbours_*2021*.csv", "2025": "statistical_neighbours_*2025*"}
    files = sorted(ref.glob(pattern.get(model, "")))
    if not files:
        return pd.DataFrame(columns=["la_code", "rank", "neighbour_code", "closeness", "model"])
    frame = read_statistical_neighbours(files[0])
    frame = frame[frame["current"]]
    frame = frame[frame["la_code"].isin(universe) & frame["neighbour_code"].isin(universe)]
    frame = frame.assign(closeness=frame["closeness"].replace("Extremely close", "Very Close"))
    frame = frame.assign(model=model)
    return frame[["la_code", "rank", "neighbour_code", "closeness", "model"]].reset_index(drop=True)
