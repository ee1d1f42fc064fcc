"""Key indicators over time on the small fixture project, checked by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from csceval.disclosure import DisclosurePolicy
from csceval.pipeline import load_project
from csceval.strands.key_indicators.section import render_trends
from csceval.strands.key_indicators.trends import analyse_trends, mean_gap


def test_groups_years_and_comparators(valid_project: Path) -> None:
    result = analyse_trends(load_project(valid_project))
    assert result.pilot_codes == ("401",)
    # 401's neighbours are 402, 403, 404; 402 is a contrast site and never a comparator.
    assert result.comparators.la_codes == ("403", "404")
    assert (result.adoption_year, result.embedded_year) == (2018, 2019)
    trend = result.trends[0]
    assert trend.pre_years == (2014, 2015, 2016, 2017)
    assert trend.post_years == (2019, 2020)


def test_rate_group_mean_is_the_population_weighted_mean(valid_project: Path) -> None:
    rows = pd.read_csv(valid_project / "data" / "indicators.csv", dtype={"la_code": str})
    wide = rows.pivot_table(
        index=["la_code", "year"], columns="indicator", values="value", aggfunc="first"
    )
    rate = pd.to_numeric(wide["cla_rate_per_10k"], errors="coerce").xs(2016, level="year")
    population = pd.to_numeric(wide["population_0_17"], errors="coerce").xs(2015, level="year")
    expected = (rate * population)[["403", "404"]].sum() / population[["403", "404"]].sum()
    trend = analyse_trends(load_project(valid_project)).trends[0]
    assert trend.indicator.id == "cla_rate_per_10k"
    got = trend.series.set_index("year").loc[2016, "comparators"]
    assert got == pytest.approx(expected, rel=1e-12)


def test_mean_gap() -> None:
    frame = pd.DataFrame(
        {"year": [1, 2, 3], "pilots": [5.0, 7.0, float("nan")], "comparators": [4.0, 4.0, 1.0]}
    )
    assert mean_gap(frame, (1, 2, 3)) == pytest.approx(2.0)
    assert mean_gap(frame, (3,)) is None


def test_findings_quote_the_published_gaps(valid_project: Path) -> None:
    result = analyse_trends(load_project(valid_project))
    section = render_trends(result, DisclosurePolicy())
    published = section.table("trend-rereferral_within_12m_pct").table.values
    published = published.assign(year=result.trends[1].series["year"].to_numpy())
    pre = mean_gap(published, result.trends[1].pre_years)
    post = mean_gap(published, result.trends[1].post_years)
    assert pre is not None
    assert post is not None
    finding = next(f.text for f in section.findings if f.text.startswith("Re-referrals"))
    assert f"{abs(pre):.1f} percentage points" in finding
    assert f"{abs(post):.1f} percentage points" in finding
    assert ("in the pilots' favour" in finding) == (post - pre < 0)
