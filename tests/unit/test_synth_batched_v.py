"""The batched regression-based V equals the one-by-one regression; one BLAS thread inside."""

from __future__ import annotations

import numpy as np
import pytest

from csceval.impact import synth_blas
from csceval.impact.synth_v import regression_v, regression_v_batch


@pytest.mark.parametrize("collinear", [False, True])
def test_batched_regression_v_equals_one_by_one(collinear: bool) -> None:
    rng = np.random.default_rng(7)
    for _ in range(10):
        k, n, t = int(rng.integers(2, 9)), int(rng.integers(6, 50)), int(rng.integers(2, 10))
        x = rng.normal(50, 5, (k, n))
        if collinear:
            x[1] = 2 * x[0] + 1  # rank-deficient: the minimum-norm fallback, with its note
        z = rng.normal(0, 1, (t, n)) + rng.normal() * x[:1]
        members = rng.random((30, n)) < 0.7
        members[:, :3] = True
        members[1:4] = members[0]  # repeated unit sets are solved once
        scale = np.where(rng.random((30, 1)) < 0.5, 1.0, rng.uniform(0.5, 3.0, (30, k)))
        scale[1:4] = scale[0]
        v, notes = regression_v_batch(x, z, members, scale)
        for b in range(30):
            cols = members[b]
            expected, note = regression_v(x[:, cols].T / scale[b], z[:, cols].T)
            np.testing.assert_allclose(v[b], expected, atol=1e-9)
            assert note is None or note in notes
        assert bool(notes) == collinear


def test_single_blas_thread_restores_the_setting() -> None:
    if synth_blas._OPENBLAS is None:
        pytest.skip("numpy is not linked to its bundled OpenBLAS here")
    get, put = synth_blas._OPENBLAS
    before = int(get())
    put(2)
    try:
        with synth_blas.single_blas_thread():
            assert int(get()) == 1
            with synth_blas.single_blas_thread():  # re-entrant
                assert int(get()) == 1
            assert int(get()) == 1
        assert int(get()) == 2
    finally:
        put(before)
