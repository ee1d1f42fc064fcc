"""The design rule's fidelity on the simulator's own null worlds (true effect zero).

Each null world of ``benchmarks/child_impact_null_cache.py`` (odd worlds, built by its
``build`` with its defaults: size 200, base seed 24000, returns to 2020) is treated as a
project: the four 12-month outcomes are estimated on its matched frame as
:mod:`csceval.strands.child_impact.estimate` does (CR2 test, Bell-McCaffrey df, MDE
``(t_0.975 + t_0.80) x se``, percentage points), calibrated on ``--draws`` worlds drawn on that
frame (:func:`~csceval.strands.child_impact.design_verdicts.calibrate_on_design`, seed = the
world) and given each outcome's word by the section's own
:func:`~csceval.strands.child_impact.section_design.outcome_words`: once with the design's
figures (the design rule) and once without them (the CR2-only fallback, Holm over the four).
Since the simulator's worlds have no effect, every "moderate" is a false one: the goal is at
most 2% of worlds per outcome and 5% for any outcome.

    .venv/bin/python benchmarks/child_impact_design_check.py build --worlds 20001:20399
    .venv/bin/python benchmarks/child_impact_design_check.py check --worlds 20001:20399
    .venv/bin/python benchmarks/child_impact_design_check.py run --worlds 20001:20399
    .venv/bin/python benchmarks/child_impact_design_check.py summary

``run`` builds and checks one world at a time (so an interrupted study keeps whole worlds);
``check`` and ``run`` skip worlds already in ``--out``. ``--worlds`` takes numbers and
``first:last`` ranges of odd (null) worlds.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from child_impact_null_cache import build

if TYPE_CHECKING:
    from csceval.strands.child_impact.result import OutcomeEstimate

FAMILY = ("rereferral_12m", "cpp_12m", "repeat_cpp_12m", "cla_12m")
CACHE = Path("/tmp/work/design_check_cache")
RULES = ("design", "cr2")


def parse_worlds(items: list[str]) -> list[int]:
    """Numbers and ``first:last`` ranges (odd worlds only: the null ones)."""
    worlds: list[int] = []
    for item in items:
        first, _, last = item.partition(":")
        lo, hi = int(first), int(last or first)
        worlds.extend(w for w in range(lo, hi + 1) if w % 2 == 1)
    return list(dict.fromkeys(worlds))


def estimate(frame: pd.DataFrame, outcome: str) -> tuple[OutcomeEstimate, float]:
    """One outcome's headline estimate, as ``estimate._estimate`` makes it (no bootstrap)."""
    from csceval.strands.child_impact.design_null import outcome_data
    from csceval.strands.child_impact.estimate import _detectable, _t_quantile, cohort_did
    from csceval.strands.child_impact.result import OutcomeEstimate

    data = outcome_data(frame, outcome)
    fit = cohort_did(data, wild=False)
    o = fit.overall
    half = _t_quantile(o.df_bm) * o.se_cr2
    n_clusters_treated = fit.n_clusters_treated
    return OutcomeEstimate(
        outcome,
        "cem",
        100 * o.estimate,
        100 * o.se_cr2,
        100 * (o.estimate - half),
        100 * (o.estimate + half),
        o.p_cr2,
        math.nan,
        "",
        0,
        n_clusters_treated,
        o.n_clusters - n_clusters_treated,
        len(data),
        0,
        math.nan,
        math.nan,
        100 * _detectable(o.df_bm) * o.se_cr2,
    ), o.df_bm


def check_world(path: Path, draws: int) -> dict[str, Any]:
    """The world's estimates, design figures and both rules' words (one JSON row)."""
    from dataclasses import replace

    from csceval.strands.child_impact.design_verdicts import calibrate_on_design
    from csceval.strands.child_impact.result import ChildImpactResult
    from csceval.strands.child_impact.section_design import outcome_words

    world = int(path.stem.split("_")[1])
    start = time.process_time()
    frame = pd.read_parquet(path)
    fitted = [estimate(frame, o) for o in FAMILY]
    estimates = tuple(e for e, _ in fitted)
    fit_s = time.process_time() - start
    op = calibrate_on_design(frame, estimates, draws, seed=world)
    empty = pd.DataFrame()
    result = ChildImpactResult(estimates, empty, empty, empty, empty, (), (), (), operating=op)
    design = {e.outcome: w for e, w, _ in outcome_words(result)}
    cr2 = {e.outcome: w for e, w, _ in outcome_words(replace(result, operating=None))}
    row: dict[str, Any] = {
        "world": world,
        "draws": draws,
        "moderate_any_in_design": op.moderate_any,
    }
    for (e, df), fig in zip(fitted, (op.get(o) for o in FAMILY), strict=True):
        row[e.outcome] = {
            "estimate": e.estimate,
            "se": e.se_cr2,
            "df_bm": df,
            "mde": e.mde,
            "p_cr2": e.p_cr2,
            "p_design": fig.p_design if fig else math.nan,
            "p_family_design": fig.p_family_design if fig else math.nan,
            "word_design": design[e.outcome],
            "word_cr2": cr2[e.outcome],
            "shock_sd": fig.shock_sd if fig else math.nan,
            "shock_rho": fig.shock_rho if fig else math.nan,
            "size_cr2_in_design": fig.size_cr2 if fig else math.nan,
            "null_moderate_in_design": fig.null_moderate if fig else math.nan,
        }
    row["cpu_s"] = {"fit": fit_s, "total": time.process_time() - start}
    return row


def _done(out: Path) -> set[int]:
    if not out.is_file():
        return set()
    return {int(json.loads(line)["world"]) for line in out.read_text().splitlines() if line}


def check(worlds: list[int], cache: Path, draws: int, out: Path, make: bool) -> None:
    """Check every world not yet in ``out`` (``make``: build each one first if not cached)."""
    done = _done(out)
    for world in worlds:
        if world in done:
            continue
        path = cache / f"world_{world}.parquet"
        if make:
            build([world], cache, 200.0, 24000, 2020)
        if not path.is_file():
            print(f"world {world}: not cached, skipped", flush=True)
            continue
        row = check_world(path, draws)
        with out.open("a") as sink:
            sink.write(json.dumps(row, default=float) + "\n")
        words = " ".join(f"{o}={row[o]['word_design']}/{row[o]['word_cr2']}" for o in FAMILY)
        print(f"world {world}: {row['cpu_s']['total']:.1f} s CPU check; {words}", flush=True)


def _rate(hits: pd.Series) -> str:
    n = len(hits)
    r = float(hits.mean()) if n else math.nan
    return f"{100 * r:.1f}% ± {100 * math.sqrt(r * (1 - r) / max(n, 1)):.1f}"


def _markdown(table: pd.DataFrame) -> str:
    """A frame of numbers as a Markdown table (index first; three decimals)."""
    head = [str(table.index.name or ""), *map(str, table.columns)]
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * len(table.columns) + "|"]
    for name, values in table.iterrows():
        lines.append(f"| {name} | " + " | ".join(f"{v:.3f}" for v in values) + " |")
    return "\n".join(lines)


def summary(out: Path) -> None:
    """Markdown tables: each rule's word rates per outcome and family-wise, the CR2 test's
    size, the estimated shocks (rates ± binomial MC error over worlds)."""
    rows = [json.loads(line) for line in out.read_text().splitlines() if line]
    long = pd.DataFrame(
        [{"world": r["world"], "outcome": o, **r[o]} for r in rows for o in FAMILY if o in r]
    )
    n = long["world"].nunique()
    draws = sorted({int(r["draws"]) for r in rows})
    print(f"{n} null worlds, {draws} design draws each\n")
    strong = {"moderate": ["moderate"], "low or stronger": ["low", "moderate", "high"]}
    lines = ["| outcome | rule | moderate | low or stronger | CR2 rejects at 5% |"]
    lines.append("|---|---|---:|---:|---:|")
    groups = [*long.groupby("outcome", sort=False), ("any of the four", long)]
    for name, g in groups:
        per_world = g.groupby("world")
        for rule in RULES:
            col = f"word_{rule}"
            rates = [
                _rate(per_world[col].agg(lambda w, s=s: w.isin(s).any())) for s in strong.values()
            ]
            size = _rate(per_world["p_cr2"].agg(lambda p: (p < 0.05).any()))
            lines.append(f"| {name} | {rule} | {rates[0]} | {rates[1]} | {size} |")
    print("\n".join(lines))
    cols = ["shock_sd", "shock_rho", "se", "mde", "size_cr2_in_design", "null_moderate_in_design"]
    long["design_above"] = long["p_design"] > long["p_cr2"]
    rank = {"none": 0, "low": 1, "moderate": 2, "high": 3}
    long["design_stronger"] = long["word_design"].map(rank) > long["word_cr2"].map(rank)
    long["shock_var"] = long["shock_sd"] ** 2
    long["shock_zero"] = long["shock_sd"] == 0
    by = long.groupby("outcome", sort=False)
    table = by[cols].mean()
    table["sd(estimate)"] = by["estimate"].std()
    table["design p <= 0.02"] = by["p_design"].agg(lambda p: (p <= 0.02).mean())
    table["design p > CR2 p"] = by["design_above"].mean()
    table["sqrt(mean s^2)"] = by["shock_var"].mean() ** 0.5
    table["s = 0"] = by["shock_zero"].mean()
    table["design word stronger"] = by["design_stronger"].mean()
    print("\nMeans over worlds (shock SD, SE, MDE, SD of the estimate: percentage points)\n")
    print(_markdown(table))
    any_in = pd.Series([r["moderate_any_in_design"] for r in rows])
    cpu = pd.Series([r["cpu_s"]["total"] for r in rows])
    print(f"\nIn-design 'moderate' for any outcome (mean over worlds): {100 * any_in.mean():.2f}%")
    print(f"CPU a world (check only): mean {cpu.mean():.1f} s, max {cpu.max():.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("build", "check", "run", "summary"))
    parser.add_argument("--worlds", nargs="+", default=["20001:20399"])
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--draws", type=int, default=999)
    parser.add_argument("--out", type=Path, default=CACHE / "design_check.jsonl")
    args = parser.parse_args()
    worlds = parse_worlds(args.worlds)
    if args.command == "build":
        build(worlds, args.cache, 200.0, 24000, 2020)
    elif args.command == "summary":
        summary(args.out)
    else:
        check(worlds, args.cache, args.draws, args.out, make=args.command == "run")


if __name__ == "__main__":
    main()
