"""Synthetic England in memory: realism of the panel against the real DfE panel, pilots, fades."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from csceval.simulate import World, simulate_world
from csceval.simulate import calibration as cal
from csceval.simulate.events import draw_shocks

SEED = 2018


@pytest.fixture(scope="module")
def world() -> World:
    return simulate_world(SEED)


def _two_way_statistics(values: pd.DataFrame, logit: bool) -> tuple[float, float, float]:
    """LA SD of LA means, robust residual SD and lag-1 autocorrelation (as in calibration.py)."""
    v = values["observed"]
    if logit:
        q = v.clip(0.5, 99.5) / 100
        latent = np.log(q / (1 - q))
    else:
        latent = np.log(v.clip(lower=0.5))
    d = values.assign(latent=latent)
    la_mean = d.groupby("la_code")["latent"].transform("mean")
    year_mean = d.groupby("year")["latent"].transform("mean")
    resid = d["latent"] - la_mean - year_mean + d["latent"].mean()
    mad = 1.4826 * float(np.median(np.abs(resid - resid.median())))
    d = d.assign(resid=resid).sort_values(["la_code", "year"])
    d["lag"] = d.groupby("la_code")["resid"].shift(1)
    lagged = d.dropna(subset=["lag"])
    ar1 = float(lagged[["resid", "lag"]].corr("spearman").iloc[0, 1])
    return float(d.groupby("la_code")["latent"].mean().std()), mad, ar1


def test_variation_between_and_within_las_matches_the_real_panel(world: World) -> None:
    from csceval.simulate.calibration import SERIES

    tiny = [la.la_code for la in world.geography.las if la.tiny]
    panel = world.panel[~world.panel["la_code"].isin(tiny)].dropna(subset=["observed"])
    for series in SERIES:
        indicator = series.rate_id or series.id
        if series.kind == "count" and not series.rate_id:
            continue
        values = panel[panel["indicator"] == indicator]
        la_sd, resid_sd, ar1 = _two_way_statistics(values, series.scale == "logit")
        real_la_sd, real_resid_sd, real_ar1 = series.real
        assert la_sd == pytest.approx(real_la_sd, rel=0.3), indicator
        assert resid_sd == pytest.approx(real_resid_sd, rel=0.2), indicator
        assert ar1 == pytest.approx(real_ar1, abs=0.3), indicator


def test_las_in_deprived_areas_have_more_children_in_care(world: World) -> None:
    cla = world.panel[world.panel["indicator"] == "cla_rate_per_10k"]
    level = np.log(cla.groupby("la_code")["observed"].mean().clip(lower=1))
    deprivation = pd.Series(
        world.geography.deprivation, index=[la.la_code for la in world.geography.las]
    )
    assert level.corr(deprivation[level.index]) > 0.4


def test_exited_pilots_effects_fade(world: World) -> None:
    exited = [p for p in world.design.pilots if p.exit_date is not None]
    assert len(exited) == 2
    for pilot in exited:
        stock = pilot.exposure("stock")
        years = list(range(2010, 2026))
        assert stock[years.index(2018)] > 0
        assert stock[years.index(2022)] == 0
        rows = world.panel[
            (world.panel["la_code"] == pilot.la_code)
            & (world.panel["indicator"] == "cla_count_31mar")
            & (world.panel["year"] >= 2022)
        ]
        assert (rows["observed"] == rows["counterfactual"]).all()


def test_pilots_are_mid_sized_and_spread(world: World) -> None:
    geo = world.geography
    pop = geo.population_2018()
    regions = [geo.las[p.index].region.code for p in world.design.pilots]
    assert len(set(regions)) >= 5
    assert max(regions.count(r) for r in regions) <= 2
    for p in world.design.pilots:
        la = geo.las[p.index]
        assert not la.tiny
        assert not la.reorganised
        assert 30_000 <= pop[p.index] <= 220_000
    assert re.fullmatch(r"\d{3}", world.design.contrasts[0].la_code)


def test_shocks_hit_sites_as_often_as_other_las(world: World) -> None:
    """Sites are shocked with the other eligible LAs' chance; the others' draw is the old one."""
    geo = world.geography
    sites = {p.index for p in world.design.pilots} | {c.index for c in world.design.contrasts}
    others = [la.index for la in geo.las if not (la.tiny or la.reorganised or la.index in sites)]
    eligible_sites = [i for i in sites if not (geo.las[i].tiny or geo.las[i].reorganised)]
    hits, n_seeds = 0, 400
    for seed in range(1, n_seeds + 1):
        shocks = draw_shocks(seed, geo, sites)
        assert sum(s.index not in sites for s in shocks) == cal.N_SHOCKS
        assert all(s.index in others or s.index in eligible_sites for s in shocks)
        hits += sum(s.index in sites for s in shocks)
    p = cal.N_SHOCKS / len(others)
    expected = n_seeds * len(eligible_sites) * p  # about 200 here; binomial SD about 14
    assert abs(hits - expected) < 4 * math.sqrt(expected * (1 - p))
