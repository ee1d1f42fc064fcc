"""CR2 and Bell-McCaffrey df from cluster moments equal the dense published formulas on random
designs: unequal clusters, singleton clusters, cluster fixed effects (whose leverage blocks have
an eigenvalue of 1), rank-deficient clusters and weights."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from csceval.impact.cluster_moments import cluster_moments
from csceval.impact.few_clusters import ClusterFit

_SPEC = importlib.util.spec_from_file_location(
    "naive_cr2", Path(__file__).parents[1] / "golden" / "few_clusters" / "naive_cr2.py"
)
assert _SPEC is not None
assert _SPEC.loader is not None
NAIVE: Any = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(NAIVE)


@settings(max_examples=25)
@example(
    seed=0, sizes=[1, 1, 4], n_covariates=1, fixed_effects=True, weighted=False
)  # CR2 undefined
@given(
    seed=st.integers(0, 2**32 - 1),
    sizes=st.lists(st.integers(1, 6), min_size=3, max_size=8),
    n_covariates=st.integers(1, 3),
    fixed_effects=st.booleans(),
    weighted=st.booleans(),
)
def test_cr2_from_moments_equals_the_dense_formula(
    seed: int, sizes: list[int], n_covariates: int, fixed_effects: bool, weighted: bool
) -> None:
    rng = np.random.default_rng(seed)
    cl = np.repeat(np.arange(len(sizes)), sizes)
    n = cl.size
    columns = [np.ones(n), rng.normal(size=(n, n_covariates))]
    if fixed_effects:
        columns.append((cl[:, None] == np.arange(1, len(sizes))).astype(float))
    x = np.column_stack(columns)
    assume(n > x.shape[1] + 1 and np.linalg.matrix_rank(x) == x.shape[1])  # a fittable design
    w = rng.uniform(0.2, 3.0, n) if weighted else np.ones(n)
    y = rng.normal(size=n) + rng.normal(size=len(sizes))[cl]
    fit = ClusterFit(cluster_moments(y, x, cl, w))
    contrast = np.zeros(x.shape[1])
    contrast[1] = 1.0
    est = fit.estimate(contrast, "x1", wild=False)
    var, df = NAIVE.naive_cr2(x, y - x @ fit.beta, cl, w, contrast)
    if np.isnan(est.df_bm):  # x1 is identified within single clusters: CR2 is undefined
        assert np.isnan(est.se_cr2)
        assert var < 1e-20
        return
    np.testing.assert_allclose(est.se_cr2**2, var, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(est.df_bm, df, rtol=1e-6)
