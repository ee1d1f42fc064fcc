"""Benchmark: ``build_panel`` on the real DfE files in ../shared/data (EES, LAIT, the CLA SFR
underlying data 2010-2017, S251 outturns 2008-14, csc_la_panel, reference).

Times the whole build (reading and checking every file, deriving rates, the reference tables)
and its peak traced Python memory (tracemalloc), beside a plain-pandas baseline measured in the
same run: ``pd.read_csv`` as text of the same CSVs (the EES files build_panel uses, LAIT, the SFR
and S251 files and csc_la_panel),
with no checks, no symbol handling and no derivation. Prints a table; writes nothing.

Run: .venv/bin/python benchmarks/data_build_panel.py [--repeat 3] [--source ../shared/data]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from csceval.data.panel import (
    CLA_GLOB,
    COLUMN_MAP,
    EES_DIR,
    POPULATION_GLOB,
    STABILITY_GLOBS,
    build_panel,
    rate_agreement,
)


def measure(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median seconds over ``repeat`` runs, and the peak traced memory (MiB) of one run."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return statistics.median(times), peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--source", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    args = parser.parse_args()
    ees = args.source / EES_DIR
    patterns = [*COLUMN_MAP, CLA_GLOB, *STABILITY_GLOBS, POPULATION_GLOB]
    files = sorted({f for pattern in patterns for f in ees.glob(pattern)})
    files.append(args.source / "dfe_lait_csc_indicators" / "lait_csc_indicators_long.csv")
    files += sorted((args.source / "dfe_cla_sfr_underlying_2010_2017").glob("20*/*.csv"))
    files += sorted((args.source / "dfe_s251_outturn_2008_2014").glob("*.csv"))
    files.append(args.source / "csc_la_panel" / "csc_la_panel_long.csv")
    megabytes = sum(f.stat().st_size for f in files) / 2**20

    def baseline() -> None:
        for path in files:
            pd.read_csv(path, dtype=str, keep_default_na=False, encoding="latin-1")

    panel = build_panel(args.source)
    agreement = rate_agreement(panel)
    ours = measure(lambda: build_panel(args.source), args.repeat)
    base = measure(baseline, args.repeat)
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, pandas {pd.__version__}")
    print(f"input: {len(files)} CSV files, {megabytes:.1f} MiB; panel {len(panel.long):,} values")
    print(
        f"rate check: {agreement['la_years'].sum():,} LA-years, min {agreement['pct_equal'].min()}%"
    )
    if panel.agreement is not None:
        pairs = panel.agreement
        print(
            f"source agreement: {len(pairs)} source pairs, {pairs['la_years'].sum():,} LA-years, "
            f"min {pairs['pct_within_tolerance'].min()}% within tolerance"
        )
    print("| step | median s | peak traced MiB |")
    print("|---|---|---|")
    print(
        f"| build_panel (read, check, derive, reference tables) | {ours[0]:.2f} | {ours[1]:.0f} |"
    )
    print(f"| baseline: pd.read_csv of the same files as text | {base[0]:.2f} | {base[1]:.0f} |")


if __name__ == "__main__":
    main()
