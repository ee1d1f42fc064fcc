"""Getting ratings into the one layout the package computes on: a units x raters float matrix.

Rows are units (case files, targets, subjects), columns are raters (auditors, coders, judges), and
``nan`` marks a missing rating. Category labels (e.g. Ofsted-style grades) can be coded to
1..q with ``categories``; two-rater contingency tables and subject x category count tables (the
forms most published examples use) expand to the same layout.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from csceval.reliability.result import FloatArray

__all__ = ["as_matrix", "from_counts", "from_table", "from_wide", "ratings_matrix"]


def as_matrix(data: object) -> FloatArray:
    """Validate ratings and return them as a new 2-D float64 array (``nan`` = missing).

    Parameters
    ----------
    data
        A units x raters numpy array, nested list or :class:`pandas.DataFrame` of numbers.

    Raises
    ------
    ValueError
        If the data are not two-dimensional, not numeric, or contain infinite values.
    """
    frame_values = data.to_numpy() if isinstance(data, pd.DataFrame) else data
    try:
        matrix = np.array(frame_values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            "ratings must be numeric (use nan for missing; code category labels with "
            "layout.ratings_matrix(..., categories=[...]))"
        ) from exc
    if matrix.ndim != 2:
        raise ValueError(
            f"ratings must be a 2-D units x raters matrix; got {matrix.ndim} dimension(s)"
        )
    if np.isinf(matrix).any():
        raise ValueError("ratings contain infinite values; use nan for missing ratings")
    return matrix


def _show(value: object) -> str:
    """``repr`` of a label, unwrapping numpy scalars (``1`` rather than ``np.int64(1)``)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _encode(values: pd.Series, categories: Sequence[Hashable] | None, what: str) -> pd.Series:
    """Numeric ratings, coding labels to their 1-based position in ``categories`` if given."""
    if categories is not None:
        codes = {label: float(i) for i, label in enumerate(categories, start=1)}
        if len(codes) != len(categories):
            raise ValueError("categories must not repeat a label")
        unknown = values[values.notna() & ~values.isin(list(codes))]
        if len(unknown):
            raise ValueError(
                f"{what} {_show(unknown.iloc[0])} is not one of the categories {list(categories)!r}"
            )
        return values.map(codes).astype(np.float64)
    numeric = pd.to_numeric(values, errors="coerce")
    bad = values[values.notna() & numeric.isna()]
    if len(bad):
        raise ValueError(
            f"{what} {_show(bad.iloc[0])} is not numeric; pass categories=[...] (in order) to code "
            "labels as 1..q"
        )
    out = numeric.astype(np.float64)
    if np.isinf(out.to_numpy()).any():
        raise ValueError(f"{what} contains infinite values; use NaN for missing ratings")
    return out


def ratings_matrix(
    df: pd.DataFrame,
    unit: str = "unit",
    rater: str = "rater",
    value: str = "value",
    categories: Sequence[Hashable] | None = None,
) -> pd.DataFrame:
    """Convert long ratings (one row per unit, rater and rating) to a units x raters matrix.

    Parameters
    ----------
    df
        Long table of ratings.
    unit, rater, value
        Column names of the unit identifier, rater identifier and rating.
    categories
        Optional ordered category labels; each rating is replaced by its 1-based position.
        Without it, ratings must be numeric.

    Returns
    -------
    pandas.DataFrame
        Float matrix indexed by unit (rows, sorted) and rater (columns, sorted); ``NaN`` where a
        rater did not rate a unit or the rating is missing. Pass it (or ``.to_numpy()``) to any
        statistic.

    Raises
    ------
    ValueError
        If a column is missing, an identifier is missing, a rating is not numeric (or not a
        known category), or a (unit, rater) pair occurs more than once (the message names the
        unit and rater).
    """
    missing = [c for c in (unit, rater, value) if c not in df.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not found; the table has {list(df.columns)}")
    for col in (unit, rater):
        if df[col].isna().any():
            row = df.index[df[col].isna()][0]
            raise ValueError(
                f"column {col!r} is missing at row {_show(row)}; every rating needs one"
            )
    dup = df.duplicated([unit, rater], keep=False)
    if dup.any():
        first = df.loc[dup].iloc[0]
        n_pairs = int(df.loc[dup, [unit, rater]].drop_duplicates().shape[0])
        raise ValueError(
            f"duplicate ratings: unit {_show(first[unit])} and rater {_show(first[rater])} "
            f"appear more than once ({n_pairs} duplicated (unit, rater) pair(s) in all); keep "
            "one rating per pair"
        )
    coded = df[[unit, rater]].copy()
    coded["_value"] = _encode(df[value], categories, f"rating in column {value!r}")
    wide = coded.pivot(index=unit, columns=rater, values="_value")
    return wide.astype(np.float64)


def from_wide(
    df: pd.DataFrame, unit_column: str, categories: Sequence[Hashable] | None = None
) -> pd.DataFrame:
    """Convert a wide table (one row per unit, one column per rater) to the ratings matrix.

    Parameters
    ----------
    df
        Wide table; every column except ``unit_column`` is a rater.
    unit_column
        The column identifying units.
    categories
        Optional ordered category labels, coded 1..q as in :func:`ratings_matrix`.

    Raises
    ------
    ValueError
        If ``unit_column`` is absent or missing somewhere, a unit occurs twice (naming the unit
        and the first rater it duplicates), or a rating is not numeric.
    """
    if unit_column not in df.columns:
        raise ValueError(f"column {unit_column!r} not found; the table has {list(df.columns)}")
    raters = [c for c in df.columns if c != unit_column]
    if not raters:
        raise ValueError("the wide table has no rater columns besides the unit column")
    if df[unit_column].isna().any():
        raise ValueError(f"column {unit_column!r} has a missing unit identifier")
    dup = df[unit_column].duplicated(keep=False)
    if dup.any():
        unit_id = df.loc[dup, unit_column].iloc[0]
        raise ValueError(
            f"duplicate ratings: unit {_show(unit_id)} appears in more than one row, so rater "
            f"{raters[0]!r} has more than one rating for it; keep one row per unit"
        )
    out = pd.DataFrame(index=pd.Index(df[unit_column], name=unit_column))
    for col in raters:
        out[col] = _encode(df[col], categories, f"rating in column {col!r}").to_numpy()
    out.columns.name = "rater"
    return out


def _category_values(q: int, values: Sequence[float] | None) -> FloatArray:
    if values is None:
        return np.arange(1.0, q + 1.0, dtype=np.float64)
    vals = np.asarray(values, dtype=np.float64)
    if vals.shape != (q,):
        raise ValueError(f"values must give one number per category ({q}); got {vals.shape}")
    return vals


def _counts_array(table: object, name: str) -> npt.NDArray[np.int64]:
    arr = np.asarray(table, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D")
    if (arr < 0).any() or not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
        raise ValueError(f"{name} must hold non-negative whole-number counts")
    return arr.astype(np.int64)


def from_table(table: object, values: Sequence[float] | None = None) -> FloatArray:
    """Expand a two-rater q x q contingency table into a units x 2 ratings matrix.

    Parameters
    ----------
    table
        Counts; rows are rater A's category, columns rater B's (as in Cohen 1960).
    values
        Numeric value of each category (used by weighted coefficients); default 1..q.

    Returns
    -------
    numpy.ndarray
        ``table.sum()`` rows, two columns, ordered by cell (row-major).
    """
    counts = _counts_array(table, "table")
    q = counts.shape[0]
    if counts.shape != (q, q):
        raise ValueError(f"table must be square (q x q); got {counts.shape}")
    vals = _category_values(q, values)
    rows, cols = np.indices((q, q))
    reps = counts.ravel()
    pairs = np.column_stack(
        [np.repeat(vals[rows.ravel()], reps), np.repeat(vals[cols.ravel()], reps)]
    )
    return pairs.astype(np.float64)


def from_counts(counts: object, values: Sequence[float] | None = None) -> FloatArray:
    """Expand a subjects x categories count table (Fleiss 1971 form) into a ratings matrix.

    Parameters
    ----------
    counts
        ``counts[i, j]`` = number of raters who put subject ``i`` in category ``j``.
    values
        Numeric value of each category; default 1..q.

    Returns
    -------
    numpy.ndarray
        Subjects x max(raters per subject); rater columns are arbitrary slots (the table does not
        say who rated what), padded with ``nan`` for subjects with fewer ratings.
    """
    arr = _counts_array(counts, "counts")
    vals = _category_values(arr.shape[1], values)
    per_unit = arr.sum(axis=1)
    width = int(per_unit.max()) if arr.size else 0
    out = np.full((arr.shape[0], width), np.nan)
    for i, row in enumerate(arr):
        ratings = np.repeat(vals, row)
        out[i, : ratings.size] = ratings
    return out
