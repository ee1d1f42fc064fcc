"""DfE LAIT indicators in the normalised long form of ``dfe_lait_csc_indicators/``.

LAIT repeats DfE's published LA values; csceval uses it for the indicators EES files here lack
(assessment and ICPC timeliness, S251 spend) and as the published rates that rates derived from
EES counts are checked against. ``-`` becomes NaN with symbol ``-``: in LAIT it means the cell
was not published (missing, not applicable, or suppressed by DfE; LAIT does not say which), never
nil or negligible, so it is never read as 0. The panel keeps the symbol; disclosure control
publishes it as ``c`` in a count column and ``x`` elsewhere
(:data:`csceval.disclosure.NOT_PUBLISHED`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from csceval.errors import InputError, Problem

COLUMNS = ("indicator_code", "year", "geographic_level", "area_code_lait", "value")


def read_lait(path: Path, codes: frozenset[str] | None = None) -> pd.DataFrame:
    """LA rows: ``code, la_code, year, value, symbol`` (``codes`` keeps only those)."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise InputError(
            [Problem("CSC-E4016", f"cannot read the file ({exc})", str(path))]
        ) from None
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            [Problem("CSC-E4016", "a required column is missing", str(path), 1, c) for c in missing]
        )
    frame = frame[frame["geographic_level"] == "Local authority"]
    if codes is not None:
        frame = frame[frame["indicator_code"].isin(codes)]
    value = pd.to_numeric(frame["value"], errors="coerce")
    return pd.DataFrame(
        {
            "code": frame["indicator_code"],
            "la_code": frame["area_code_lait"],
            "year": pd.to_numeric(frame["year"], errors="coerce").astype("Int64"),
            "value": value,
            "symbol": frame["value"].where(value.isna(), ""),
        }
    ).reset_index(drop=True)
