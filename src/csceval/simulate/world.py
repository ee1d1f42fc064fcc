"""The whole simulated world, before it is written to files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from csceval.simulate.events import Gap, Shock, draw_gaps, draw_shocks
from csceval.simulate.geography import Geography, build_geography
from csceval.simulate.neighbours import Neighbour, neighbour_groups, statistical_neighbours
from csceval.simulate.panel import build_panel
from csceval.simulate.pilots import Design, choose_design

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class World:
    """Synthetic England for one seed.

    ``panel`` holds, per LA x year x indicator, the published value before suppression
    (``observed``), the value without the framework (``counterfactual``) and the expected values
    both were drawn around: what recovery tests compare estimators with.
    """

    seed: int
    geography: Geography
    neighbours: list[Neighbour]
    groups: list[str]
    design: Design
    shocks: tuple[Shock, ...]
    gaps: tuple[Gap, ...]
    panel: pd.DataFrame


def _silent(step: str, fraction: float) -> None:
    """The default progress callback: report nothing."""


def simulate_world(seed: int = 2018, progress: Progress | None = None) -> World:
    """Simulate synthetic England (no files written)."""
    report = progress or _silent
    report("local authorities", 0.05)
    geo = build_geography(seed)
    report("statistical neighbours", 0.15)
    neighbours = statistical_neighbours(geo)
    groups = neighbour_groups(geo, seed)
    report("pilots and effects", 0.25)
    design = choose_design(seed, geo, groups)
    sites = {p.index for p in design.pilots} | {c.index for c in design.contrasts}
    shocks = draw_shocks(seed, geo, sites)
    gaps = draw_gaps(seed, geo, sites)
    report("indicator panel", 0.35)
    panel = build_panel(seed, geo, design, shocks, gaps)
    return World(seed, geo, neighbours, groups, design, shocks, gaps, panel)
