"""Benchmarking a pilot against its neighbours, region and England (hand-checked values)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from csceval.disclosure import DisclosurePolicy
from csceval.pipeline import load_project
from csceval.project import Project
from csceval.registry import registered_strands
from csceval.strands.benchmarking.benchmarking import (
    analyse_benchmarks,
    benchmark_la,
    benchmarks_available,
    render_benchmarks,
)


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project(Path(__file__).resolve().parents[1] / "fixtures" / "valid_project")


def test_neighbours_region_england_rank_and_quartile(project: Project) -> None:
    (bench,) = benchmark_la(project, "401", ("rereferral_within_12m_pct",))
    row = bench.series.set_index("year").loc[2018]
    # 2018 values: 401 19.9; neighbours 402 27.3, 403 17.9, 404 27.0; also 405 22.7, 406 16.4.
    assert row["la"] == pytest.approx(19.9)
    assert row["neighbours"] == pytest.approx((27.3 + 17.9 + 27.0) / 3)
    assert row["region"] == pytest.approx(131.2 / 6)
    assert row["england"] == pytest.approx(131.2 / 6)
    assert (row["rank"], row["n_ranked"], row["quartile"]) == (3, 6, 2)  # lower is better
    assert bench.n_neighbours == 3


def test_rates_pool_by_population_and_suppressed_cells_stay_suppressed(project: Project) -> None:
    (bench,) = benchmark_la(project, "405", ("cla_rate_per_10k",))
    row = bench.series.set_index("year").loc[2018]
    assert row["la"] == "c"
    assert math.isnan(row["rank"])
    rates = np.array([64.3, 62.5, 60.6, 61.5, 60.1])  # 405 suppressed: left out
    weights = np.array([44010, 44020, 44030, 44040, 44060])  # mid-2017 populations
    assert row["england"] == pytest.approx(float((rates * weights).sum() / weights.sum()))


def test_the_strand_is_registered_and_renders_through_disclosure(project: Project) -> None:
    assert "benchmarking" in [s.id for s in registered_strands()]
    assert benchmarks_available(project)
    result = analyse_benchmarks(project)
    pilots = {s.la_code for s in project.pilots}
    assert {b.la_code for b in result.benchmarks} == pilots
    section = render_benchmarks(result, DisclosurePolicy(min_count=5))
    assert section.id == "benchmarking"
    assert len(section.tables) == len(result.benchmarks)
    assert len(section.charts) == len(result.benchmarks)
    assert [p.id for p in section.pages] == [f"benchmarks-{code}" for code in sorted(pilots)]
    assert all(page.findings for page in section.pages), "each pilot's page has its findings"
