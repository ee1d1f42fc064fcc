"""Benchmark: Monte Carlo PSA of the cost-benefit analysis, 100,000 draws, 10 sites x 10 lines.

Goal (issue 6): under 2 s on 2 cores. The model: 10 sites each with 10 activity lines (100
Normal activity changes), 10 activities sharing Gamma unit costs, a Gamma cost multiplier per
site, a 10-year Green Book horizon, optimism bias 10%. ``run_psa`` (vectorised numpy, chunks of
20,000 draws) is timed end to end, including the summaries the report prints.

Baseline, measured in the same run: the same model as a plain-Python loop (``random.gauss``,
``random.gammavariate``), one draw at a time, on ``--baseline-draws`` draws (default 10,000) and
scaled to 100,000 (a loop's time is linear in the draws). Prints a table; writes nothing.

Run: .venv/bin/python benchmarks/cba_psa.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import statistics
import time

import numpy as np

from csceval.strands.costs.cba import ActivityChange, BenefitLine, CBAModel
from csceval.strands.costs.psa import run_psa

SITES, ACTIVITIES, DRAWS = 10, 10, 100_000


def model() -> tuple[CBAModel, np.ndarray]:
    rng = np.random.default_rng(1)
    lines = tuple(
        BenefitLine(
            ActivityChange(f"activity{a}", float(-rng.uniform(5, 50)), float(rng.uniform(2, 20)),
                           "benchmark", f"{401 + s}"),
            "unit", float(100 * (a + 1)), float(20 * (a + 1)), "benchmark",
        )
        for s in range(SITES)
        for a in range(ACTIVITIES)
    )  # fmt: skip
    horizon = 10
    costs = np.r_[[400_000.0 * SITES], np.full(horizon - 1, 150_000.0 * SITES)]
    profile = (np.arange(horizon) >= 1).astype(float)
    cba = CBAModel(costs, lines, profile, optimism_bias=0.1, cost_se_share=0.1)
    site_pv = np.full(SITES, cba.pv_costs_before_ob / SITES)
    return cba, site_pv


def csceval_run(cba: CBAModel, site_pv: np.ndarray) -> tuple[float, float]:
    started = time.perf_counter()
    psa = run_psa(cba, DRAWS, seed=7, site_pv_costs=site_pv)
    summary = (psa.mean_npv, psa.npv_interval(), psa.bcr_interval(), psa.prob_benefits_exceed_costs)
    del summary
    return time.perf_counter() - started, psa.mean_npv


def loop_run(cba: CBAModel, site_pv: np.ndarray, draws: int) -> tuple[float, float]:
    """The same PSA one draw at a time in plain Python."""
    r = random.Random(7)
    lines = cba.lines
    activities = sorted({line.change.activity for line in lines})
    cost = {line.change.activity: (line.unit_cost, line.unit_cost_se) for line in lines}
    annuity, uplift, share = cba.annuity, 1 + cba.optimism_bias, cba.cost_se_share
    started = time.perf_counter()
    total = 0.0
    for _ in range(draws):
        unit = {}
        for a in activities:
            mean, se = cost[a]
            unit[a] = r.gammavariate(mean**2 / se**2, se**2 / mean)
        saving = 0.0
        for line in lines:
            change = r.gauss(line.change.change, line.change.se)
            saving -= change * unit[line.change.activity]
        pvc = sum(pv * r.gammavariate(1 / share**2, share**2) for pv in site_pv) * uplift
        total += saving * annuity - pvc
    return time.perf_counter() - started, total / draws


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-draws", type=int, default=10_000)
    args = parser.parse_args()
    cba, site_pv = model()
    analytic = cba.evaluate().npv
    times, means = [], []
    for _ in range(args.repeat):
        seconds, mean = csceval_run(cba, site_pv)
        times.append(seconds)
        means.append(mean)
    loop_seconds, loop_mean = loop_run(cba, site_pv, args.baseline_draws)
    loop_scaled = loop_seconds * DRAWS / args.baseline_draws
    median = statistics.median(times)
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}")  # fmt: skip
    print(f"{DRAWS:,} draws, {SITES} sites x {ACTIVITIES} activity lines; {args.repeat} runs")
    print("| run | seconds |")
    print("|---|---|")
    print(
        f"| csceval run_psa, median (min-max) | {median:.3f} ({min(times):.3f}-{max(times):.3f}) |"
    )
    print(f"| plain-Python loop, {args.baseline_draws:,} draws | {loop_seconds:.2f} |")
    print(f"| plain-Python loop scaled to {DRAWS:,} draws | {loop_scaled:.1f} |")
    print(f"ratio: csceval {loop_scaled / median:.0f}x faster than the loop")
    print(f"analytic NPV {analytic:,.0f}; csceval mean {means[0]:,.0f}; loop mean {loop_mean:,.0f}")
    assert math.isfinite(means[0])


if __name__ == "__main__":
    main()
