"""The random-trend model: REML of its hyperparameters and the pilots' predictions, checked on
data drawn from the model itself (where the best linear unbiased predictor's error has mean zero
and the variance it states) and against closed forms in its limiting cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from csceval.impact.random_trend import (
    Hyperparameters,
    error_weights,
    fit_hyperparameters,
    random_trend,
)
from csceval.impact.synth_panel import SynthPanel

TIMES = np.arange(2010, 2026, dtype=float)
TRUE = Hyperparameters(trend_sd=0.025, noise_sd=0.08, rho=0.9, white_sd=0.02)


def draw(theta: Hyperparameters, n: int, seed: int) -> np.ndarray:
    """``times x n`` gaps from the model, with LA levels of SD 0.3."""
    rng = np.random.default_rng(seed)
    chol = np.linalg.cholesky(theta.covariance(TIMES))
    return rng.normal(0.0, 0.3, size=n)[None, :] + chol @ rng.normal(size=(TIMES.size, n))


def predict_gap(
    theta: Hyperparameters, times: np.ndarray, gap: np.ndarray, start: int
) -> tuple[float, float]:
    """One LA's effect and its prediction's error variance, from its error weights."""
    weights = error_weights(theta, times, start)
    return float(weights @ gap), float(weights @ theta.covariance(times) @ weights)


def test_reml_recovers_the_covariance_the_data_were_drawn_from() -> None:
    fitted = fit_hyperparameters(TIMES, draw(TRUE, 400, seed=1))
    assert fitted.trend_sd == pytest.approx(TRUE.trend_sd, rel=0.15)
    # rho and the two noise SDs trade off along a ridge, and a constant covariance is a level's:
    # what the data identify (and all the prediction uses) is the covariance of contrasts
    q = np.linalg.qr(np.eye(TIMES.size)[:, :-1] - 1.0 / TIMES.size)[0]
    fit, truth = (q.T @ h.covariance(TIMES) @ q for h in (fitted, TRUE))
    assert np.linalg.norm(fit - truth) / np.linalg.norm(truth) < 0.1


def test_prediction_errors_have_mean_zero_and_the_stated_variance() -> None:
    gaps = draw(TRUE, 4000, seed=2)
    out = np.array([predict_gap(TRUE, TIMES, gaps[:, j], 2016 + j % 4) for j in range(4000)])
    errors, variances = out[:, 0], out[:, 1]
    assert abs(errors.mean()) < 4 * errors.std() / math.sqrt(errors.size)
    assert errors.var() / variances.mean() == pytest.approx(1.0, abs=0.08)
    pre = TIMES < 2016
    demeaned = gaps[~pre].mean(axis=0) - gaps[pre].mean(axis=0)
    assert errors[::4].var() < 0.8 * demeaned.var()  # better than a demeaned comparison


def test_white_noise_alone_predicts_the_pre_period_mean() -> None:
    theta = Hyperparameters(trend_sd=0.0, noise_sd=0.0, rho=0.0, white_sd=0.1)
    gap = draw(theta, 1, seed=3)[:, 0]
    effect, variance = predict_gap(theta, TIMES, gap, 2018)
    pre = TIMES < 2018
    assert effect == pytest.approx(gap[~pre].mean() - gap[pre].mean(), abs=1e-12)
    assert variance == pytest.approx(0.01 / (~pre).sum() + 0.01 / pre.sum(), rel=1e-9)


def test_a_trend_the_data_show_exactly_is_extrapolated() -> None:
    theta = Hyperparameters(trend_sd=0.05, noise_sd=0.0, rho=0.0, white_sd=1e-6)
    gap = 0.4 - 0.03 * (TIMES - 2010)
    effect, _ = predict_gap(theta, TIMES, gap, 2015)
    assert effect == pytest.approx(0.0, abs=1e-6)
    flat, _ = predict_gap(Hyperparameters(0.0, 0.0, 0.0, 0.1), TIMES, gap, 2015)
    assert flat < -0.15  # a demeaned comparison reads the trend as an effect


def test_the_variance_is_the_kriging_error_variance_in_closed_form() -> None:
    pre, post = TIMES < 2016, TIMES >= 2016
    cov = TRUE.covariance(TIMES)
    m = np.full(int(post.sum()), 1.0 / post.sum())
    s, c, ones = cov[np.ix_(pre, pre)], cov[np.ix_(pre, post)] @ m, np.ones(int(pre.sum()))
    closed = (
        m @ cov[np.ix_(post, post)] @ m
        - c @ np.linalg.solve(s, c)
        + (1 - ones @ np.linalg.solve(s, c)) ** 2 / (ones @ np.linalg.solve(s, ones))
    )
    weights = error_weights(TRUE, TIMES, 2016)
    assert weights.sum() == pytest.approx(0.0, abs=1e-12)
    assert predict_gap(TRUE, TIMES, draw(TRUE, 1, seed=7)[:, 0], 2016)[1] == pytest.approx(
        closed, rel=1e-10
    )


def test_the_pooled_effect_is_the_mean_over_pilots_and_its_se_counts_the_shared_donors() -> None:
    gaps = draw(TRUE, 40, seed=4)
    units = tuple(f"L{j}" for j in range(40))
    y = gaps.copy()
    y[:, :3] += np.where(TIMES >= 2017, 0.1, 0.0)[:, None]
    panel = SynthPanel(units, tuple(int(t) for t in TIMES), {"y": y})
    pilots = {"L0": 2017, "L1": 2015, "L2": 2017}
    result = random_trend(panel, pilots, units[3:], theta=TRUE)
    mean = y[:, 3:].mean(axis=1)
    each = [predict_gap(TRUE, TIMES, y[:, j] - mean, pilots[f"L{j}"]) for j in range(3)]
    assert result.att == pytest.approx(np.mean([e for e, _ in each]), abs=1e-12)
    summed = sum(error_weights(TRUE, TIMES, start) for start in pilots.values())
    cov = TRUE.covariance(TIMES)
    variance = (sum(v for _, v in each) + summed @ cov @ summed / 37) / 9
    assert result.se == pytest.approx(math.sqrt(variance), rel=1e-12)
    assert result.low < result.att < result.high
    assert [p.unit for p in result.pilots] == ["L0", "L1", "L2"]
    fitted = random_trend(panel, pilots, units[3:])
    assert fitted.theta != TRUE
    assert math.isfinite(fitted.att)


def test_the_pooled_standard_error_matches_the_spread_over_worlds() -> None:
    """Five pilots against twelve donors: the donors' mean moves every pilot's gap together,
    which the standard error must count."""
    units = tuple(f"L{j}" for j in range(17))
    pilots = {f"L{j}": 2016 + j % 3 for j in range(5)}
    atts, ses = [], []
    for world in range(1500):
        panel = SynthPanel(units, tuple(int(t) for t in TIMES), {"y": draw(TRUE, 17, world)})
        result = random_trend(panel, pilots, units[5:], theta=TRUE)
        atts.append(result.att)
        ses.append(result.se)
    assert np.var(atts) / np.mean(np.square(ses)) == pytest.approx(1.0, abs=0.1)


@pytest.mark.parametrize(
    ("donors", "start", "message"),
    [(3, 2017, "at least 5 complete donors"), (30, 2011, "fewer than 2 pre-years")],
)
def test_unusable_input_is_named(donors: int, start: int, message: str) -> None:
    gaps = draw(TRUE, donors + 1, seed=5)
    units = tuple(f"L{j}" for j in range(donors + 1))
    panel = SynthPanel(units, tuple(int(t) for t in TIMES), {"y": gaps})
    with pytest.raises(ValueError, match=message):
        random_trend(panel, {"L0": start}, units[1:])


def test_a_pilot_with_a_missing_year_is_refused() -> None:
    gaps = draw(TRUE, 10, seed=6)
    gaps[3, 0] = np.nan
    units = tuple(f"L{j}" for j in range(10))
    panel = SynthPanel(units, tuple(int(t) for t in TIMES), {"y": gaps})
    with pytest.raises(ValueError, match="LA L0 has missing years"):
        random_trend(panel, {"L0": 2017}, units[1:])
