"""Benchmark: child-level returns of pilots and comparators, from files to estimates.

The strand's simulator (:mod:`csceval.strands.child_impact.simulate_model`) writes, for ``--las``
LAs (the first ten pilots adopting on 1 April 2018, the rest comparators) and the collection
years ``--first``-``--last``, a CIN census XML and SSDA903 CSVs per LA-year, with about
``--size`` new children referred a year per LA (an average English LA refers about 4,000
children a year; 150 LAs make a national year of about 600,000 referrals), and a minimal
``evaluation.toml``. Then, each in a fresh process (``/usr/bin/time -v`` for the peak memory):

1. ``csceval impact child-did DIR --method cem``: read every return (streaming readers),
   pseudonymise, build the cohorts, store them as Parquet, match and estimate (wild bootstrap
   9,999 Webb draws);
2. the same again: the cohorts come from the Parquet store (no parsing).

Reports referrals (CIN episodes referred in each collection year), the files' size, wall time
and peak resident memory of both runs. Goal (issue 24): a national year under 60 s and 4 GB on
2 cores; five years of pilots and comparators within 4 GB.

    .venv/bin/python benchmarks/child_impact_scale.py [--las 150] [--size 4000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def timed(folder: Path, reps: int) -> dict:
    csceval = str(Path(sys.executable).with_name("csceval"))
    cmd = ["/usr/bin/time", "-v", csceval, "impact", "child-did", str(folder), "--method", "cem",
           "--reps", str(reps), "-q"]  # fmt: skip
    start = time.perf_counter()
    run = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if run.returncode != 0:
        raise SystemExit(run.stdout + run.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr)
    cpu = sum(
        float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([0-9.]+)", run.stderr)
    )
    return {
        "seconds": round(wall, 1),
        "cpu_seconds": round(cpu, 1),
        "peak_mb": round(int(rss.group(1)) / 1024, 0) if rss else None,
        "summary": run.stdout.strip().splitlines(),
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
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="csceval-child-scale-"))
    years = tuple(range(args.first, args.last + 1))
    if not (folder / "evaluation.toml").is_file():  # --keep DIR of an earlier run: reuse it
        start = time.perf_counter()
        made = generate(folder, args.las, args.size, years, args.seed)
        made["generate_seconds"] = round(time.perf_counter() - start, 1)
        print(json.dumps(made), flush=True)
    shutil.rmtree(folder / "child_level" / "_cohorts", ignore_errors=True)
    first = timed(folder, args.reps)
    print("from files:", json.dumps(first), flush=True)
    second = timed(folder, args.reps)
    print("from the Parquet store:", json.dumps(second), flush=True)
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
