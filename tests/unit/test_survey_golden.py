"""Golden tests of the culture survey's statistics against R multilevel and peer packages.

tests/golden/culture-survey/README.md gives the sources. The survey strand's own scoring and
aggregation run on the lq2002 items as if they were a survey of 49 teams.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csceval.reliability import mcdonald_omega, rwg
from csceval.strands.culture_survey.aggregation import (
    null_variance,
    scale_aggregation,
    team_agreement,
)
from csceval.strands.culture_survey.instrument import build_instrument
from csceval.strands.culture_survey.scoring import items_wide, subscale_scores

GOLDEN = Path(__file__).parents[1] / "golden" / "culture-survey"
REFERENCE = json.loads((GOLDEN / "lq2002_reference.json").read_text())
SCALES = {
    "LEAD": [f"LEAD{i:02d}" for i in range(1, 12)],
    "TSIG": [f"TSIG{i:02d}" for i in range(1, 4)],
    "HOSTIL": [f"HOSTIL{i:02d}" for i in range(1, 6)],
}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(GOLDEN / "lq2002_items.csv")


@pytest.fixture(scope="module")
def survey(data: pd.DataFrame) -> dict[str, object]:
    """The LEAD items as a survey in the project's long layout, scored by the strand."""
    items = SCALES["LEAD"]
    form = build_instrument(
        [{"type": "select_one five", "name": i, "subscale": "lead"} for i in items],
        [{"list_name": "five", "name": str(v)} for v in range(1, 6)],
        {"form_id": "lq2002"},
    )
    frame = data.assign(response_id=[f"R{i:05d}" for i in range(len(data))])
    long = frame.melt(["response_id", "COMPID"], items, var_name="item", value_name="value")
    long = long.assign(la_code="001", team=long["COMPID"].astype(str), time_point="T1")
    long["value"] = long["value"].astype(str)
    wide = items_wide(long, form)
    scores = subscale_scores(wide, form)
    teams = team_agreement(wide, scores, form)
    return {"teams": teams, "stats": scale_aggregation(wide, scores, form, teams)[0]}


def test_rwg_j_by_team_matches_multilevel(survey: dict[str, object]) -> None:
    expected = REFERENCE["multilevel_published"]
    teams = survey["teams"].set_index("group")  # type: ignore[attr-defined]
    for company, value in expected["rwg_j_groups"].items():
        assert teams.at[f"001/{company}", "rwg_j"] == pytest.approx(value, abs=1e-6)
        assert teams.at[f"001/{company}", "n"] == expected["rwg_j_group_sizes"][company]
    values = teams["rwg_j"].to_numpy()
    summary = expected["rwg_j_summary"]
    assert values.min() == pytest.approx(summary["min"], abs=1e-6)
    assert values.max() == pytest.approx(summary["max"], abs=1e-6)
    assert np.quantile(values, 0.25) == pytest.approx(summary["q1"], abs=1e-6)
    assert np.quantile(values, 0.75) == pytest.approx(summary["q3"], abs=1e-6)


def test_scale_aggregation_matches_multilevel_and_pingouin(survey: dict[str, object]) -> None:
    stats = survey["stats"]
    published = REFERENCE["multilevel_published"]
    assert stats.rwg_mean == pytest.approx(published["rwg_j_summary"]["mean"], abs=1e-6)  # type: ignore[attr-defined]
    assert stats.rwg_median == pytest.approx(published["rwg_j_summary"]["median"], abs=1e-6)  # type: ignore[attr-defined]
    assert stats.icc1 == pytest.approx(published["icc1_lead"], abs=1e-6)  # type: ignore[attr-defined]
    assert stats.icc2 == pytest.approx(published["icc2_lead"], abs=1e-6)  # type: ignore[attr-defined]
    peers = REFERENCE["peer_packages"]
    assert stats.alpha == pytest.approx(peers["alpha_pingouin"]["LEAD"], abs=1e-9)  # type: ignore[attr-defined]
    assert stats.omega == pytest.approx(peers["omega_factor_analyzer_ml"]["LEAD"], abs=1e-6)  # type: ignore[attr-defined]
    assert stats.n_teams == 49
    assert stats.n_respondents == 2042


def test_single_item_rwg_of_the_scale_mean(data: pd.DataFrame) -> None:
    lead = data[SCALES["LEAD"]].mean(axis=1)
    values = [rwg(lead[data["COMPID"] == g], 5).estimate for g in sorted(data["COMPID"].unique())]
    assert np.mean(values) == pytest.approx(
        REFERENCE["multilevel_published"]["rwg_lead_mean"], abs=1e-6
    )


@pytest.mark.parametrize("scale", list(SCALES))
def test_omega_matches_factor_analyzer_and_semopy(data: pd.DataFrame, scale: str) -> None:
    peers = REFERENCE["peer_packages"]
    estimate = mcdonald_omega(data[SCALES[scale]].to_numpy(dtype=float)).estimate
    assert estimate == pytest.approx(peers["omega_factor_analyzer_ml"][scale], abs=1e-6)
    assert estimate == pytest.approx(
        peers["omega_semopy_mlw"][scale], abs=peers["semopy_tolerance"]
    )


def test_omega_closed_form_for_three_items(data: pd.DataFrame) -> None:
    s = data[SCALES["TSIG"]].cov().to_numpy()
    load = np.sqrt(
        [s[0, 1] * s[0, 2] / s[1, 2], s[0, 1] * s[1, 2] / s[0, 2], s[0, 2] * s[1, 2] / s[0, 1]]
    )
    unique = np.diag(s) - load**2
    exact = load.sum() ** 2 / (load.sum() ** 2 + unique.sum())
    assert mcdonald_omega(data[SCALES["TSIG"]].to_numpy(dtype=float)).estimate == pytest.approx(
        exact, abs=1e-8
    )


def test_omega_equals_alpha_for_parallel_items() -> None:
    rng = np.random.default_rng(3)
    factor = rng.normal(size=(4000, 1))
    items = factor + rng.normal(size=(4000, 4))
    omega = mcdonald_omega(items)
    assert omega.estimate == pytest.approx(0.8, abs=0.02)  # 4 * 1 / (4 * 1 + 1) with load 1
    assert not mcdonald_omega(items[:3]).is_defined


def test_null_variances() -> None:
    assert null_variance(5) == 2.0
    assert null_variance(7) == 4.0
    assert null_variance(5, "slight_skew") == pytest.approx(1.34, abs=1e-12)
    assert np.isnan(null_variance(7, "slight_skew"))
