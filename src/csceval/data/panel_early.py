"""The series that start before the EES files: CLA SFR underlying data 2010-2017, S251 outturns
2008-09 to 2013-14, and the harmonised ``csc_la_panel`` (read as a cross-check source).

Choices, recorded (``docs/data.md`` lists them with the breaks they create):

- **CLA SFR underlying data** (``dfe_cla_sfr_underlying_2010_2017/<year>/``): children looked
  after at 31 March (``CLA_Mar<year>``; 2010 ``MarTotal_2010``) and children who started to be
  looked after (``CLA_started<year>``; 2010 ``StartTotal_2010``), LA rows (``geog_l`` ``LA``),
  ``x`` kept as a suppression symbol. They are the lowest-priority source of the two counts:
  EES (2019+) and LAIT (2015+) win where they overlap, and the overlap is checked.
- **Rates for 2010-2012.** DfE's rate uses the ONS mid-(Y-1) population; the EES population
  file starts at mid-2012, so 2013 is the first year it can serve. For 2010 the SFR gives its
  own mid-2009 population (``Mid2009Pop0-17``); mid-2010 and mid-2011 are not in the data, so
  they are interpolated linearly per LA between the SFR mid-2009 and the ONS mid-2012 figure.
  These rates carry the source ``derived: count / SFR or interpolated population`` and are a
  flagged series break (denominator), not silently spliced.
- **S251 outturn** (``dfe_s251_outturn_2008_2014/``): gross expenditure (``Total Expenditure``)
  of the line ``CHILDREN AND YOUNG PEOPLE.?S SERVICES BUDGET (excluding CERA)`` becomes
  ``spend_cyp_total_gbp`` for the financial years ending March 2009-2014, the same line LAIT
  gives from 2015-16 (``C&YPExpenditure``); 2014-15 is in neither, which is a flagged gap.
- **csc_la_panel** is built from the other folders; its values enter only where no primary
  source has the LA-year (in the shared data: the workforce indicators of 2015-2016 and CLA
  with three or more placements of 2016-2017, which it takes from LAIT codes csceval does not
  read itself; each is a flagged source change) and every overlap with a primary source is
  checked.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from csceval.data.panel_sources import LONG_COLUMNS
from csceval.data.population import POPULATION, round_half_up
from csceval.errors import InputError, Problem

SFR_DIR = "dfe_cla_sfr_underlying_2010_2017"
S251_DIR = "dfe_s251_outturn_2008_2014"
CSC_PANEL_FILE = "csc_la_panel/csc_la_panel_long.csv"
EARLY_RATE_SOURCE = "derived: count / SFR or interpolated population"
SFR_COUNTS = {
    "cla_count_31mar": (re.compile(r"^(CLA_Mar|MarTotal_)(\d{4})$"), "CLA"),
    "cla_starts_count": (re.compile(r"^(CLA_started|StartTotal_)(\d{4})$"), "ADM"),
}
SFR_RATES = {"cla_count_31mar": "cla_rate_per_10k", "cla_starts_count": "cla_starts_rate_per_10k"}
S251_TOTAL = re.compile(r"CHILDREN AND YOUNG PEOPLE.?S SERVICES BUDGET \(excluding CERA\)", re.I)
SPEND = "spend_cyp_total_gbp"
_CODE = re.compile(r"^\d{3}$")


def _bad(path: Path, message: str, column: str = "") -> InputError:
    return InputError(
        [
            Problem(
                "CSC-E4052",
                message,
                str(path),
                1 if column else None,
                column,
                fix="use the file as DfE published it (see the folder's SOURCE.md)",
            )
        ]
    )


def _read_latin1(path: Path) -> list[list[str]]:
    try:
        text = path.read_bytes().decode("latin-1")
    except OSError as exc:
        raise _bad(path, f"cannot read the file ({exc.strerror})") from None
    try:
        rows = [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise _bad(path, f"the file cannot be read as CSV ({exc})") from None
    if not rows:
        raise _bad(path, "the file is empty (no header row)")
    return rows


def _number(cell: str) -> tuple[float, str]:
    text = cell.strip().replace(",", "")
    try:
        return float(text), ""
    except ValueError:
        return np.nan, (text or "x")


def _sfr_file(folder: Path, kind: str) -> Path | None:
    """The year's CLA-at-31-March (``CLA``) or starts (``ADM``) file."""
    names = {"CLA": ("*_CLA*.csv", "*_March.csv"), "ADM": ("*_ADM*.csv", "*_Started.csv")}[kind]
    for pattern in names:
        found = sorted(folder.glob(pattern))
        if found:
            return found[0]
    return None


def read_sfr(source: Path) -> pd.DataFrame:
    """CLA counts (and the 2010 file's mid-2009 population) from the SFR underlying data."""
    root = source / SFR_DIR
    parts: list[pd.DataFrame] = []
    for year_dir in sorted(p for p in root.glob("20[0-9][0-9]") if p.is_dir()):
        for indicator, (pattern, kind) in SFR_COUNTS.items():
            path = _sfr_file(year_dir, kind)
            if path is None:
                continue
            rows = _read_latin1(path)
            header = [c.strip() for c in rows[0]]
            value_col = next((i for i, c in enumerate(header) if pattern.match(c)), None)
            if value_col is None or "geog_c" not in header or "geog_l" not in header:
                raise _bad(path, "a required column is missing", f"{pattern.pattern} / geog_c")
            match = pattern.match(header[value_col])
            year = int(match.group(2)) if match else int(year_dir.name)
            level, code = header.index("geog_l"), header.index("geog_c")
            pop = header.index("Mid2009Pop0-17") if "Mid2009Pop0-17" in header else None
            records = []
            for r in rows[1:]:
                r = r + [""] * (len(header) - len(r))
                if r[level].strip().upper() != "LA" or not _CODE.match(r[code].strip()):
                    continue
                value, symbol = _number(r[value_col])
                records.append((r[code].strip(), year, indicator, value, symbol, path.name))
                if pop is not None:
                    people, mark = _number(r[pop])
                    records.append((r[code].strip(), 2009, POPULATION, people, mark, path.name))
            parts.append(pd.DataFrame(records, columns=LONG_COLUMNS))
    if not parts:
        return pd.DataFrame(columns=LONG_COLUMNS)
    return pd.concat(parts, ignore_index=True)


def early_rates(long: pd.DataFrame, sfr: pd.DataFrame) -> pd.DataFrame:
    """CLA rates for 2010-2012, whose mid-(Y-1) population the ONS file does not hold.

    ``long`` is the combined panel (with ONS ``population_0_17``), ``sfr`` what
    :func:`read_sfr` gave (its population rows are the mid-2009 SFR figures).
    """
    ons = long[(long["indicator"] == POPULATION) & (long["year"] == 2012)]
    mid2009 = sfr[(sfr["indicator"] == POPULATION) & sfr["value"].notna()]
    both = mid2009[["la_code", "value"]].merge(
        ons[["la_code", "value"]], on="la_code", suffixes=("_2009", "_2012")
    )
    pops = {2009: dict(zip(mid2009["la_code"], mid2009["value"], strict=True))}
    for mid in (2010, 2011):
        share = (mid - 2009) / 3
        pops[mid] = dict(
            zip(
                both["la_code"],
                both["value_2009"] + share * (both["value_2012"] - both["value_2009"]),
                strict=True,
            )
        )
    out = []
    for count_id, rate_id in SFR_RATES.items():
        counts = long[(long["indicator"] == count_id) & long["year"].between(2010, 2012)]
        for code, year, value, symbol in zip(
            counts["la_code"].astype(str),
            counts["year"].astype(int),
            counts["value"].astype(float),
            counts["symbol"].astype(str),
            strict=True,
        ):
            pop = pops[year - 1].get(code)
            if symbol:
                out.append((code, year, rate_id, np.nan, symbol, EARLY_RATE_SOURCE))
            elif pop and np.isfinite(value):
                rate = float(round_half_up(np.array([value / pop * 10_000]), 0)[0])
                out.append((code, year, rate_id, rate, "", EARLY_RATE_SOURCE))
    return pd.DataFrame(out, columns=LONG_COLUMNS)


def read_s251(source: Path) -> pd.DataFrame:
    """Gross children and young people's services spend, financial years ending 2009-2014."""
    rows_out = []
    for path in sorted((source / S251_DIR).glob("s251_outturn_*.csv")):
        digits = re.search(r"(\d{2})(\d{2})\.csv$", path.name)
        if digits is None:
            continue
        year = 2000 + int(digits.group(2))
        rows = _read_latin1(path)
        header = [c.strip().rstrip(":") for c in rows[0]]
        la = next(
            (i for i, c in enumerate(header) if c in ("LA", "LA(EA)", "LEA", "LEA Number")), None
        )
        total = next((i for i, c in enumerate(header) if c.lower().startswith("total")), None)
        if la is None or total is None:
            raise _bad(path, "a required column is missing", "LA / Total Expenditure")
        for r in rows[1:]:
            code = r[la].strip() if len(r) > la else ""
            if not _CODE.match(code) or not any(S251_TOTAL.search(c) for c in r[: total + 1]):
                continue
            value, symbol = _number(r[total] if len(r) > total else "")
            rows_out.append((code, year, SPEND, value, symbol, path.name))
    frame = pd.DataFrame(rows_out, columns=LONG_COLUMNS)
    return frame.drop_duplicates(["la_code", "year"], keep="first")


def read_csc_panel(source: Path, indicators: set[str]) -> pd.DataFrame:
    """The ``csc_la_panel`` long file's rows for ``indicators`` (its own sources kept)."""
    path = source / CSC_PANEL_FILE
    if not path.is_file():
        return pd.DataFrame(columns=LONG_COLUMNS)
    wanted = ["old_la_code", "year", "indicator", "value", "value_raw", "source"]
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=wanted)
    except (OSError, ValueError) as exc:
        raise _bad(path, f"cannot read the file ({exc})") from None
    frame = frame[frame["indicator"].isin(indicators) & frame["old_la_code"].str.match(r"^\d{3}$")]
    value = pd.to_numeric(frame["value"], errors="coerce")
    # Only values: a symbol here would stand in a year no primary source has at all.
    frame, value = frame[value.notna()], value[value.notna()]
    return pd.DataFrame(
        {
            "la_code": frame["old_la_code"],
            "year": pd.to_numeric(frame["year"]).astype("int64"),
            "indicator": frame["indicator"],
            "value": value,
            "symbol": "",
            "source": "csc_la_panel: " + frame["source"],
        }
    ).reset_index(drop=True)
