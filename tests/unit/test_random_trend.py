"""The random-trend model: REML of its hyperparameters and the pilots' predictions, checked on
data drawn from the model itself (where the best linear unbiased predictor's error has mean zero
and the variance it states) and against closed forms in its limiting cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize

from csceval.impact.random_trend import (
    Hyperparameters,
    _contrasts,
    error_weights,
    fit_hyperparameters,
    random_trend,
    reml_criterion,
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


def _scatter(gaps: np.ndarray, times: np.ndarray = TIMES) -> np.ndarray:
    z = _contrasts(times.size).T @ gaps
    return np.asarray(z @ z.T)


@pytest.mark.parametrize(
    "x", [(-3.7, -2.5, 1.1, -3.0), (-6.0, -1.0, 2.5, -4.0), (-3, -3, -0.5, -2)]
)
def test_the_reml_gradient_is_the_criterion_s_derivative(x: tuple[float, ...]) -> None:
    scatter, point = _scatter(draw(TRUE, 50, seed=7)), np.array(x)
    _, grad = reml_criterion(point, TIMES, scatter, 50)
    step = 1e-6
    numeric = [
        (reml_criterion(point + step * e, TIMES, scatter, 50)[0]
         - reml_criterion(point - step * e, TIMES, scatter, 50)[0]) / (2 * step)
        for e in np.eye(4)
    ]  # fmt: skip
    assert grad == pytest.approx(numeric, rel=1e-5, abs=1e-6)


def test_the_fit_reaches_the_best_optimum_where_finite_differences_stalled() -> None:
    """Donors drawn as in the check that found it: with finite-difference gradients L-BFGS
    stopped at its start (rho 0.80, criterion -384.4); the best of several starts is -410.1."""
    rng = np.random.default_rng(7)
    times = np.arange(2010, 2023, dtype=float)
    truth = Hyperparameters(*(rng.uniform(0.0, 0.04), rng.uniform(0.03, 0.1),
                              rng.uniform(0.3, 0.97), rng.uniform(0.01, 0.06)))  # fmt: skip
    chol = np.linalg.cholesky(truth.covariance(times))
    gaps = chol @ rng.normal(size=(times.size, int(rng.integers(8, 120))))
    scatter, n = _scatter(gaps, times), gaps.shape[1]
    fitted = fit_hyperparameters(times, gaps)
    x = np.array([math.log(fitted.trend_sd), math.log(fitted.noise_sd), math.atanh(fitted.rho),
                  math.log(fitted.white_sd)])  # fmt: skip
    best = min(
        optimize.minimize(reml_criterion, np.array([-3.7, -2.5, math.atanh(r), -3.7]),
                          args=(times, scatter, n), jac=True, method="L-BFGS-B").fun
        for r in (0.3, 0.8, 0.95, 0.99)
    )  # fmt: skip
    assert reml_criterion(x, times, scatter, n)[0] <= best + 1e-3
    assert best < -400


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
