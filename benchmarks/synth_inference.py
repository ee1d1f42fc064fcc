"""Benchmark: synthetic control with full placebo inference on an LA-sized panel.

Builds a seeded, LA-like panel (150 units x 16 years x 12 outcomes; 10 pilots adopting in
2016-2019; unit effects + unit trends + two random-walk factors + noise; true effect -0.5) and
times, for all 12 outcomes:

- ``pooled``: :func:`pooled_synth` (each pilot's fit, its in-space placebos - shared by pilots
  with the same start date - and the pooled permutation test with 999 draws);
- ``per-pilot``: :func:`placebo_in_space` for each pilot separately (every placebo refitted for
  every pilot: 12 x 10 x (1 + 140) = 16,920 fits);
- the same two on 2 worker processes (outcomes split between them);
- one ``v_method="nested"`` fit per pilot for one outcome (headline-fit cost);
- :func:`pooled_synth` with ``v_method="nested"`` for every fit and placebo (timed once).

Run: .venv/bin/python benchmarks/synth_inference.py [--repeat 3] [--v-method regression]
[--skip-nested-placebos]
Prints the timings and a table of results; it does not write any file.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from csceval.impact.synth import SynthPanel, SynthSpec, fit_synth, placebo_in_space, pooled_synth
from csceval.impact.synth_data import VMethod

N_UNITS, YEARS, N_OUTCOMES = 150, tuple(range(2010, 2026)), 12
PILOTS = {f"P{i:02d}": t for i, t in enumerate([2016] * 2 + [2017] * 2 + [2018] * 2 + [2019] * 4)}
EFFECT = -0.5
NOISE_SD = 0.3


def make_panel(seed: int = 2024) -> SynthPanel:
    """Seeded LA-like panel: unit effects, unit trends, two random-walk factors, noise."""
    rng = np.random.default_rng(seed)
    units = [*PILOTS, *(f"D{i:03d}" for i in range(N_UNITS - len(PILOTS)))]
    t = np.arange(len(YEARS), dtype=np.float64)
    values = {}
    for o in range(N_OUTCOMES):
        level = rng.normal(50, 5, N_UNITS)
        trend = rng.normal(0, 0.1, N_UNITS)
        loadings = rng.normal(1, 0.3, (N_UNITS, 2))
        factors = np.cumsum(rng.normal(0, 1, (len(YEARS), 2)), axis=0)
        noise = rng.normal(0, NOISE_SD, (len(YEARS), N_UNITS))
        y = level + np.outer(t, trend) + factors @ loadings.T + noise
        for u, start in PILOTS.items():
            y[np.asarray(YEARS) >= start, units.index(u)] += EFFECT
        values[f"y{o:02d}"] = y
    return SynthPanel(units=tuple(units), times=YEARS, values=values)


Row = tuple[str, float, float, float]


def run_pooled(panel: SynthPanel, outcomes: list[str], v_method: VMethod) -> list[Row]:
    out = []
    for o in outcomes:
        res = pooled_synth(panel, SynthSpec(o, v_method=v_method), PILOTS, n_draws=999, seed=1)
        p_unit = statistics.median(pl.p_value for pl in res.placebos.values())
        out.append((o, res.att, res.p_value, p_unit))
    return out


def run_per_pilot(panel: SynthPanel, outcomes: list[str], v_method: VMethod) -> int:
    donors = [u for u in panel.units if u not in PILOTS]
    fits = 0
    for o in outcomes:
        spec = SynthSpec(o, v_method=v_method)
        for u, start in PILOTS.items():
            res = placebo_in_space(panel, spec, u, start, donors)
            fits += 1 + res.n_placebos
    return fits


def _split(outcomes: list[str], n: int) -> list[list[str]]:
    return [outcomes[i::n] for i in range(n)]


def _worker_pooled(args: tuple[list[str], VMethod]) -> list[Row]:
    return run_pooled(make_panel(), *args)


def _worker_per_pilot(args: tuple[list[str], VMethod]) -> int:
    return run_per_pilot(make_panel(), *args)


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--v-method", default="regression", choices=["regression", "equal"])
    parser.add_argument("--skip-nested-placebos", action="store_true", help="skip the ~20 s row")
    args = parser.parse_args()
    vm: VMethod = "equal" if args.v_method == "equal" else "regression"
    panel = make_panel()
    outcomes = sorted(panel.values)
    rows = []
    t_pool, res = timed(lambda: run_pooled(panel, outcomes, vm), args.repeat)
    rows.append(("pooled_synth, 12 outcomes (placebos shared per cohort), 1 process", t_pool))
    t_pp, fits = timed(lambda: run_per_pilot(panel, outcomes, vm), args.repeat)
    rows.append((f"placebo_in_space per pilot, 12 x 10 pilots ({fits} fits), 1 process", t_pp))
    with ProcessPoolExecutor(2) as ex:
        list(ex.map(_worker_pooled, [([outcomes[0]], vm)] * 2))  # warm the workers
        jobs = [(s, vm) for s in _split(outcomes, 2)]
        t2, _ = timed(lambda: list(ex.map(_worker_pooled, jobs)), args.repeat)
        rows.append(("pooled_synth, 12 outcomes, 2 processes", t2))
        t3, _ = timed(lambda: sum(ex.map(_worker_per_pilot, jobs)), args.repeat)
        rows.append((f"placebo_in_space per pilot ({fits} fits), 2 processes", t3))
    spec_n = SynthSpec(outcomes[0], v_method="nested")
    donors = [d for d in panel.units if d not in PILOTS]
    t_n, _ = timed(lambda: [fit_synth(panel, spec_n, u, s, donors) for u, s in PILOTS.items()], 1)
    rows.append(("v_method='nested': 10 pilot fits, 1 outcome, 1 process", t_n))
    if not args.skip_nested_placebos:
        t_np, _ = timed(lambda: run_pooled(panel, outcomes, "nested"), 1)
        rows.append(("pooled_synth, v_method='nested' for every fit, 12 outcomes, 1 process", t_np))

    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"Synthetic control inference benchmark; {machine}; V = {vm}; median of {args.repeat}")
    print(f"Panel: {N_UNITS} units x {len(YEARS)} years x {N_OUTCOMES} outcomes; pilots {PILOTS}")
    print()
    print("| task | seconds |")
    print("|---|---|")
    for name, sec in rows:
        print(f"| {name} | {sec:.2f} |")
    print()
    print(
        f"| outcome | pooled ATT (true {EFFECT}) | pooled p (999 draws) "
        "| median per-pilot RMSPE-ratio p |"
    )
    print("|---|---|---|---|")
    assert isinstance(res, list)
    for o, att, p, pu in res:
        print(f"| {o} | {att:.3f} | {p:.3f} | {pu:.3f} |")


if __name__ == "__main__":
    main()
