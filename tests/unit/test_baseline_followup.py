"""The baseline/follow-up comparison and the causal-entry rule (csceval.impact.baseline_followup),
and the coded errors of the early-series readers and the comparator-model check."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csceval.data.panel_early import read_s251, read_sfr
from csceval.errors import InputError
from csceval.impact.baseline_followup import Windows, baseline_followup, causal_entry
from csceval.project.checks import _check_neighbour_model
from csceval.project.settings import ComparatorSettings

YEARS = list(range(2010, 2022))


def _panel(shift: float, seed: int = 1, n_pilots: int = 6, n_comparators: int = 40) -> pd.DataFrame:
    """LAs x years: a common trend, LA levels and noise; pilots gain ``shift`` from 2017."""
    rng = np.random.default_rng(seed)
    codes = [f"{100 + i}" for i in range(n_pilots + n_comparators)]
    level = rng.normal(50, 10, len(codes))[:, None]
    trend = np.linspace(0, 5, len(YEARS))[None, :]
    values = level + trend + rng.normal(0, 1, (len(codes), len(YEARS)))
    effect = np.where(np.array(YEARS) >= 2017, shift, 0.0)
    values[:n_pilots] += effect
    return pd.DataFrame(values, index=codes, columns=YEARS)


def test_the_change_difference_recovers_a_known_shift_and_the_test_finds_it() -> None:
    values = _panel(shift=8.0)
    pilots, comparators = list(values.index[:6]), list(values.index[6:])
    result = baseline_followup(values, pilots, comparators, n_permutations=999)
    assert result.change_difference == pytest.approx(8.0, abs=1.5)
    assert result.p_change < 0.01
    assert len(result.entered) == 6
    frame = result.to_frame()
    assert frame["change_difference"].notna().all()
    assert "6 of 6 pilots" in result.summary()


def test_without_a_shift_the_permutation_p_value_is_not_small() -> None:
    values = _panel(shift=0.0, seed=3)
    pilots, comparators = list(values.index[:6]), list(values.index[6:])
    result = baseline_followup(values, pilots, comparators, n_permutations=999)
    assert result.p_change > 0.05
    assert abs(result.change_difference) < 2


def test_windows_own_comparators_and_reasons() -> None:
    values = _panel(shift=0.0)
    values.loc["100", [2013, 2014, 2015, 2016]] = np.nan  # no baseline value
    values.loc["101", [2018, 2019, 2020]] = np.nan  # no follow-up value
    own = {"102": ["106", "107"]}
    result = baseline_followup(
        values,
        ["100", "101", "102"],
        list(values.index[6:]),
        windows=Windows((2013, 2016), (2018, 2020)),
        own_comparators=own,
        n_permutations=99,
    )
    rows = {p.la_code: p for p in result.pilots}
    assert not rows["100"].entered
    assert "baseline window 2013-2016" in rows["100"].reason
    assert "follow-up window 2018-2020" in rows["101"].reason
    assert rows["102"].entered
    assert rows["102"].n_comparators == 2
    expected = values.loc[["106", "107"], [2013, 2014, 2015, 2016]].mean(axis=1).mean()
    assert rows["102"].comparators_baseline == pytest.approx(expected)
    assert result.entered == ("102",)


def test_causal_entry_follows_the_impact_strands_rule() -> None:
    values = _panel(shift=0.0).loc[:, 2013:]  # a series from 2013
    values.loc["103", 2014] = np.nan
    adoption = {"100": 2012, "101": 2014, "102": 2016, "103": 2017, "104": 2030}
    entry = causal_entry(values, adoption)
    assert not entry["100"].entered
    assert entry["100"].pre_years == 0
    assert "0 year(s) before adoption" in entry["100"].reason
    assert not entry["101"].entered  # one pre-year
    assert entry["102"].entered
    assert entry["102"].pre_years == 3
    assert "suppressed or missing value in 2014" in entry["103"].reason
    assert "after the data end" in entry["104"].reason


def test_bad_sfr_and_s251_files_are_coded_errors(tmp_path: Path) -> None:
    sfr = tmp_path / "dfe_cla_sfr_underlying_2010_2017" / "2013"
    sfr.mkdir(parents=True)
    (sfr / "SFR36_CLA2013.csv").write_text("geog_l,geog_c,something\nLA,938,5\n")
    with pytest.raises(InputError) as caught:
        read_sfr(tmp_path)
    assert [p.code for p in caught.value.problems] == ["CSC-E4052"]
    s251 = tmp_path / "dfe_s251_outturn_2008_2014"
    s251.mkdir()
    (s251 / "s251_outturn_1213.csv").write_text("Code,Name\n938,West Sussex\n")
    with pytest.raises(InputError) as caught:
        read_s251(tmp_path)
    assert caught.value.problems[0].code == "CSC-E4052"


def test_a_neighbour_table_of_another_model_is_refused() -> None:
    from csceval.project.settings import EvaluationSettings

    base = {
        "evaluation": {"name": "x", "frameworks": ["F"], "price_year": "2019-20"},
        "periods": {"first_year": 2013, "last_year": 2020},
        "analysis": {"indicators": ["cla_rate_per_10k"]},
        "sites": [{"la_code": "938", "name": "W", "role": "pilot"}],
    }
    settings = EvaluationSettings.model_validate(
        {**base, "comparators": ComparatorSettings(model="2021").model_dump()}
    )
    table = pd.DataFrame({"la_code": ["938"], "neighbour_code": ["855"], "model": ["2025"]})
    problems = _check_neighbour_model(settings, table)
    assert [p.code for p in problems] == ["CSC-E2019"]
    assert "--neighbours 2021" in problems[0].fix
    assert _check_neighbour_model(settings, table.assign(model="2021")) == []
