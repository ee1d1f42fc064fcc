"""How much of the CLA drift of seeds 401-460 could any estimator remove? (docs/methods.md)

For each seed, the headline's input is rebuilt **without the effect**, as in
``impact_trend_variants.py``, so every estimate is an error. Three estimators of the pilots'
mean post-adoption gap from the donors' mean, averaged over pilots:

- ``headline``: the demeaned synthetic control of the report;
- ``oracle``: the Bayes predictor that knows the simulator's model of the series
  (:mod:`csceval.simulate.panel`: an LA trend of SD ``trend_sd``, AR(1) noise of SD ``noise_sd``
  and correlation ``ar1``, Poisson counts around the expected count) and its parameters; the
  pilot's level is unknown (universal kriging). No estimator using the same data has a smaller
  mean squared error, and its error has mean zero given anything seen before adoption: what it
  still gets wrong, no estimator can know;
- ``random_trend``: :func:`csceval.impact.random_trend.random_trend`, the same predictor with
  its hyperparameters fitted by REML on the donors (white noise in place of the known Poisson).

Prints per block of seeds each one's mean error (log points x 100) with its Monte Carlo error
and SD, the paired differences, the oracle's error in units of its own stated SD (``z``: a
block's error the pre-periods could not foresee), and the random-trend model's coverage of
zero by its 95% interval; then, per block, the random-trend model's true error variance
(the oracle's plus its distance from the oracle) against the variance it states.

    .venv/bin/python benchmarks/impact_oracle_bound.py [--blocks 1:61,401:461,5001:5061]
        [--jobs 2] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from csceval.atomic import write_file
from csceval.executor import map_tasks
from csceval.impact.adoption_sensitivity import HEADLINE_SPEC
from csceval.impact.random_trend import Hyperparameters, kriging_error_weights, random_trend
from csceval.impact.synth import fit_synth
from csceval.simulate import calibration as cal
from csceval.simulate.world import simulate_world
from impact_trend_variants import counterfactual_panel

SERIES = next(s for s in cal.SERIES if s.rate_id == "cla_rate_per_10k")
KNOWN = Hyperparameters(SERIES.trend_sd, SERIES.noise_sd, SERIES.ar1, 0.0)


def seed_errors(seed: int) -> dict[str, float]:
    """The three estimators' errors on ``seed`` (log points x 100) and what goes with them."""
    hp = counterfactual_panel(seed, "cla_rate_per_10k")
    assert hp.panel is not None, f"seed {seed}: no headline panel"
    panel, donors = hp.panel, list(hp.donors)
    rows = simulate_world(seed).panel
    rows = rows[rows["indicator"] == SERIES.id]
    mu = rows.pivot(index="la_code", columns="year", values="expected_counterfactual")
    mu.index = mu.index.astype(str)
    mu = mu.loc[:, list(panel.times)]
    y, times = panel.values["y"], np.asarray(panel.times, dtype=float)
    mean = y[:, [panel.units.index(d) for d in donors]].mean(axis=1)
    n_donors = len(donors)
    inverse = 1.0 / mu
    shared = KNOWN.covariance(times) / n_donors + np.diag(
        inverse.loc[donors].to_numpy().sum(axis=0) / n_donors**2
    )  # the donors' mean: their trends, AR(1) noise and Poisson counts, averaged
    headline, oracle, own_variance = [], [], 0.0
    summed = np.zeros(times.size)
    for pilot, start in hp.pilots.items():
        gap = y[:, panel.units.index(pilot)] - mean
        own = KNOWN.covariance(times) + np.diag(inverse.loc[pilot].to_numpy())
        weights = kriging_error_weights(own + shared, times, start)
        oracle.append(float(weights @ gap))
        own_variance += float(weights @ own @ weights)
        summed += weights
        headline.append(fit_synth(panel, HEADLINE_SPEC, pilot, start, donors).att)
    fitted = random_trend(panel, hp.pilots, donors)
    n = len(oracle)
    return {
        "seed": seed,
        "headline": 100 * float(np.mean(headline)),
        "oracle": 100 * float(np.mean(oracle)),
        "oracle_sd": 100 * math.sqrt(own_variance + summed @ shared @ summed) / n,
        "random_trend": 100 * fitted.att,
        "random_trend_se": 100 * fitted.se,
    }


def _cell(x: pd.Series) -> str:
    return f"{x.mean():+.2f} ({x.std(ddof=1) / math.sqrt(len(x)):.2f})"


def _markdown(
    columns: tuple[str, ...],
    found: pd.DataFrame,
    blocks: list[range],
    row: Callable[[pd.DataFrame], list[str]],
) -> str:
    """A Markdown table with a row per block of seeds."""
    lines = ["| seeds | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for block in blocks:
        cells = row(found[found["seed"].isin(list(block))])
        lines.append(f"| {block.start}-{block.stop - 1} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _covers(g: pd.DataFrame, estimate: str, se: str) -> float:
    return float((g[estimate].abs() < 1.96 * g[se]).mean())


def _drift_row(g: pd.DataFrame) -> list[str]:
    z = g["oracle"].sum() / math.sqrt((g["oracle_sd"] ** 2).sum())
    sds = ", ".join(f"{g[k].std(ddof=1):.2f}" for k in ("headline", "oracle", "random_trend"))
    return [
        *(_cell(g[k]) for k in ("headline", "oracle", "random_trend")),
        _cell(g["headline"] - g["oracle"]),
        _cell(g["random_trend"] - g["oracle"]),
        f"{z:+.1f}",
        sds,
        f"{_covers(g, 'random_trend', 'random_trend_se'):.0%}",
    ]


def table(found: pd.DataFrame, blocks: list[range]) -> str:
    """The Markdown table of docs/methods.md."""
    columns = ("headline", "oracle", "random-trend", "headline - oracle",
               "random-trend - oracle", "oracle z", "SD: headline, oracle, random-trend",
               "random-trend covers 0")  # fmt: skip
    return _markdown(columns, found, blocks, _drift_row)


def _calibration_row(g: pd.DataFrame) -> list[str]:
    distance = g["random_trend"] - g["oracle"]
    oracle_var = float((g["oracle_sd"] ** 2).mean())
    stated = float((g["random_trend_se"] ** 2).mean())
    ratio = (oracle_var + float(distance.var(ddof=1))) / stated
    implied = 2 * stats.norm.cdf(1.96 / math.sqrt(ratio)) - 1
    r = float(np.corrcoef(distance, g["oracle"])[0, 1])
    return [
        f"{oracle_var:.2f}",
        f"{float(distance.var(ddof=1)):.2f} ({r:+.2f})",
        f"{ratio:.3f}",
        f"{implied:.1%}",
        f"{_covers(g, 'random_trend', 'random_trend_se'):.1%}, "
        f"{_covers(g, 'oracle', 'oracle_sd'):.1%}",
    ]


def calibration_table(found: pd.DataFrame, blocks: list[range]) -> str:
    """Is the random-trend interval calibrated? Its error is the oracle's (whose variance the
    simulator's model states exactly) plus its distance from the oracle (uncorrelated with the
    oracle's error for a best linear unbiased predictor), so its true variance is the oracle's
    stated one plus the distance's; against the variance it states, that gives its true
    coverage, without the noise of counting covered seeds."""
    columns = ("oracle variance", "distance variance (r with oracle)", "true / stated variance",
               "implied coverage", "counted coverage: random-trend, oracle")  # fmt: skip
    return _markdown(columns, found, blocks, _calibration_row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", default="1:61,401:461,5001:5061,10001:10061")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", help="also save every seed's errors as JSON")
    args = parser.parse_args()
    blocks = [range(int(a), int(b)) for a, b in (p.split(":") for p in args.blocks.split(","))]
    seeds = [s for block in blocks for s in block]
    found = map_tasks(seed_errors, seeds, jobs=args.jobs, label="seeds", progress=True)
    if args.out:
        write_file(Path(args.out), json.dumps(found).encode("utf-8"))
    print("\nCLA error (log points x 100): mean (MC error) per block of seeds")
    print(table(pd.DataFrame(found), blocks))
    print("\nThe random-trend model's interval: true against stated variance")
    print(calibration_table(pd.DataFrame(found), blocks))


if __name__ == "__main__":
    main()
