"""Child-level output: CIN census XML and SSDA903 CSV/XML consistent with the LA panel.

For a chosen LA and year, children and their events are generated so that the DfE definitions
of :mod:`csceval.childlevel` give back exactly the simulator's published (``observed``) values:
every count, and for every percentage its numerator and denominator. How the records are made
up: :mod:`csceval.simulate.childlevel_cin` (CIN census) and
:mod:`csceval.simulate.childlevel_ssda903` (SSDA903); the values to meet:
:mod:`csceval.simulate.childlevel_targets`.

One known difference: the panel's ``cla_3plus_placements_pct`` has the denominator
``1.3 x counterfactual CLA at 31 March`` (:mod:`csceval.simulate.panel`), not DfE's children
looked after at 31 March, so its percentage cannot be met exactly; the numerator is set to the
nearest whole child (the percentage is within 50/CLA points).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from csceval.data.ssda903 import tables_to_csv
from csceval.simulate.childlevel_cin import _CinBuilder, cin_census_xml
from csceval.simulate.childlevel_ssda903 import _ClaBuilder, ssda903_xml
from csceval.simulate.childlevel_targets import ChildLevelError, Targets, targets_from_panel
from csceval.simulate.rng import stream

__all__ = [
    "ChildLevelError",
    "ChildLevelFiles",
    "Targets",
    "known_values",
    "simulate_child_level",
    "ssda903_xml",
    "write_child_level",
]


@dataclass(frozen=True)
class ChildLevelFiles:
    """One LA-year in the real formats, and the values it was made to reproduce."""

    targets: Targets
    cin_xml: str
    ssda903: dict[str, pd.DataFrame]


def simulate_child_level(
    panel: pd.DataFrame, la_code: str, year: int, seed: int = 2018
) -> ChildLevelFiles:
    """Child-level CIN census and SSDA903 records for one LA-year of the panel."""
    t = targets_from_panel(panel, la_code, year)
    rng = stream(seed, "childlevel", la_code, str(year))
    cin = _CinBuilder(t, rng)
    xml = cin_census_xml(t, cin.build(), rng)
    cla = _ClaBuilder(t, rng)
    cla.build()
    return ChildLevelFiles(t, xml, cla.tables())


def write_child_level(files: ChildLevelFiles, out: Path) -> list[Path]:
    """Write ``cin_census.xml``, ``ssda903.xml`` and ``ssda903/*.csv`` under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    cin = out / "cin_census.xml"
    cin.write_text(files.cin_xml, encoding="utf-8")
    xml = out / "ssda903.xml"
    xml.write_text(ssda903_xml(files.ssda903), encoding="utf-8")
    return [cin, xml, *tables_to_csv(files.ssda903, out / "ssda903")]


def known_values(files: Iterable[ChildLevelFiles]) -> pd.DataFrame:
    """The panel values the files reproduce: la_code, year, indicator, value."""
    rows = []
    for f in files:
        t = f.targets
        rows += [(t.la_code, t.year, k, float(v)) for k, v in t.counts.items()]
        rows += [
            (t.la_code, t.year, k, 100.0 * n / d if d else math.nan)
            for k, (n, d) in t.ratios.items()
        ]
    return pd.DataFrame(rows, columns=["la_code", "year", "indicator", "value"])
