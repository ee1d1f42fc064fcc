"""Disclosure control: DfE reference behaviours and the no-recovery guarantee."""

from __future__ import annotations

import math
import os

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from csceval.disclosure import (
    ColumnRole,
    DisclosurePolicy,
    PublishedColumn,
    PublishedTable,
    TableSpec,
    UnprotectableTableError,
    disclosive_cells,
    protect,
    round_half_up,
    round_to_base,
    suppress_counts,
)

IntArray = npt.NDArray[np.int64]
LABEL, COUNT, RATE, PERCENT, VALUE = (
    ColumnRole.LABEL,
    ColumnRole.COUNT,
    ColumnRole.RATE,
    ColumnRole.PERCENT,
    ColumnRole.VALUE,
)


def col(name: str, role: ColumnRole = COUNT, **kw: object) -> PublishedColumn:
    return PublishedColumn(name, name.title(), role, **kw)  # type: ignore[arg-type]


# --- building tables with margins -------------------------------------------------------------


def margins_table(body: IntArray, total_row: bool = True) -> tuple[pd.DataFrame, TableSpec]:
    """LA rows ``body`` plus a ``total`` column and (optionally) a ``Total`` row."""
    parts = [f"c{j}" for j in range(body.shape[1])]
    df = pd.DataFrame(body, columns=parts)
    df["total"] = df[parts].sum(axis=1)
    df.insert(0, "la", [f"LA{i}" for i in range(len(df))])
    if total_row:
        sums = df[[*parts, "total"]].sum(axis=0)
        df = pd.concat([df, pd.DataFrame([{"la": "Total", **sums}])], ignore_index=True)
    spec = TableSpec(
        columns=(col("la", LABEL), *(col(p) for p in parts), col("total")),
        total_column="total",
        parts=tuple(parts),
        total_row_label=("la", "Total") if total_row else None,
    )
    return df, spec


def grid(df: pd.DataFrame, spec: TableSpec) -> IntArray:
    return df[list(spec.count_columns)].to_numpy(dtype=np.int64)


def intervals(
    values: IntArray, hidden: npt.NDArray[np.bool_], total_row: bool = True
) -> list[tuple[int, int, float, float]]:
    """Min and max of every hidden cell given the published cells and margins, counts >= 0.

    An independent attacker: the last column is the row total; the last row (if ``total_row``)
    is the column total.
    """
    n, m = values.shape
    equations = []
    for r in range(n):
        eq = np.zeros((n, m))
        eq[r, :-1], eq[r, -1] = 1, -1
        equations.append(eq.ravel())
    if total_row:
        for c in range(m):
            eq = np.zeros((n, m))
            eq[:-1, c], eq[-1, c] = 1, -1
            equations.append(eq.ravel())
    a = np.array(equations)
    flat, unknown = values.ravel().astype(float), hidden.ravel()
    a_s, b = a[:, unknown], -a[:, ~unknown] @ flat[~unknown]
    out = []
    for k, cell in enumerate(np.flatnonzero(unknown)):
        objective = np.zeros(a_s.shape[1])
        objective[k] = 1
        bounds = []
        for sign in (1, -1):
            res = linprog(sign * objective, A_eq=a_s, b_eq=b, bounds=(0, None), method="highs")
            assert res.status in (0, 3), res.message  # 3: unbounded (no total row above it)
            bounds.append(sign * res.fun if res.status == 0 else math.inf)
        out.append((int(cell // m), int(cell % m), bounds[0], bounds[1]))
    return out


small_or_any = st.one_of(st.integers(0, 5), st.integers(0, 40))


@st.composite
def bodies(draw: st.DrawFn) -> IntArray:
    n, m = draw(st.integers(2, 8)), draw(st.integers(2, 6))
    rows = draw(st.lists(st.lists(small_or_any, min_size=m, max_size=m), min_size=n, max_size=n))
    return np.array(rows, dtype=np.int64)


# --- reference behaviours -----------------------------------------------------------------------


def test_suppress_counts_reference() -> None:
    assert suppress_counts([0, 1, 5, 6]) == ["0", "c", "c", "6"]
    assert suppress_counts([None, math.nan, 391046]) == ["x", "x", "391046"]
    assert suppress_counts([3, 10], DisclosurePolicy(min_count=9)) == ["c", "10"]
    assert suppress_counts([1, 2], DisclosurePolicy(min_count=0)) == ["1", "2"]


@pytest.mark.parametrize("bad", [-1, 2.5, math.inf])
def test_suppress_counts_rejects_non_counts(bad: float) -> None:
    with pytest.raises(ValueError, match="non-negative whole number"):
        suppress_counts([bad])


@pytest.mark.parametrize(
    ("value", "base", "expected"),
    [(391046, 10, 391050), (391045, 10, 391050), (5, 10, 10), (4, 10, 0), (15, 10, 20),
     (25, 10, 30), (149, 100, 100), (150, 100, 200), (7.5, 0, 8), (7.4, 1, 7), (-5, 10, -10)],
)  # fmt: skip
def test_round_to_base(value: float, base: int, expected: int) -> None:
    assert round_to_base(value, base) == expected


def test_round_half_up_is_decimal_half_up() -> None:
    assert str(round_half_up(0.125, 2)) == "0.13"
    assert str(round_half_up(2.675, 2)) == "2.68"  # binary 2.67499... would give 2.67
    assert str(round_half_up(-0.04, 1)) == "0.0"  # never "-0.0"


def test_national_and_regional_counts_rounded_not_suppressed() -> None:
    df = pd.DataFrame(
        {
            "level": ["National", "regional", "Local authority", "la", "la"],
            "n": [391046, 3, 3, 0, 391046],
        }
    )
    spec = TableSpec(columns=(col("n"),), level_column="level")
    out = protect(df, spec)
    assert out.cells["n"].tolist() == ["391050", "k", "c", "0", "391046"]
    assert out.values["n"].iloc[0] == 391050.0
    assert math.isnan(out.values["n"].iloc[1])
    assert (out.suppressed_primary, out.suppressed_secondary) == (1, 0)
    unrounded = protect(df, spec, DisclosurePolicy(round_aggregates_to=0))
    assert unrounded.cells["n"].tolist()[:2] == ["391046", "3"]


def test_row_with_published_total_and_one_c_gets_a_second() -> None:
    df, spec = margins_table(np.array([[3, 10, 12], [20, 30, 40], [9, 8, 7]]), total_row=False)
    out = protect(df, spec)
    assert out.cells.iloc[0].tolist() == ["LA0", "c", "c", "12", "25"]  # smallest non-zero: 10
    assert out.cells.iloc[1].tolist() == ["LA1", "20", "30", "40", "90"]
    assert (out.suppressed_primary, out.suppressed_secondary) == (1, 1)


def test_ties_broken_by_position_and_zeros_never_used() -> None:
    df, spec = margins_table(np.array([[0, 4, 10, 10]]), total_row=False)
    assert protect(df, spec).cells.iloc[0].tolist() == ["LA0", "0", "c", "c", "10", "24"]


def test_percentage_with_suppressed_numerator_or_denominator_is_c() -> None:
    df = pd.DataFrame(
        {
            "la": ["A", "B", "C"],
            "n": [3, 12, 40],
            "d": [50, 4, 200],
            "pct": [6.0, 300.0, 20.0],
            "rate": [12.34, 56.78, 90.12],
        }
    )
    spec = TableSpec(
        columns=(
            col("la", LABEL),
            col("n"),
            col("d"),
            col("pct", PERCENT, numerator="n", denominator="d"),
            col("rate", RATE, numerator="n"),
        )
    )
    out = protect(df, spec)
    assert out.cells["pct"].tolist() == ["c", "c", "20.0"]
    assert out.cells["rate"].tolist() == ["c", "56.8", "90.1"]
    assert out.suppressed_derived == 3


def test_percentage_follows_secondary_suppression_of_its_numerator() -> None:
    df, spec = margins_table(np.array([[3, 10, 12]]), total_row=False)
    df["pct"] = 100 * df["c1"] / df["total"]
    spec = TableSpec(
        columns=(*spec.columns, col("pct", PERCENT, numerator="c1", denominator="total")),
        total_column="total",
    )
    out = protect(df, spec)
    assert out.cells[["c1", "pct"]].iloc[0].tolist() == ["c", "c"]


def test_k_for_a_percentage_that_rounds_to_zero() -> None:
    df = pd.DataFrame({"pct": [0.3, 0.0, 0.6, math.nan], "d": [1000, 1000, 1000, 0]})
    spec = TableSpec(columns=(col("d"), col("pct", PERCENT, denominator="d")))
    out = protect(df, spec, DisclosurePolicy(percent_dp=0))
    assert out.cells["pct"].tolist() == ["k", "0", "1", "z"]


def test_value_and_label_columns() -> None:
    df = pd.DataFrame({"name": ["A", None], "est": [-0.12345, 2.675], "sd": [1.25, 3.0]})
    spec = TableSpec(columns=(col("name", LABEL), col("est", VALUE), col("sd", VALUE, dp=1)))
    out = protect(df, spec)
    assert out.cells.to_numpy().tolist() == [["A", "-0.12", "1.3"], ["", "2.68", "3.0"]]
    assert out.titled().columns.tolist() == ["Name", "Est", "Sd"]


def test_incoming_symbols_pass_through_and_c_counts_as_suppressed() -> None:
    df = pd.DataFrame(
        {
            "la": ["A", "B", "C"],
            "a": ["c", "x", ":"],
            "b": ["10", "z", math.nan],
            "t": [" 1,033 ", 7, "k"],
            "pct": ["z", 1.0, 2.0],
        }
    )
    spec = TableSpec(
        columns=(col("la", LABEL), col("a"), col("b"), col("t"), col("pct", PERCENT)),
        total_column="t",
    )
    out = protect(df, spec)
    assert out.cells.drop(columns="la").to_numpy().tolist() == [
        ["c", "c", "1033", "z"],  # incoming c needs a second suppressed cell in its row
        ["x", "z", "7", "1.0"],
        [":", "x", "k", "2.0"],
    ]
    assert (out.suppressed_primary, out.suppressed_secondary) == (1, 1)


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_count": -1}, "min_count"),
        ({"round_aggregates_to": -10}, "round_aggregates_to"),
        ({"percent_dp": 5}, "percent_dp"),
        ({"rate_dp": -1}, "rate_dp"),
    ],
)
def test_policy_validation(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DisclosurePolicy(**kwargs)  # type: ignore[arg-type]


def test_spec_validation() -> None:
    with pytest.raises(ValueError, match="only for RATE and PERCENT"):
        col("n", COUNT, numerator="m")
    with pytest.raises(ValueError, match="dp"):
        col("v", VALUE, dp=9)
    with pytest.raises(ValueError, match="unique"):
        TableSpec(columns=(col("n"), col("n")))
    with pytest.raises(ValueError, match="not a COUNT column"):
        TableSpec(columns=(col("n"), col("p", PERCENT, numerator="q")))
    with pytest.raises(ValueError, match="total_column"):
        TableSpec(columns=(col("n"), col("v", VALUE)), total_column="v")
    with pytest.raises(ValueError, match="parts given without"):
        TableSpec(columns=(col("n"),), parts=("n",))
    assert TableSpec(columns=(col("a"), col("v", VALUE), col("t")), total_column="t").row_parts == (
        "a",
    )


@pytest.mark.parametrize(
    ("df", "message"),
    [
        (pd.DataFrame({"m": [1]}), "no column"),
        (pd.DataFrame({"n": [1.5]}), "whole number"),
        (pd.DataFrame({"n": ["low"]}), "neither a number nor one of the symbols"),
        (pd.DataFrame({"n": [1], "level": ["county"]}), "level 'county'"),
        (pd.DataFrame({"n": [1], "la": ["A"]}), "match exactly one row"),
    ],
)
def test_protect_rejects_bad_input(df: pd.DataFrame, message: str) -> None:
    spec = TableSpec(
        columns=(col("n"),),
        level_column="level" if "level" in df else None,
        total_row_label=("la", "Total") if "la" in df else None,
    )
    with pytest.raises(ValueError, match=message):
        protect(df, spec)


def test_unprotectable_cell_is_an_error_naming_it() -> None:
    df = pd.DataFrame({"a": [3], "b": ["x"], "t": ["z"]})
    spec = TableSpec(columns=(col("a"), col("b"), col("t")), total_column="t")
    with pytest.raises(UnprotectableTableError, match="row 0, column 'a'"):
        protect(df, spec)


# --- the checker can fail -----------------------------------------------------------------------


def test_naive_pattern_one_c_per_row_is_recoverable() -> None:
    """One 'c' per row with published totals: the checker and the LP attacker both see it."""
    body = np.array([[3, 10, 12], [20, 4, 40], [9, 8, 2]])
    df, spec = margins_table(body, total_row=False)
    hidden = pd.DataFrame(False, index=df.index, columns=list(spec.count_columns))
    for r, c in [(0, "c0"), (1, "c1"), (2, "c2")]:
        hidden.loc[r, c] = True
    assert disclosive_cells(df, spec, hidden) == [(0, "c0"), (1, "c1"), (2, "c2")]
    widths = [hi - lo for *_, lo, hi in intervals(grid(df, spec), hidden.to_numpy(), False)]
    assert widths == pytest.approx([0, 0, 0], abs=1e-9)


def test_two_suppressed_per_line_is_not_enough_in_two_dimensions() -> None:
    """Two 2x2 cycles joined by one cell: every line has >= 2 'c' but the joining cell is pinned."""
    body = np.array([[3, 4, 20, 20], [5, 2, 3, 20], [20, 20, 4, 5], [20, 20, 3, 2]])
    df, spec = margins_table(body)
    hidden = pd.DataFrame(False, index=df.index, columns=list(spec.count_columns))
    for r, c in [(0, 0), (0, 1), (1, 0), (1, 1), (1, 2), (2, 2), (2, 3), (3, 2), (3, 3)]:
        hidden.iloc[r, c] = True
    assert disclosive_cells(df, spec, hidden) == [(1, "c2")]
    found = {(r, c): hi - lo for r, c, lo, hi in intervals(grid(df, spec), hidden.to_numpy())}
    assert found.pop((1, 2)) == pytest.approx(0, abs=1e-9)
    assert min(found.values()) > 0
    out = protect(df, spec)
    assert disclosive_cells(df, spec, out.cells[list(spec.count_columns)] == "c") == []


# --- properties ---------------------------------------------------------------------------------

PROPERTY_EXAMPLES = int(os.environ.get("CSCEVAL_PROPERTY_EXAMPLES", "40"))
"""Examples per property (each runs the LP attacker): 40 in make test; set
CSCEVAL_PROPERTY_EXAMPLES=400 for a thorough run (Hypothesis keeps failing examples in its
database, so a failure found once is replayed first)."""


def check_guarantees(df: pd.DataFrame, spec: TableSpec, out: PublishedTable, two_d: bool) -> None:
    values, shown = grid(df, spec), out.cells[list(spec.count_columns)].to_numpy()
    hidden = shown == "c"
    # (a) every count of 1..5 is suppressed
    assert hidden[(values >= 1) & (values <= 5)].all()
    # (c) every published number is the input, unrounded (all rows are LA level)
    assert (shown[~hidden].astype(np.int64) == values[~hidden]).all()
    # (b) nothing suppressed is recoverable: linear algebra, then an LP attacker
    assert disclosive_cells(df, spec, pd.DataFrame(hidden, columns=spec.count_columns)) == []
    for r, c, lo, hi in intervals(values, hidden, two_d):
        assert hi - lo >= 1 - 1e-6, (r, c, lo, hi)
    assert out.suppressed_primary + out.suppressed_secondary == hidden.sum()


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(bodies())
def test_two_way_margins_protect_every_suppressed_cell(body: IntArray) -> None:
    df, spec = margins_table(body)
    out = protect(df, spec)
    check_guarantees(df, spec, out, two_d=True)
    again = protect(df, spec)  # (d) determinism
    assert again.cells.equals(out.cells)
    assert again.values.equals(out.values)


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(bodies())
def test_row_totals_only_need_two_or_none_per_row(body: IntArray) -> None:
    df, spec = margins_table(body, total_row=False)
    out = protect(df, spec)
    check_guarantees(df, spec, out, two_d=False)
    per_row = (out.cells[list(spec.count_columns)] == "c").sum(axis=1)
    assert set(per_row) <= set(range(2, 8)) | {0}


@settings(max_examples=2 * PROPERTY_EXAMPLES, deadline=None)
@given(bodies(), st.integers(0, 10))
def test_primary_suppression_matches_the_threshold(body: IntArray, min_count: int) -> None:
    df, spec = margins_table(body)
    policy = DisclosurePolicy(min_count=min_count, secondary=False)
    out = protect(df, spec, policy)
    values = grid(df, spec)
    expected = np.where((values >= 1) & (values <= min_count), "c", values.astype(str))
    assert (out.cells[list(spec.count_columns)].to_numpy() == expected).all()


def test_a_large_table_is_protected() -> None:
    rng = np.random.default_rng(20240101)
    body = rng.integers(0, 400, size=(150, 15))
    small = rng.random(body.shape) < 0.1
    body[small] = rng.integers(1, 6, size=int(small.sum()))
    df, spec = margins_table(body)
    out = protect(df, spec)
    hidden = out.cells[list(spec.count_columns)] == "c"
    assert out.suppressed_secondary > 0
    assert disclosive_cells(df, spec, hidden) == []
