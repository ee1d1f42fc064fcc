"""Recovery study of the child-level matched difference-in-differences (strand child-impact).

Each world is a synthetic child-level England of 10 pilot and 10 comparator LAs (collection
years 2014-2020, so cohorts 2015-2019), simulated by
:mod:`csceval.strands.child_impact.simulate_model` with its own seed; pilots adopt on 1 April of
2016, 2017 or 2018 (staggered). Odd-numbered worlds are **null** (no effect); even ones carry
the default effects, heterogeneous by age and need. Each world goes through the strand's own
path from the returns' tables (the cohort builder, coarsened exact matching, the matched
staggered DiD with CR2 intervals and the restricted wild cluster bootstrap with Webb weights);
the files are skipped (the file round trip is tested in tests/unit/test_child_impact_*).

The truth of a world is the injected effect averaged over the pilot children after adoption
that coarsened exact matching kept (the estimand of the matched estimate: CEM's feasible-sample
ATT); ``truth_all`` averages over every pilot child after adoption, and ``kept`` /
``kept_prior`` are the shares of those children (all; with a prior plan in the returns) that the
match kept.

Reported per outcome: bias (mean of estimate - truth) with its Monte Carlo error, coverage of
the 95% CR2 interval over all worlds, size (rejections at 5% on null worlds) of the wild
bootstrap and CR2 tests, and power (rejections on effect worlds).

Time to permanence needs 24 months of care observed after the entry, so its study runs on
longer returns: ``--last 2022 --outcomes permanence_24m``.

    .venv/bin/python benchmarks/child_impact_recovery.py [--worlds 200] [--jobs 1] [--size 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import time
from multiprocessing import Pool
from pathlib import Path

import pandas as pd

OUTCOMES = ("rereferral_12m", "cpp_12m", "repeat_cpp_12m", "cla_12m", "permanence_24m")
YEARS = tuple(range(2014, 2021))


def spec_of(  # type: ignore[no-untyped-def]
    world: int,
    size: float,
    base_seed: int,
    last: int = 2020,
    common_shock_sd: float = 0.01,
    pilots_differ: bool = True,
):
    """The recovery world ``world``; ``common_shock_sd`` and ``pilots_differ`` go to
    :class:`ChildWorldSpec` unchanged (their defaults: the standard worlds)."""
    from csceval.strands.child_impact.simulate_model import DEFAULT_EFFECTS, ChildWorldSpec

    starts: dict[str, dt.date | None] = {}
    for i in range(20):
        starts[f"{700 + i}"] = dt.date(2015 + i % 3, 4, 1) if i < 10 else None
    null = world % 2 == 1
    effects = dict.fromkeys(DEFAULT_EFFECTS, 0.0) if null else dict(DEFAULT_EFFECTS)
    years = tuple(range(YEARS[0], last + 1))
    return ChildWorldSpec(
        dict.fromkeys(starts, size),
        starts,
        years,
        base_seed + world,
        effects,
        common_shock_sd=common_shock_sd,
        pilots_differ=pilots_differ,
    )


def one_world(
    args: tuple[int, float, int, int, int, tuple[str, ...]],
) -> list[dict[str, object]]:
    world, size, base_seed, reps, last, outcomes = args
    from csceval.strands.child_impact.estimate import estimate_child_impact, matching_weights
    from csceval.strands.child_impact.simulate import (
        adoption_years,
        spec_cohorts,
        spec_records,
        spec_returns,
        spec_truth,
    )

    spec = spec_of(world, size, base_seed, last)
    start = time.perf_counter()
    cpu = time.process_time()
    records = spec_records(spec)
    cohorts, _ = spec_cohorts(spec, spec_returns(records, spec.years))
    adoption = adoption_years(spec)
    result = estimate_child_impact(
        cohorts,
        adoption,
        reps=reps,
        seed=world,
        methods=("cem",),
        outcomes=outcomes,
        null_draws=0,  # estimates and intervals only: the verdicts' draws are not studied here
    )
    post = (cohorts["la_code"].map(adoption) <= cohorts["cohort_year"]).to_numpy()
    kept = matching_weights(cohorts, adoption)[post] > 0
    pilots = cohorts[post]
    truth = spec_truth(spec, records, pilots[kept])
    truth_all = spec_truth(spec, records)
    prior = pilots["prior_cpp"].to_numpy()
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    return [
        {
            "world": world,
            "null": world % 2 == 1,
            "outcome": e.outcome,
            "estimate": e.estimate,
            "low": e.low,
            "high": e.high,
            "se": e.se_cr2,
            "p_wild": e.p_wild,
            "p_cr2": e.p_cr2,
            "truth": truth[e.outcome],
            "truth_all": truth_all[e.outcome],
            "children": e.n_children,
            "kept": float(kept.mean()),
            "kept_prior": float(kept[prior].mean()) if prior.any() else math.nan,
            "seconds": seconds,
            "cpu": cpu,
        }
        for e in result.estimates
    ]


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    out = []
    for outcome, r in rows.groupby("outcome", sort=False):
        err = r["estimate"] - r["truth"]
        covered = (r["low"] <= r["truth"]) & (r["truth"] <= r["high"])
        null, effect = r[r["null"]], r[~r["null"]]
        n = len(r)
        out.append(
            {
                "outcome": outcome,
                "worlds": n,
                "mean truth (effect worlds, pp)": effect["truth"].mean(),
                "mean truth, all pilot children (pp)": effect.get(
                    "truth_all", effect["truth"]
                ).mean(),
                "bias (pp)": err.mean(),
                "MC error of bias": err.std(ddof=1) / math.sqrt(n),
                "bias / MC error": err.mean() / (err.std(ddof=1) / math.sqrt(n)),
                "RMSE (pp)": math.sqrt((err**2).mean()),
                "coverage": covered.mean(),
                "size wild": (null["p_wild"] < 0.05).mean(),
                "size CR2": (null["p_cr2"] < 0.05).mean(),
                "power wild": (effect["p_wild"] < 0.05).mean(),
                "power CR2": (effect["p_cr2"] < 0.05).mean(),
                "mean SE (pp)": r["se"].mean(),
            }
        )
    return pd.DataFrame(out)


def report(frame: pd.DataFrame, wall: float | None = None) -> pd.DataFrame:
    summary = summarise(frame)
    with pd.option_context("display.width", 250, "display.max_columns", 20):
        print(summary.round(4).to_string(index=False))
    worlds = frame.groupby("world")
    spent = f" in {wall:.0f} s" if wall is not None else ""
    cpu = worlds["cpu"].first().mean() if "cpu" in frame else math.nan
    print(
        f"{worlds.ngroups} worlds{spent} ({worlds['seconds'].first().mean():.1f} s wall, "
        f"{cpu:.1f} s CPU a world in one process); matched children a world: median "
        f"{int(worlds['children'].max().median())}"
    )
    if "kept" in frame:
        print(
            "pilot children after adoption kept by the match: median "
            f"{worlds['kept'].first().median():.1%}; of those with a prior plan in the returns: "
            f"{worlds['kept_prior'].first().median():.1%}"
        )
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worlds", type=int, default=200)
    parser.add_argument("--size", type=float, default=200.0, help="New children a year per LA.")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--reps", type=int, default=999, help="Wild bootstrap replications.")
    parser.add_argument("--seed", type=int, default=24000)
    parser.add_argument("--last", type=int, default=2020, help="Last collection year.")
    parser.add_argument("--outcomes", nargs="+", default=list(OUTCOMES))
    parser.add_argument(
        "--rows",
        type=Path,
        default=Path("child_impact_recovery.jsonl"),
        help="Rows are appended here as worlds finish; worlds already there are skipped.",
    )
    parser.add_argument("--summarise", action="store_true", help="Only summarise --rows.")
    args = parser.parse_args()
    done: set[int] = set()
    if args.rows.is_file():
        old = [json.loads(line) for line in args.rows.read_text().splitlines() if line.strip()]
        done = {int(r["world"]) for r in old}
    if args.summarise:
        report(pd.DataFrame(old))
        return
    outcomes = tuple(args.outcomes)
    tasks = [
        (w, args.size, args.seed, args.reps, args.last, outcomes)
        for w in range(args.worlds)
        if w not in done
    ]
    start = time.perf_counter()
    with Pool(args.jobs) as pool, args.rows.open("a") as sink:
        for k, got in enumerate(pool.imap_unordered(one_world, tasks), 1):
            sink.write("".join(json.dumps(r, default=str) + "\n" for r in got))
            sink.flush()
            if k % 10 == 0:
                print(f"{k} worlds, {time.perf_counter() - start:.0f} s", flush=True)
    rows = [json.loads(line) for line in args.rows.read_text().splitlines() if line.strip()]
    report(pd.DataFrame(rows), time.perf_counter() - start)


if __name__ == "__main__":
    main()
