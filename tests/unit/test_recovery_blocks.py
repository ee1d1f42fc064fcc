"""Recovery in disjoint seed blocks: per-block summaries and the chi-square across blocks.

Rows are made by hand (two seeds per block), so the expected figures are worked out here;
so is the family-wise rate of "moderate or stronger" on the null indicators.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from csceval.strands.impact.recovery import COLUMNS
from csceval.strands.impact.recovery_blocks import (
    block_consistency,
    block_of,
    block_seeds,
    chi_square_consistency,
    familywise_rates,
    summarise_blocks,
)

BLOCKS = block_seeds(3, 2)


def _rows(errors: dict[int, float], verdicts: dict[int, str]) -> pd.DataFrame:
    """Re-referral (level scale) rows of the headline: ``estimate - truth`` is the error."""
    return pd.DataFrame(
        [
            (
                seed,
                "rereferral_within_12m_pct",
                "synth_pooled",
                "",
                -1.0 + e,
                -3.0 + e,
                1.0 + e,
                0.2,
                -1.0,
                verdicts[seed],
            )
            for seed, e in errors.items()
        ],
        columns=list(COLUMNS),
    )


def test_blocks_are_disjoint_and_one_lies_beyond_ten_thousand() -> None:
    assert [(b.start, b.stop - 1) for b in BLOCKS] == [(1, 2), (5001, 5002), (10001, 10002)]
    assert [block_of(s, BLOCKS) for s in (2, 5001, 10002)] == [1, 2, 3]
    with pytest.raises(ValueError, match="overlap"):
        block_seeds(3, 6000)


def test_each_block_is_summarised_and_the_chi_square_is_the_hand_one() -> None:
    # block errors: (1, 3) -> bias 2, MC error 1; (0, 2) -> 1, 1; (4, 8) -> 6, 2
    errors = {1: 1.0, 2: 3.0, 5001: 0.0, 5002: 2.0, 10001: 4.0, 10002: 8.0}
    verdicts = {1: "none", 2: "moderate", 5001: "low", 5002: "none", 10001: "high", 10002: "high"}
    by_block = summarise_blocks(_rows(errors, verdicts), BLOCKS)
    assert list(by_block["block"]) == [1, 2, 3]
    assert list(by_block["bias"]) == pytest.approx([2.0, 1.0, 6.0])
    assert list(by_block["bias_mc_error"]) == pytest.approx([1.0, 1.0, 2.0])
    assert list(by_block["moderate_or_stronger"]) == [0.5, 0.0, 1.0]
    assert list(by_block["bias_flag"]) == [False, False, False]  # none beyond 3 MC errors
    assert list(by_block["coverage"]) == [0.5, 1.0, 0.0]  # covered when |error| <= 2
    # weights 1, 1, 1/4: pooled bias (2 + 1 + 6/4) / 2.25 = 2; X2 = 0 + 1 + 16/4 = 5 on 2 df,
    # whose upper tail is exp(-5/2)
    consistency = block_consistency(by_block)
    row = consistency.iloc[0]
    assert row["chi_square"] == pytest.approx(5.0)
    assert row["df"] == 2
    assert row["p_value"] == pytest.approx(math.exp(-2.5))
    assert not row["drift"]


def test_drift_between_blocks_is_flagged_at_one_per_cent() -> None:
    stat, df, p = chi_square_consistency([0.0, 0.0, -4.0], [0.5, 0.5, 0.7])
    assert stat == pytest.approx(4.0**2 / 0.7**2 - (4.0 / 0.7**2) ** 2 / (8 + 1 / 0.49), rel=1e-9)
    assert df == 2
    assert p < 0.01
    errors = {1: 0.1, 2: -0.1, 5001: 0.2, 5002: 0.0, 10001: -4.0, 10002: -3.9}
    by_block = summarise_blocks(_rows(errors, dict.fromkeys(errors, "none")), BLOCKS)
    assert bool(by_block["bias_flag"].iloc[2])  # -3.95 with MC error 0.05
    assert bool(block_consistency(by_block)["drift"].iloc[0])
    assert math.isnan(chi_square_consistency([1.0], [0.5])[2])  # one block: no test


def test_familywise_rate_counts_seeds_with_any_null_indicator_moderate_or_stronger() -> None:
    def row(seed: int, indicator: str, verdict: str) -> tuple[object, ...]:
        return (seed, indicator, "synth_pooled", "", 0.0, -1.0, 1.0, 0.5, 0.0, verdict)

    rows = pd.DataFrame(
        [
            row(1, "referral_rate_per_10k", "moderate"),  # null: counts
            row(1, "cin_rate_per_10k", "high"),  # the same seed counts once
            row(2, "referral_rate_per_10k", "low"),
            row(2, "cla_rate_per_10k", "high"),  # injected: does not count
            row(5001, "cin_rate_per_10k", "none"),
            row(5002, "referral_rate_per_10k", "none"),
        ],
        columns=list(COLUMNS),
    )
    fw = familywise_rates(rows, BLOCKS)
    assert list(fw["block"]) == [1, 2]  # block 3 has no seeds
    assert list(fw["seeds"]) == [2, 2]
    assert list(fw["null_indicators"]) == [2, 2]
    assert list(fw["familywise"]) == [0.5, 0.0]
    assert list(fw["familywise_mc_error"]) == pytest.approx([0.5 / math.sqrt(2), 0.0])
