"""Site-level permutation test: the difference in mean site means under relabelled sites.

The statistic is the difference between the two groups' means of site means; the site labels
are permuted (cases stay with their site). All relabellings are enumerated when there are at
most ``max_exact`` of them, otherwise ``n_resamples`` random ones (seeded) are used with the
observed labelling counted in (Phipson & Smyth 2010). The two-sided p-value is the share with
``|statistic| >= |observed|``; ``smallest_p`` is the least p-value the design can give (1/3 with
2 sites against 2), which a report should state.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Permutation:
    """A site permutation test's result."""

    statistic: float
    p_value: float
    n_relabellings: int
    exact: bool
    smallest_p: float


def site_labellings(
    labels: np.ndarray, *, max_exact: int = 20000, n_resamples: int = 9999, seed: int = 0
) -> tuple[np.ndarray, bool]:
    """The relabellings the test compares with (rows of site masks, as many framework sites as
    ``labels``) and whether they are all of them: every one when there are at most
    ``max_exact``, else ``n_resamples`` drawn with ``seed`` after the observed ``labels``."""
    n, k = len(labels), int(labels.sum())
    total = math.comb(n, k)
    if total <= max_exact:
        masks = np.zeros((total, n), dtype=bool)
        for row, chosen in enumerate(itertools.combinations(range(n), k)):
            masks[row, list(chosen)] = True
        return masks, True
    rng = np.random.default_rng(seed)
    masks = np.zeros((n_resamples, n), dtype=bool)
    for row in range(n_resamples):
        masks[row, rng.choice(n, k, replace=False)] = True
    return np.vstack([labels, masks]), False


def labelling_differences(masks: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The difference in mean site means (the masked sites minus the others) under each
    labelling (rows of ``masks``), for one set of site means or each column of ``values``."""
    k, n = int(masks[0].sum()), masks.shape[1]
    sums = masks.astype(float) @ values
    return np.asarray(sums / k - (values.sum(axis=0) - sums) / (n - k), dtype=float)


def site_permutation_test(
    site_means: object,
    in_a: object,
    *,
    max_exact: int = 20000,
    n_resamples: int = 9999,
    seed: int = 0,
) -> Permutation:
    """Two-sided permutation test of the difference in mean site means (group a minus b)."""
    values = np.asarray(site_means, dtype=float)
    labels = np.asarray(in_a, dtype=bool)
    n, k = len(values), int(labels.sum())
    if k == 0 or k == n:
        return Permutation(math.nan, math.nan, 0, True, math.nan)

    def stat(mask: np.ndarray) -> float:
        return float(values[mask].mean() - values[~mask].mean())

    observed = stat(labels)
    masks, exact = site_labellings(labels, max_exact=max_exact, n_resamples=n_resamples, seed=seed)
    stats_ = labelling_differences(masks, values)
    hits = np.abs(stats_) >= abs(observed) - 1e-12
    extreme = np.abs(stats_) >= np.abs(stats_).max() - 1e-12
    return Permutation(observed, float(hits.mean()), len(masks), exact, float(extreme.mean()))
