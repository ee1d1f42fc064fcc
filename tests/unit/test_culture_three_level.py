"""The three-level model (respondents in teams in sites): equal to the ANOVA estimates on a
balanced design, and recovering the simulated framework-contrast difference."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from csceval.strands.culture_survey.instrument import default_instrument
from csceval.strands.culture_survey.scoring import items_wide, subscale_scores
from csceval.strands.culture_survey.simulate import simulate_survey
from csceval.strands.culture_survey.three_level import fit_three_level


def test_balanced_design_matches_expected_mean_squares() -> None:
    """J=4 sites (2 framework), 3 teams of 6: REML = ANOVA when the ANOVA estimates are > 0."""
    rng = np.random.default_rng(11)
    sites, teams, n = 4, 3, 6
    site_fx, team_fx = rng.normal(0, 0.5, sites), rng.normal(0, 0.6, (sites, teams))
    rows = [
        {"la_code": f"90{j}", "team": f"T{t}", "time_point": "T1",
         "s": 3 + 0.4 * (j < 2) + site_fx[j] + team_fx[j, t] + rng.normal(0, 0.8)}
        for j in range(sites) for t in range(teams) for _ in range(n)
    ]  # fmt: skip
    data = pd.DataFrame(rows)
    y = data["s"].to_numpy().reshape(sites, teams, n)
    team_means, site_means = y.mean(axis=2), y.mean(axis=(1, 2))
    group_means = np.array([site_means[:2].mean()] * 2 + [site_means[2:].mean()] * 2)
    ms_resid = ((y - team_means[..., None]) ** 2).sum() / (sites * teams * (n - 1))
    ms_team = n * ((team_means - site_means[:, None]) ** 2).sum() / (sites * (teams - 1))
    ms_site = n * teams * ((site_means - group_means) ** 2).sum() / (sites - 2)
    var_team, var_site = (ms_team - ms_resid) / n, (ms_site - ms_team) / (n * teams)
    assert var_team > 0
    assert var_site > 0
    fit = fit_three_level(data, "s", "T1", {"900", "901"})
    assert fit is not None
    assert fit.difference == pytest.approx(site_means[:2].mean() - site_means[2:].mean(), abs=1e-9)
    assert fit.var_residual == pytest.approx(ms_resid, rel=1e-3)
    assert fit.var_team == pytest.approx(var_team, rel=1e-3)
    assert fit.var_site == pytest.approx(var_site, rel=1e-3)
    assert fit.se == pytest.approx(math.sqrt(ms_site / (n * teams) * (1 / 2 + 1 / 2)), rel=1e-3)
    assert fit.df == 2


def test_recovers_the_simulated_difference() -> None:
    sites = (("901", "framework"), ("902", "framework"), ("903", "contrast"), ("904", "contrast"))
    simulated = simulate_survey(7, sites)
    instrument = default_instrument()
    scores = subscale_scores(items_wide(simulated.responses, instrument), instrument)
    fit = fit_three_level(scores, "safety", "T2", {"901", "902"})
    assert fit is not None
    truth = simulated.truth["framework_minus_contrast"]["T2"]["safety"]  # type: ignore[index]
    assert fit.low < truth < fit.high
    assert fit.difference == pytest.approx(truth, abs=0.25)
    assert 0.3 < fit.var_residual < 0.6  # respondent-level spread of subscale scores
    assert fit_three_level(scores, "safety", "T2", {"901", "902", "903", "904"}) is None
