"""LA reference data: codes old and new, regions, reorganisations and statistical neighbours.

The key is the DfE 3-digit LA number (``old_la_code``): it is what 903, CIN, CSWW, S251 and LAIT
share, and it changes only when an LA is created or abolished. The ONS GSS code
(``new_la_code``) also changes when a boundary changes without a new LA (Buckinghamshire 2020,
North Yorkshire and Somerset 2023), which is no break in a 3-digit series.

Reorganisations and the balanced-panel rule
-------------------------------------------
Each reorganisation below replaces a *group* of old LAs with a group of new LAs covering exactly
the same area (Christchurch moved from Dorset county to BCP, so 835/836/837 -> 838/839 is one
group). ``year`` is the first year ending 31 March the new LAs report (the first full year);
``links`` are the old/new pairs whose areas overlap (the project's ``reorganisations`` table).
A balanced panel handles a group in one of two ways (:func:`balance`):

- ``drop``: every code in the group is removed for every year (the default: no series crosses a
  break, nothing is estimated).
- ``aggregate``: the group becomes one unit, coded by its first new LA, whose counts and
  populations are in each year the sum over the new LAs when all of them have a value, else the
  sum over the old LAs when all of them have one; rates are
  recomputed from the summed counts and populations with the DfE rule. Percentages, ratios and
  other values without a published numerator cannot be summed and become missing for the unit.

Statistical neighbours: DfE's 2021 model (``LA num, ..., SN1, SNP, ...``, repeated ``SNP``
headers) and 2025 model (``old_la_code, ..., SN_1, SN_1P, ...``) are both read into one long table
``la_code, rank, neighbour_code, closeness`` with closeness spelt one way (the 2025 model adds
the band ``Extremely close``, which the project table does not allow yet: :mod:`.panel` writes it
there as ``Very Close``, the nearest band it allows).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from csceval.errors import InputError, Problem


@dataclass(frozen=True, slots=True)
class Reorganisation:
    """Old LAs whose series end and the new LAs that continue them, over one area."""

    year: int
    old: tuple[str, ...]
    new: tuple[str, ...]
    name: str
    links: tuple[tuple[str, str], ...]
    """The (old, new) pairs whose areas overlap."""

    def kind(self, old: str) -> str:
        """``split`` when the old LA's area went to several new LAs, else ``merger``."""
        return "split" if sum(o == old for o, _ in self.links) > 1 else "merger"


REORGANISATIONS: tuple[Reorganisation, ...] = (
    Reorganisation(
        2020,
        ("835", "836", "837"),
        ("838", "839"),
        "Dorset and BCP (April 2019)",
        (("835", "838"), ("835", "839"), ("836", "839"), ("837", "839")),
    ),
    Reorganisation(
        2022,
        ("928",),
        ("940", "941"),
        "Northamptonshire (April 2021)",
        (("928", "940"), ("928", "941")),
    ),
    Reorganisation(
        2024, ("909",), ("942", "943"), "Cumbria (April 2023)", (("909", "942"), ("909", "943"))
    ),
)
"""Reorganisations since 2010 that changed 3-digit codes (checked against ``ees_las.csv``)."""

CLOSENESS = {
    "extremely close": "Extremely close",
    "very close": "Very Close",
    "close": "Close",
    "somewhat close": "Somewhat close",
    "not close": "Not Close",
}
_LA = re.compile(r"^\d{3}$")
_LAS_CODE = re.compile(r"^(\d{3}( / \d{3})*|x|:)$")
"""In ``las.csv``: a 3-digit code, a joint return (``314 / 318``) or ``x``/``:`` (none)."""


def _rows(path: Path, code: str) -> tuple[list[str], list[list[str]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            [Problem(code, f"cannot read the file as UTF-8 text ({exc})", str(path))]
        ) from None
    try:
        rows = [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)]
    except csv.Error as exc:  # e.g. a field over the 128 KiB limit
        raise InputError(
            [Problem(code, f"cannot read the file as CSV ({exc})", str(path))]
        ) from None
    if not rows:
        raise InputError([Problem(code, "the file is empty (no header row)", str(path))])
    return [c.strip() for c in rows[0]], rows[1:]


def read_las(path: Path) -> pd.DataFrame:
    """EES ``las.csv``: one row per GSS code with its 3-digit code, region, dates and status.

    Rows for joint returns (``314 / 318``) and codes without a 3-digit number (``x``) are
    kept as written; callers keep the 3-digit ones they need.
    """
    header, rows = _rows(path, "CSC-E4010")
    need = ("new_la_code", "la_name", "parent_geography_code", "status", "old_la_code")
    missing = [c for c in need if c not in header]
    if missing:
        raise InputError(
            [Problem("CSC-E4010", "a required column is missing", str(path), 1, c) for c in missing]
        )
    frame = pd.DataFrame([r[: len(header)] for r in rows], columns=header, dtype=str)
    frame = frame.apply(lambda s: s.str.strip())
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    bad = frame.index[~frame["old_la_code"].str.match(_LAS_CODE)]
    if len(bad):
        raise InputError(
            [
                Problem(
                    "CSC-E4011",
                    "the old LA code is not a 3-digit DfE LA number",
                    str(path),
                    int(r),
                    "old_la_code",
                    frame.at[r, "old_la_code"],
                )
                for r in bad
            ]
        )
    renamed: pd.DataFrame = frame.rename(
        columns={
            "old_la_code": "la_code",
            "new_la_code": "gss_code",
            "parent_geography_code": "region_code",
        }
    ).reset_index(drop=True)
    return renamed


def read_regions(path: Path) -> dict[str, str]:
    """EES ``regions.csv``: region code -> name."""
    header, rows = _rows(path, "CSC-E4010")
    if not {"region_code", "region_name"} <= set(header):
        raise InputError(
            [Problem("CSC-E4010", "needs region_code and region_name columns", str(path), 1)]
        )
    i, j = header.index("region_code"), header.index("region_name")
    return {r[i].strip(): r[j].strip() for r in rows if len(r) > max(i, j)}


def read_statistical_neighbours(path: Path) -> pd.DataFrame:
    """A DfE statistical-neighbours file (2021 or 2025 model) as a long table.

    Columns: ``la_code, rank, neighbour_code, closeness, current, model`` (``2021`` or
    ``2025``). ``current`` is False for the rows the 2021 file lists after its ``Old SNs:``
    label (the neighbours of LAs abolished by reorganisations).
    """
    header, rows = _rows(path, "CSC-E4012")
    name = str(path)
    if header and header[0] == "LA num":
        model, la_col = "2021", 0
        ranks = [(k, header.index(f"SN{k}")) for k in range(1, 11) if f"SN{k}" in header]
        pairs = [(k, i, i + 1) for k, i in ranks]
    elif "old_la_code" in header:
        model, la_col = "2025", header.index("old_la_code")
        pairs = [
            (k, header.index(f"SN_{k}"), header.index(f"SN_{k}P"))
            for k in range(1, 11)
            if f"SN_{k}" in header and f"SN_{k}P" in header
        ]
    else:
        raise InputError(
            [
                Problem(
                    "CSC-E4012",
                    "not a DfE statistical-neighbours file (no 'LA num' or 'old_la_code' column)",
                    name,
                    1,
                    header[0] if header else "",
                )
            ]
        )
    if len(pairs) != 10:
        raise InputError(
            [Problem("CSC-E4012", f"expected 10 neighbour columns, found {len(pairs)}", name, 1)]
        )
    problems: list[Problem] = []
    records: list[tuple[str, int, str, str, bool]] = []
    current = True
    for number, row in enumerate(rows, start=2):
        la = row[la_col].strip() if len(row) > la_col else ""
        label = " ".join(c.strip() for c in row if c.strip())
        if not la and label and not any(_LA.match(c.strip()) for c in row):
            current = current and "old" not in label.lower()  # e.g. ",Old SNs:," (2021 file)
            continue
        if not _LA.match(la):
            problems.append(
                Problem("CSC-E4011", "not a 3-digit LA number", name, number, header[la_col], la)
            )
            continue
        for k, ci, pi in pairs:
            code = row[ci].strip() if len(row) > ci else ""
            close = row[pi].strip() if len(row) > pi else ""
            if not _LA.match(code):
                problems.append(
                    Problem("CSC-E4011", "not a 3-digit LA number", name, number, header[ci], code)
                )
            elif close.lower() not in CLOSENESS:
                problems.append(
                    Problem(
                        "CSC-E4013",
                        "unknown closeness band",
                        name,
                        number,
                        header[pi],
                        close,
                        fix="use Extremely close, Very Close, Close, Somewhat close or Not Close",
                    )
                )
            else:
                records.append((la, k, code, CLOSENESS[close.lower()], current))
    if problems:
        raise InputError(problems)
    frame = pd.DataFrame(
        records, columns=["la_code", "rank", "neighbour_code", "closeness", "current"]
    )
    dupes = frame[frame.duplicated(["la_code", "rank"])]
    if not dupes.empty:
        raise InputError(
            [
                Problem(
                    "CSC-E4014", "the LA is listed twice", name, column=header[la_col], value=la
                )
                for la in dupes["la_code"].unique()
            ]
        )
    frame["model"] = model
    return frame


def reorganisations_table() -> pd.DataFrame:
    """The project's ``reorganisations`` table (one row per overlapping old/new pair)."""
    return pd.DataFrame(
        [(r.year, o, n, r.kind(o)) for r in REORGANISATIONS for o, n in r.links],
        columns=["year", "old_la_code", "new_la_code", "kind"],
    )


def balance(
    panel: pd.DataFrame,
    rule: str = "drop",
    *,
    additive: frozenset[str] = frozenset(),
    rates: Mapping[str, tuple[str, int]] | None = None,
) -> pd.DataFrame:
    """A panel (``la_code, year, indicator, value``) with reorganised LAs handled by ``rule``.

    ``additive``: indicator ids whose values may be summed over LAs (counts, populations);
    ``rates``: rate id -> (numerator id, decimals), recomputed from the summed counts and
    populations. See the module docstring for the rule.
    """
    from csceval.data.population import add_rates

    columns = ["la_code", "year", "indicator", "value"]
    involved = {c for r in REORGANISATIONS for c in (*r.old, *r.new)}
    keep = panel.loc[~panel["la_code"].isin(involved), columns]
    if rule == "drop":
        return keep.reset_index(drop=True)
    if rule != "aggregate":
        raise ValueError(f"unknown balancing rule {rule!r} (use 'drop' or 'aggregate')")
    units = [keep]
    for reorg in REORGANISATIONS:
        wide = (
            panel[
                panel["la_code"].isin((*reorg.old, *reorg.new)) & panel["indicator"].isin(additive)
            ]
            .groupby(["year", "indicator", "la_code"])["value"]
            .first()
            .unstack("la_code")
            .reindex(columns=[*reorg.old, *reorg.new])
        )
        new_total = wide[list(reorg.new)].sum(axis=1, min_count=len(reorg.new))
        old_total = wide[list(reorg.old)].sum(axis=1, min_count=len(reorg.old))
        unit = new_total.fillna(old_total).rename("value").reset_index()
        unit["la_code"] = reorg.new[0]
        units.append(add_rates(unit[columns].dropna(subset=["value"]), rates or {}))
    return pd.concat(units, ignore_index=True)[columns]
