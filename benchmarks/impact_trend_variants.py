"""Would a trend-aware headline remove the CLA drift of seeds 401-460? (docs/methods.md)

For each seed, the headline's input is rebuilt from the simulated world **without the effect**
(the published CLA rates, logged, less the injected effect: the counterfactual the headline would
see), so every estimate below is the estimator's error. Per pilot, five estimators of the mean
post-adoption gap, averaged over the pilots as the headline averages them:

- ``sc``: the headline (demeaned, outcome-only synthetic control, equal V, the plan's donors);
- ``ascm``: ridge-augmented synthetic control (Ben-Michael, Feller & Rothstein 2021, *JASA*
  116(536); ``augsynth``'s ``progfunc="Ridge"`` with ``fixedeff``): the headline's weights plus
  a ridge regression of the donors' post-period on their pre-period (demeaned per LA, then
  centred on the donors' mean per year), applied to the pilot's pre-period imbalance. The
  penalty follows augsynth's rule: 21 values from the largest squared singular value of the
  donors' centred pre-period down by a factor 1e8, each pre-year held out in turn (the
  synthetic control refitted without it), and the largest penalty within one standard error
  of the smallest mean squared holdout error;
- ``sc_detrended``: the headline on each LA's residuals from its own least-squares line over the
  pilot's pre-years (trends removed before matching, and extrapolated after);
- ``did_detrended``: the same residuals, the pilot against the donors' mean;
- ``did``: the demeaned pilot against the donors' demeaned mean (no weights, no trends).

Prints per block of seeds each estimator's mean error (log points x 100) with its Monte Carlo
error and SD, and its paired difference from ``sc``.

    .venv/bin/python benchmarks/impact_trend_variants.py [--blocks 1:61,401:461,5001:5061]
        [--indicator cla_rate_per_10k] [--jobs 2]
"""

from __future__ import annotations

import argparse
import math
from functools import partial

import numpy as np
import numpy.typing as npt

from csceval.executor import map_tasks
from csceval.impact.adoption_sensitivity import HEADLINE_SPEC, HeadlinePanel, headline_panel
from csceval.impact.synth import fit_synth
from csceval.impact.synth_panel import SynthPanel
from csceval.indicators.panel import wide_panel
from csceval.project.comparators import choose_comparators
from csceval.strands.impact.methods import MIN_PRE_YEARS
from csceval.strands.impact.outcomes import adoption_years
from csceval.strands.impact.recovery import effect_matrix, seed_project

FloatArray = npt.NDArray[np.float64]
VARIANTS = ("sc", "ascm", "sc_detrended", "did_detrended", "did")
N_LAMBDA, LAMBDA_MIN_RATIO = 20, 1e-8


def counterfactual_panel(seed: int, indicator: str) -> HeadlinePanel:
    """The headline's balanced panel of ``log(rate)`` less the injected effect."""
    with seed_project(seed) as (world, project):
        values = wide_panel(project, indicator)
        adoption = adoption_years(project)
        donors = choose_comparators(project).la_codes
    logged = values.where(values > 0).apply(np.log)
    effect = effect_matrix(world, indicator, "log")
    effect = effect.reindex(index=logged.index, columns=logged.columns).fillna(0.0)
    return headline_panel(logged - effect, adoption, donors, MIN_PRE_YEARS)


def _weights(panel: SynthPanel, pilot: str, start: int, donors: list[str]) -> FloatArray:
    fit = fit_synth(panel, HEADLINE_SPEC, pilot, start, donors)
    return np.array([fit.weights.get(d, 0.0) for d in donors])


def _ridge(imbalance: FloatArray, x0: FloatArray, lam: float) -> FloatArray:
    """augsynth's ridge weights: ``imbalance' (X0'X0 + lam I)^-1 X0'`` (donors x pre-years)."""
    return np.asarray(
        np.linalg.solve(x0.T @ x0 + lam * np.eye(x0.shape[1]), imbalance) @ x0.T, dtype=float
    )


def _ascm_gap(panel: SynthPanel, pilot: str, start: int, donors: list[str]) -> float:
    y, times = panel.values["y"], np.array(panel.times)
    col = np.array([panel.units.index(u) for u in donors], dtype=np.intp)
    pre, post = np.flatnonzero(times < start), np.flatnonzero(times >= start)
    demeaned = y - y[pre].mean(axis=0)[None, :]  # fixed effects, as the headline
    z = demeaned - demeaned[:, col].mean(axis=1)[:, None]  # centred on the donors, as augsynth
    x0, x1 = z[np.ix_(pre, col)].T, z[pre, panel.units.index(pilot)]
    lambdas = np.linalg.svd(x0, compute_uv=False)[0] ** 2 * np.logspace(
        0, math.log10(LAMBDA_MIN_RATIO), N_LAMBDA + 1
    )
    errors = np.zeros((pre.size, lambdas.size))
    for i in range(pre.size):  # hold out one pre-year; the synthetic control refitted without it
        keep = np.delete(np.arange(pre.size), i)
        rows = np.concatenate([pre[keep], post])
        fold = SynthPanel(panel.units, tuple(panel.times[r] for r in rows), {"y": y[rows]})
        w = _weights(fold, pilot, start, donors)
        for j, lam in enumerate(lambdas):
            aug = w + _ridge(x1[keep] - w @ x0[:, keep], x0[:, keep], lam)
            errors[i, j] = (x1[i] - aug @ x0[:, i]) ** 2
    mean, se = errors.mean(axis=0), errors.std(axis=0, ddof=1) / math.sqrt(pre.size)
    best = int(np.argmin(mean))
    lam = lambdas[int(np.flatnonzero(mean <= mean[best] + se[best]).min())]
    w = _weights(panel, pilot, start, donors)
    aug = w + _ridge(x1 - w @ x0, x0, lam)
    return float(np.mean(z[post, panel.units.index(pilot)] - aug @ z[np.ix_(post, col)].T))


def _detrended(panel: SynthPanel, start: int) -> SynthPanel:
    """Every LA less its own least-squares line over the years before ``start``."""
    y, times = panel.values["y"], np.array(panel.times, dtype=float)
    pre = times < start
    design = np.column_stack([np.ones(pre.sum()), times[pre] - times[pre].mean()])
    coef = np.linalg.lstsq(design, y[pre], rcond=None)[0]
    line = coef[0][None, :] + np.outer(times - times[pre].mean(), coef[1])
    return SynthPanel(panel.units, panel.times, {"y": y - line})


def _mean_gap(panel: SynthPanel, pilot: str, start: int, donors: list[str]) -> float:
    y, times = panel.values["y"], np.array(panel.times)
    pre, post = times < start, times >= start
    gap = y[:, panel.units.index(pilot)] - y[:, [panel.units.index(d) for d in donors]].mean(1)
    return float(gap[post].mean() - gap[pre].mean())


def seed_errors(seed: int, indicator: str) -> dict[str, float]:
    """Each variant's error on ``seed`` (log points x 100), pilots weighted equally."""
    hp = counterfactual_panel(seed, indicator)
    assert hp.panel is not None, f"seed {seed}: no headline panel"
    panel, donors = hp.panel, list(hp.donors)
    per: dict[str, list[float]] = {v: [] for v in VARIANTS}
    for pilot, start in hp.pilots.items():
        flat = _detrended(panel, start)
        per["sc"].append(fit_synth(panel, HEADLINE_SPEC, pilot, start, donors).att)
        per["ascm"].append(_ascm_gap(panel, pilot, start, donors))
        per["sc_detrended"].append(fit_synth(flat, HEADLINE_SPEC, pilot, start, donors).att)
        per["did_detrended"].append(_mean_gap(flat, pilot, start, donors))
        per["did"].append(_mean_gap(panel, pilot, start, donors))
    return {v: 100.0 * float(np.mean(x)) for v, x in per.items()}


def _blocks(text: str) -> list[range]:
    return [range(int(a), int(b)) for a, b in (part.split(":") for part in text.split(","))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", default="1:61,401:461,5001:5061")
    parser.add_argument("--indicator", default="cla_rate_per_10k")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    blocks = _blocks(args.blocks)
    seeds = [s for block in blocks for s in block]
    task = partial(seed_errors, indicator=args.indicator)
    found = dict(zip(seeds, map_tasks(task, seeds, jobs=args.jobs, label="seeds", progress=True),
                     strict=True))  # fmt: skip
    print(f"\n{args.indicator}: error of each estimator (log points x 100), mean (MC error) SD")
    print("| seeds | " + " | ".join(VARIANTS) + " |\n|---|" + "---|" * len(VARIANTS))
    for block in blocks:
        table = np.array([[found[s][v] for v in VARIANTS] for s in block])
        n = len(block)
        cells = [
            f"{m:+.2f} ({sd / math.sqrt(n):.2f}) SD {sd:.2f}"
            + ("" if k == 0 else f"; vs sc {d:+.2f} ({dsd / math.sqrt(n):.2f})")
            for k, (m, sd, d, dsd) in enumerate(
                zip(table.mean(0), table.std(0, ddof=1), (table - table[:, :1]).mean(0),
                    (table - table[:, :1]).std(0, ddof=1), strict=True)
            )
        ]  # fmt: skip
        print(f"| {block.start}-{block.stop - 1} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
