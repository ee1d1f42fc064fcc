"""Disclosure control: DfE reference behaviours and validation (the no-recovery guarantee:
test_disclosure_guarantees.py)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest

from csceval.disclosure import (
    ColumnRole,
    DisclosurePolicy,
    PublishedColumn,
    TableSpec,
    UnprotectableTableError,
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
