"""Recovery study of the LA-level impact strand in disjoint seed blocks (docs/methods.md table).

Runs :func:`csceval.strands.impact.recovery.run_recovery` on each block of seeds (by default
three blocks of 100 starting at 1, 5,001 and 10,001: :func:`block_seeds`) in chunks of
``--chunk`` seeds taken from the blocks in turn, saving each chunk's rows as it finishes
(``OUT/seeds-<first>-<last>-<estimators>.csv``, so an interrupted study resumes where it
stopped, and a partial one has grown every block alike), then prints the Markdown tables of
docs/methods.md (``--saved-only``: from the chunks saved so far): per block and indicator, each
method's bias with its Monte Carlo error, coverage, rejection rate and the share of seeds rated
"moderate" or stronger, the chi-square test of the blocks' biases, and per block the
family-wise rate (seeds in which any null indicator is rated "moderate" or stronger).

    .venv/bin/python benchmarks/impact_recovery.py [--seeds 100] [--blocks 3] [--jobs 2]
        [--estimators synth] [--out /tmp/csceval-impact-recovery]

``csceval impact recovery --seeds 100 --blocks 3`` computes the same figures in one go.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import pandas as pd

from csceval.atomic import write_file
from csceval.strands.impact.recovery import COLUMNS, run_recovery
from csceval.strands.impact.recovery_blocks import (
    BLOCK_SPACING,
    block_consistency,
    block_seeds,
    familywise_rates,
    summarise_blocks,
)

LABELS = {
    "random_trend": "Random-trend model",
    "synth_pooled": "Synthetic control, pooled",
    "synth_rmspe": "Synthetic control, per pilot",
    "did": "Callaway-Sant'Anna",
    "sdid": "Synthetic DiD",
}


def _chunk_rows(
    seeds: range, jobs: int, out: Path, estimators: tuple[str, ...] | None, saved_only: bool
) -> pd.DataFrame | None:
    tag = "-".join(estimators) if estimators else "plan"
    path = out / f"seeds-{seeds.start}-{seeds.stop - 1}-{tag}.csv"
    if path.exists():
        return pd.read_csv(path, dtype={"unit": str}, keep_default_na=False, na_values=[""])
    if saved_only:
        return None
    start = time.perf_counter()
    rows = run_recovery(seeds, jobs=jobs, estimators=estimators)
    write_file(path, rows.to_csv(index=False).encode("utf-8"))
    print(f"seeds {seeds.start}-{seeds.stop - 1}: {time.perf_counter() - start:.0f} s wall")
    return rows


def _pct(x: object) -> str:
    value = float(str(x))
    return "-" if not math.isfinite(value) else f"{100 * value:.1f}%"


def markdown(
    by_block: pd.DataFrame, consistency: pd.DataFrame, familywise: pd.DataFrame | None = None
) -> str:
    """The per-block table, the consistency table and (if given) the family-wise rates."""
    lines = [
        "| block (seeds) | indicator | method | bias (MC error) | coverage | rejects at 5% | "
        "moderate or stronger |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in by_block.to_dict("records"):
        flag = " **!**" if r["bias_flag"] else ""
        lines.append(
            f"| {r['block']} ({r['first_seed']}-{r['last_seed']}) | {r['indicator']} | "
            f"{LABELS.get(str(r['method']), r['method'])} | "
            f"{r['bias']:+.2f} ({r['bias_mc_error']:.2f}){flag} | {_pct(r['coverage'])} | "
            f"{_pct(r['rejection'])} | {_pct(r['moderate_or_stronger'])} |"
        )
    lines += ["", "| indicator | method | chi-square (df) | p | drift at 1% |"]
    lines.append("|---|---|---|---|---|")
    for c in consistency.to_dict("records"):
        lines.append(
            f"| {c['indicator']} | {LABELS.get(str(c['method']), c['method'])} | "
            f"{c['chi_square']:.2f} ({c['df']}) | {c['p_value']:.3f} | "
            f"{'**yes**' if c['drift'] else 'no'} |"
        )
    if familywise is not None and not familywise.empty:
        lines += ["", "| block (seeds) | seeds | null indicators | any null moderate or stronger |"]
        lines.append("|---|---|---|---|")
        for f in familywise.to_dict("records"):
            lines.append(
                f"| {f['block']} ({f['first_seed']}-{f['last_seed']}) | {f['seeds']} | "
                f"{f['null_indicators']} | {_pct(f['familywise'])} "
                f"({100 * f['familywise_mc_error']:.1f}) |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100, help="seeds per block")
    parser.add_argument("--blocks", type=int, default=3)
    parser.add_argument("--first", type=int, default=1)
    parser.add_argument("--spacing", type=int, default=BLOCK_SPACING)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=10, help="seeds saved at a time per block")
    parser.add_argument(
        "--estimators", default="", help="comma-separated, e.g. synth (default: the plan's)"
    )
    parser.add_argument("--out", type=Path, default=Path("/tmp/csceval-impact-recovery"))
    parser.add_argument("--saved-only", action="store_true", help="summarise saved chunks only")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    blocks = block_seeds(args.blocks, args.seeds, args.first, args.spacing)
    estimators = tuple(e for e in args.estimators.split(",") if e) or None
    parts: list[pd.DataFrame] = []
    for lo in range(0, args.seeds, args.chunk):  # round robin: every block grows together
        for b in blocks:
            chunk = range(b.start + lo, min(b.start + lo + args.chunk, b.stop))
            part = _chunk_rows(chunk, args.jobs, args.out, estimators, args.saved_only)
            parts += [part] if part is not None else []
    rows = pd.concat(parts, ignore_index=True)[list(COLUMNS)]
    print(f"{rows['seed'].nunique()} seeds")
    by_block = summarise_blocks(rows, blocks)
    print(markdown(by_block, block_consistency(by_block), familywise_rates(rows, blocks)))


if __name__ == "__main__":
    main()
