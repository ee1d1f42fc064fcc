"""Benchmark: memory and CPU of the child-level matched difference-in-differences by LA count.

Builds a synthetic matched child-level frame in memory (no files): ``--las`` LAs of which
``--treated`` pilots adopt in two cohorts (half in the third cohort year, half in the fourth),
``--years`` cohort years, about ``--rows`` children per LA-year with a 0/1 outcome, a matching
weight (some zero) and ``--covariates`` child-level covariates (a 0/1 flag, then continuous).
With two cohorts and five years there are eight ATT(g,t) cells, each holding every comparator
LA, so the stacked regression has ``K`` about ``8 x LAs`` columns.

Each size runs in a fresh process so that its peak resident memory (``ru_maxrss``) is its own:
:func:`~csceval.impact.did_setup.prepare_did` (cell moments, stacking, the stacked fit), then
:func:`~csceval.impact.matched_did.matched_did` with the wild bootstrap (``--reps`` Webb draws)
as the strand calls it, then ``--replicates`` outcome vectors through
:meth:`~csceval.impact.did_setup.DidSetup.overall_replicates` (the design-null study's path).
Reports K, the clusters, the bytes one dense (clusters, K, K) array would take, peak RSS, CPU
time of each step and the estimates at full precision (``--json`` keeps them, to compare two
versions of the code to 1e-12). Goal (issue 24): five years of pilots and comparators in 4 GB.

    .venv/bin/python benchmarks/child_did_memory.py [--las 30 75 150] [--rows 2000]
        [--covariates 2] [--reps 9999] [--replicates 20] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from csceval.atomic import write_file

FIRST_YEAR = 2016
EVENT = ("estimate", "se_cr1", "se_cr2", "df_bm", "p_cr2", "p_wild")


def frame(las: int, treated: int, years: int, rows: int, covariates: int, seed: int) -> Any:
    """The synthetic matched cohort frame, with the strand's column names."""
    rng = np.random.default_rng(seed)
    n_la_year = rng.integers(rows // 2, rows * 3 // 2 + 1, size=(las, years))
    la = np.repeat(np.repeat(np.arange(las), years), n_la_year.ravel())
    year = np.repeat(np.tile(np.arange(years), las), n_la_year.ravel())
    adoption = np.zeros(las, dtype=np.int64)
    adoption[: treated // 2] = FIRST_YEAR + 2
    adoption[treated // 2 : treated] = FIRST_YEAR + 3
    n = la.size
    z = [rng.random(n) < 0.3] + [rng.standard_normal(n) for _ in range(covariates - 1)]
    la_effect = rng.normal(0.0, 0.05, las)[la]
    post = (adoption[la] > 0) & (FIRST_YEAR + year >= adoption[la])
    logit = -1.0 + 0.4 * (z[0] if covariates else 0.0) + la_effect + 0.02 * year - 0.1 * post
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(float)
    weight = np.where(rng.random(n) < 0.05, 0.0, rng.uniform(0.5, 1.5, n))
    data = {
        "la_code": np.array([f"E{i:03d}" for i in range(las)])[la],
        "cohort_year": FIRST_YEAR + year,
        "pilot": (np.arange(las) < treated).astype(int)[la],
        "adoption": adoption[la],
        "weight": weight,
        "y": y,
    }
    data.update({f"z{j}": v.astype(float) for j, v in enumerate(z)})
    return pd.DataFrame(data)


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def worker(args: argparse.Namespace, las: int) -> dict[str, Any]:
    """One size in this process: the figures and the estimates."""
    from csceval.impact.did_setup import prepare_did
    from csceval.impact.matched_did import matched_did

    data = frame(las, args.treated, args.years, args.rows, args.covariates, args.seed)
    covs = [f"z{j}" for j in range(args.covariates)]
    columns = {
        "outcome": "y",
        "cluster": "la_code",
        "group": "pilot",
        "period": "cohort_year",
        "adoption": "adoption",
        "weights": "weight",
        "covariates": covs,
    }
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0, w0 = _cpu(), time.perf_counter()
    setup = prepare_did(data, **columns)  # type: ignore[arg-type]
    t1 = _cpu()
    setup_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    res = matched_did(data, **columns, reps=args.reps, seed=1)  # type: ignore[arg-type]
    t2 = _cpu()
    rng = np.random.default_rng(args.seed + 1)
    draws = (rng.random((len(data), args.replicates)) < 0.3).astype(float)
    rep = setup.overall_replicates(draws)
    t3, w3 = _cpu(), time.perf_counter()
    k = setup.fit.moments.n_params
    g = setup.fit.moments.n_clusters
    o = res.overall
    estimates = {
        "overall": [o.estimate, o.se_cr1, o.se_cr2, o.df_bm, o.p_cr2, o.wild and o.wild.p_value],
        "cells": [] if res.cells is None else res.cells["estimate"].tolist(),
        "event": res.event_study[list(EVENT)].to_numpy().tolist(),
        "replicates": [rep.estimate.tolist(), rep.se_cr2.tolist(), rep.p_cr2.tolist(), rep.df_bm],
    }
    return {
        "las": las,
        "rows": len(data),
        "cells": len(setup.cells),
        "clusters": g,
        "K": k,
        "dense_gkk_gb": g * k * k * 8 / 1e9,
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
        "rss_after_frame_gb": base_rss / 1e6,
        "rss_after_setup_gb": setup_rss / 1e6,
        "cpu_setup_s": t1 - t0,
        "cpu_estimate_s": t2 - t1,
        "cpu_replicates_s": t3 - t2,
        "wall_s": w3 - w0,
        "estimates": estimates,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--las", type=int, nargs="+", default=[30, 75, 150])
    parser.add_argument("--treated", type=int, default=16)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--covariates", type=int, default=2)
    parser.add_argument("--reps", type=int, default=9999)
    parser.add_argument("--replicates", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default="")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args, args.las[0])))
        return
    results = []
    for las in args.las:
        cmd = [sys.executable, __file__, "--worker", "--las", str(las)]
        for opt in ("treated", "years", "rows", "covariates", "reps", "replicates", "seed"):
            cmd += [f"--{opt}", str(getattr(args, opt))]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        results.append(r)
        print(
            f"LAs {r['las']:4d}  rows {r['rows']:9,d}  cells {r['cells']}  K {r['K']:5d}  "
            f"(G,K,K) {r['dense_gkk_gb']:6.2f} GB  peak RSS {r['peak_rss_gb']:6.2f} GB "
            f"(frame {r['rss_after_frame_gb']:.2f}, setup {r['rss_after_setup_gb']:.2f})  "
            f"CPU setup {r['cpu_setup_s']:6.1f} s, estimate {r['cpu_estimate_s']:6.1f} s, "
            f"replicates {r['cpu_replicates_s']:5.1f} s",
            flush=True,
        )
    if args.json:
        write_file(Path(args.json), json.dumps(results, indent=1).encode("utf-8"))


if __name__ == "__main__":
    main()
