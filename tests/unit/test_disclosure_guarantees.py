"""Disclosure control's guarantees on tables with margins: an attacker (linear algebra,
then an LP) recovers no suppressed cell, shown on fixed cases where a naive pattern fails and
as properties over random tables. Reference behaviours and validation: test_disclosure.py."""

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
from test_disclosure import IntArray, margins_table

from csceval.disclosure import (
    DisclosurePolicy,
    PublishedTable,
    TableSpec,
    disclosive_cells,
    protect,
)


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
