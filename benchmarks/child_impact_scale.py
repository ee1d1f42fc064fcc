"""Benchmark: child-level returns of pilots and comparators, from files to estimates.

The strand's simulator (:mod:`csceval.strands.child_impact.simulate_model`) writes, for ``--las``
LAs (the first ten pilots adopting on 1 April 2018, the rest comparators) and the collection
years ``--first``-``--last``, a CIN census XML and SSDA903 CSVs per LA-year, with about
``--size`` new children referred a year per LA (an average English LA refers about 4,000
children a year; 150 LAs make a national year of about 600,000 referrals), and a minimal
``evaluation.toml``. Then, each in a fresh process (CPU time of it and its workers; peak of
the summed resident memory of the process tree, sampled; the load average before each run):

1. ``csceval impact child-did DIR --method cem --jobs 2``: read every return (streaming
   readers, LAs shared between two worker processes), pseudonymise, build the cohorts, store
   them as Parquet, match and estimate (wild bootstrap 9,999 Webb draws);
2. the same again: the cohorts come from the Parquet store (no parsing).

Reports referrals (CIN episodes referred in each collection year), the files' size, wall time
and peak resident memory of both runs. Goal (issue 24): a national year under 60 s and 4 GB on
2 cores; five years of pilots and comparators within 4 GB.

    .venv/bin/python benchmarks/child_impact_scale.py [--las 150] [--size 4000] [--keep DIR]
        [--jobs 2]

One national year (about 600,000 referrals in the files): ``--las 150 --size 800 --first 2017
--last 2020``; five years of pilots and comparators at full size: ``--las 150 --size 4000
--first 2016 --last 2020``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

SETTINGS = """[evaluation]
name = "Child-level scale benchmark (SYNTHETIC)"
frameworks = ["Signs of Safety"]
price_year = "2019-20"
synthetic = true

[periods]
first_year = {first}
last_year = {last}
financial_years = ["2017-18", "2018-19"]

[analysis]
indicators = ["rereferral_within_12m_pct"]
estimators = ["descriptive"]
comparators = "all_non_adopters"
"""
SITE = """
[[sites]]
la_code = "{la}"
name = "Pilot {la}"
role = "pilot"
framework = "Signs of Safety"
implementation_start = 2018-04-01
"""


def generate(folder: Path, las: int, size: float, years: tuple[int, ...], seed: int) -> dict:
    from csceval.strands.child_impact.simulate_model import ChildWorldSpec
    from csceval.strands.child_impact.simulate_records import simulate_la
    from csceval.strands.child_impact.simulate_returns import la_files, la_returns

    codes = [f"{201 + i}" for i in range(las)]
    starts = {la: (dt.date(2018, 4, 1) if i < 10 else None) for i, la in enumerate(codes)}
    spec = ChildWorldSpec(dict.fromkeys(codes, size), starts, years, seed)
    referrals = dict.fromkeys(years, 0)
    for la in codes:
        returns = la_returns(simulate_la(spec, la), years)
        for year, r in returns.items():
            ref = r.cin["cin_details"]["CINreferralDate"]
            lo, hi = dt.datetime(year - 1, 4, 1), dt.datetime(year, 3, 31)
            referrals[year] += int(((ref >= lo) & (ref <= hi)).sum())
        for name, text in la_files(la, returns).items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    toml = SETTINGS.format(first=years[0], last=years[-1])
    toml += "".join(SITE.format(la=la) for la, s in starts.items() if s is not None)
    (folder / "evaluation.toml").write_text(toml, encoding="utf-8")
    mb = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6
    return {"las": las, "referrals_by_year": referrals, "files_mb": round(mb, 1)}


def _tree_rss(proc: psutil.Process) -> int:
    """Resident memory of a process and all its descendants (bytes; 0 for those gone)."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):  # a worker that has just ended
            total += p.memory_info().rss
    return total


def timed(folder: Path, reps: int, jobs: int) -> dict:
    """One fresh ``csceval impact child-did`` run: wall time, CPU time of the process and its
    workers (``RUSAGE_CHILDREN``), the peak of the summed resident memory of the process tree
    (sampled every 0.1 s: the workers' memory counts on top of the main process's) and the
    load average before it."""
    csceval = str(Path(sys.executable).with_name("csceval"))
    cmd = [csceval, "impact", "child-did", str(folder), "--method", "cem", "--reps", str(reps),
           "--jobs", str(jobs), "-q"]  # fmt: skip
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    tree, peak = psutil.Process(run.pid), 0
    while run.poll() is None:
        with contextlib.suppress(psutil.Error):
            peak = max(peak, _tree_rss(tree))
        time.sleep(0.1)
    out, err = run.communicate()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.returncode != 0:
        raise SystemExit(out + err)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "seconds": round(wall, 1),
        "cpu_seconds": round(cpu, 1),
        "peak_mb": round(peak / 2**20),
        "load_before": round(load, 1),
        "jobs": jobs,
        "summary": out.strip().splitlines(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--las", type=int, default=150)
    parser.add_argument("--size", type=float, default=4000.0, help="New children a year per LA.")
    parser.add_argument("--first", type=int, default=2017)
    parser.add_argument("--last", type=int, default=2020)
    parser.add_argument("--reps", type=int, default=9999)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--keep", type=Path, help="Write the files here and keep them.")
    parser.add_argument("--jobs", type=int, default=2, help="Worker processes reading returns.")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="csceval-child-scale-"))
    years = tuple(range(args.first, args.last + 1))
    if not (folder / "evaluation.toml").is_file():  # --keep DIR of an earlier run: reuse it
        start = time.perf_counter()
        made = generate(folder, args.las, args.size, years, args.seed)
        made["generate_seconds"] = round(time.perf_counter() - start, 1)
        print(json.dumps(made), flush=True)
    shutil.rmtree(folder / "child_level" / "_cohorts", ignore_errors=True)
    first = timed(folder, args.reps, args.jobs)
    print("from files:", json.dumps(first), flush=True)
    second = timed(folder, args.reps, args.jobs)
    print("from the Parquet store:", json.dumps(second), flush=True)
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
