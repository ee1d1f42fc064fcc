"""The studies' executor (csceval.executor): one process, a local pool, a Dask cluster.

Runs the recovery study (:func:`csceval.strands.impact.recovery.run_recovery`, what
``csceval impact recovery`` runs) on the same seeds three ways: in this process (``--jobs 1``),
on a pool of local processes (``--jobs 2``) and on a Dask ``LocalCluster`` of two single-thread
worker processes reached by its ``tcp://`` address, as a real cluster is (``--scheduler``).
Prints each wall time, checks that the three tables of estimates are identical, and prints
the machine's load averages before and after (the wall times depend on what else runs).

Run: .venv/bin/python benchmarks/executor_scaling.py [--seeds 20] [--first 1]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

import pandas as pd

from csceval.strands.impact.recovery import run_recovery


def _timed(run: Callable[[], pd.DataFrame]) -> tuple[pd.DataFrame, float]:
    start = time.perf_counter()
    rows = run()
    return rows, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--first", type=int, default=1)
    args = parser.parse_args()
    from dask.distributed import LocalCluster

    seeds = list(range(args.first, args.first + args.seeds))
    load_before = os.getloadavg()
    runs: dict[str, tuple[pd.DataFrame, float]] = {
        "in-process (`--jobs 1`)": _timed(lambda: run_recovery(seeds, jobs=1)),
        "local processes (`--jobs 2`)": _timed(lambda: run_recovery(seeds, jobs=2)),
    }
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        name = "Dask LocalCluster, 2 worker processes (`--scheduler tcp://...`)"
        runs[name] = _timed(lambda: run_recovery(seeds, scheduler=address))
    load_after = os.getloadavg()
    reference, _ = next(iter(runs.values()))
    for rows, _ in runs.values():
        pd.testing.assert_frame_equal(rows, reference)
    print(f"recovery, {len(seeds)} seeds ({seeds[0]}-{seeds[-1]}), {len(reference)} estimates; ")
    print(f"{os.cpu_count()} cores; load averages {load_before} before, {load_after} after\n")
    print("| executor | wall time | per seed |\n|---|---|---|")
    for name, (_, wall) in runs.items():
        print(f"| {name} | {wall:.1f} s | {wall / len(seeds):.2f} s |")
    print("\nThe three tables of estimates are identical (pandas.testing.assert_frame_equal).")


if __name__ == "__main__":
    main()
