"""Benchmark: full impact inference, 12 indicators x 10 pilots, on synthetic England.

The panel is :func:`csceval.simulate.simulate_world` (seed 2018 by default): 155 LAs x 2010-2025,
the ten simulated pilots, including the two that exit (first treated year = the year ending
31 March that contains their implementation start: 2016-2018) and 12 indicators with the
longest series (CLA 2010-2025, the others 2013-2025); a cell is missing where the simulator
makes it unavailable. Every non-pilot LA is a donor / never-treated comparison. For every
indicator it times:

- synthetic control (outcome-only, csceval's default V) with **all in-space placebos per pilot**
  (:func:`placebo_in_space` for each of the 10 pilots: the pilot and every donor refitted), plus
  :func:`pooled_synth` (the pooled effect with 999 re-drawn pseudo-pilot sets);
- Callaway-Sant'Anna (doubly robust, never-treated) with a 999-draw multiplier bootstrap and
  uniform band, plus the dynamic and simple aggregations, on the balanced panel of the LAs
  observed in every year of the indicator.

The whole set runs in 1 process and on 2 worker processes (indicators split between them; the
workers start with one BLAS thread each, set in their environment; in the main process the
synthetic-control estimators run with one BLAS thread, :mod:`csceval.impact.synth_blas`).

Peers, when a throwaway venv with pysyncon and csdid exists (``python3 -m venv /tmp/peer &&
/tmp/peer/bin/pip install pysyncon csdid``; ``--peer PYTHON``, default ``/tmp/peer/bin/python``),
run as a subprocess on the same data in the same run (never imported here):

- pysyncon on ``--peer-fits`` of the same pilot fits (pilot i on indicator i), the same donor
  pool and predictors (every observed pre-period value of the outcome), with fixed equal V (the
  same problem csceval solves) and, on the first ``--peer-nested`` of them, also with pysyncon's
  nested V search (COBYLA; a minute or more per fit). The loss is the pre-period MSPE of each
  package's weights, computed here on the same matrix;
- csdid on the same 12 Callaway-Sant'Anna fits (the agreement and the timing of
  ``benchmarks/did_inference.py``, whose runner this script imports).

Run: .venv/bin/python benchmarks/impact_full.py [--repeat 3] [--seed 2018] [--peer PYTHON]
[--peer-fits 10] [--peer-nested 0]. Prints markdown tables (with ``uptime`` before and after);
writes nothing.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from csceval.impact.did import aggte, att_gt
from csceval.impact.synth import (
    SynthPanel,
    SynthSpec,
    placebo_in_space,
    pooled_synth,
)
from csceval.indicators.panel import year_ending_march
from csceval.simulate import simulate_world
from did_inference import Job, agreement, run_peer
from impact_full_peer import pysyncon_compare

INDICATORS = (
    "cla_rate_per_10k",
    "cla_count_31mar",
    "referral_rate_per_10k",
    "referrals_count",
    "rereferral_within_12m_pct",
    "cin_rate_per_10k",
    "cin_count_31mar",
    "cpp_rate_per_10k",
    "repeat_cpp_pct",
    "cpp_2yrs_plus_pct",
    "s47_rate_per_10k",
    "icpc_rate_per_10k",
)
DEFAULT_PEER = "/tmp/peer/bin/python"
BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class Indicator:
    """One indicator's data: the synth panel (NaN where missing) and the balanced DiD panel."""

    name: str
    panel: SynthPanel
    did: pd.DataFrame


@dataclass(frozen=True)
class Study:
    """The benchmark's inputs: pilots (first treated year), donors and per-indicator data."""

    pilots: dict[str, int]
    donors: tuple[str, ...]
    indicators: tuple[Indicator, ...]
    n_las: int
    years: tuple[int, int]


def build_study(seed: int) -> Study:
    """Synthetic England for ``seed`` in the shapes the estimators take."""
    world = simulate_world(seed)
    pilots = {p.la_code: year_ending_march(p.implementation_start) for p in world.design.pilots}
    long = world.panel.assign(value=world.panel["observed"].where(world.panel["available"]))
    donors = tuple(sorted(set(long["la_code"]) - set(pilots)))
    out = []
    for name in INDICATORS:
        rows = long[long["indicator"] == name]
        wide = rows.pivot(index="year", columns="la_code", values="value").sort_index()
        panel = SynthPanel(
            units=tuple(wide.columns),
            times=tuple(int(t) for t in wide.index),
            values={name: wide.to_numpy(dtype=np.float64)},
        )
        complete = wide.columns[wide.notna().all()]
        did = rows[rows["la_code"].isin(complete)][["la_code", "year", "value"]]
        did = did.rename(columns={"value": name}).assign(
            la=lambda d: d["la_code"].astype(int),
            first_treat=lambda d: d["la_code"].map(pilots).fillna(0).astype(int),
        )
        out.append(Indicator(name, panel, did[["la", "year", "first_treat", name]]))
    years = (int(long["year"].min()), int(long["year"].max()))
    return Study(pilots, donors, tuple(out), long["la_code"].nunique(), years)


@dataclass(frozen=True)
class Outcome:
    """What one indicator's full inference gave (summaries only, for the printed table)."""

    name: str
    synth_fits: int
    pooled_att: float
    pooled_p: float
    median_pilot_p: float
    did_att: float
    did_band: tuple[float, float]
    did_units: int


def synth_all(study: Study, ind: Indicator) -> tuple[int, float, float, float]:
    """Every pilot's in-space placebo test, then the pooled test: fits, ATT, p, median p."""
    spec = SynthSpec(ind.name)
    fits, pvalues = 0, []
    for unit, start in study.pilots.items():
        res = placebo_in_space(ind.panel, spec, unit, start, study.donors)
        fits += 1 + res.n_placebos
        pvalues.append(res.p_value)
    pooled = pooled_synth(ind.panel, spec, study.pilots, study.donors, n_draws=999, seed=1)
    return fits, pooled.att, pooled.p_value, statistics.median(pvalues)


def did_all(ind: Indicator) -> tuple[float, tuple[float, float]]:
    """CS-DiD with the 999-draw bootstrap; the dynamic and simple aggregations."""
    res = att_gt(
        ind.did,
        ind.name,
        unit="la",
        time="year",
        group="first_treat",
        inference="bootstrap",
        n_boot=999,
        seed=1,
    )
    aggte(res, "dynamic")
    simple = aggte(res, "simple")
    half = 1.959963984540054 * simple.overall_se
    return simple.overall_att, (simple.overall_att - half, simple.overall_att + half)


def run_indicators(study: Study, names: list[str]) -> list[Outcome]:
    out = []
    for ind in study.indicators:
        if ind.name not in names:
            continue
        fits, att, p, p_med = synth_all(study, ind)
        did_att, band = did_all(ind)
        units = ind.did["la"].nunique()
        out.append(Outcome(ind.name, fits, att, p, p_med, did_att, band, units))
    return out


_STUDY: dict[int, Study] = {}


def _worker(args: tuple[int, list[str]]) -> list[Outcome]:
    seed, names = args
    if seed not in _STUDY:
        _STUDY[seed] = build_study(seed)
    return run_indicators(_STUDY[seed], names)


def timed(fn: Callable[[], object], repeat: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "uptime not available"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--peer", default=DEFAULT_PEER, help="Python of a venv with the peers")
    parser.add_argument("--peer-fits", type=int, default=10)
    parser.add_argument(
        "--peer-nested",
        type=int,
        default=0,
        help="also fit the first N with pysyncon's nested V (COBYLA; minutes per fit)",
    )
    args = parser.parse_args()

    print(f"uptime before: {uptime()}")
    t0 = time.perf_counter()
    study = build_study(args.seed)
    t_build = time.perf_counter() - t0
    names = [i.name for i in study.indicators]
    t1, results = timed(lambda: run_indicators(study, names), args.repeat)
    # Workers start (spawn) with one BLAS thread each, so two processes do not oversubscribe the
    # two cores (the synthetic-control estimators pin it themselves, csceval.impact.synth_blas;
    # the environment pins the Callaway-Sant'Anna part too).
    saved = {k: os.environ.get(k) for k in BLAS_ENV}
    os.environ.update(dict.fromkeys(BLAS_ENV, "1"))
    try:
        ex = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))
        list(ex.map(_worker, [(args.seed, [])] * 2))  # start and build the study in each worker
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    with ex:
        jobs = [(args.seed, names[0::2]), (args.seed, names[1::2])]
        t2, _ = timed(lambda: list(ex.map(_worker, jobs)), args.repeat)
    t_synth, _ = timed(lambda: [synth_all(study, i) for i in study.indicators], args.repeat)
    t_did, _ = timed(lambda: [did_all(i) for i in study.indicators], args.repeat)

    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    fits = sum(r.synth_fits for r in results)
    print(f"Full impact inference; {machine}; median (min-max) of {args.repeat}")
    print(
        f"synthetic England seed {args.seed}: {study.n_las} LAs x {study.years[0]}-"
        f"{study.years[1]}, {len(study.pilots)} pilots {study.pilots}, {len(names)} indicators; "
        f"simulate + reshape {t_build:.2f} s (not in the times below)"
    )
    print()
    print("| task | seconds |")
    print("|---|---|")
    for label, ts in (
        (f"synthetic control: 12 x 10 placebo_in_space ({fits} fits) + 12 pooled_synth", t_synth),
        ("Callaway-Sant'Anna: 12 x att_gt (DR, B=999, uniform band) + 2 aggregations", t_did),
        ("whole set, 1 process", t1),
        ("whole set, 2 processes (indicators split, 1 BLAS thread each)", t2),
    ):
        print(f"| {label} | {statistics.median(ts):.2f} ({min(ts):.2f}-{max(ts):.2f}) |")
    print()
    print(
        "| indicator | SC fits | pooled SC ATT | pooled p | median pilot p | CS-DiD ATT (95% CI) |"
    )
    print("|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r.name} | {r.synth_fits} | {r.pooled_att:.3f} | {r.pooled_p:.3f} | "
            f"{r.median_pilot_p:.3f} | {r.did_att:.3f} ({r.did_band[0]:.3f}, "
            f"{r.did_band[1]:.3f}); {r.did_units} LAs |"
        )

    if not Path(args.peer).is_file():
        print(f"\nPeers skipped: {args.peer} not found (see the module docstring).")
        print(f"uptime after: {uptime()}")
        return
    print(f"\npysyncon ({args.peer}) on {args.peer_fits} of the same fits; loss = pre-period MSPE")
    table = pysyncon_compare(study, args.peer, args.peer_fits, args.peer_nested)
    print(
        "| pilot | start | indicator | donors | csceval MSPE | pysyncon fixed V MSPE | "
        "pysyncon nested V MSPE | csceval <= 1.01 x pysyncon | csceval s | pysyncon fixed s | "
        "pysyncon nested s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    ok = True
    for r in table:
        best = min(r["fixed_mspe"], r.get("nested_mspe", np.inf))
        ok &= r["csceval_mspe"] <= 1.01 * best
        nested = (
            (f"{r['nested_mspe']:.3g}", f"{r['nested_s']:.1f}") if "nested_s" in r else ("--", "--")
        )
        print(
            f"| {r['pilot']} | {r['start']} | {r['indicator']} | {r['donors']} | "
            f"{r['csceval_mspe']:.3g} | {r['fixed_mspe']:.3g} | {nested[0]} | "
            f"{'yes' if r['csceval_mspe'] <= 1.01 * best else 'NO'} | {r['csceval_s']:.4f} | "
            f"{r['fixed_s']:.2f} | {nested[1]} |"
        )
    print(f"csceval's loss no worse than pysyncon's (within 1%) on every fit: {ok}")
    for label in ("fixed", "nested"):
        peer_s = [r[f"{label}_s"] for r in table if f"{label}_s" in r]
        if peer_s:
            print(
                f"pysyncon {label} V: {statistics.mean(peer_s):.2f} s per fit; the {fits} fits "
                f"of the full placebo set would take about "
                f"{fits * statistics.mean(peer_s) / 3600:.1f} h"
            )

    print(f"\ncsdid ({args.peer}) on the same 12 Callaway-Sant'Anna fits (analytic agreement)")
    print("| indicator | max abs diff ATT(g,t) | SE | event study | csdid B=999 (s) |")
    print("|---|---|---|---|---|")
    peer_total = 0.0
    for ind in study.indicators:
        job = Job(ind.name, ind.did, [ind.name], "la", "year", "first_treat")
        res = att_gt(ind.did, ind.name, unit="la", time="year", group="first_treat")
        native = {ind.name: (res, aggte(res, "dynamic"))}
        peer = run_peer(args.peer, job, 1)
        diff = agreement(native, peer)
        boot = peer["times"]["bootstrap"][0]
        peer_total += boot
        print(
            f"| {ind.name} | {diff['att']:.1e} | {diff['se']:.1e} | {diff['dynamic']:.1e} | "
            f"{boot:.3f} |"
        )
    own = statistics.median(t_did)
    print(
        f"csdid, 12 bootstrap fits + dynamic aggregation: {peer_total:.2f} s; csceval "
        f"{own:.2f} s (also the simple aggregation): {peer_total / own:.1f}x"
    )
    print(f"uptime after: {uptime()}")


if __name__ == "__main__":
    main()
