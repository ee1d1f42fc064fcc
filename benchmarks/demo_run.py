"""Benchmark: the demo job (simulate synthetic England, then run every strand and write the report).

Run: .venv/bin/python benchmarks/demo_run.py [--repeat 3]
Prints the timings and rewrites the "Demo run" block of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import tempfile
import time
from pathlib import Path

from csceval.pipeline import run_project, simulate_project

DOCS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
BEGIN, END = "<!-- demo-run:begin -->", "<!-- demo-run:end -->"


def measure(repeat: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"simulate": [], "run": [], "total": []}
    for i in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            t0 = time.perf_counter()
            simulate_project(root / "project", seed=2018 + i)
            t1 = time.perf_counter()
            run_project(root / "project", root / "output", command="benchmark")
            t2 = time.perf_counter()
        times["simulate"].append(t1 - t0)
        times["run"].append(t2 - t1)
        times["total"].append(t2 - t0)
    return times


def table(times: dict[str, list[float]]) -> str:
    rows = [
        "| step | median (s) | min (s) | max (s) |",
        "|---|---|---|---|",
        *(
            f"| {step} | {statistics.median(v):.2f} | {min(v):.2f} | {max(v):.2f} |"
            for step, v in times.items()
        ),
    ]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    n = len(times["total"])
    return "\n".join([f"Measured on {machine}; {n} runs (seeds 2018..{2017 + n}).", "", *rows])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    result = table(measure(args.repeat))
    print(result)
    text = DOCS.read_text()
    block = f"{BEGIN}\n{result}\n{END}"
    DOCS.write_text(re.sub(f"{re.escape(BEGIN)}.*?{re.escape(END)}", block, text, flags=re.S))


if __name__ == "__main__":
    main()
