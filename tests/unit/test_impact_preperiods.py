"""Pre-periods, perfect fits, ITS as a chart, and the headline rerun with shifted adoption years.

Hand-made panels only (no simulation): each test builds a few LAs over a few years.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from csceval.disclosure import DisclosurePolicy
from csceval.impact.adoption_sensitivity import (
    headline_panel,
    pooled_headline,
    shifted_headline,
    shifted_method,
)
from csceval.impact.random_trend import random_trend
from csceval.impact.synth import SynthPanel, SynthSpec
from csceval.impact.synth_placebo import placebo_in_space
from csceval.indicators.catalogue import BY_ID
from csceval.project import Project
from csceval.project.comparators import choose_comparators
from csceval.project.settings import ImpactSettings
from csceval.report.model import LineChart, TableBlock
from csceval.strands.impact.its_chart import its_blocks, its_mean_effect
from csceval.strands.impact.methods import analyse_indicator, perfect_fit_notes
from csceval.strands.key_indicators.pilots import analyse_pilots
from csceval.strands.key_indicators.pilots_section import _sensitivity_block

CALIBRATION: dict[str, object] = {"methods": {}}
DONORS = tuple(f"D{i}" for i in range(12))


def _values(years: range = range(2012, 2022), n_pilots: int = 3, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    codes = [f"P{i}" for i in range(n_pilots)] + list(DONORS)
    data = 50 + rng.normal(0, 1, (len(codes), len(years))).cumsum(axis=1)
    return pd.DataFrame(data, index=codes, columns=list(years))


def test_min_pre_years_is_three_by_default_and_cannot_be_lower() -> None:
    assert ImpactSettings().min_pre_years == 3
    assert ImpactSettings(min_pre_years=5).min_pre_years == 5
    with pytest.raises(ValidationError):
        ImpactSettings(min_pre_years=2)


def test_a_pilot_with_two_pre_years_is_left_out_and_named_with_its_reason() -> None:
    adoption = {"P0": 2014, "P1": 2015, "P2": 2018}  # 2, 3 and 6 years before adoption
    hp = headline_panel(_values(), adoption, DONORS, 3, {"P0": "Ashby"})
    assert hp.pilots == {"P1": 2015, "P2": 2018}
    assert hp.notes == [
        "1 pilot(s) left out (each needs a value in every year of 2012-2021 and at least 3 "
        "years before adoption): Ashby: 2 year(s) before adoption in 2012-2021 (needs 3)"
    ]
    stricter = headline_panel(_values(), adoption, DONORS, 4)
    assert stricter.pilots == {"P2": 2018}
    impact = analyse_indicator(
        BY_ID["sw_caseload"], _values(), adoption, DONORS, ("synth",), CALIBRATION,
        min_pre_years=4,
    )  # fmt: skip
    assert impact.pilots_used == ("P2",)
    assert any("P0: 2 year(s)" in n and "P1: 3 year(s)" in n for n in impact.notes)


def _units(values: pd.DataFrame) -> tuple[str, ...]:
    return tuple(str(u) for u in values.index)


def _times(values: pd.DataFrame) -> tuple[int, ...]:
    return tuple(int(y) for y in values.columns)


def _two_pre_year_panel() -> SynthPanel:
    """Two pre-years (2010-11): demeaned, a path (-d, +d) that two bracketing donors fit exactly."""
    values = _values(range(2010, 2015), n_pilots=1, seed=3)
    matrix = values.to_numpy().T
    return SynthPanel(_units(values), _times(values), {"y": matrix})


def test_perfect_fit_is_detected_and_kept_out_of_the_ratio_test() -> None:
    panel = _two_pre_year_panel()
    spec = SynthSpec("y", v_method="equal", demean=True)
    res = placebo_in_space(panel, spec, "P0", 2012, DONORS)
    assert res.fit.pre_rmspe < 1e-9
    assert res.treated_perfect
    assert math.isnan(res.p_value)  # no ratio test for a pilot fitted exactly
    exact = res.pre_rmspe <= 1e-9
    assert res.n_perfect == int(exact.sum()) >= len(DONORS) - 2
    assert any("fitted exactly" in n for n in res.notes)
    # with six noisy pre-years nothing is exact and the ratio test is the usual one
    values = _values(range(2010, 2018), n_pilots=1, seed=4)
    long = SynthPanel(_units(values), _times(values), {"y": values.to_numpy().T})
    ok = placebo_in_space(long, spec, "P0", 2016, DONORS[:4])
    assert not ok.treated_perfect
    assert ok.n_perfect == 0
    assert ok.p_value == ok.rank / (1 + ok.n_placebos)


def test_perfect_fits_are_reported_by_the_strand() -> None:
    pooled = pooled_headline(_two_pre_year_panel(), {"P0": 2012}, list(DONORS), n_draws=19)
    notes = perfect_fit_notes(pooled, {"P0": "Ashby"})
    assert notes[0].startswith("Perfect pre-period fit (pre-RMSPE ~ 0, no RMSPE-ratio test) for 1")
    assert notes[0].endswith(": Ashby.")
    assert "left out of the RMSPE-ratio test" in notes[1]


def test_its_is_a_chart_of_observed_gaps_and_never_a_row() -> None:
    values = _values()
    adoption = {"P0": 2016, "P1": 2018}
    impact = analyse_indicator(
        BY_ID["sw_caseload"], values, adoption, DONORS, ("synth", "its"), CALIBRATION
    )
    assert "its" not in {e.method for e in impact.estimates}
    assert impact.get("synth_pooled") is not None
    frame = impact.its_gaps
    assert frame is not None
    years = np.array([int(y) for y in values.columns])
    donors = values.loc[list(DONORS)].to_numpy().mean(axis=0)
    gap = {p: values.loc[p].to_numpy() - donors for p in adoption}  # pilot minus comparators
    by_hand = {
        p: dict(zip(years.tolist(), gap[p] - gap[p][years < t].mean(), strict=True))
        for p, t in adoption.items()
    }
    at_zero = np.mean([by_hand["P0"][2016], by_hand["P1"][2018]])
    assert frame.set_index("event_time").loc[0, "its"] == pytest.approx(at_zero, abs=1e-10)
    assert frame.set_index("event_time").loc[4, "pilots"] == 1  # only P0 has a 5th post-year
    post = [np.mean([by_hand[p][t + e] for p, t in adoption.items() if t + e <= 2021])
            for e in range(6)]  # fmt: skip
    assert its_mean_effect(frame) == pytest.approx(float(np.mean(post)), abs=1e-10)
    chart, table = its_blocks(frame, "sw_caseload", "Caseload", "cases", "test", DisclosurePolicy())
    assert isinstance(chart, LineChart)
    assert isinstance(table, TableBlock)
    assert chart.table_id == table.id
    assert [c.name for c in table.table.spec.columns] == ["event_time", "its", "pilots"]


def test_the_headline_is_rerun_for_each_shifted_adoption() -> None:
    values = _values()
    adoption = {"P0": 2015, "P1": 2017, "P2": 2018}
    shifted = shifted_headline(values, adoption, DONORS, (-1, 0, 1), 3, n_draws=19)
    assert [s.shift for s in shifted] == [-1, 0, 1]
    assert [s.pilots for s in shifted] == [2, 3, 3]  # a year earlier P0 has two pre-years
    hp = headline_panel(values, adoption, DONORS, 3)
    assert hp.panel is not None
    main = pooled_headline(hp.panel, hp.pilots, hp.donors, n_draws=19)
    assert shifted[1].estimate == pytest.approx(float(main.att), abs=1e-12)
    assert shifted[1].p_value == pytest.approx(float(main.p_value), abs=1e-12)
    later = pooled_headline(
        headline_panel(values, {c: y + 1 for c, y in adoption.items()}, DONORS, 3).panel,  # type: ignore[arg-type]
        {c: y + 1 for c, y in adoption.items()}, list(DONORS), n_draws=19,
    )  # fmt: skip
    assert shifted[2].estimate == pytest.approx(float(later.att), abs=1e-12)
    assert shifted[2].estimate != pytest.approx(shifted[1].estimate)
    nothing = shifted_headline(values, {"P0": 2013}, DONORS, (0,), 3, n_draws=19)
    assert nothing[0].pilots == 0
    assert math.isnan(nothing[0].estimate)
    assert nothing[0].note == "not estimable: no pilot can enter"


def test_the_sensitivity_reruns_the_random_trend_model_when_it_is_the_headline() -> None:
    values = _values()
    adoption = {"P0": 2015, "P1": 2017, "P2": 2018}
    assert shifted_method(["descriptive", "synth", "trend"]) == "random_trend"
    assert shifted_method(["synth", "did"]) == "synth_pooled"
    shifted = shifted_headline(values, adoption, DONORS, (0, 1), 3, method="random_trend")
    hp = headline_panel(values, adoption, DONORS, 3)
    assert hp.panel is not None
    main = random_trend(hp.panel, hp.pilots, hp.donors)
    assert shifted[0].estimate == pytest.approx(main.att, abs=1e-12)
    assert shifted[0].p_value == pytest.approx(main.p_value, abs=1e-12)
    assert shifted[1].estimate != pytest.approx(shifted[0].estimate)
    with pytest.raises(ValueError, match="no adoption sensitivity for 'did'"):
        shifted_headline(values, adoption, DONORS, (0,), 3, method="did")


def test_a_plan_whose_headline_is_not_rerun_says_so(
    demo_loaded: Callable[[], Project],
) -> None:
    """With Callaway-Sant'Anna as the headline the sensitivity reruns nothing, rather than a
    synthetic control the impact section does not headline."""
    project = demo_loaded()
    analysis = project.settings.analysis.model_copy(update={"estimators": ["descriptive", "did"]})
    settings = project.settings.model_copy(update={"analysis": analysis})
    project = replace(project, settings=settings)
    result = analyse_pilots(project, choose_comparators(project))
    assert result is not None
    assert result.headline_method is None
    assert all(math.isnan(s.estimate) for s in result.sensitivity)
    assert {s.estimated_pilots for s in result.sensitivity} == {0}
    block = _sensitivity_block(result, DisclosurePolicy())
    assert "Headline: not rerun." in " ".join(block.notes)


def test_the_demo_reports_the_headline_per_adoption_scenario(demo_run: Path) -> None:
    """The 'as assumed' row of the sensitivity table is the impact section's own headline."""
    tables = demo_run / "tables"
    sensitivity = pd.read_csv(tables / "adoption-sensitivity.csv")
    assert {"estimated", "estimate", "p_value"} <= set(sensitivity.columns)
    title = BY_ID["cla_rate_per_10k"].title
    rows = sensitivity[sensitivity["indicator"] == title].set_index("adoption")
    assert list(rows.index) == ["a year earlier", "as assumed", "a year later"]
    impact = pd.read_csv(tables / "impact-cla_rate_per_10k.csv")
    head = impact[impact["method"] == "Random-trend model (headline)"].iloc[0]
    published = float(str(head["estimate"])), float(str(head["p_value"]))  # text columns
    assert rows.loc["as assumed", "estimate"] == pytest.approx(published[0], abs=0.01)
    assert rows.loc["as assumed", "p_value"] == pytest.approx(published[1], abs=0.001)
    assert rows["p_value"].between(0, 1).all()
    assert rows.loc["a year earlier", "estimate"] != rows.loc["as assumed", "estimate"]
