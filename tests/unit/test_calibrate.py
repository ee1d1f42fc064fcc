"""Size and coverage calibration on pseudo-pilots (csceval.impact.calibrate)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from csceval.impact.calibrate import MethodCalibration, calibrate, candidate_panel
from csceval.impact.synth_data import SynthPanel

YEARS = [2006, 2006, 2008, 2008]


def noise_panel(seed: int = 0, n: int = 24, t: int = 10) -> SynthPanel:
    """Unit effects, a common trend and AR noise; nothing happens to anyone."""
    rng = np.random.default_rng(seed)
    trend = rng.normal(0, 1, t).cumsum()
    rows = []
    for i in range(n):
        level = rng.normal(50, 5)
        e = 0.0
        for j in range(t):
            e = 0.4 * e + rng.normal()
            rows.append({"unit": f"la{i:02d}", "year": 2000 + j, "y": level + trend[j] + e})
    return SynthPanel.from_long(pd.DataFrame(rows), unit="unit", time="year", variables=["y"])


def test_every_method_runs_and_counts_its_tests() -> None:
    result = calibrate(noise_panel(), "y", YEARS, n_draws=3, seed=5, synth_draws=49, n_boot=99)
    counts = {m: (c.tests, c.intervals, c.failures) for m, c in result.methods.items()}
    assert counts == {
        "synth_pooled": (3, 0, 0),
        "synth_rmspe": (11, 0, 0),  # of 12 pseudo-pilots, one fitted exactly: no ratio test
        "did": (3, 3, 0),
        "sdid": (3, 3, 0),
        "its": (12, 12, 0),
    }
    for stat in result.methods.values():
        assert 0 <= stat.rejections <= stat.tests
        assert 0 <= stat.covered <= stat.intervals
    table = result.table()
    assert list(table.index) == list(result.methods)
    again = calibrate(noise_panel(), "y", YEARS, n_draws=3, seed=5, synth_draws=49, n_boot=99)
    assert again.to_dict()["methods"] == result.to_dict()["methods"]


def test_progress_is_reported_after_each_draw() -> None:
    seen: list[int] = []
    calibrate(noise_panel(), "y", YEARS, methods=["its"], n_draws=4, progress=seen.append)
    assert seen == [1, 2, 3, 4]


def test_candidates_leave_out_adopters_and_incomplete_units() -> None:
    panel = noise_panel(n=10)
    y = panel.variable("y").copy()
    y[3, 2] = np.nan  # la02 misses a year
    y[:, 5] = np.nan  # la05 has nothing
    holed = SynthPanel(units=panel.units, times=panel.times, values={"y": y})
    _, candidates, notes = candidate_panel(holed, "y", exclude=["la07"])
    assert "la02" not in candidates
    assert "la05" not in candidates
    assert "la07" not in candidates
    assert len(candidates) == 7
    assert "2 unit(s) left out" in notes[0]


def test_pseudo_pilots_are_never_excluded_units() -> None:
    panel = noise_panel(n=14)
    exclude = [f"la{i:02d}" for i in range(6)]
    result = calibrate(panel, "y", YEARS, exclude=exclude, methods=["its"], n_draws=2)
    assert result.n_candidates == 8


def test_mc_error_formula() -> None:
    stat = MethodCalibration("did")
    for i in range(40):
        stat.record(i < 2, 0.0, i >= 2)
    assert stat.size == pytest.approx(0.05)
    assert stat.size_mc_error == pytest.approx(math.sqrt(0.05 * 0.95 / 40))
    assert stat.coverage == pytest.approx(0.95)
    assert math.isnan(MethodCalibration("its").size)


def test_bad_designs_are_refused() -> None:
    panel = noise_panel()
    with pytest.raises(ValueError, match="two years before"):
        calibrate(panel, "y", [2001], n_draws=1)
    with pytest.raises(ValueError, match="unknown method"):
        calibrate(panel, "y", YEARS, methods=["magic"], n_draws=1)
    with pytest.raises(ValueError, match="too few"):
        calibrate(panel, "y", [2005] * 22, n_draws=1)
