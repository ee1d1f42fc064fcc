"""Synthetic England against the real DfE panel (../shared/data/csc_la_panel), read live."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

INDICATORS = (
    "cin_rate_per_10k",
    "referral_rate_per_10k",
    "cpp_rate_per_10k",
    "cla_rate_per_10k",
    "rereferral_within_12m_pct",
    "repeat_cpp_pct",
    "sw_agency_pct",
    "sw_turnover_pct",
)
YEAR = 2019


@pytest.fixture(scope="module")
def simulated_panel(demo_project: Path) -> pd.DataFrame:
    rows = pd.read_csv(
        demo_project / "data" / "indicators.csv", dtype={"la_code": str, "value": str}
    )
    rows["value"] = pd.to_numeric(rows["value"], errors="coerce")
    return rows[rows["year"] == YEAR].pivot(index="la_code", columns="indicator", values="value")


@pytest.fixture(scope="module")
def real(shared_data: Path) -> pd.DataFrame:
    wide = pd.read_csv(shared_data / "csc_la_panel" / "csc_la_panel_wide.csv")
    return wide[wide["year"] == YEAR].set_index("old_la_code")


@pytest.mark.parametrize("indicator", INDICATORS)
def test_cross_la_distribution_is_like_the_real_one(
    simulated_panel: pd.DataFrame, real: pd.DataFrame, indicator: str
) -> None:
    """Median and quartiles across LAs within 25% of the real ones (2019)."""
    sim = simulated_panel[indicator].dropna()
    obs = real[indicator].dropna()
    assert len(sim) > 100
    assert len(obs) > 100
    for q in (0.25, 0.5, 0.75):
        assert sim.quantile(q) == pytest.approx(obs.quantile(q), rel=0.25), (indicator, q)


def test_as_many_las_as_england(simulated_panel: pd.DataFrame, real: pd.DataFrame) -> None:
    assert abs(len(simulated_panel) - len(real)) <= 10
