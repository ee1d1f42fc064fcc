"""Each LA's hexagon on the hex cartogram: from a hexjson file, or a compact synthetic layout.

Coordinates are HexJSON ``odd-r`` offsets: ``q`` the column, ``r`` the row counted upwards (the
Open Innovations maps put the south at ``r = 0``); odd rows shift right by half a hex.

Notes
-----
The real layout (``england_utla_2020.hexjson``) has one hex per 2020 upper-tier LA, keyed by its
GSS code. A GSS code is matched to the project's 3-digit LA number through the project's own
``gss_code`` column, then :data:`RETIRED_GSS` (codes retired since 2009 whose 3-digit number
continues or ended, from the EES LA list), then an optional LA reference file. LAs created or
abolished by a reorganisation are placed from the project's ``reorganisations`` table, group by
group, until nothing changes: an unplaced LA takes the cell of the first LA it is linked to on the
other side of its reorganisation (by code order) that no LA of its own side holds yet; else it is
inserted beside the first such cell on the same row, the hexes between it and the row's nearest
free cell (east on a tie) moving one step along (every LA on a moved cell moves, so LAs that never
coexist still share their cells). So Northamptonshire's hex goes to North Northamptonshire and
West Northamptonshire sits beside it; Bournemouth, Poole and Dorset county (before April 2019)
take the cells of Dorset and BCP and one inserted beside BCP. The same input always gives the
same layout.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping

import pandas as pd

from csceval.errors import InputError, Problem
from csceval.project.documents import parse_json

Cell = tuple[int, int]
MAX_HEXJSON_BYTES = 2_000_000
RETIRED_GSS: dict[str, str] = {
    "E06000028": "837",  # Bournemouth, to 31 March 2019
    "E06000029": "836",  # Poole, to 31 March 2019
    "E06000048": "929",  # Northumberland, recoded 2013
    "E08000016": "370",  # Barnsley, recoded May 2025
    "E08000019": "373",  # Sheffield, recoded May 2025
    "E08000020": "390",  # Gateshead, recoded 2013
    "E10000002": "825",  # Buckinghamshire county, unitary from April 2020
    "E10000006": "909",  # Cumbria, to 31 March 2023
    "E10000009": "835",  # Dorset county, to 31 March 2019
    "E10000021": "928",  # Northamptonshire, to 31 March 2021
    "E10000023": "815",  # North Yorkshire county, unitary from April 2023
    "E10000027": "933",  # Somerset county, unitary from April 2023
}
"""GSS codes that a hexjson of an older geography may carry, with their 3-digit LA numbers."""


def neighbours(cell: Cell) -> list[Cell]:
    """The six cells around ``cell`` (odd-r): east, west, then the rows above and below."""
    q, r = cell
    shift = r % 2  # odd rows sit half a hex to the right
    return [
        (q + 1, r),
        (q - 1, r),
        (q - 1 + shift, r + 1),
        (q + shift, r + 1),
        (q - 1 + shift, r - 1),
        (q + shift, r - 1),
    ]


def parse_hexjson(content: bytes, name: str) -> dict[str, tuple[int, int, str]]:
    """A hexjson file's hexes: key -> (q, r, name). Raises :class:`InputError` (E3510/E3511)."""
    if len(content) > MAX_HEXJSON_BYTES:
        raise InputError(
            [Problem("CSC-E3510", f"the file is over {MAX_HEXJSON_BYTES:,} bytes", file=name)]
        )
    try:
        document = parse_json(content.decode("utf-8-sig"))
        hexes = document["hexes"]
        layout = document.get("layout", "odd-r")
    except (UnicodeDecodeError, json.JSONDecodeError, TypeError, KeyError, AttributeError) as e:
        raise InputError(
            [
                Problem(
                    "CSC-E3510",
                    f"not a hexjson file ({e.__class__.__name__})",
                    file=name,
                    fix='give a HexJSON file: {"layout": "odd-r", "hexes": {...}}',
                )
            ]
        ) from None
    problems: list[Problem] = []
    if layout != "odd-r" or not isinstance(hexes, dict):
        problems.append(
            Problem(
                "CSC-E3510",
                "only odd-r hexjson layouts are read",
                name,
                column="layout",
                value=str(layout),
            )
        )
        raise InputError(problems)
    found: dict[str, tuple[int, int, str]] = {}
    cells: dict[Cell, str] = {}
    for key, spec in hexes.items():
        q, r = (spec.get(k) if isinstance(spec, dict) else None for k in ("q", "r"))
        if not (isinstance(q, int) and isinstance(r, int)):
            problems.append(
                Problem(
                    "CSC-E3511",
                    "the hex lacks integer q and r",
                    name,
                    column=str(key),
                    value=str(spec)[:80],
                )
            )
            continue
        if (q, r) in cells:
            problems.append(
                Problem(
                    "CSC-E3511",
                    f"the hex shares its cell with {cells[q, r]}",
                    name,
                    column=str(key),
                    value=f"q={q}, r={r}",
                )
            )
        cells[q, r] = str(key)
        found[str(key)] = (q, r, str(spec.get("n") or spec.get("name") or key))
    if problems:
        raise InputError(problems)
    return found


def label(name: str) -> str:
    """A three-character label for a hex: the first letters of the name."""
    letters = "".join(ch for ch in name if ch.isalnum())
    return letters[:3].title() or "?"


def _insert_beside(anchor: Cell, placed: dict[str, Cell]) -> Cell:
    """A cell next to ``anchor`` on its row, made free by shifting the hexes between ``anchor``
    and the row's nearest free cell one step towards it (east on a tie)."""
    q0, r = anchor
    used = {q for q, row in placed.values() if row == r}
    east = next(q for q in range(q0 + 1, q0 + len(used) + 2) if q not in used)
    west = next((q for q in range(q0 - 1, -1, -1) if q not in used), None)
    step = -1 if west is not None and q0 - west < east - q0 else 1
    free = west if west is not None and step == -1 else east
    between = range(q0 + step, free, step)
    for code, (q, row) in placed.items():
        if row == r and q in between:
            placed[code] = (q + step, r)
    return (q0 + step, r)


def place_reorganised(cells: dict[str, Cell], reorganisations: pd.DataFrame) -> dict[str, Cell]:
    """Cells for LAs on either side of a reorganisation whose partners have one (see Notes)."""
    placed = dict(cells)
    links = list(
        zip(
            reorganisations["old_la_code"].astype(str),
            reorganisations["new_la_code"].astype(str),
            strict=True,
        )
    )
    olds = {o for o, _ in links}
    partners: dict[str, list[str]] = {}
    for old, new in links:
        partners.setdefault(old, []).append(new)
        partners.setdefault(new, []).append(old)
    changed = True
    while changed:
        changed = False
        for code in sorted(partners):
            if code in placed:
                continue
            linked = sorted(p for p in partners[code] if p in placed)
            if not linked:
                continue
            side = olds if code in olds else set(partners) - olds
            side_cells = {placed[c] for c in side if c in placed and _related(c, code, partners)}
            options = [placed[p] for p in linked if placed[p] not in side_cells]
            placed[code] = options[0] if options else _insert_beside(placed[linked[0]], placed)
            changed = True
    return placed


def _related(a: str, b: str, partners: Mapping[str, list[str]]) -> bool:
    """Whether two LAs are in the same reorganisation group (share a partner)."""
    return bool(set(partners.get(a, ())) & set(partners.get(b, ())))


def hexes_for_project(
    hexes: Mapping[str, tuple[int, int, str]],
    las: pd.DataFrame,
    reorganisations: pd.DataFrame,
    gss_to_la: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """``la_hexes`` rows for the project's LAs from a hexjson's hexes, and the LAs left out."""
    by_gss = {**RETIRED_GSS, **dict(gss_to_la or {})}
    by_gss.update(zip(las["gss_code"].astype(str), las["la_code"].astype(str), strict=True))
    known = set(las["la_code"].astype(str))
    cells: dict[str, Cell] = {}
    for gss in sorted(hexes):
        code = by_gss.get(gss)
        if code in known and code not in cells:
            cells[code] = hexes[gss][:2]
    placed = place_reorganised(cells, reorganisations)
    names = dict(zip(las["la_code"].astype(str), las["la_name"].astype(str), strict=True))
    problems = [
        Problem(
            "CSC-E3512",
            f"{names[code]} has no hex in the hexjson and is not part of a reorganisation",
            file="data/local_authorities.csv",
            column="la_code",
            value=code,
            fix="use a hexjson with this LA, or give --la-reference with its GSS code",
        )
        for code in sorted(known - set(placed))
    ]
    return _frame(placed, names), problems


def _frame(placed: Mapping[str, Cell], names: Mapping[str, str]) -> pd.DataFrame:
    rows = [(c, q, r, label(names.get(c, c))) for c, (q, r) in sorted(placed.items())]
    return pd.DataFrame(rows, columns=["la_code", "q", "r", "label"])


REGION_BLOCKS: dict[str, Cell] = {
    "North East": (1, 3),
    "North West": (0, 2),
    "Yorkshire and The Humber": (1, 2),
    "West Midlands": (0, 1),
    "East Midlands": (1, 1),
    "East of England": (2, 1),
    "South West": (0, 0),
    "South East": (1, 0),
    "London": (2, 0),
}
"""Where each region's block sits in the synthetic layout (column, order upwards)."""


def synthetic_hexes(las: pd.DataFrame, reorganisations: pd.DataFrame) -> pd.DataFrame:
    """A compact layout by region for a synthetic project (every LA, reorganised ones too).

    LAs that still exist fill their region's block row by row (north-west first, by code);
    each column of blocks stacks its regions upwards with one empty row between them.
    Reorganised LAs are then placed from their partners, as for real maps.
    """
    current = las[las["last_year"].isna()].sort_values("la_code")
    groups = {str(k): list(g["la_code"].astype(str)) for k, g in current.groupby("region_name")}
    size = max(1, math.ceil(math.sqrt(max((len(g) for g in groups.values()), default=1))))
    extra = iter(range(len(REGION_BLOCKS), 10_000))
    blocks = {region: REGION_BLOCKS.get(region, (next(extra), 0)) for region in sorted(groups)}
    cells: dict[str, Cell] = {}
    bases: dict[int, int] = {}  # each grid column's next free row: blocks stack upwards
    for region in sorted(groups, key=lambda g: (blocks[g][1], blocks[g][0], g)):
        col, _ = blocks[region]
        codes = groups[region]
        height = math.ceil(len(codes) / size)
        base = bases.get(col, 0)
        for k, code in enumerate(codes):
            cells[code] = (col * (size + 1) + k % size, base + height - 1 - k // size)
        bases[col] = base + height + 1
    placed = place_reorganised(cells, reorganisations)
    names = dict(zip(las["la_code"].astype(str), las["la_name"].astype(str), strict=True))
    return _frame(placed, names)


def alive(las: pd.DataFrame, year: int) -> set[str]:
    """LAs that exist in the year ending 31 March ``year``."""
    first = las["first_year"].astype("Int64")
    last = las["last_year"].astype("Int64")
    keep = (first <= year) & (last.isna() | (last >= year))
    return set(las.loc[keep.fillna(False).to_numpy(dtype=bool), "la_code"].astype(str))


def shared_cells(hexes: pd.DataFrame, las: pd.DataFrame) -> list[tuple[str, str]]:
    """Pairs of LAs on the same cell whose lifetimes overlap (they cannot both be drawn)."""
    last_years = las["last_year"].astype("Int64").fillna(9999)
    lives = zip(las["la_code"].astype(str), las["first_year"], last_years, strict=True)
    life = {code: (int(first), int(last)) for code, first, last in lives}
    spans = {c: life[c] for c in hexes["la_code"].astype(str) if c in life}
    clashes: list[tuple[str, str]] = []
    for _, group in hexes.groupby(["q", "r"], sort=True):
        codes = sorted(c for c in group["la_code"].astype(str) if c in spans)
        clashes += [
            (a, b)
            for i, a in enumerate(codes)
            for b in codes[i + 1 :]
            if spans[a][0] <= spans[b][1] and spans[b][0] <= spans[a][1]
        ]
    return clashes


def cells_of(hexes: pd.DataFrame, codes: Iterable[str]) -> dict[str, Cell]:
    """The cells of the given LAs (those that have one)."""
    wanted = set(codes)
    return {
        str(c): (int(q), int(r))
        for c, q, r in zip(hexes["la_code"], hexes["q"], hexes["r"], strict=True)
        if str(c) in wanted
    }
