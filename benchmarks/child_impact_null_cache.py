"""Cheap iteration on the child-level DiD's inference: cache matched frames, re-test them.

``build`` simulates recovery worlds exactly as ``benchmarks/child_impact_recovery.py`` does
(same seeds and specification: odd worlds null, even worlds with effects) up to the coarsened
exact match, and writes each world's matched child frame (weight > 0) to
``<cache>/world_<n>.parquet`` with its truth in ``<cache>/truth.jsonl``. ``test`` re-runs the
matched DiD on the cached frames with several inference variants (seconds a world instead of
the simulation's three) and prints size on the null worlds and power on the effect worlds.
``build --common-shock-sd 0`` builds the worlds without the year shocks common to all LAs and
``build --homogeneous`` with pilots drawn as comparators (``ChildWorldSpec.common_shock_sd`` and
``pilots_differ``): keep each variant in its own cache folder (``truth.jsonl`` records neither).

    .venv/bin/python benchmarks/child_impact_null_cache.py build --worlds 1 3 5 --cache DIR
    .venv/bin/python benchmarks/child_impact_null_cache.py test --outcomes repeat_cpp_12m cpp_12m
    .venv/bin/python benchmarks/child_impact_null_cache.py summary
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from child_impact_recovery import spec_of

KEEP = ("la_code", "cohort_year", "pilot", "adoption", "weight", "prior_cpp", "prior_referral")
OUTCOMES = ("rereferral_12m", "cpp_12m", "repeat_cpp_12m", "cla_12m", "permanence_24m")


def build(
    worlds: list[int],
    cache: Path,
    size: float,
    seed: int,
    last: int,
    common_shock_sd: float = 0.01,
    pilots_differ: bool = True,
) -> None:
    """Simulate, match and cache each world not yet in ``cache`` (the two switches go to the
    spec: :class:`ChildWorldSpec`)."""
    from csceval.strands.child_impact.estimate import analysis_frame, matching_weights
    from csceval.strands.child_impact.simulate import (
        adoption_years,
        spec_cohorts,
        spec_records,
        spec_returns,
        spec_truth,
    )

    cache.mkdir(parents=True, exist_ok=True)
    for world in worlds:
        path = cache / f"world_{world}.parquet"
        if path.is_file():
            continue
        start = time.process_time()
        spec = spec_of(world, size, seed, last, common_shock_sd, pilots_differ)
        records = spec_records(spec)
        cohorts, _ = spec_cohorts(spec, spec_returns(records, spec.years))
        adoption = adoption_years(spec)
        frame = analysis_frame(cohorts, adoption)
        frame["weight"] = matching_weights(cohorts, adoption)
        post = (frame["pilot"] == 1) & (frame["cohort_year"] >= frame["adoption"])
        truth = spec_truth(spec, records, cohorts[post.to_numpy() & (frame["weight"] > 0)])
        keep = [*KEEP, *(o for o in OUTCOMES if o in frame)]
        frame.loc[frame["weight"] > 0, keep].to_parquet(path)
        with (cache / "truth.jsonl").open("a") as sink:
            row = {"world": world, "null": world % 2 == 1, **truth}
            sink.write(json.dumps(row, default=float) + "\n")
        print(f"world {world}: {time.process_time() - start:.1f} s CPU", flush=True)


def _did(frame: pd.DataFrame, **kw: object):  # type: ignore[no-untyped-def]
    from csceval.strands.child_impact.estimate import cohort_did

    return cohort_did(frame, **kw)


def cells(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame collapsed to LA x cohort cells (weight: sum of weights; y: weighted mean): the
    same estimates and CR2 variances without covariates (CR1's N-K factor is not kept)."""
    wy = frame["weight"] * frame["y"]
    out = (
        frame.assign(wy=wy)
        .groupby(["la_code", "cohort_year", "pilot", "adoption"], as_index=False)[["weight", "wy"]]
        .sum()
    )
    return out.assign(y=out["wy"] / out["weight"])


def randomisation_p(frame: pd.DataFrame, t_obs: float, perms: int, seed: int) -> float:
    """Randomisation inference over LAs (MacKinnon & Webb 2020): the CR2 t-statistic of the
    overall ATT when the pilots and their adoption years are reassigned at random among all
    LAs (matching weights kept); p = (1 + #|t*| >= |t|) / (1 + perms)."""
    agg = cells(frame)
    per_la = agg.groupby("la_code")["adoption"].first()
    years = per_la[per_la > 0].to_numpy()
    rng = np.random.default_rng(seed)
    extreme = 0
    for _ in range(perms):
        las = rng.choice(per_la.index.to_numpy(), size=years.size, replace=False)
        adopt = dict(zip(las, rng.permutation(years), strict=True))
        perm = agg.assign(
            adoption=agg["la_code"].map(adopt).fillna(0).astype(int),
            pilot=agg["la_code"].isin(las).astype(int),
        )
        o = _did(perm, wild=False).overall
        extreme += abs(o.estimate / o.se_cr2) >= abs(t_obs) * (1 - 1e-10)
    return (1 + extreme) / (1 + perms)


def test_world(path: Path, outcome: str, reps: int, perms: int) -> dict[str, object]:
    world = int(path.stem.split("_")[1])
    frame = pd.read_parquet(path).dropna(subset=[outcome])
    frame = frame.assign(y=frame[outcome].astype(float))
    base = _did(frame, reps=reps, seed=world)
    o = base.overall
    es = base.event_study.set_index("event_time")
    row: dict[str, object] = {
        "world": world,
        "null": world % 2 == 1,
        "outcome": outcome,
        "estimate": o.estimate,
        "se_cr1": o.se_cr1,
        "se_cr2": o.se_cr2,
        "df_bm": o.df_bm,
        "p_cr1": o.p_cr1,
        "p_cr2": o.p_cr2,
        "p_webb_wcr": o.wild.p_value if o.wild else math.nan,
        "t_cr1": o.wild.t_stat if o.wild else math.nan,
    }
    for e in (-3, -2):
        if e in es.index:
            row[f"placebo{e}_p_cr2"] = es.at[e, "p_cr2"]
            row[f"placebo{e}_p_wild"] = es.at[e, "p_wild"]
    rad = _did(frame, reps=reps, seed=world, draws="rademacher").overall.wild
    wcu = _did(frame, reps=reps, seed=world, restricted=False).overall.wild
    row["p_rad_wcr"] = rad.p_value if rad else math.nan
    row["p_webb_wcu"] = wcu.p_value if wcu else math.nan
    if perms:
        row["p_ri"] = randomisation_p(frame, o.estimate / o.se_cr2, perms, world)
    return row


def test(cache: Path, outcomes: list[str], reps: int, perms: int, out: Path) -> None:
    """Every inference variant on every cached world not yet in ``out``."""
    done = set()
    if out.is_file():
        done = {(r["world"], r["outcome"]) for r in map(json.loads, out.read_text().splitlines())}
    paths = sorted(cache.glob("world_*.parquet"), key=lambda p: int(p.stem.split("_")[1]))
    with out.open("a") as sink:
        for path in paths:
            for outcome in outcomes:
                if (int(path.stem.split("_")[1]), outcome) in done:
                    continue
                row = test_world(path, outcome, reps, perms)
                sink.write(json.dumps(row, default=float) + "\n")
                sink.flush()


def summary(out: Path, alpha: float = 0.05) -> pd.DataFrame:
    """Rejection rates at ``alpha`` of every p-value column (size on null worlds, power on
    effect worlds) with binomial Monte Carlo errors, and the null t-statistic's shape."""
    rows = pd.DataFrame(map(json.loads, out.read_text().splitlines()))
    table = []
    for (outcome, null), r in rows.groupby(["outcome", "null"]):
        t = r["estimate"] / r["se_cr2"]
        line: dict[str, object] = {"outcome": outcome, "null": null, "worlds": len(r)}
        for col in [c for c in r.columns if c.startswith(("p_", "placebo"))]:
            got = r[col].dropna()
            rate = float((got <= alpha).mean()) if col == "p_ri" else float((got < alpha).mean())
            line[col] = f"{rate:.3f}±{math.sqrt(rate * (1 - rate) / max(len(got), 1)):.3f}"
        line["t skew"] = float(stats.skew(t))
        line["t kurt"] = float(stats.kurtosis(t))  # excess
        line["corr(|est|,se)"] = float(np.corrcoef(r["estimate"].abs(), r["se_cr2"])[0, 1])
        table.append(line)
    frame = pd.DataFrame(table)
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(frame.T.to_string())
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("build", "test", "summary"))
    parser.add_argument("--worlds", type=int, nargs="+", default=list(range(1, 400, 2)))
    parser.add_argument("--cache", type=Path, default=Path("/tmp/work/cache_B"))
    parser.add_argument("--size", type=float, default=200.0)
    parser.add_argument("--seed", type=int, default=24000)
    parser.add_argument("--last", type=int, default=2020)
    parser.add_argument("--outcomes", nargs="+", default=["repeat_cpp_12m", "cpp_12m"])
    parser.add_argument("--reps", type=int, default=999)
    parser.add_argument("--perms", type=int, default=99, help="Randomisation draws (0: none).")
    parser.add_argument("--out", type=Path, default=Path("/tmp/work/cache_B/tests.jsonl"))
    parser.add_argument(
        "--common-shock-sd", type=float, default=0.01, help="build: SD of the common year shocks."
    )
    parser.add_argument(
        "--homogeneous", action="store_true", help="build: pilots drawn as comparators."
    )
    args = parser.parse_args()
    if args.command == "build":
        shock, differ = args.common_shock_sd, not args.homogeneous
        build(args.worlds, args.cache, args.size, args.seed, args.last, shock, differ)
    elif args.command == "summary":
        summary(args.out)
    else:
        test(args.cache, args.outcomes, args.reps, args.perms, args.out)


if __name__ == "__main__":
    main()
