"""Recovery in disjoint seed blocks: does the study hold on seeds it was not tuned on?

A recovery table from one run of consecutive seeds can hide drift: a result that holds on seeds
1-400 and fails on 401-430. The study therefore draws several disjoint blocks of seeds spread
over a wide range (by default three blocks starting at 1, 5,001 and 10,001,
:func:`block_seeds`), reports each block separately (bias with its Monte Carlo error, coverage,
rejection rate, and the share of seeds whose verdict is "moderate" or stronger), the
family-wise rate (:func:`familywise_rates`: the share of seeds in which *any* null indicator is
rated "moderate" or stronger) and tests whether the blocks agree.

Notes
-----
**Consistency of the blocks' biases.** For each indicator and method with ``B`` blocks of bias
``b_k`` and MC error ``s_k`` (the within-block ``sd / sqrt(n)``), the statistic is
``X2 = sum_k (b_k - b_bar)^2 / s_k^2`` with the inverse-variance weighted mean
``b_bar = sum_k (b_k / s_k^2) / sum_k (1 / s_k^2)``; under a common bias it is approximately
chi-square with ``B - 1`` degrees of freedom (blocks are independent, each mean close to
normal for 100 seeds). A p-value below :data:`CONSISTENCY_ALPHA` (1%) flags drift between
blocks. A block's bias is also flagged when it lies beyond :data:`BIAS_LIMIT_MC` (3) MC errors
from zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import chi2

from csceval.strands.impact.recovery import injected, summarise

BLOCK_SPACING = 5_000
"""Seeds between the starts of consecutive blocks (so block 3 of the default starts at 10,001)."""
CONSISTENCY_ALPHA = 0.01
BIAS_LIMIT_MC = 3.0
MODERATE_OR_STRONGER = ("moderate", "high")


def block_seeds(
    n_blocks: int, per_block: int, first: int = 1, spacing: int = BLOCK_SPACING
) -> list[range]:
    """``n_blocks`` disjoint runs of ``per_block`` seeds starting ``spacing`` apart."""
    if per_block > spacing:
        raise ValueError(f"blocks of {per_block} seeds {spacing} apart would overlap")
    return [range(first + k * spacing, first + k * spacing + per_block) for k in range(n_blocks)]


def block_of(seed: int, blocks: Sequence[range]) -> int:
    """The 1-based number of the block holding ``seed``."""
    return next(k for k, block in enumerate(blocks, start=1) if seed in block)


def summarise_blocks(
    rows: pd.DataFrame, blocks: Sequence[range], alpha: float = 0.05
) -> pd.DataFrame:
    """:func:`summarise` per block, with its seeds, the share of seeds rated "moderate" or
    stronger, and whether the bias lies beyond :data:`BIAS_LIMIT_MC` MC errors."""
    out = []
    for k, block in enumerate(blocks, start=1):
        part = rows[rows["seed"].isin(block)]
        if part.empty:
            continue
        summary = summarise(part, alpha)
        verdicts = part.drop_duplicates(["seed", "indicator"])
        strong = verdicts.groupby("indicator")["verdict"].apply(
            lambda v: float(v.isin(MODERATE_OR_STRONGER).mean())
        )
        summary.insert(0, "block", k)
        summary.insert(1, "first_seed", block.start)
        summary.insert(2, "last_seed", block.stop - 1)
        summary["moderate_or_stronger"] = summary["indicator"].map(strong)
        summary["bias_flag"] = summary["bias"].abs() > BIAS_LIMIT_MC * summary["bias_mc_error"]
        out.append(summary)
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def familywise_rates(rows: pd.DataFrame, blocks: Sequence[range]) -> pd.DataFrame:
    """Per block: the share of its seeds in which any null indicator (no injected effect) is
    rated "moderate" or stronger, with its binomial MC error.

    The denominator is the block's seeds with rows (a seed with no null-indicator row counts
    as not rated); the verdicts are those in the rows, i.e. of the rule that made them.
    """
    out = []
    verdicts = rows.drop_duplicates(["seed", "indicator"])
    null = verdicts[~verdicts["indicator"].map(lambda i: injected(str(i)))]
    strong = set(null.loc[null["verdict"].isin(MODERATE_OR_STRONGER), "seed"])
    for k, block in enumerate(blocks, start=1):
        seeds = set(verdicts.loc[verdicts["seed"].isin(block), "seed"])
        if not seeds:
            continue
        rate = len(seeds & strong) / len(seeds)
        out.append(
            {
                "block": k,
                "first_seed": block.start,
                "last_seed": block.stop - 1,
                "seeds": len(seeds),
                "null_indicators": null.loc[null["seed"].isin(block), "indicator"].nunique(),
                "familywise": rate,
                "familywise_mc_error": math.sqrt(rate * (1 - rate) / len(seeds)),
            }
        )
    return pd.DataFrame(out)


def chi_square_consistency(
    bias: Sequence[float], mc_error: Sequence[float]
) -> tuple[float, int, float]:
    """``(X2, df, p)`` of the hypothesis that the blocks share one bias (see the notes)."""
    b, s = np.asarray(bias, dtype=float), np.asarray(mc_error, dtype=float)
    keep = np.isfinite(b) & np.isfinite(s) & (s > 0)
    b, s = b[keep], s[keep]
    if b.size < 2:
        return math.nan, 0, math.nan
    w = 1.0 / s**2
    pooled = float((w * b).sum() / w.sum())
    stat = float((w * (b - pooled) ** 2).sum())
    df = int(b.size - 1)
    return stat, df, float(chi2.sf(stat, df))


def block_consistency(by_block: pd.DataFrame) -> pd.DataFrame:
    """Per indicator and method: the chi-square test across blocks and its 1% flag."""
    out = []
    for (indicator, method), g in by_block.groupby(["indicator", "method"], sort=False):
        stat, df, p = chi_square_consistency(g["bias"].tolist(), g["bias_mc_error"].tolist())
        out.append(
            {
                "indicator": indicator,
                "method": method,
                "blocks": len(g),
                "chi_square": stat,
                "df": df,
                "p_value": p,
                "drift": bool(p < CONSISTENCY_ALPHA) if math.isfinite(p) else False,
            }
        )
    return pd.DataFrame(out)


__all__ = [
    "BLOCK_SPACING",
    "block_consistency",
    "block_of",
    "block_seeds",
    "chi_square_consistency",
    "familywise_rates",
    "summarise_blocks",
]
