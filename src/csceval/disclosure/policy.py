"""The vocabulary of disclosure control: symbols, the policy, and how a table is declared."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

SUPPRESSED = "c"
NOT_APPLICABLE = "z"
NOT_AVAILABLE = "x"
ROUNDS_TO_ZERO = "k"

#: LAIT's ``-``: the source did not publish the cell. LAIT uses it for missing and not
#: applicable values, and shows cells DfE suppressed the same way, without saying which
#: (shared reference, formats 4.4; dfe_lait_csc_indicators/SOURCE.md). It never means nil or
#: negligible (the old ONS use of a dash), so it is never read as 0. Published as ``c`` in a
#: COUNT column (it may hide a DfE-suppressed small count, so its complements are protected as
#: for any ``c``) and as ``x`` (not available) in every other column.
NOT_PUBLISHED = "-"

#: Symbols accepted in input cells. ``c``, ``k``, ``x`` and ``z`` are the GSS shorthand used by
#: DfE and pass through unchanged, as do ``:`` (older DfE "not available") and ``u`` (low
#: reliability); LAIT's ``-`` is translated (:data:`NOT_PUBLISHED`).
SYMBOLS = frozenset(
    {SUPPRESSED, NOT_APPLICABLE, NOT_AVAILABLE, ROUNDS_TO_ZERO, ":", "u", NOT_PUBLISHED}
)


def published_symbol(symbol: str, *, count: bool) -> str:
    """The symbol a table shows for an input ``symbol`` (``-`` translated, others as they are)."""
    if symbol == NOT_PUBLISHED:
        return SUPPRESSED if count else NOT_AVAILABLE
    return symbol


_MAX_DP = 4


def _check_dp(name: str, dp: int) -> None:
    if not 0 <= dp <= _MAX_DP:
        raise ValueError(f"{name} must be between 0 and {_MAX_DP} decimal places, got {dp!r}")


@dataclass(frozen=True)
class DisclosurePolicy:
    """The disclosure-control settings applied to every published table.

    Parameters
    ----------
    min_count
        Counts from 1 to ``min_count`` inclusive are suppressed as ``c`` at LA level. Zero is shown
        (DfE convention: "a zero means the figure submitted was zero"). 0 disables suppression.
    secondary
        Apply secondary (complementary) suppression wherever margins are published.
    round_aggregates_to
        National and regional counts are rounded to the nearest ``round_aggregates_to``
        (DfE: 10). 0 or 1 means no rounding.
    percent_dp, rate_dp
        Decimal places for percentages and rates (DfE: 1).
    """

    min_count: int = 5
    secondary: bool = True
    round_aggregates_to: int = 10
    percent_dp: int = 1
    rate_dp: int = 1

    def __post_init__(self) -> None:
        if self.min_count < 0:
            raise ValueError(f"min_count must be 0 or more, got {self.min_count!r}")
        if self.round_aggregates_to < 0:
            raise ValueError(
                f"round_aggregates_to must be 0 or more (0 or 1 = no rounding), "
                f"got {self.round_aggregates_to!r}"
            )
        _check_dp("percent_dp", self.percent_dp)
        _check_dp("rate_dp", self.rate_dp)


class ColumnRole(StrEnum):
    """What a published column holds, which decides how its cells are protected."""

    LABEL = "label"
    COUNT = "count"
    RATE = "rate"
    PERCENT = "percent"
    VALUE = "value"  # a non-count statistic (mean, estimate, score) shown rounded to ``dp``


@dataclass(frozen=True)
class PublishedColumn:
    """One column of a published table.

    ``numerator`` (RATE/PERCENT) and ``denominator`` name COUNT columns of the same table: when
    either count cell is suppressed, the rate or percentage in that row is suppressed too, since
    it would otherwise reveal the count.
    """

    name: str
    title: str
    role: ColumnRole
    unit: str = ""
    numerator: str | None = None
    denominator: str | None = None
    dp: int | None = None

    def __post_init__(self) -> None:
        derived = (ColumnRole.RATE, ColumnRole.PERCENT)
        if (self.numerator or self.denominator) and self.role not in derived:
            raise ValueError(
                f"column {self.name!r}: numerator/denominator are only for RATE and PERCENT "
                f"columns, not {self.role.value.upper()}"
            )
        if self.dp is not None:
            _check_dp(f"column {self.name!r} dp", self.dp)


@dataclass(frozen=True)
class TableSpec:
    """The columns of a table and the margins (totals) it publishes.

    ``total_column`` is a COUNT column equal to the row-wise sum of ``parts`` (when ``parts`` is
    empty, every other COUNT column). ``total_row_label`` = (label column, value) picks the one
    row that is the column-wise sum of all the other rows.
    """

    columns: tuple[PublishedColumn, ...]
    level_column: str | None = None
    total_column: str | None = None
    parts: tuple[str, ...] = ()
    total_row_label: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"column names must be unique; repeated: {dupes}")
        counts = set(self.count_columns)
        refs = [(c.name, r) for c in self.columns for r in (c.numerator, c.denominator) if r]
        for owner, ref in refs:
            if ref not in counts:
                raise ValueError(f"column {owner!r} refers to {ref!r}, which is not a COUNT column")
        if self.parts and self.total_column is None:
            raise ValueError("parts given without a total_column")
        if self.total_column is not None:
            if self.total_column not in counts:
                raise ValueError(f"total_column {self.total_column!r} is not a COUNT column")
            bad = [p for p in self.parts if p not in counts or p == self.total_column]
            if bad:
                raise ValueError(f"parts must be COUNT columns other than the total; bad: {bad}")

    @property
    def count_columns(self) -> tuple[str, ...]:
        """The COUNT columns, in order."""
        return tuple(c.name for c in self.columns if c.role is ColumnRole.COUNT)

    @property
    def row_parts(self) -> tuple[str, ...]:
        """The COUNT columns that add up to ``total_column`` (empty when there is none)."""
        if self.total_column is None:
            return ()
        if self.parts:
            return self.parts
        return tuple(c for c in self.count_columns if c != self.total_column)


@dataclass(frozen=True, eq=False)
class PublishedTable:
    """A table that has been through disclosure control: cells are strings ready to print.

    ``values`` has the same shape as ``cells``: the number shown (after rounding) as a float, NaN
    where a symbol is shown and in LABEL columns. ``suppressed_primary`` counts COUNT cells shown
    as ``c`` by the threshold rule (including ``c`` already in the input); ``suppressed_secondary``
    the complementary COUNT cells; ``suppressed_derived`` the RATE/PERCENT cells suppressed because
    their numerator or denominator is.
    """

    spec: TableSpec
    cells: pd.DataFrame
    values: pd.DataFrame
    policy: DisclosurePolicy
    suppressed_primary: int
    suppressed_secondary: int
    suppressed_derived: int = 0

    def titled(self) -> pd.DataFrame:
        """The cells with the column titles as headers, for printing."""
        return self.cells.rename(columns={c.name: c.title for c in self.spec.columns})
