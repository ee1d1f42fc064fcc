"""Size calibration of the impact tests on the real LA panel: the figures the report quotes.

Runs :func:`csceval.impact.calibrate.calibrate` (what ``csceval impact calibrate`` runs) on
``../shared/data/csc_la_panel/csc_la_panel_wide.csv`` for every headline indicator of the impact
strand, with the design scenario of ``docs/methods.md`` (ten pseudo-pilots adopting 2019-2022,
the eleven real Signs of Safety pilot LAs never drawn; rates on the log scale, as the report
analyses them), prints the markdown table of
``docs/methods.md`` and, with ``--write``, rewrites ``src/csceval/impact/calibration/la_panel.json``
(the figures the report labels methods with). SDID takes ~10x longer per draw, so it gets
``--sdid-draws`` (default 100) draws; the others ``--draws`` (default 200). The payload's
``methods`` are built by :func:`csceval.strands.impact.results.payload_methods`, as the design
calibration's are. ``--panel`` and ``--output`` point elsewhere: a unit test
(``tests/unit/test_benchmark_impact_calibration.py``) runs the script on a small made-up panel,
so a broken benchmark fails the tests.

Run: .venv/bin/python benchmarks/impact_calibration.py [--jobs 2 | --scheduler ADDRESS] [--write]
    [--methods synth_pooled,did,random_trend] (default: every method but the opt-in ones)
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date
from pathlib import Path

import pandas as pd

from csceval.executor import map_tasks
from csceval.impact.calibrate import ALL_METHODS, LABELS, METHODS, CalibrationResult, calibrate
from csceval.impact.synth import SynthPanel
from csceval.indicators.catalogue import BY_ID
from csceval.strands.impact.design_stats import NOMINAL
from csceval.strands.impact.results import SizeRow, payload_methods
from csceval.strands.impact.scale import analysis_scale
from csceval.strands.impact.strand import HEADLINE_INDICATORS

ROOT = Path(__file__).resolve().parents[1]
PANEL = ROOT.parent / "shared" / "data" / "csc_la_panel" / "csc_la_panel_wide.csv"
OUTPUT = ROOT / "src" / "csceval" / "impact" / "calibration" / "la_panel.json"
ADOPTION_YEARS = (2019, 2019, 2020, 2020, 2021, 2021, 2021, 2022, 2022, 2022)
EXCLUDE = ("303", "304", "801", "855", "925", "926", "935", "384", "938", "872", "211")
"""The Signs of Safety pilot LAs of Phases 1 and 2 (old LA codes): never pseudo-pilots."""
SEED = 2026


def _panel(path: Path) -> SynthPanel:
    data = pd.read_csv(path, dtype={"old_la_code": str})
    return SynthPanel.from_long(
        data, unit="old_la_code", time="year", variables=list(HEADLINE_INDICATORS)
    )


def _run(job: tuple[Path, str, tuple[str, ...], int]) -> tuple[CalibrationResult, float]:
    panel, outcome, methods, draws = job
    start = time.process_time()
    log = analysis_scale(BY_ID[outcome]) == "log"
    result = calibrate(
        _panel(panel), outcome, ADOPTION_YEARS, exclude=EXCLUDE, methods=methods,
        n_draws=draws, seed=SEED, log=log,
    )  # fmt: skip
    return result, time.process_time() - start


def _cell(size: float, mc: float, coverage: float | None) -> str:
    text = f"{100 * size:.1f}% ({100 * mc:.1f})"
    text = f"**{text}**" if size > 0.07 else text
    return text + (f" [{100 * coverage:.1f}%]" if coverage is not None else "")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--sdid-draws", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--scheduler", help="a Dask scheduler's address (csceval.executor)")
    parser.add_argument("--panel", type=Path, default=PANEL, help="the LA panel (wide CSV)")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="the file --write rewrites")
    parser.add_argument("--write", action="store_true", help=f"rewrite {OUTPUT.name}")
    parser.add_argument(
        "--methods", default=",".join(METHODS),
        help="comma-separated, from " + ", ".join(ALL_METHODS) + " [default: all but opt-in]",
    )  # fmt: skip
    args = parser.parse_args(argv)
    chosen = tuple(m for m in args.methods.split(",") if m)
    unknown = set(chosen) - set(ALL_METHODS)
    if unknown:
        parser.error(f"unknown method(s) {sorted(unknown)}")
    fast = tuple(m for m in ALL_METHODS if m in chosen and m != "sdid")
    jobs: list[tuple[Path, str, tuple[str, ...], int]] = []
    jobs += [(args.panel, o, fast, args.draws) for o in HEADLINE_INDICATORS if fast]
    if "sdid" in chosen:
        jobs += [(args.panel, o, ("sdid",), args.sdid_draws) for o in HEADLINE_INDICATORS]
    wall = time.perf_counter()
    done = map_tasks(_run, jobs, jobs=args.jobs, scheduler=args.scheduler, label="calibration")
    wall = time.perf_counter() - wall
    results = [result for result, _ in done]
    for result, cpu in done:
        print(f"{result.outcome} {'+'.join(result.methods)}: {cpu:.0f} CPU-s, "
              f"{result.n_candidates} candidates, {result.years}")  # fmt: skip
    print(f"wall {wall:.0f} s on {args.jobs} processes, "
          f"{sum(cpu for _, cpu in done):.0f} CPU-s in the tasks\n")  # fmt: skip
    print("\n".join(_table(results)))
    print("\nSD of the estimates over the draws (analysis scale; the MDE is 2.8 times it):")
    for result in results:
        for name, stat in result.methods.items():
            if name != "synth_rmspe" and len(stat.estimates) > 1:
                sd = float(pd.Series(stat.estimates).std())
                print(f"  {result.outcome} {name}: {sd:.4f}")
    if args.write:
        payload = {
            "description": "Real size of each impact test at nominal 5% on the real LA panel "
            "(pseudo-pilots drawn from non-adopting LAs; true effect zero), written by "
            "benchmarks/impact_calibration.py; the table in docs/methods.md ('Size and coverage "
            "of the impact tests on the real LA panel') shows the same figures.",
            "panel": "../shared/data/csc_la_panel/csc_la_panel_wide.csv",
            "date": date.today().isoformat(),
            "nominal": NOMINAL,
            "adoption_years": list(ADOPTION_YEARS),
            "exclude": list(EXCLUDE),
            "seed": SEED,
            "methods": payload_methods(_rows(results)),
        }
        args.output.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.output}")


def _rows(results: list[CalibrationResult]) -> list[SizeRow]:
    """Each method's size on each outcome, methods in :data:`ALL_METHODS` order."""
    rows = [
        SizeRow(r.outcome, name, r.n_draws, stat.tests, stat.size, stat.size_mc_error)
        for r in results
        for name, stat in r.methods.items()
    ]
    return sorted(rows, key=lambda row: ALL_METHODS.index(row.method))


def _table(results: list[CalibrationResult]) -> list[str]:
    """The markdown table of docs/methods.md (bold: size above 7%; coverage in brackets)."""
    cells: dict[str, dict[str, str]] = {}
    draws: dict[str, int] = {}
    for result in results:
        for name, stat in result.methods.items():
            coverage = stat.coverage if stat.intervals else None
            cell = _cell(stat.size, stat.size_mc_error, coverage)
            cells.setdefault(name, {})[result.outcome] = cell
            draws[name] = result.n_draws
    lines = ["| method | " + " | ".join(HEADLINE_INDICATORS) + " |"]
    lines.append("|---" * (len(HEADLINE_INDICATORS) + 1) + "|")
    for name in LABELS:
        if name in cells:
            tests = "" if name in ("synth_pooled", "did", "sdid", "random_trend") else " per pilot"
            row = [cells[name].get(o, "") for o in HEADLINE_INDICATORS]
            lines.append(
                f"| {LABELS[name]} ({draws[name]} draws{tests}) | " + " | ".join(row) + " |"
            )
    return lines


if __name__ == "__main__":
    main()
