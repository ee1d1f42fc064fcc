"""Tests for csceval.reliability: golden values from published examples, edge cases, properties.

Golden files live in tests/golden/reliability/*.json; each holds the data, the published values
("expected"), a tolerance (with per-key overrides in "tolerances") and its source, taken from
the shared reference document measurement_and_cba.md sections 1-2.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csceval.reliability import (
    ICC_FORMS,
    LEVELS,
    METHODS,
    ReliabilityResult,
    aggregation_icc,
    anova_mean_squares,
    bootstrap_matrix_ci,
    bootstrap_weights,
    cohen_components,
    coincidence_matrix,
    compute,
    fleiss_components,
    from_counts,
    from_table,
    from_wide,
    gwet_ac,
    gwet_components,
    icc_f_test,
    krippendorff_disagreement,
    ratings_matrix,
    rwg,
    rwg_j,
    uniform_null_variance,
)

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "golden" / "reliability"
NAN = float("nan")


# --------------------------------------------------------------------------- golden files


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GOLDEN_DIR / name).read_text())
    return data


def _golden_matrix(golden: dict[str, Any]) -> np.ndarray:
    kind = golden["format"]
    if kind == "table":
        return from_table(golden["data"])
    if kind == "counts":
        return from_counts(golden["data"])
    if kind == "long":
        cols = golden["columns"]
        return ratings_matrix(pd.DataFrame(golden["data"]), **cols).to_numpy()
    codes = {label: i for i, label in enumerate(golden.get("categories", []), start=1)}
    rows = [[NAN if v is None else codes.get(v, v) for v in row] for row in golden["data"]]
    matrix = np.array(rows, dtype=float)
    return matrix.T if golden.get("transpose") else matrix


def _ci(result: ReliabilityResult) -> list[float | None]:
    return [result.ci_low, result.ci_high]


def _actual(key: str, m: np.ndarray) -> Any:
    """The package's value for a golden key ``name[:option]``."""
    name, _, opt = key.partition(":")
    weights = opt or None
    simple: dict[str, Callable[[], Any]] = {
        "percent_agreement": lambda: compute(m, "percent_agreement").estimate,
        "cohen": lambda: compute(m, "cohen", weights=weights).estimate,
        "cohen_p_o": lambda: cohen_components(m, weights=weights)[0],
        "cohen_p_e": lambda: cohen_components(m, weights=weights)[1],
        "fleiss": lambda: compute(m, "fleiss", weights=weights).estimate,
        "fleiss_P_bar": lambda: fleiss_components(m)[0],
        "fleiss_P_e": lambda: fleiss_components(m)[1],
        "fleiss_ci_analytic": lambda: _ci(compute(m, "fleiss", ci=True, ci_method="analytic")),
        "gwet": lambda: compute(m, "gwet", weights=weights).estimate,
        "gwet_p_a": lambda: gwet_components(m, weights=weights)[0],
        "gwet_p_e": lambda: gwet_components(m, weights=weights)[1],
        "gwet_ci_analytic": lambda: _ci(compute(m, "gwet", ci=True, ci_method="analytic")),
        "krippendorff": lambda: compute(m, "krippendorff", level=opt).estimate,
        "krippendorff_D_o": lambda: krippendorff_disagreement(m, opt)[0],
        "krippendorff_D_e": lambda: krippendorff_disagreement(m, opt)[1],
        "krippendorff_n_c": lambda: coincidence_matrix(m)[0].sum(axis=1).tolist(),
        "coincidence_matrix": lambda: coincidence_matrix(m)[0].tolist(),
        "cronbach": lambda: compute(m, "cronbach").estimate,
        "cronbach_ci": lambda: _ci(compute(m, "cronbach", ci=True)),
    }
    if name in simple:
        return simple[name]()
    if name in ("BMS", "WMS", "JMS", "EMS"):
        return getattr(anova_mean_squares(m), name.lower())
    if name in ICC_FORMS:
        return compute(m, name).estimate
    form, _, part = name.partition("_")
    if form in ICC_FORMS:
        if part == "ci":
            return _ci(compute(m, form, ci=True))
        f_obs, df1, df2, p = icc_f_test(m, form)
        return {"F": f_obs, "df": [df1, df2], "p": p}[part]
    if name.startswith("rwg") or name == "null_variance":
        a = int(opt)
        return {
            "rwg_j": lambda: rwg_j(m, a).estimate,
            "rwg_j_lindell": lambda: rwg_j(m, a, lindell=True).estimate,
            "rwg_item1": lambda: rwg(m[:, 0], a).estimate,
            "null_variance": lambda: uniform_null_variance(a),
        }[name]()
    raise KeyError(f"no handler for golden key {key!r}")


GOLDEN_FILES = sorted(p.name for p in GOLDEN_DIR.glob("*.json"))
GOLDEN_CASES = [(f, k) for f in GOLDEN_FILES for k in _load(f)["expected"]]


def test_golden_files_are_well_formed() -> None:
    assert len(GOLDEN_FILES) >= 20
    for name in GOLDEN_FILES:
        golden = _load(name)
        assert {"source", "data", "expected", "tolerance"} <= golden.keys(), name
        assert "measurement_and_cba.md" in golden["source"], name
        assert set(golden.get("tolerances", {})) <= set(golden["expected"]), name


@pytest.mark.parametrize(
    ("name", "key"), GOLDEN_CASES, ids=[f"{f[:-5]}-{k}" for f, k in GOLDEN_CASES]
)
def test_golden_value(name: str, key: str) -> None:
    golden = _load(name)
    tol = golden.get("tolerances", {}).get(key, golden["tolerance"])
    expected = golden["expected"][key]
    actual = _actual(key, _golden_matrix(golden))
    assert actual is not None
    np.testing.assert_allclose(np.asarray(actual, dtype=float), expected, rtol=0, atol=tol)


# --------------------------------------------------------------------------- result and API


def test_result_is_frozen_and_serialises() -> None:
    res = compute(from_table([[80, 7], [8, 5]]), "gwet", ci=True, n_boot=200)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.estimate = 0.0  # type: ignore[misc]
    d = res.to_dict()
    assert list(d) == [f.name for f in dataclasses.fields(ReliabilityResult)]
    assert isinstance(d["notes"], list)
    assert json.loads(json.dumps(d))["method"] == "gwet"
    assert res.ci_method == "percentile bootstrap"
    assert (res.n_units, res.n_raters) == (100, 2)


def test_compute_covers_every_method() -> None:
    m = np.array([[1, 2, 2], [2, 2, 3], [3, 3, 3], [1, 1, 2], [4, 4, 4], [2, 3, 3]], dtype=float)
    for method in METHODS:
        res = compute(m[:, :2] if method == "cohen" else m, method)
        assert res.method == method
        assert math.isfinite(res.estimate), method
        assert res.notes, method


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "kappa"}, "allowed: 'percent_agreement', 'cohen'"),
        ({"method": "krippendorff", "level": "binary"}, "allowed: None, 'nominal', 'ordinal'"),
        ({"method": "gwet", "weights": "cubic"}, "allowed: None, 'unweighted', 'linear'"),
        ({"method": "icc2", "weights": "linear"}, "weights do not apply"),
        ({"method": "krippendorff", "weights": "quadratic"}, "weights do not apply"),
        ({"method": "icc2", "level": "nominal"}, "needs interval or ratio data"),
        ({"method": "cohen", "ci": True, "ci_method": "analytic"}, "no analytic interval"),
        ({"method": "gwet", "ci": True, "ci_method": "jackknife"}, "allowed: None, 'bootstrap'"),
    ],
)
def test_compute_rejects_bad_arguments(kwargs: dict[str, Any], message: str) -> None:
    m = np.array([[1, 1], [2, 2], [1, 2]], dtype=float)
    with pytest.raises(ValueError, match=message):
        compute(m, **kwargs)


def test_cohen_needs_two_raters() -> None:
    with pytest.raises(ValueError, match="exactly 2 raters"):
        compute(np.ones((4, 3)), "cohen")


def test_krippendorff_level_defaults_to_nominal_with_note() -> None:
    res = compute(np.array([[1, 1], [2, 2], [1, 2]]), "krippendorff")
    assert res.level == "nominal"
    assert any("nominal assumed" in n for n in res.notes)


def test_ratio_level_rejects_negative_values() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        compute(np.array([[-1, 1], [2, 2]]), "krippendorff", level="ratio")


def test_input_validation() -> None:
    with pytest.raises(ValueError, match="2-D"):
        compute(np.ones(5), "fleiss")
    with pytest.raises(ValueError, match="infinite"):
        compute(np.array([[1, np.inf], [1, 1]]), "fleiss")
    with pytest.raises(ValueError, match="numeric"):
        compute([["a", "b"], ["a", "a"]], "fleiss")
    with pytest.raises(ValueError, match="not one of the categories"):
        compute(np.array([[1, 2], [3, 3]]), "gwet", categories=[1, 2])


# --------------------------------------------------------------------------- layout


def test_ratings_matrix_long_to_wide_with_missing_and_labels() -> None:
    df = pd.DataFrame(
        {
            "case": ["c1", "c1", "c2", "c2", "c3"],
            "auditor": ["ann", "bob", "ann", "bob", "ann"],
            "grade": ["good", "good", "inadequate", None, "outstanding"],
        }
    )
    wide = ratings_matrix(
        df,
        unit="case",
        rater="auditor",
        value="grade",
        categories=["inadequate", "requires improvement", "good", "outstanding"],
    )
    assert list(wide.index) == ["c1", "c2", "c3"]
    assert list(wide.columns) == ["ann", "bob"]
    np.testing.assert_array_equal(wide.to_numpy(), [[3, 3], [1, NAN], [4, NAN]])


def test_ratings_matrix_duplicate_pair_names_unit_and_rater() -> None:
    df = pd.DataFrame({"unit": [1, 1, 2], "rater": ["A", "A", "B"], "value": [1, 2, 3]})
    with pytest.raises(ValueError, match=r"unit 1 and rater 'A'"):
        ratings_matrix(df)


def test_ratings_matrix_errors() -> None:
    with pytest.raises(ValueError, match="not found"):
        ratings_matrix(pd.DataFrame({"unit": [1], "rater": ["A"]}))
    with pytest.raises(ValueError, match="not numeric"):
        ratings_matrix(pd.DataFrame({"unit": [1], "rater": ["A"], "value": ["high"]}))
    with pytest.raises(ValueError, match="not one of the categories"):
        ratings_matrix(
            pd.DataFrame({"unit": [1], "rater": ["A"], "value": ["x"]}), categories=["y"]
        )


def test_from_wide_and_duplicates() -> None:
    df = pd.DataFrame({"case": ["a", "b"], "r1": [1, 2], "r2": [1, None]})
    wide = from_wide(df, "case")
    np.testing.assert_array_equal(wide.to_numpy(), [[1, 1], [2, NAN]])
    dup = pd.DataFrame({"case": ["a", "a"], "r1": [1, 2], "r2": [1, 1]})
    with pytest.raises(ValueError, match=r"unit 'a'.*rater 'r1'"):
        from_wide(dup, "case")


def test_table_and_count_expansion() -> None:
    pairs = from_table([[2, 1], [0, 1]])
    np.testing.assert_array_equal(pairs, [[1, 1], [1, 1], [1, 2], [2, 2]])
    counts = from_counts([[2, 0, 1], [0, 1, 0]])
    np.testing.assert_array_equal(counts, [[1, 1, 3], [2, NAN, NAN]])


# --------------------------------------------------------------------------- degenerate input


def _quiet(fn: Callable[[], ReliabilityResult]) -> ReliabilityResult:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn()


@pytest.mark.parametrize("method", ["cohen", "fleiss", "krippendorff", "gwet"])
def test_single_category_gives_nan_with_note(method: str) -> None:
    m = np.full((6, 2), 3.0)
    res = _quiet(lambda: compute(m, method, ci=True, n_boot=50))
    assert math.isnan(res.estimate)
    assert any("undefined" in n for n in res.notes)
    assert res.ci_low is None
    assert res.ci_high is None
    assert compute(m, "percent_agreement").estimate == 1.0


def test_gwet_unanimous_with_full_scale_is_one() -> None:
    """Chosen edge-case behaviour: nan when q < 2, AC1 = 1 when the full scale is given."""
    m = np.full((5, 3), 2.0)
    assert math.isnan(gwet_ac(m).estimate)
    assert gwet_ac(m, categories=[1, 2, 3, 4]).estimate == 1.0


@pytest.mark.parametrize("method", [*ICC_FORMS, "cronbach"])
def test_constant_interval_ratings_give_nan(method: str) -> None:
    res = _quiet(lambda: compute(np.full((5, 3), 4.0), method, ci=True))
    assert math.isnan(res.estimate)
    assert res.ci_low is None


def test_no_pairable_units() -> None:
    m = np.array([[1, NAN], [NAN, 2], [NAN, NAN]])
    for method in ["percent_agreement", "fleiss", "gwet", "krippendorff", "cohen", "icc2"]:
        assert math.isnan(_quiet(functools.partial(compute, m, method)).estimate), method


def test_missing_values_are_noted() -> None:
    m = np.array([[1, 1], [2, NAN], [2, 2], [1, 2], [3, 3]])
    cohen = compute(m, "cohen")
    assert cohen.n_units == 4
    assert any("1 unit(s) without both ratings dropped" in n for n in cohen.notes)
    alpha = compute(m, "krippendorff")
    assert alpha.n_units == 4
    assert any("not pairable" in n for n in alpha.notes)
    icc2 = compute(m, "icc2")
    assert icc2.n_units == 4
    assert any("listwise" in n for n in icc2.notes)


# --------------------------------------------------------------------------- consistency


def test_aggregation_icc_matches_shrout_fleiss_one_way_forms() -> None:
    """Balanced groups: ICC(1) = ICC(1,1) and ICC(2) = ICC(1,k) (Bliese 2000)."""
    sf = _golden_matrix(_load("shrout_fleiss_1979.json"))
    groups = np.repeat(np.arange(sf.shape[0]), sf.shape[1])
    icc1, icc2 = aggregation_icc(sf.ravel(), groups)
    golden = _load("shrout_fleiss_1979.json")["expected"]
    assert icc1.estimate == pytest.approx(golden["icc1"], abs=1e-12)
    assert icc2.estimate == pytest.approx(golden["icc1k"], abs=1e-12)
    assert (icc1.n_units, icc1.n_raters) == (6, 24)


def test_aggregation_icc_uses_mean_group_size() -> None:
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 6.0, NAN])
    groups = ["a", "a", "b", "b", "b", "c", "c", "c"]
    icc1, icc2 = aggregation_icc(values, groups)
    y, g = values[:7], np.array(groups[:7])
    means = {k: y[g == k].mean() for k in "abc"}
    msb = sum((g == k).sum() * (means[k] - y.mean()) ** 2 for k in "abc") / 2
    msw = sum(((y[g == k] - means[k]) ** 2).sum() for k in "abc") / (7 - 3)
    k_bar = 7 / 3
    assert icc1.estimate == pytest.approx((msb - msw) / (msb + (k_bar - 1) * msw))
    assert icc2.estimate == pytest.approx((msb - msw) / msb)
    assert any("1 individual(s) dropped" in n for n in icc1.notes)


def test_rwg_truncation_and_lindell() -> None:
    polarised = np.array([[1, 5], [5, 1], [1, 5], [5, 1]], dtype=float)
    assert rwg_j(polarised, 5).estimate == 0.0
    assert rwg_j(polarised, 5, lindell=True).estimate < 0
    assert rwg([3, 3, 3], 5).estimate == 1.0
    assert math.isnan(rwg([3], 5).estimate)
    assert rwg([2, 4], null_variance=4.0).estimate == pytest.approx(0.5)


def test_cronbach_equals_icc3k() -> None:
    rng = np.random.default_rng(1)
    m = rng.normal(size=(20, 1)) + rng.normal(size=(20, 5))
    assert compute(m, "cronbach").estimate == pytest.approx(compute(m, "icc3k").estimate)


# --------------------------------------------------------------------------- bootstrap


def test_bootstrap_weights_are_resamples() -> None:
    w = bootstrap_weights(7, 50, seed=3)
    assert w.shape == (50, 7)
    np.testing.assert_array_equal(w.sum(axis=1), 7)
    np.testing.assert_array_equal(w, bootstrap_weights(7, 50, seed=3))


@pytest.mark.parametrize(
    ("method", "level", "weights"),
    [
        ("percent_agreement", None, None),
        ("cohen", None, "quadratic"),
        ("fleiss", None, None),
        ("gwet", None, "linear"),
        ("krippendorff", "ordinal", None),
        ("krippendorff", "ratio", None),
        ("icc2", None, None),
        ("icc1k", None, None),
        ("cronbach", None, None),
    ],
)
def test_vectorised_bootstrap_equals_resampling_loop(
    method: str, level: str | None, weights: str | None
) -> None:
    rng = np.random.default_rng(7)
    m = np.clip(rng.integers(1, 4, size=(25, 1)) + rng.integers(-1, 2, size=(25, 3)), 1, 5)
    m = m[:, :2] if method == "cohen" else m
    kw: dict[str, Any] = {"level": level, "weights": weights}
    if method in ("icc2", "icc1k", "cronbach"):
        kw["ci_method"] = "bootstrap"
    res = compute(m, method, ci=True, n_boot=60, seed=11, **kw)
    kw.pop("ci_method", None)
    low, high = bootstrap_matrix_ci(
        m, lambda x: compute(x, method, **kw).estimate, n_boot=60, seed=11
    )
    assert res.ci_low == pytest.approx(low, abs=1e-10)
    assert res.ci_high == pytest.approx(high, abs=1e-10)


# --------------------------------------------------------------------------- properties

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def unanimous(draw: st.DrawFn) -> np.ndarray:
    n = draw(st.integers(3, 20))
    k = draw(st.integers(2, 5))
    labels = draw(
        st.lists(st.integers(1, 5), min_size=n, max_size=n).filter(lambda v: len(set(v)) > 1)
    )
    return np.repeat(np.array(labels, dtype=float)[:, None], k, axis=1)


@st.composite
def ratings(draw: st.DrawFn, q: int = 4, missing: bool = True) -> np.ndarray:
    n = draw(st.integers(4, 15))
    k = draw(st.integers(2, 5))
    cells = draw(st.lists(st.integers(1, q), min_size=n * k, max_size=n * k))
    m = np.array(cells, dtype=float).reshape(n, k)
    if missing:
        mask = draw(
            st.lists(st.sampled_from([False, False, False, True]), min_size=n * k, max_size=n * k)
        )
        m[np.array(mask).reshape(n, k)] = NAN
    return m


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@FAST
@given(unanimous())
def test_perfect_agreement_gives_one(m: np.ndarray) -> None:
    assert compute(m[:, :2], "cohen").estimate == pytest.approx(1.0)
    for method in ("fleiss", "gwet", "percent_agreement"):
        assert compute(m, method).estimate == pytest.approx(1.0), method
    for level in LEVELS:
        assert compute(m, "krippendorff", level=level).estimate == pytest.approx(1.0), level


@FAST
@given(ratings(), st.randoms(use_true_random=False))
def test_invariant_to_order_of_raters_and_units(m: np.ndarray, rnd: Any) -> None:
    rows = list(range(m.shape[0]))
    cols = list(range(m.shape[1]))
    rnd.shuffle(rows)
    rnd.shuffle(cols)
    shuffled = m[rows][:, cols]
    cases: list[tuple[str, str | None]] = [
        ("percent_agreement", None),
        ("fleiss", None),
        ("gwet", None),
        *[("krippendorff", lv) for lv in LEVELS],
        *[(f, None) for f in ICC_FORMS],
        ("cronbach", None),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for method, level in cases:
            a = compute(m, method, level=level).estimate
            b = compute(shuffled, method, level=level).estimate
            assert _same(a, b), (method, level, a, b)
        pair = m[:, :2]
        assert _same(
            compute(pair, "cohen").estimate, compute(pair[rows][:, ::-1], "cohen").estimate
        )


@FAST
@given(ratings(q=2), st.sampled_from([(0.0, 1.0), (1.0, 2.0), (2.0, 7.0)]))
def test_krippendorff_nominal_equals_ordinal_for_two_categories(
    m: np.ndarray, values: tuple[float, float]
) -> None:
    m = np.where(m == 1, values[0], np.where(m == 2, values[1], m))
    nominal = compute(m, "krippendorff", level="nominal").estimate
    assert _same(nominal, compute(m, "krippendorff", level="ordinal").estimate)
    assert _same(nominal, compute(m, "krippendorff", level="interval").estimate)


@FAST
@given(
    ratings(missing=False), st.sampled_from(["percent_agreement", "gwet", "fleiss", "krippendorff"])
)
def test_bootstrap_ci_contains_estimate(m: np.ndarray, method: str) -> None:
    res = compute(m, method, ci=True, n_boot=200, seed=5)
    if res.is_defined:
        assert res.ci_low is not None
        assert res.ci_high is not None
        assert res.ci_low - 1e-12 <= res.estimate <= res.ci_high + 1e-12


@settings(max_examples=25, deadline=None)
@given(ratings(), st.integers(0, 2**31 - 1), st.sampled_from(["cohen", "gwet", "icc2"]))
def test_same_seed_same_interval(m: np.ndarray, seed: int, method: str) -> None:
    m = m[:, :2] if method == "cohen" else m
    kw: dict[str, Any] = {"ci_method": "bootstrap"} if method == "icc2" else {}
    a = compute(m, method, ci=True, n_boot=100, seed=seed, **kw)
    b = compute(m, method, ci=True, n_boot=100, seed=seed, **kw)
    assert (a.ci_low, a.ci_high, a.notes) == (b.ci_low, b.ci_high, b.notes)
