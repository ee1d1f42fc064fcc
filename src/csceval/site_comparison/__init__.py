"""Comparing framework sites with contrast sites when there are few sites.

The quality-of-recording, family-goals and culture-survey strands all compare a handful of
framework sites with a handful of contrast sites; the statistics they share live here:
Hedges' g with its exact interval (:mod:`.effect_size`), the site permutation test
(:mod:`.permutation`), the cluster-design t-test, spread and minimum detectable effect
(:mod:`.cluster`), and the strength word of a comparison with its rates on the design
(:mod:`.verdict`).
"""

from csceval.site_comparison.cluster import (
    SiteMeanTest,
    Spread,
    mde_multiplier,
    minimum_detectable_effect_size,
    site_mean_t_test,
    within_group_spread,
)
from csceval.site_comparison.effect_size import HedgesG, hedges_correction, hedges_g
from csceval.site_comparison.permutation import Permutation, site_permutation_test
from csceval.site_comparison.verdict import (
    VERDICT_COLUMNS,
    ContrastVerdict,
    contrast_verdict,
    flat_row,
)

__all__ = [
    "VERDICT_COLUMNS",
    "ContrastVerdict",
    "HedgesG",
    "Permutation",
    "SiteMeanTest",
    "Spread",
    "contrast_verdict",
    "flat_row",
    "hedges_correction",
    "hedges_g",
    "mde_multiplier",
    "minimum_detectable_effect_size",
    "site_mean_t_test",
    "site_permutation_test",
    "within_group_spread",
]
