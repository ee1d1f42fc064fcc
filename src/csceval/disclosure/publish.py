"""`protect`: the one disclosure-control step every published table goes through."""

from __future__ import annotations

import math
from collections.abc import Hashable

import numpy as np
import pandas as pd

from csceval.disclosure.policy import (
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    ROUNDS_TO_ZERO,
    SUPPRESSED,
    ColumnRole,
    DisclosurePolicy,
    PublishedColumn,
    PublishedTable,
    TableSpec,
    published_symbol,
)
from csceval.disclosure.primary import (
    check_count,
    is_small,
    parse_cell,
    round_half_up,
    round_to_base,
)
from csceval.disclosure.secondary import (
    Cost,
    MarginSystem,
    UnprotectableTableError,
    complementary_suppression,
    determined,
    margin_system,
)

_DEFAULT_POLICY = DisclosurePolicy()
_LEVELS = {
    "national": "national",
    "regional": "regional",
    "la": "la",
    "local authority": "la",
    "local_authority": "la",
}
_VALUE_DP = 2


def _check_table(table: pd.DataFrame, spec: TableSpec) -> None:
    needed = [c.name for c in spec.columns]
    needed += [c for c in (spec.level_column,) if c is not None]
    needed += [spec.total_row_label[0]] if spec.total_row_label else []
    missing = [c for c in dict.fromkeys(needed) if c not in table.columns]
    if missing:
        raise ValueError(f"table has no column(s) {missing}; it has {list(table.columns)}")


def _levels(table: pd.DataFrame, spec: TableSpec) -> list[str]:
    if spec.level_column is None:
        return ["la"] * len(table)
    out = []
    for label, raw in zip(table.index, table[spec.level_column], strict=True):
        level = _LEVELS.get(str(raw).strip().lower())
        if level is None:
            raise ValueError(
                f"row {label!r}, column {spec.level_column!r}: level {raw!r} is not one of "
                f"national, regional, la (or 'Local authority')"
            )
        out.append(level)
    return out


def _total_row(table: pd.DataFrame, spec: TableSpec) -> int | None:
    if spec.total_row_label is None:
        return None
    column, value = spec.total_row_label
    hits = np.flatnonzero(table[column].astype(str).to_numpy() == value)
    if len(hits) != 1:
        raise ValueError(
            f"total_row_label {spec.total_row_label!r} must match exactly one row; "
            f"it matches {len(hits)}"
        )
    return int(hits[0])


def _parse(table: pd.DataFrame, name: str) -> list[float | str]:
    return [
        parse_cell(v, f"row {label!r}, column {name!r}")
        for label, v in zip(table.index, table[name], strict=True)
    ]


class _Grid:
    """The published table while it is being built, column by column."""

    def __init__(self, table: pd.DataFrame, spec: TableSpec, policy: DisclosurePolicy) -> None:
        _check_table(table, spec)
        self.table, self.spec, self.policy = table, spec, policy
        self.levels = _levels(table, spec)
        self.total_row = _total_row(table, spec)
        n = len(table)
        self.cells = {c.name: [""] * n for c in spec.columns}
        self.values = {c.name: [math.nan] * n for c in spec.columns}
        self.counts = {name: [math.nan] * n for name in spec.count_columns}  # true counts
        self.primary = self.secondary = self.derived = 0

    def show(self, name: str, i: int, text: str, value: float = math.nan) -> None:
        self.cells[name][i], self.values[name][i] = text, value

    def count_column(self, name: str) -> None:
        base = self.policy.round_aggregates_to
        for i, cell in enumerate(_parse(self.table, name)):
            if isinstance(cell, str):
                symbol = published_symbol(cell, count=True)
                self.show(name, i, symbol)
                self.primary += symbol == SUPPRESSED
            elif math.isnan(cell):
                self.show(name, i, NOT_AVAILABLE)
            else:
                count = check_count(cell, f"row {self.table.index[i]!r}, column {name!r}")
                self.counts[name][i] = count
                if self.levels[i] != "la":
                    shown = round_to_base(count, base) if base > 1 else count
                    if shown == 0 and count != 0:
                        self.show(name, i, ROUNDS_TO_ZERO)
                    else:
                        self.show(name, i, str(shown), shown)
                elif is_small(count, self.policy):
                    self.show(name, i, SUPPRESSED)
                    self.primary += 1
                else:
                    self.show(name, i, str(count), count)

    def _cost(self, i: int, name: str) -> Cost | None:
        count = self.counts[name][i]
        if math.isnan(count):  # a symbol or missing: nothing to hide
            return None
        if count == 0:
            return (2, 0.0)
        return (int(self.levels[i] != "la"), count)

    def system(self) -> MarginSystem:
        names = self.spec.count_columns
        pos = {n: j for j, n in enumerate(names)}
        total = self.spec.total_column
        return margin_system(
            len(self.table),
            len(names),
            None if total is None else pos[total],
            [pos[p] for p in self.spec.row_parts],
            self.total_row,
        )

    def secondary_suppression(self) -> None:
        system, names = self.system(), self.spec.count_columns
        if not system.cells:
            return
        before = np.array([self.cells[names[j]][i] == SUPPRESSED for i, j in system.cells])
        costs = [self._cost(i, names[j]) for i, j in system.cells]
        try:
            after = complementary_suppression(system, before, costs)
        except UnprotectableTableError as err:
            label, name = self.table.index[err.row], names[err.column]
            raise UnprotectableTableError(
                f"row {label!r}, column {name!r}: this suppressed count cannot be protected: "
                f"no other cell on its margins can be suppressed",
                err.row,
                err.column,
            ) from err
        for k in np.flatnonzero(after & ~before):
            i, j = system.cells[k]
            self.show(names[j], i, SUPPRESSED)
            self.secondary += 1

    def derived_column(self, column: PublishedColumn) -> None:
        role = column.role
        default = {ColumnRole.RATE: self.policy.rate_dp, ColumnRole.PERCENT: self.policy.percent_dp}
        dp = column.dp if column.dp is not None else default.get(role, _VALUE_DP)
        refs = [r for r in (column.numerator, column.denominator) if r is not None]
        for i, cell in enumerate(_parse(self.table, column.name)):
            if isinstance(cell, str):
                self.show(column.name, i, published_symbol(cell, count=False))
            elif any(self.cells[r][i] == SUPPRESSED for r in refs):
                self.show(column.name, i, SUPPRESSED)
                self.derived += 1
            elif math.isnan(cell):
                den = column.denominator
                undefined = den is not None and self.counts[den][i] == 0
                self.show(column.name, i, NOT_APPLICABLE if undefined else NOT_AVAILABLE)
            else:
                shown = round_half_up(cell, dp)
                if role is not ColumnRole.VALUE and shown == 0 and cell != 0:
                    self.show(column.name, i, ROUNDS_TO_ZERO)
                else:
                    self.show(column.name, i, f"{shown:f}", float(shown))

    def label_column(self, name: str) -> None:
        for i, v in enumerate(self.table[name]):
            missing = v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))
            self.show(name, i, "" if missing else str(v))

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        names = [c.name for c in self.spec.columns]
        index = self.table.index
        cells = pd.DataFrame(self.cells, index=index, columns=names, dtype=object)
        values = pd.DataFrame(self.values, index=index, columns=names, dtype=float)
        return cells, values


def protect(
    table: pd.DataFrame, spec: TableSpec, policy: DisclosurePolicy = _DEFAULT_POLICY
) -> PublishedTable:
    """Apply disclosure control to a table and return it ready to publish.

    Only the columns declared in ``spec`` are published, in that order; the index is kept.

    Notes
    -----
    DfE children's social care conventions (children in need and children looked after
    statistics; GSS symbols):

    1. COUNT cells at LA level: 0 is shown; 1..``min_count`` become ``c``; others are shown as
       unrounded integers. Counts must be non-negative whole numbers.
    2. Rows whose level is national or regional: counts are rounded (half-up) to the nearest
       ``round_aggregates_to`` instead of being suppressed; a non-zero count that rounds to 0 is
       ``k``.
    3. RATE and PERCENT cells are rounded half-up to ``dp`` places; a non-zero value that rounds
       to 0 is ``k``; a cell whose numerator or denominator count is shown as ``c`` (primary,
       secondary or from the source) is ``c``. A missing percentage whose denominator is 0 is
       ``z``.
    4. VALUE cells are rounded half-up to ``dp`` (default 2) and may be negative; LABEL cells
       are shown as text.
    5. Missing numbers become ``x``. Symbols already in the input (``c``, ``z``, ``x``, ``k``,
       ``:``, ``u``) pass through; an incoming ``c`` in a COUNT column counts as suppressed.
       LAIT's ``-`` (not published: missing, not applicable or suppressed, never nil) becomes
       ``c`` in a COUNT column, counted as suppressed, and ``x`` elsewhere.
    6. Secondary suppression (when ``policy.secondary`` and margins are published): further
       COUNT cells are suppressed until no suppressed cell is determined by the published margin
       equations (see :mod:`csceval.disclosure.secondary`). Complementary cells are chosen by
       least information lost: non-zero LA cells first, smallest total value, fewest cells;
       national/regional cells only when nothing else works; zeros never, except as a last
       resort. Because every suppressed cell then has a true value > 0 and lies on a cycle of
       suppressed cells, its feasible interval (margins fixed, counts >= 0) has positive width.
       Published margins, including rounded national/regional ones, are treated as exact,
       which can only over-protect. The table must be additive (``total_column`` = sum of
       ``parts``; the total row = sum of all other rows); this is not checked.
    """
    grid = _Grid(table, spec, policy)
    for name in spec.count_columns:
        grid.count_column(name)
    if policy.secondary:
        grid.secondary_suppression()
    for column in spec.columns:
        if column.role is ColumnRole.LABEL:
            grid.label_column(column.name)
        elif column.role is not ColumnRole.COUNT:
            grid.derived_column(column)
    cells, values = grid.frames()
    return PublishedTable(spec, cells, values, policy, grid.primary, grid.secondary, grid.derived)


def disclosive_cells(
    table: pd.DataFrame, spec: TableSpec, suppressed: pd.DataFrame
) -> list[tuple[Hashable, str]]:
    """The suppressed COUNT cells that the published margins would reveal exactly.

    ``suppressed`` is a boolean frame (same index as ``table``, the COUNT columns) marking the
    cells not published, e.g. ``published.cells == "c"``. An empty list means the pattern is
    safe. This is the check :func:`protect` runs on its own output, exposed for audits and tests.
    """
    grid = _Grid(table, spec, DisclosurePolicy(secondary=False))
    system, names = grid.system(), spec.count_columns
    if not system.cells:
        return []
    mask = np.array([bool(suppressed[names[j]].iloc[i]) for i, j in system.cells])
    found = determined(system.matrix, mask)
    labels: list[Hashable] = list(table.index)
    return [(labels[system.cells[k][0]], names[system.cells[k][1]]) for k in np.flatnonzero(found)]
