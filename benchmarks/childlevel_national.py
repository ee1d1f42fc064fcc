"""Benchmark: one national year of child-level returns parsed and turned into every indicator.

The simulator writes, for every LA alive in the year, a CIN census XML and an SSDA903 XML and
CSVs consistent with its panel (about 650,000 referrals and 100,000 episodes nationally; the
exact figures are printed). Then, each in a fresh process so that peak memory is its own:

- ``csceval``: ``read_cin_census`` (lxml iterparse, streaming, every check) and
  ``read_903_folder`` (the same 903 CSVs the baseline reads, every check) for every LA, then
  ``cin_indicators`` and ``cla_indicators``;
- ``baseline``: the plain approach, ``xml.etree.ElementTree.parse`` of each whole CIN file
  flattened with ``findtext`` into pandas frames, and ``pandas.read_csv`` of the 903 CSVs, then
  the same indicator functions (so the comparison is of the reading; both results are checked
  to be equal).

Reports wall time, CPU time, throughput (referrals per CPU second) and peak resident memory
(``VmHWM``) of each, in both orders (baseline first, then csceval first, so that neither
always has the warmer file cache), the CPU-time ratio csceval / baseline of each order and
the load average (``/proc/loadavg``) before each run: on a shared machine CPU time is the fair
figure. Goal: under 60 s and under 4 GB on 2 cores; the checked readers no slower than the
unchecked baseline.

    .venv/bin/python benchmarks/childlevel_national.py [--year 2023] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd


def generate(folder: Path, year: int, seed: int) -> dict[str, float]:
    from csceval.simulate import simulate_world
    from csceval.simulate.childlevel import (
        ChildLevelError,
        simulate_child_level,
        write_child_level,
    )

    world = simulate_world(seed)
    panel = world.panel
    alive = panel[(panel["year"] == year) & (panel["indicator"] == "referrals_count")]
    las = sorted(alive["la_code"])
    start = time.perf_counter()
    skipped = 0
    for la in las:
        try:
            files = simulate_child_level(panel, la, year, seed)
        except ChildLevelError:  # the panel's values cannot all hold at once (rare)
            skipped += 1
            continue
        write_child_level(files, folder / la)
    mb = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6
    return {
        "las": len(las) - skipped,
        "skipped": skipped,
        "files_mb": mb,
        "generate_s": time.perf_counter() - start,
    }


def run_csceval(folder: Path, year: int) -> dict[str, dict[str, float]]:
    from csceval.childlevel import cin_indicators, cla_indicators
    from csceval.data.cin_census import read_cin_census
    from csceval.data.ssda903 import read_903_folder

    out = {}
    for la_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        cin = read_cin_census(la_dir / "cin_census.xml")
        values = cin_indicators(cin.tables, year)
        cla = read_903_folder(la_dir / "ssda903", year)
        values.update(cla_indicators(cla["episodes"], cla["header"], year))
        values["_episodes"] = float(len(cla["episodes"]))
        out[la_dir.name] = values
    return out


_FIELDS = {
    "cin_details": ("CINreferralDate", "CINclosureDate", "ReferralNFA", "DateOfInitialCPC"),
    "assessments": ("AssessmentActualStartDate", "AssessmentAuthorisationDate"),
    "section47": ("S47ActualStartDate", "DateOfInitialCPC", "ICPCnotRequired"),
    "cpp": ("CPPstartDate", "CPPendDate", "NumberOfPreviousCPP"),
}
_BLOCK = {"assessments": "Assessments", "section47": "Section47", "cpp": "ChildProtectionPlans"}


def _baseline_cin(path: Path) -> dict[str, pd.DataFrame]:
    root = ET.parse(path).getroot()
    rows: dict[str, list[dict[str, str | None]]] = {t: [] for t in _FIELDS}
    for child in root.iter("Child"):
        child_id = child.findtext("ChildIdentifiers/LAchildID")
        for details in child.findall("CINdetails"):
            rows["cin_details"].append(
                {"LAchildID": child_id, **{f: details.findtext(f) for f in _FIELDS["cin_details"]}}
            )
            for table, tag in _BLOCK.items():
                for block in details.findall(tag):
                    rows[table].append(
                        {"LAchildID": child_id, **{f: block.findtext(f) for f in _FIELDS[table]}}
                    )
    tables = {}
    for table, recs in rows.items():
        frame = pd.DataFrame(recs, columns=["LAchildID", *_FIELDS[table]])
        for col in frame.columns:
            if "Date" in col:
                frame[col] = pd.to_datetime(frame[col], format="%Y-%m-%d")
        tables[table] = frame
    tables["cpp"]["NumberOfPreviousCPP"] = pd.to_numeric(tables["cpp"]["NumberOfPreviousCPP"])
    return tables


def run_baseline(folder: Path, year: int) -> dict[str, dict[str, float]]:
    from csceval.childlevel import cin_indicators, cla_indicators

    out = {}
    for la_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        values = cin_indicators(_baseline_cin(la_dir / "cin_census.xml"), year)
        episodes = pd.read_csv(la_dir / "ssda903/episodes.csv", dtype=str, keep_default_na=False)
        header = pd.read_csv(la_dir / "ssda903/header.csv", dtype=str, keep_default_na=False)
        for frame, cols in ((episodes, ("DECOM", "DEC")), (header, ("DOB",))):
            for col in cols:
                frame[col] = pd.to_datetime(frame[col], format="%d/%m/%Y")
        values.update(cla_indicators(episodes, header, year))
        values["_episodes"] = float(len(episodes))
        out[la_dir.name] = values
    return out


def _peak_mb() -> float:
    """This process's peak resident memory: VmHWM (ru_maxrss can carry the parent's over exec)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _phase(name: str, folder: Path, year: int) -> None:
    start, cpu = time.perf_counter(), time.process_time()
    result = (run_csceval if name == "csceval" else run_baseline)(folder, year)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak_mb = _peak_mb()
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb, "result": result}))


def _same(a: dict[str, dict[str, float]], b: dict[str, dict[str, float]]) -> bool:
    return a.keys() == b.keys() and all(
        x == y or (math.isnan(x) and math.isnan(y))
        for la in a
        for x, y in zip(a[la].values(), (b[la][k] for k in a[la]), strict=True)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--keep", type=Path, help="keep the generated files here")
    parser.add_argument("--reuse", type=Path, help="time files generated before with --keep")
    parser.add_argument("--phase", choices=("csceval", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        _phase(args.phase, args.folder, args.year)
        return
    folder = args.reuse or args.keep or Path(tempfile.mkdtemp(prefix="csceval-childlevel-"))
    try:
        if args.reuse:
            mb = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6
            las = sum(p.is_dir() for p in folder.iterdir())
            made = {"las": las, "skipped": math.nan, "files_mb": mb, "generate_s": math.nan}
        else:
            made = generate(folder, args.year, args.seed)
        runs: list[tuple[str, float, dict]] = []
        for phase in ("baseline", "csceval", "csceval", "baseline"):  # both orders
            load = float(Path("/proc/loadavg").read_text().split()[0])
            proc = subprocess.run(
                [sys.executable, __file__, "--phase", phase, "--folder", str(folder),
                 "--year", str(args.year)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            runs.append((phase, load, json.loads(proc.stdout)))
    finally:
        if not (args.keep or args.reuse):
            shutil.rmtree(folder, ignore_errors=True)
    result = runs[1][2]["result"]
    referrals = sum(v["referrals_count"] for v in result.values())
    episodes = sum(v["_episodes"] for v in result.values())
    print(
        f"year {args.year}: {made['las']} LAs ({made['skipped']} infeasible, skipped), "
        f"{referrals:,.0f} referrals, {episodes:,.0f} SSDA903 episodes, "
        f"{made['files_mb']:.0f} MB of files (generated in {made['generate_s']:.0f} s)"
    )
    print("| order | reader | load before | wall time (s) | CPU time (s) | referrals/s (CPU) "
          "| peak RSS (MB) |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---:|")
    for k, (phase, load, run) in enumerate(runs):
        print(
            f"| {'baseline first' if k < 2 else 'csceval first'} | {phase} | {load:.1f} | "
            f"{run['seconds']:.1f} | {run['cpu']:.1f} | {referrals / run['cpu']:,.0f} | "
            f"{run['peak_mb']:,.0f} |"
        )
    ratios = [runs[1][2]["cpu"] / runs[0][2]["cpu"], runs[2][2]["cpu"] / runs[3][2]["cpu"]]
    print("CPU time csceval / baseline: " + ", ".join(f"{r:.2f}" for r in ratios)
          + f" (mean {sum(ratios) / 2:.2f})")  # fmt: skip
    print("results identical:", all(_same(r[2]["result"], runs[0][2]["result"]) for r in runs))


if __name__ == "__main__":
    main()
