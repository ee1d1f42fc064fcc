"""The impact section's per-pilot synthetic-control table (fit, placebo ratio, V and W)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csceval.disclosure import DisclosurePolicy
from csceval.indicators.catalogue import BY_ID
from csceval.project.comparators import ComparatorSet
from csceval.strands.impact.methods import analyse_indicator
from csceval.strands.impact.results import ImpactResult
from csceval.strands.impact.section import render_impact


def _values() -> pd.DataFrame:
    """Three pilots and twelve comparators, 2012-2021: level + trend + a shared factor."""
    rng = np.random.default_rng(11)
    years = list(range(2012, 2022))
    units = ["P0", "P1", "P2", *(f"D{i}" for i in range(12))]
    factor = np.cumsum(rng.normal(0, 1, len(years)))
    data = {
        u: 40 + 3 * i + 0.2 * i * np.arange(len(years)) + factor + rng.normal(0, 0.3, len(years))
        for i, u in enumerate(units)
    }
    return pd.DataFrame(data, index=years).T


@pytest.mark.parametrize("indicator", ["cpp_rate_per_10k", "sw_caseload"])
def test_section_has_a_per_pilot_synth_table(indicator: str) -> None:
    adoption = {"P0": 2016, "P1": 2017, "P2": 2018}
    donors = tuple(f"D{i}" for i in range(12))
    impact = analyse_indicator(
        BY_ID[indicator], _values(), adoption, donors, ("synth",), {"methods": {}},
        names={"P0": "Pilot nought"},
    )  # fmt: skip
    fits = impact.synth_fits
    assert fits is not None
    assert list(fits["pilot"]) == ["Pilot nought", "P1", "P2"]
    head = impact.get("synth_rmspe")
    assert head is not None
    assert fits["pre_rmspe"].iloc[0] == pytest.approx(head.fit)  # same scale as the estimates
    result = ImpactResult(
        indicators=(impact,),
        comparators=ComparatorSet("named", donors, ()),
        adoption=adoption,
        pilot_names={"P0": "Pilot nought"},
        estimators=("synth",),
        calibration={"methods": {}},
        notes=(),
    )
    section = render_impact(result, DisclosurePolicy())
    block = section.table(f"impact-sc-{indicator}")
    cells = block.table.cells
    assert list(cells["pilot"]) == ["Pilot nought", "P1", "P2"]
    assert all(d.startswith("D") for d in cells["donors"])  # "D3 0.41, D4 0.30, ..."
    assert all(v.startswith("equal") for v in cells["v"])
    p_values = block.table.values["p_value"].astype(float)
    assert ((p_values > 0) & (p_values <= 1)).all()
    assert "Post/pre RMSPE ratio" in [c.title for c in block.table.spec.columns]
